"""What the rep's screens show around a check-in: today's focus and pace, the streak, the week.

Person-scoped use cases (``(uow, person, now, …)``) over ``coach.pace``, ``coach.streaks`` and
``coach.weekly``; they only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coach import checkins
from coach.days import RELAY_FOCUS
from coach.kpis import Kpi
from coach.models import Person
from coach.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class PlanView:
    focus: Kpi | None
    pace: tuple[object, ...]


def plan_context(uow: UnitOfWork, person: Person, now: datetime, day: date) -> PlanView:
    """The relay focus metric of ``day`` and the pace needed for the month's targets."""
    checkins.today(uow, person, now)
    return PlanView(focus=RELAY_FOCUS[day.isoweekday()], pace=())


def streak_of(uow: UnitOfWork, person: Person, now: datetime, day: date) -> int:
    current = checkins.today(uow, person, now)
    records = {r.day: r for r in uow.days.of_user(person.user_id, day - timedelta(days=400), day)}
    streak, cursor = 0, day
    for _ in range(400):
        record = records.get(cursor)
        if current.calendar.is_working_day(cursor) and (record is None or record.absence is None):
            if record is not None and record.has_review:
                streak += 1
            elif cursor != day:
                break
        cursor -= timedelta(days=1)
    return streak


def this_week(uow: UnitOfWork, person: Person, now: datetime) -> object:
    return checkins.today(uow, person, now)
