"""The tick's extra events: nudges, the day's deadline and the week's end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coach.models import Reminders, Schedule
from coach.rhythm import (
    TICK_EVENTS,
    PromptKind,
    deadline_instant,
    due_slots,
    event_instant,
    slots_on,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)


def weekdays(day: date) -> bool:
    return day.isoweekday() <= 5


def test_every_event_of_a_default_day_in_shanghai():
    slots = slots_on(FRIDAY, SHANGHAI, Schedule(), TICK_EVENTS)
    local = {slot.kind: slot.due_at.astimezone(SHANGHAI).time() for slot in slots}
    assert local == {
        PromptKind.PLAN: time(8, 30),
        PromptKind.PLAN_NUDGE: time(9, 30),
        PromptKind.REVIEW: time(19, 0),
        PromptKind.REVIEW_NUDGE: time(20, 0),
        PromptKind.DEADLINE: time(22, 0),
        PromptKind.WEEK_END: time(21, 0),
        PromptKind.PRACTICE: time(13, 45),  # halfway between plan and review
        PromptKind.SHARING: time(20, 30),
    }
    assert PromptKind.WEEK_END not in {s.kind for s in slots_on(MONDAY, SHANGHAI, Schedule())}
    assert PromptKind.WEEK_END not in {
        s.kind for s in slots_on(MONDAY, SHANGHAI, Schedule(), TICK_EVENTS)
    }


def test_a_deadline_before_the_plan_time_is_after_midnight():
    late = Schedule(review_deadline=time(0, 30))
    assert deadline_instant(MONDAY, SHANGHAI, late) == datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    now = datetime(2026, 11, 24, 0, 40, tzinfo=SHANGHAI)  # Tuesday 00:40
    due = due_slots(now, SHANGHAI, late, weekdays, timedelta(minutes=30), TICK_EVENTS)
    assert [(s.kind, s.day) for s in due] == [(PromptKind.DEADLINE, MONDAY)]


def test_a_nudge_counts_real_minutes_across_a_dst_change():
    # Fall back in New York: 01:30 happens twice; the nudge is an hour after the first.
    schedule = Schedule(plan_time=time(1, 30), reminders=Reminders(nudge_after_minutes=60))
    day = date(2026, 11, 1)
    plan = event_instant(PromptKind.PLAN, day, NEW_YORK, schedule)
    nudge = event_instant(PromptKind.PLAN_NUDGE, day, NEW_YORK, schedule)
    assert nudge - plan == timedelta(hours=1)
    assert nudge.astimezone(NEW_YORK).time() == time(1, 30)  # the second 01:30 (EST)


def test_a_late_nudge_crosses_midnight_and_still_belongs_to_its_day():
    schedule = Schedule(review_time=time(23, 30), review_deadline=time(2, 0))
    now = datetime(2026, 11, 24, 0, 35, tzinfo=SHANGHAI)
    due = due_slots(now, SHANGHAI, schedule, weekdays, timedelta(minutes=10), TICK_EVENTS)
    assert [(s.kind, s.day) for s in due] == [(PromptKind.REVIEW_NUDGE, MONDAY)]


def test_the_week_end_happens_on_a_day_off_too():
    holiday_friday = date(2026, 10, 2)
    now = datetime(2026, 10, 2, 21, 5, tzinfo=SHANGHAI)
    due = due_slots(
        now, SHANGHAI, Schedule(), lambda d: d != holiday_friday, timedelta(minutes=30), TICK_EVENTS
    )
    assert [(s.kind, s.day) for s in due] == [(PromptKind.WEEK_END, holiday_friday)]


def test_a_grace_of_a_day_still_finds_yesterdays_late_deadline():
    schedule = Schedule(review_deadline=time(1, 0))  # Tuesday 01:00 closes Monday
    now = datetime(2026, 11, 25, 0, 30, tzinfo=SHANGHAI)  # Wednesday 00:30, within a day
    due = due_slots(now, SHANGHAI, schedule, weekdays, timedelta(hours=24), (PromptKind.DEADLINE,))
    assert [(s.kind, s.day) for s in due] == [(PromptKind.DEADLINE, MONDAY)]
