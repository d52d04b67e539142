"""Streaks, plan completion and runs of misses walk the rep's own work calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.calendar import WorkCalendar
from coach.days import Absence, CheckIn, DayRecord, Miss, Task
from coach.repdays import rep_calendar
from coach.streaks import Run, missed_run, plan_completion, should_escalate, streak, streak_run

CN = WorkCalendar(country="CN", workdays=frozenset({1, 2, 3, 4, 5}))
AT = datetime(2026, 11, 1, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def reviewed(*days: str) -> list[DayRecord]:
    return [DayRecord(7, 1, d(day), reviewed_at=AT, planned_at=AT) for day in days]


def planned_only(day: str) -> DayRecord:
    return DayRecord(7, 1, d(day), planned_at=AT)


def away(day: str) -> DayRecord:
    return DayRecord(7, 1, d(day), absence=Absence.SICK)


def missed(*days: str, kind: CheckIn = CheckIn.REVIEW) -> list[Miss]:
    return [Miss(7, 1, d(day), kind, AT) for day in days]


def test_no_history_no_streak():
    assert streak([], CN, d("2026-11-25")) == 0


def test_today_counts_once_reviewed_and_does_not_break_before():
    week = reviewed("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26")
    assert streak(week, CN, d("2026-11-27")) == 4  # Friday not reviewed yet
    assert streak([*week, *reviewed("2026-11-27")], CN, d("2026-11-27")) == 5


def test_a_weekend_never_breaks_a_streak():
    days = reviewed("2026-11-19", "2026-11-20", "2026-11-23")
    run = streak_run(days, CN, d("2026-11-24"))
    assert run == Run(3, d("2026-11-19"), d("2026-11-23"))


def test_a_missed_working_day_breaks_it():
    days = reviewed("2026-11-23", "2026-11-25")  # Tuesday missed
    assert streak(days, CN, d("2026-11-26")) == 1


def test_a_plan_without_review_breaks_it():
    days = [*reviewed("2026-11-23"), planned_only("2026-11-24")]
    assert streak(days, CN, d("2026-11-25")) == 0


def test_leave_neither_counts_nor_breaks():
    days = [*reviewed("2026-11-23"), away("2026-11-24"), *reviewed("2026-11-25")]
    assert streak(days, CN, d("2026-11-26")) == 2


def test_golden_week_is_skipped_and_the_makeup_saturday_counts():
    before = reviewed("2026-09-29", "2026-09-30")  # Oct 1–7 are holidays
    assert streak([*before, *reviewed("2026-10-08")], CN, d("2026-10-09")) == 3
    # Saturday Oct 10 is a 调休 working day: missing it breaks the streak on Monday…
    through_friday = [*before, *reviewed("2026-10-08", "2026-10-09")]
    assert streak(through_friday, CN, d("2026-10-12")) == 0
    # …and reviewing it keeps it going.
    assert streak([*through_friday, *reviewed("2026-10-10")], CN, d("2026-10-12")) == 5


def test_a_review_on_a_day_off_is_not_counted():
    days = reviewed("2026-11-27", "2026-11-28")  # Friday and Saturday
    assert streak(days, CN, d("2026-11-28")) == 1


@given(
    reviewed_days=st.sets(st.integers(min_value=0, max_value=40)),
    leave=st.sets(st.integers(min_value=0, max_value=40)),
)
def test_the_streak_never_exceeds_the_reviewed_working_days(
    reviewed_days: set[int], leave: set[int]
):
    start, today = d("2026-09-01"), d("2026-10-11")
    records = [
        DayRecord(7, 1, start + timedelta(days=n), reviewed_at=AT) for n in reviewed_days - leave
    ] + [away((start + timedelta(days=n)).isoformat()) for n in leave]
    cal = rep_calendar(CN, records)
    counted = [r for r in records if r.has_review and cal.is_working_day(r.day)]
    length = streak(records, CN, today)
    assert 0 <= length <= len(counted)
    # Reviewing on a day off (a Sunday) changes nothing.
    sunday = DayRecord(7, 1, d("2026-10-11"), reviewed_at=AT)
    assert streak([*records, sunday], CN, today) == length


def test_plan_completion_counts_done_over_planned_without_absence_days():
    tasks = (Task("a", True, True), Task("b", True, False), Task("c", False, True))
    records = [
        DayRecord(7, 1, d("2026-11-23"), tasks=tasks, planned_at=AT, reviewed_at=AT),
        DayRecord(7, 1, d("2026-11-24"), tasks=tasks[:1], planned_at=AT),
        DayRecord(7, 1, d("2026-11-25"), tasks=tasks, absence=Absence.TRAINING),
        DayRecord(7, 1, d("2026-11-30"), tasks=tasks, planned_at=AT),  # out of range
    ]
    completion = plan_completion(records, d("2026-11-23"), d("2026-11-29"))
    assert (completion.done, completion.planned) == (3, 4)
    assert completion.rate == Decimal("0.75")
    assert completion.percent == 75
    nothing = plan_completion(records, d("2026-12-01"), d("2026-12-07"))
    assert (nothing.rate, nothing.percent) == (None, None)


def test_two_of_three_rounds_to_67_percent():
    tasks = (Task("a", True, True), Task("b", True, True), Task("c", True))
    completion = plan_completion(
        [DayRecord(7, 1, d("2026-11-23"), tasks=tasks)], *[d("2026-11-23")] * 2
    )
    assert (completion.percent, completion.rate) == (67, Decimal("0.6667"))


def test_missed_run_spans_weekends_and_leave_but_only_of_its_kind():
    misses = [
        *missed("2026-11-19", "2026-11-20", "2026-11-24"),
        *missed("2026-11-23", kind=CheckIn.PLAN),
    ]
    leave = rep_calendar(CN, [away("2026-11-23")])
    assert missed_run(misses, leave, d("2026-11-24")) == Run(3, d("2026-11-19"), d("2026-11-24"))
    # Without the leave, Monday's review was not missed, so the run is Tuesday alone.
    assert missed_run(misses, CN, d("2026-11-24")).length == 1
    assert missed_run(misses, CN, d("2026-11-25")) == Run(0)
    assert missed_run(misses, CN, d("2026-11-23"), CheckIn.PLAN).length == 1


@pytest.mark.parametrize(
    ("length", "every", "expected"),
    [(2, 3, False), (3, 3, True), (4, 3, False), (6, 3, True), (9, 3, True), (5, 0, False)],
)
def test_escalation_at_n_days_and_each_multiple(length: int, every: int, expected: bool):
    assert should_escalate(Run(length, d("2026-11-02"), d("2026-11-30")), every) is expected
