"""When the daily rhythm's prompts fall due: team-local times, working days, DST, grace.

The scheduler does not keep timers. Each tick asks, for every team, which prompts are due at
``now``. A prompt is due from its local time until ``grace`` later. After that it is stale and
never sent, so an outage is caught up within the grace window and a long one floods nobody.
That a prompt is sent at most once is kept by storage (a unique key per rep, day and kind),
not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from coach.models import Schedule


class PromptKind(StrEnum):
    """The prompts of a working day, in the order they happen."""

    PLAN = "plan"
    REVIEW = "review"
    SHARING = "sharing"


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


def slots_on(
    day: date, tz: ZoneInfo, schedule: Schedule, kinds: tuple[PromptKind, ...] = tuple(PromptKind)
) -> list[Slot]:
    """The slots of ``day`` for a team with ``schedule`` (working-day checks are the caller's)."""
    times = {
        PromptKind.PLAN: schedule.plan_time,
        PromptKind.REVIEW: schedule.review_time,
        PromptKind.SHARING: schedule.sharing_time,
    }
    return [Slot(kind, day, local_instant(day, times[kind], tz)) for kind in kinds]


def due_slots(
    now: datetime,
    tz: ZoneInfo,
    schedule: Schedule,
    is_working_day: Callable[[date], bool],
    grace: timedelta,
) -> list[Slot]:
    """Every slot due at ``now``: on a working day, no earlier than its time, within ``grace``.

    Yesterday and tomorrow (team-local) are looked at too, so a grace window that crosses
    local midnight, or a team far from UTC, loses nothing.

    Raises:
        ValueError: if ``now`` is naive or ``grace`` is not positive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if grace <= timedelta(0):
        raise ValueError("grace must be positive")
    today = now.astimezone(tz).date()
    due: list[Slot] = []
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        if is_working_day(day):
            due.extend(slot for slot in slots_on(day, tz, schedule) if slot.is_due(now, grace))
    return sorted(due, key=lambda slot: (slot.due_at, slot.kind))
