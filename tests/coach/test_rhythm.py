"""Due prompts: local times, working days, grace windows, and both DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.models import Schedule
from coach.rhythm import PromptKind, Slot, due_slots, local_instant, slots_on

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(minutes=30)
SCHEDULE = Schedule(plan_time=time(8, 30), review_time=time(19, 0), sharing_time=time(20, 30))


def weekdays(day: date) -> bool:
    return day.isoweekday() <= 5


def kinds(slots: list[Slot]) -> list[str]:
    return [f"{slot.day.isoformat()} {slot.kind}" for slot in slots]


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        pytest.param(datetime(2026, 11, 23, 0, 29, tzinfo=UTC), [], id="08:29 Shanghai: not yet"),
        pytest.param(
            datetime(2026, 11, 23, 0, 30, tzinfo=UTC), ["2026-11-23 plan"], id="08:30: plan due"
        ),
        pytest.param(
            datetime(2026, 11, 23, 0, 59, tzinfo=UTC), ["2026-11-23 plan"], id="08:59: in grace"
        ),
        pytest.param(datetime(2026, 11, 23, 1, 0, tzinfo=UTC), [], id="09:00: stale, not sent"),
        pytest.param(
            datetime(2026, 11, 23, 11, 10, tzinfo=UTC), ["2026-11-23 review"], id="19:10: review"
        ),
        pytest.param(datetime(2026, 11, 28, 0, 40, tzinfo=UTC), [], id="Saturday: nothing"),
    ],
)
def test_due_in_shanghai(utc: datetime, expected: list[str]):
    assert kinds(due_slots(utc, SHANGHAI, SCHEDULE, weekdays, GRACE)) == expected


def test_a_long_grace_crossing_local_midnight_keeps_yesterdays_sharing():
    late = Schedule(time(8, 30), time(19, 0), time(23, 50))
    just_after_midnight = datetime(2026, 11, 24, 0, 10, tzinfo=SHANGHAI)  # Tuesday
    due = due_slots(just_after_midnight, SHANGHAI, late, weekdays, timedelta(minutes=30))
    assert kinds(due) == ["2026-11-23 sharing"]


def test_holidays_come_from_the_calendar_it_is_given():
    national_day = date(2026, 10, 1)
    at_plan = datetime(2026, 10, 1, 8, 35, tzinfo=SHANGHAI)
    assert due_slots(at_plan, SHANGHAI, SCHEDULE, lambda d: d != national_day, GRACE) == []


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc"),
    [
        pytest.param(
            NEW_YORK,
            date(2026, 3, 8),
            time(2, 30),
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            id="New York spring forward: 02:30 does not exist, falls on 03:30 EDT",
        ),
        pytest.param(
            NEW_YORK,
            date(2026, 11, 1),
            time(1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            id="New York fall back: 01:30 happens twice, first one (EDT) counts",
        ),
        pytest.param(
            BERLIN,
            date(2026, 3, 29),
            time(8, 30),
            datetime(2026, 3, 29, 6, 30, tzinfo=UTC),
            id="Berlin spring forward: 08:30 CEST",
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 25),
            time(8, 30),
            datetime(2026, 10, 25, 7, 30, tzinfo=UTC),
            id="Berlin fall back: 08:30 CET",
        ),
    ],
)
def test_local_instants_on_dst_days(zone, day, at, expected_utc):
    assert local_instant(day, at, zone) == expected_utc


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 3, 8), id="spring forward"),
        pytest.param(date(2026, 11, 1), id="fall back"),
    ],
)
def test_a_prompt_in_the_dst_hour_fires_exactly_once_over_the_day(day: date):
    schedule = Schedule(time(2, 30) if day.month == 3 else time(1, 30), time(19), time(20, 30))
    start = datetime.combine(day, time(0), tzinfo=NEW_YORK).astimezone(UTC)
    seen = set()
    minute = timedelta(minutes=1)
    for step in range(26 * 60):  # every minute of the (up to 25-hour) local day
        for slot in due_slots(start + step * minute, NEW_YORK, schedule, lambda d: True, minute):
            seen.add((slot.day, slot.kind, slot.due_at))
    plans = [s for s in seen if s[1] is PromptKind.PLAN and s[0] == day]
    assert len(plans) == 1


def test_slots_on_lists_the_days_prompts_in_order():
    slots = slots_on(date(2026, 11, 23), SHANGHAI, SCHEDULE)
    assert [s.kind for s in slots] == [PromptKind.PLAN, PromptKind.REVIEW, PromptKind.SHARING]
    assert slots[0].due_at == datetime(2026, 11, 23, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "grace"),
    [
        (datetime(2026, 11, 23, 8, 30), GRACE),  # noqa: DTZ001 - the point of the test
        (datetime(2026, 11, 23, 0, 30, tzinfo=UTC), timedelta(0)),
    ],
)
def test_bad_arguments_are_refused(now: datetime, grace: timedelta):
    with pytest.raises(ValueError):
        due_slots(now, SHANGHAI, SCHEDULE, weekdays, grace)
