"""The manager views' messages: every refusal worded in both languages, user text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.render import render
from coach.export import load_export
from coach.kpis import Kpi
from coach.models import Lang
from coach.periods import BadDate, FutureWeek, RangeTooLong, ReversedRange
from coach.schedule_edit import Problem, ScheduleProblems
from coach.targets import BadTarget
from coach.team_targets import AmbiguousRep, MonthIsTeamWide, UnknownRep, targets_view
from coach.today import today_of_team
from coach.week_report import team_report
from tests.coach.manager_seed import AFTER_WEEK, WANG, make_world

SCHEDULE_REASONS = (
    "unknown_key", "twice", "bad_time", "bad_summary", "bad_days", "no_days", "bad_tz",
    "bad_cap", "bad_minutes", "bad_quiet", "review_before_plan", "deadline_in_day",
)  # fmt: skip
REFUSALS = [
    BadDate(value="<x>"),
    ReversedRange(start=date(2026, 11, 30), end=date(2026, 11, 1)),
    RangeTooLong(days=400, limit=366),
    FutureWeek(week_start=date(2026, 12, 7)),
    BadTarget(value="<x>"),
    BadTarget(value=""),
    UnknownRep(rep="<x>"),
    AmbiguousRep(rep="<x>", candidates=["@a", "@7"]),
    MonthIsTeamWide(),
    ScheduleProblems(
        problems=[Problem("<x>", "", "not_pair")]
        + [Problem("plan", "<x>", reason) for reason in SCHEDULE_REASONS]
    ),
]


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("error", REFUSALS, ids=lambda e: e.code)
def test_every_refusal_has_a_message_in_both_languages(lang: Lang, error) -> None:
    text = render(lang, f"errors/{error.code}", **error.context())
    assert text and "{{" not in text and "<x>" not in text
    if "value" in error.context() and error.context()["value"]:
        assert "&lt;x&gt;" in text
    if isinstance(error, ScheduleProblems):
        assert text.count("·") == len(error.problems)  # one line per problem
        assert "格式不对" not in text and "wrong format" not in text  # every reason worded


@pytest.mark.parametrize("lang", list(Lang))
def test_the_views_escape_names_and_answers(lang: Lang) -> None:
    world = make_world()
    with world.uow as uow:
        team = replace(world.a, name="<i>A</i>")
        report = team_report(uow, WANG, AFTER_WEEK, ["last"])
        report = replace(report, team=team)
        today = replace(today_of_team(uow, world.a, AFTER_WEEK), team=team)
        targets = replace(targets_view(uow, world.a, AFTER_WEEK), team=team)
        export = load_export(uow, world.a, date(2026, 11, 16), date(2026, 11, 22))
    texts = [
        render(lang, "report/week", r=report),
        render(lang, "manager/today", t=today),
        render(lang, "manager/targets", v=targets, saved=None, revenue=Kpi.REVENUE),
        render(lang, "manager/schedule", team=team),
        render(lang, "manager/schedule", team=team, changed=("plan",)),
        render(lang, "manager/export_sent", e=replace(export, team=team)),
    ]
    for text in texts:
        assert "<i>" not in text and "&lt;i&gt;A&lt;/i&gt;" in text
    assert "&lt;b&gt;good&lt;/b&gt; calls" in texts[0]  # a rep's reflection, escaped
