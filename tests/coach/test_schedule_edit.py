"""/schedule: key=value words, every problem listed at once, all or nothing."""

from __future__ import annotations

from datetime import time

import pytest

from coach.schedule_edit import (
    Problem,
    ScheduleProblems,
    change_schedule,
    parse_days,
    parse_quiet,
    parse_schedule_words,
    parse_summary,
    parse_time,
)
from tests.coach.manager_seed import AFTER_WEEK, WANG, make_world


def test_values_are_read_in_their_usual_forms() -> None:
    assert parse_time("8:45") == time(8, 45) and parse_time("23:59") == time(23, 59)
    for bad in ("24:00", "8.45", "0845", "8:5", "", "noon"):
        assert parse_time(bad) is None
    assert parse_summary("fri 18:00") == (5, time(18))
    assert parse_summary("周日 9:30") == (7, time(9, 30))
    assert parse_summary("Friday") is None and parse_summary("8 18:00") is None
    assert parse_days("1-5") == frozenset(range(1, 6))
    assert parse_days("mon-fri,sun") == frozenset({1, 2, 3, 4, 5, 7})
    assert parse_days("1，3、5") == frozenset({1, 3, 5})
    assert parse_days("none") == frozenset()
    assert parse_days("5-1") is None and parse_days("0-4") is None
    assert parse_quiet("21:30-08:00") == (time(21, 30), time(8))
    assert parse_quiet("off") == (time(0), time(0))
    assert parse_quiet("21:30") is None


def test_words_with_spaces_and_full_width_signs() -> None:
    words = parse_schedule_words("plan＝８：４５ summary=fri 18:00  计划 quiet=21:30-08:00")
    assert words == {"plan": "8:45", "summary": "fri 18:00 计划", "quiet": "21:30-08:00"}
    assert parse_schedule_words("周结=周五 18:00 时区=UTC") == {
        "summary": "周五 18:00",
        "tz": "UTC",
    }


def test_a_manager_changes_several_things_at_once() -> None:
    world = make_world(seed_week=False)
    text = (
        "plan=08:45 review=18:30 sharing=20:00 summary=fri 18:00 days=1-6 "
        "tz=Europe/Berlin cap=1 nudge=45 quiet=22:00-07:30 deadline=00:30"
    )
    with world.uow as uow:
        change = change_schedule(uow, WANG, AFTER_WEEK, text)
        uow.commit()
    assert change.changed == (
        "plan", "review", "sharing", "deadline", "summary", "days", "tz", "cap", "nudge", "quiet",
    )  # fmt: skip
    with world.uow as uow:
        team = uow.teams.get(world.a.id)
    assert team is not None and team == change.after
    s = team.schedule
    assert (s.plan_time, s.review_time, s.sharing_time) == (time(8, 45), time(18, 30), time(20))
    assert s.review_deadline == time(0, 30)  # after midnight: allowed
    assert (s.week_end_day, s.week_end_time) == (5, time(18))
    assert s.workdays == frozenset(range(1, 7)) and team.timezone == "Europe/Berlin"
    r = s.reminders
    assert (r.daily_cap, r.nudge_after_minutes, r.quiet_start, r.quiet_end) == (
        1, 45, time(22), time(7, 30),
    )  # fmt: skip
    assert r.escalate_after_days == 3 and s.country == "CN"  # untouched

    with world.uow as uow:  # the same again changes nothing
        assert change_schedule(uow, WANG, AFTER_WEEK, "plan=8:45").changed == ()


def test_every_problem_is_listed_and_nothing_is_stored() -> None:
    world = make_world(seed_week=False)
    text = "hello plan=25:00 colour=red days= tz=Mars/Base cap=99 nudge=0 quiet=late plan=9:00"
    with world.uow as uow, pytest.raises(ScheduleProblems) as raised:
        change_schedule(uow, WANG, AFTER_WEEK, text)
    assert raised.value.problems == [
        Problem("hello", "", "not_pair"),
        Problem("colour", "red", "unknown_key"),
        Problem("plan", "9:00", "twice"),
    ]  # the words are read first; values are checked once they are readable
    with world.uow as uow, pytest.raises(ScheduleProblems) as raised:
        change_schedule(
            uow, WANG, AFTER_WEEK, "plan=25:00 days= tz=Mars/Base cap=99 nudge=0 quiet=late"
        )
    assert [(p.key, p.reason) for p in raised.value.problems] == [
        ("plan", "bad_time"),
        ("days", "no_days"),
        ("tz", "bad_tz"),
        ("cap", "bad_cap"),
        ("nudge", "bad_minutes"),
        ("quiet", "bad_quiet"),
    ]
    with world.uow as uow:
        assert uow.teams.get(world.a.id) == world.a


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("review=08:00", "review_before_plan"),
        ("plan=19:00", "review_before_plan"),
        ("deadline=12:00", "deadline_in_day"),
        ("review=23:00", "deadline_in_day"),  # after the default 22:00 deadline
        ("days=7-1", "bad_days"),
        ("summary=someday", "bad_summary"),
        ("", "not_pair"),
    ],
)
def test_a_schedule_that_makes_no_day_is_refused(text: str, reason: str) -> None:
    world = make_world(seed_week=False)
    with world.uow as uow, pytest.raises(ScheduleProblems) as raised:
        change_schedule(uow, WANG, AFTER_WEEK, text)
    assert [p.reason for p in raised.value.problems] == [reason]
