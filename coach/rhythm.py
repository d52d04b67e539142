"""When the daily rhythm's prompts fall due: team-local times, working days, DST, grace.

The scheduler does not keep timers. Each tick asks, for every team, which prompts are due at
``now``. A prompt is due from its local time until ``grace`` later. After that it is stale and
never sent, so an outage is caught up within the grace window and a long one floods nobody.
That a prompt is sent at most once is kept by storage (a unique key per rep, day and kind),
not here.

Besides the three daily prompts the tick also needs the events around them (the nudges, the
day's deadline, the week's end); they are slots of the same kind, so there is one place that
turns team-local times into instants (:func:`local_instant`), DST included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from coach.models import Schedule

_ONE_DAY = timedelta(days=1)


class PromptKind(StrEnum):
    """The events of a day the scheduler acts on.

    ``PLAN``, ``REVIEW`` and ``SHARING`` are the daily prompts (:data:`DAILY_PROMPTS`). The
    others are what the tick adds around them:

    * ``PLAN_NUDGE`` / ``REVIEW_NUDGE``: ``Reminders.nudge_after_minutes`` after the prompt
      (counted in real minutes from the prompt's instant, so it may cross local midnight);
    * ``DEADLINE``: ``Schedule.review_deadline``, which closes the day (see
      :func:`deadline_instant`);
    * ``WEEK_END``: ``Schedule.week_end_time`` on ISO weekday ``Schedule.week_end_day``; the
      only event that happens whether or not the day is a working day.
    """

    PLAN = "plan"
    REVIEW = "review"
    SHARING = "sharing"
    PLAN_NUDGE = "plan_nudge"
    REVIEW_NUDGE = "review_nudge"
    DEADLINE = "deadline"
    WEEK_END = "week_end"
    PRACTICE = "practice"


DAILY_PROMPTS: tuple[PromptKind, ...] = (PromptKind.PLAN, PromptKind.REVIEW, PromptKind.SHARING)
"""The three prompts of a working day, in the order they happen."""

TICK_EVENTS: tuple[PromptKind, ...] = (
    PromptKind.PLAN,
    PromptKind.PLAN_NUDGE,
    PromptKind.REVIEW,
    PromptKind.REVIEW_NUDGE,
    PromptKind.DEADLINE,
    PromptKind.WEEK_END,
    PromptKind.PRACTICE,
    PromptKind.SHARING,
)
"""What ``coach.tick`` acts on. ``SHARING`` opens the evening session; it closes by its own
``closes_at`` (``coach.sharing_flow.close_sessions``), not by a slot."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One prompt on one team-local day, and the instant it falls due."""

    kind: PromptKind
    day: date
    due_at: datetime

    def is_due(self, now: datetime, grace: timedelta) -> bool:
        """Whether ``now`` lies in ``[due_at, due_at + grace)``."""
        return self.due_at <= now < self.due_at + grace


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz``.

    On a spring-forward day a time inside the gap (02:30 that never happens) counts as the
    same distance after the last moment before the gap (03:30 summer time). On a fall-back day
    a repeated time counts at its first occurrence. A prompt therefore happens exactly once
    on both days.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def deadline_instant(day: date, tz: ZoneInfo, schedule: Schedule) -> datetime:
    """The instant ``day`` closes: ``review_deadline`` that day, or the next morning.

    A deadline earlier than the plan time (``00:30``, ``02:00``) means "after midnight", so it
    falls on the next calendar day; any other deadline is on ``day`` itself. Until this instant
    the day's plan and review can still be edited.
    """
    closes = schedule.review_deadline
    on = day + _ONE_DAY if closes < schedule.plan_time else day
    return local_instant(on, closes, tz)


def event_instant(kind: PromptKind, day: date, tz: ZoneInfo, schedule: Schedule) -> datetime:
    """The instant event ``kind`` of ``day`` falls due (whether it happens that day aside)."""
    nudge_after = timedelta(minutes=schedule.reminders.nudge_after_minutes)
    match kind:
        case PromptKind.PLAN:
            return local_instant(day, schedule.plan_time, tz)
        case PromptKind.REVIEW:
            return local_instant(day, schedule.review_time, tz)
        case PromptKind.SHARING:
            return local_instant(day, schedule.sharing_time, tz)
        case PromptKind.PLAN_NUDGE:
            return local_instant(day, schedule.plan_time, tz) + nudge_after
        case PromptKind.REVIEW_NUDGE:
            return local_instant(day, schedule.review_time, tz) + nudge_after
        case PromptKind.DEADLINE:
            return deadline_instant(day, tz, schedule)
        case PromptKind.WEEK_END:
            return local_instant(day, schedule.week_end_time, tz)
        case PromptKind.PRACTICE:
            return local_instant(day, practice_time(schedule), tz)
    raise ValueError(f"unknown event kind {kind!r}")  # pragma: no cover - exhaustive above


def practice_time(schedule: Schedule) -> time:
    """The practice push: halfway between the plan and the review times (13:45 by default)."""
    plan = schedule.plan_time.hour * 60 + schedule.plan_time.minute
    review = schedule.review_time.hour * 60 + schedule.review_time.minute
    middle = (plan + max(review, plan)) // 2
    return time(middle // 60, middle % 60)


def slots_on(
    day: date, tz: ZoneInfo, schedule: Schedule, kinds: tuple[PromptKind, ...] = DAILY_PROMPTS
) -> list[Slot]:
    """The slots of ``day`` for a team with ``schedule`` (working-day checks are the caller's).

    ``WEEK_END`` is left out unless ``day`` is the schedule's ``week_end_day``.
    """
    return [
        Slot(kind, day, event_instant(kind, day, tz, schedule))
        for kind in kinds
        if kind is not PromptKind.WEEK_END or day.isoweekday() == schedule.week_end_day
    ]


def due_slots(
    now: datetime,
    tz: ZoneInfo,
    schedule: Schedule,
    is_working_day: Callable[[date], bool],
    grace: timedelta,
    kinds: tuple[PromptKind, ...] = DAILY_PROMPTS,
) -> list[Slot]:
    """Every slot of ``kinds`` due at ``now``: no earlier than its time, within ``grace``.

    Every kind but ``WEEK_END`` happens on working days only. Earlier days (team-local) and
    tomorrow are looked at too, so a grace window or a nudge that crosses local midnight, a
    deadline after midnight, or a team far from UTC loses nothing.

    Raises:
        ValueError: if ``now`` is naive or ``grace`` is not positive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if grace <= timedelta(0):
        raise ValueError("grace must be positive")
    today = now.astimezone(tz).date()
    back = 2 + grace.days + schedule.reminders.nudge_after_minutes // (24 * 60)
    due: list[Slot] = []
    for offset in range(-back, 2):
        day = today + timedelta(days=offset)
        here = [slot for slot in slots_on(day, tz, schedule, kinds) if slot.is_due(now, grace)]
        if any(slot.kind is not PromptKind.WEEK_END for slot in here) and not is_working_day(day):
            here = [slot for slot in here if slot.kind is PromptKind.WEEK_END]
        due.extend(here)
    return sorted(due, key=lambda slot: (slot.due_at, slot.kind))
