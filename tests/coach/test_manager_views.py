"""/team, /report and /targets from the seeded week (tests/coach/manager_seed.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from coach.days import CheckIn
from coach.kpis import Kpi
from coach.models import Membership, Person, Role
from coach.periods import (
    BadDate,
    FutureWeek,
    RangeTooLong,
    ReversedRange,
    Week,
    export_range,
    week_asked,
)
from coach.targets import BadTarget
from coach.team_targets import (
    AmbiguousRep,
    MonthIsTeamWide,
    TargetsSet,
    UnknownRep,
    parse_targets_request,
    set_targets,
    show_targets,
)
from coach.today import team_today
from coach.week_report import team_report
from tests.coach.manager_seed import AFTER_WEEK, LINA, MONDAY, TOM, WANG, local, make_world

# --- which week, which range -------------------------------------------------------------------


def test_the_week_asked_for() -> None:
    wednesday = date(2026, 11, 25)
    assert week_asked([], wednesday) == Week(date(2026, 11, 23), wednesday)
    assert week_asked(["last"], wednesday) == Week(date(2026, 11, 16), date(2026, 11, 22))
    assert week_asked(["上周"], wednesday).monday == date(2026, 11, 16)
    assert week_asked(["2026-11-19"], wednesday) == Week(date(2026, 11, 16), date(2026, 11, 22))
    assert week_asked(["2025/1/1"], wednesday).monday == date(2024, 12, 30)
    assert week_asked(["2026-11-28"], wednesday).through == wednesday  # this week: so far
    assert not week_asked([], wednesday).complete
    with pytest.raises(FutureWeek):
        week_asked(["2026-11-30"], wednesday)
    for bad in (["next"], ["2026-02-30"], ["2026-11-16", "x"]):
        with pytest.raises(BadDate):
            week_asked(bad, wednesday)


def test_the_export_range() -> None:
    today = date(2026, 11, 25)
    assert export_range([], today) == (date(2026, 11, 1), today)
    assert export_range(["2026-02"], today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert export_range(["2026-11-03"], today) == (date(2026, 11, 3), date(2026, 11, 3))
    assert export_range(["2025-11-25", "2026-11-25"], today) == (date(2025, 11, 25), today)
    with pytest.raises(ReversedRange) as reversed_:
        export_range(["2026-11-30", "2026-11-01"], today)
    assert reversed_.value.context() == {"start": date(2026, 11, 30), "end": date(2026, 11, 1)}
    with pytest.raises(RangeTooLong) as too_long:
        export_range(["2025-11-24", "2026-11-25"], today)
    assert (too_long.value.days, too_long.value.limit) == (367, 366)
    for bad in (["yesterday"], ["2026-13"], ["2026-11-01", "2026-11-31"], ["a", "b", "c"]):
        with pytest.raises(BadDate):
            export_range(bad, today)


# --- /report -----------------------------------------------------------------------------------


def test_the_week_report_holds_the_seeded_numbers() -> None:
    world = make_world()
    with world.uow as uow:
        report = team_report(uow, WANG, AFTER_WEEK, ["last"])
    assert report.week == Week(MONDAY, MONDAY + timedelta(days=6))
    tom, lina = report.reps  # best composite first
    assert (tom.person.user_id, lina.person.user_id) == (TOM.user_id, LINA.user_id)
    assert tom.score.composite > lina.score.composite

    visits = {line.kpi: line for line in tom.checklist.lines}
    assert (visits[Kpi.NEW_VISITS].target, visits[Kpi.NEW_VISITS].actual) == (10, 10)
    assert visits[Kpi.REVENUE].actual == 50000 and visits[Kpi.REVENUE].percent == 50
    assert visits[Kpi.DEALS].percent == 50
    assert (tom.checklist.reviewed_days, tom.checklist.working_days) == (5, 5)
    assert (tom.checklist.plan.done, tom.checklist.plan.planned) == (5, 10)
    assert tom.practice.drills == 2 and tom.practice.drill_mean == Decimal("6.5")
    assert (tom.practice.quiz_answered, tom.practice.quiz_right) == (4, 3)
    assert tom.practice.quiz_percent == 75
    assert tom.missed == ()
    assert tom.checklist.reflection is not None  # the manager sees the rep's answers
    assert tom.checklist.reflection.went_well == "<b>good</b> calls"

    # Sick on Wednesday: four working days, a week's target scaled to them.
    assert lina.checklist.working_days == 4
    assert {line.kpi: line.target for line in lina.checklist.lines}[Kpi.NEW_VISITS] == 8
    assert [(m.day.isoformat(), m.kinds) for m in lina.missed] == [
        ("2026-11-17", (CheckIn.REVIEW,)),
        ("2026-11-19", (CheckIn.PLAN, CheckIn.REVIEW)),
        ("2026-11-20", (CheckIn.PLAN, CheckIn.REVIEW)),
    ]
    assert lina.practice.drill_mean is None and lina.practice.quiz_percent is None
    assert report.missed == 5

    totals = {line.kpi: line for line in report.totals}
    assert (totals[Kpi.NEW_VISITS].target, totals[Kpi.NEW_VISITS].actual) == (18, 11)
    assert totals[Kpi.NEW_VISITS].percent == 61
    assert totals[Kpi.REVENUE].target == Decimal("180000.00")


def test_a_report_of_this_week_counts_through_today_and_past_weeks_stay() -> None:
    world = make_world()
    wednesday_noon = local(MONDAY + timedelta(days=2), 12)
    with world.uow as uow:
        so_far = team_report(uow, WANG, wednesday_noon, [])
        dated = team_report(uow, WANG, AFTER_WEEK + timedelta(days=60), ["2026-11-18"])
    assert so_far.week == Week(MONDAY, MONDAY + timedelta(days=2))
    tom = next(rep for rep in so_far.reps if rep.person.user_id == TOM.user_id)
    assert {line.kpi: line.actual for line in tom.checklist.lines}[Kpi.NEW_VISITS] == 6
    assert dated.week.complete and dated.missed == 5


# --- /team -------------------------------------------------------------------------------------


def test_today_names_only_check_ins_whose_time_has_come() -> None:
    world = make_world(seed_week=False)
    thursday = MONDAY + timedelta(days=3)
    with world.uow as uow:
        early = team_today(uow, WANG, local(thursday, 8))
        midday = team_today(uow, WANG, local(thursday, 12))
        evening = team_today(uow, WANG, local(thursday, 21))
        late = team_today(uow, WANG, local(thursday, 23))
        saturday = team_today(uow, WANG, local(thursday + timedelta(days=2), 12))
    assert not early.plan_open and all(line.missed == () for line in early.lines)
    assert [line.missed for line in midday.lines] == [(CheckIn.PLAN,), (CheckIn.PLAN,)]
    assert [line.missed for line in evening.lines] == [(CheckIn.PLAN, CheckIn.REVIEW)] * 2
    assert late.closed and not evening.closed
    assert not saturday.working and all(line.missed == () for line in saturday.lines)
    assert [line.person.first_name for line in midday.lines] == ["Tom", "李娜"]
    pace = {total.kpi: total.pace for total in midday.totals}
    assert pace[Kpi.NEW_VISITS] is not None and pace[Kpi.NEW_VISITS] > 0


def test_today_with_check_ins_absence_and_totals() -> None:
    world = make_world()
    wednesday = MONDAY + timedelta(days=2)
    with world.uow as uow:
        found = team_today(uow, WANG, local(wednesday, 21))
    tom, lina = found.lines
    assert (tom.planned, tom.reviewed, tom.missed) == (True, True, ())
    assert lina.absence is not None and lina.missed == ()  # sick: owes nothing
    assert (found.planned, found.reviewed) == (1, 1)
    totals = {total.kpi: total.actual for total in found.totals}
    assert totals[Kpi.NEW_VISITS] == 2 and totals[Kpi.REVENUE] == 50000


# --- /targets ----------------------------------------------------------------------------------


def test_targets_words_are_read_whole() -> None:
    request = parse_targets_request(["@tom", "Demos=4", "拜访=12", "deals=-"])
    assert request.rep == "tom"
    assert dict(request.weekly) == {Kpi.DEMOS: 4, Kpi.NEW_VISITS: 12, Kpi.DEALS: None}
    month = parse_targets_request(["month=450,000"])
    assert (month.month, month.month_given) == (Decimal("450000.00"), True)
    assert parse_targets_request(["month=-"]).month is None
    for bad in (["month=0"], ["month=lots"], ["demos=1.5"], ["speed=3"], ["demos"]):
        with pytest.raises(BadTarget):
            parse_targets_request(bad)
    with pytest.raises(MonthIsTeamWide):
        parse_targets_request(["@tom", "month=1000"])


def test_a_manager_sets_team_rep_and_month_targets() -> None:
    world = make_world(seed_week=False)
    with world.uow as uow:
        shown = show_targets(uow, WANG, AFTER_WEEK)
        assert shown.monthly_revenue is None and shown.team_set == frozenset()
        # November 2026 has 21 working days in China: 100,000 × 21 / 5 per rep, two reps.
        assert shown.derived_month_revenue == Decimal("840000.00")
        team_set = set_targets(uow, WANG, AFTER_WEEK, ["revenue=150000", "deals=3"])
        rep_set = set_targets(uow, WANG, AFTER_WEEK, ["@李娜", "demos=4"])
        month_set = set_targets(uow, WANG, AFTER_WEEK, ["month=450000"])
        uow.commit()
    assert isinstance(team_set, TargetsSet) and team_set.rep is None
    assert isinstance(rep_set, TargetsSet) and rep_set.rep is not None
    assert rep_set.rep.user_id == LINA.user_id
    assert isinstance(month_set, TargetsSet)
    view = month_set.view
    assert view.team_targets[Kpi.REVENUE] == 150000 and view.team_targets[Kpi.DEALS] == 3
    assert view.team_set == frozenset({Kpi.REVENUE, Kpi.DEALS})
    assert view.monthly_revenue == Decimal("450000.00")
    lines = {rep.person.user_id: rep for rep in view.reps}
    assert dict(lines[LINA.user_id].overrides) == {Kpi.DEMOS: 4}
    assert lines[LINA.user_id].effective[Kpi.DEMOS] == 4
    assert lines[LINA.user_id].effective[Kpi.REVENUE] == 150000
    assert dict(lines[TOM.user_id].overrides) == {}

    with world.uow as uow:  # "-" sends a rep back to the team's targets
        back = set_targets(uow, WANG, AFTER_WEEK, ["@lina", "demos=-"])
        assert isinstance(back, TargetsSet)
        assert all(not rep.overrides for rep in back.view.reps)


def test_reps_are_found_by_username_name_or_id_within_the_team() -> None:
    world = make_world(seed_week=False)
    with world.uow as uow:
        uow.people.save(Person(7, "李娜", None, LINA.language), AFTER_WEEK)
        uow.members.add(Membership(7, world.a.id, Role.REP, AFTER_WEEK))
        with pytest.raises(AmbiguousRep) as twice:
            set_targets(uow, WANG, AFTER_WEEK, ["@李娜", "demos=2"])
        assert twice.value.candidates == ["@lina", "@7"]
        by_username = set_targets(uow, WANG, AFTER_WEEK, ["@TOM", "demos=2"])
        assert isinstance(by_username, TargetsSet) and by_username.rep == TOM
        found = set_targets(uow, WANG, AFTER_WEEK, ["@7", "demos=2"])
        assert isinstance(found, TargetsSet) and found.rep is not None and found.rep.user_id == 7
        with pytest.raises(UnknownRep):
            set_targets(uow, WANG, AFTER_WEEK, ["@ann", "demos=2"])  # team B's rep


def test_the_team_revenue_target_follows_the_monthly_target_when_set() -> None:
    world = make_world()
    with world.uow as uow:
        set_targets(uow, WANG, AFTER_WEEK, ["month=420000"])
        report = team_report(uow, WANG, AFTER_WEEK, ["last"])
    revenue = next(line for line in report.totals if line.kpi is Kpi.REVENUE)
    # 21 working days in November 2026, 5 of them in the week: 420,000 × 5 / 21.
    assert revenue.target == Decimal("100000.00") and revenue.actual == 50000
    tom = report.reps[0]  # a rep's own checklist keeps the weekly targets
    assert {line.kpi: line.target for line in tom.checklist.lines}[Kpi.REVENUE] == 100000
