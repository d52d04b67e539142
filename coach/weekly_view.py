"""What the rep's screens show around a check-in: today's focus and pace, the streak, the week.

Person-scoped use cases (``(uow, person, now, …)``) over ``coach.pace``, ``coach.streaks`` and
``coach.weekly``; they only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from coach import checkins
from coach.kpis import Kpi
from coach.models import Person
from coach.pace import KpiPace, day_pace, focus_kpi, weekly_targets
from coach.ports import UnitOfWork
from coach.repdays import month_bounds, rep_calendar, week_bounds
from coach.weekly import WeekChecklist, week_checklist


@dataclass(frozen=True, slots=True)
class PlanView:
    """The relay focus metric of a day and the pace each targeted KPI needs that day."""

    focus: Kpi
    pace: tuple[KpiPace, ...]


def plan_context(uow: UnitOfWork, person: Person, now: datetime, day: date) -> PlanView:
    """The month → week → day breakdown of the rep's targets for ``day``, and its focus."""
    current = checkins.today(uow, person, now)
    first, last = month_bounds(day)
    start = min(first, week_bounds(day)[0])
    records = uow.days.of_user(person.user_id, start, max(last, week_bounds(day)[1]))
    calendar = rep_calendar(current.calendar, records)
    targets = weekly_targets(uow, current.team.id, person.user_id)
    return PlanView(focus=focus_kpi(day), pace=day_pace(targets, records, calendar, day))


def this_week(uow: UnitOfWork, person: Person, now: datetime) -> WeekChecklist:
    """This week's checklist from Monday through today (team-local)."""
    current = checkins.today(uow, person, now)
    monday = week_bounds(current.day)[0]
    return week_checklist(uow, current.team, person.user_id, monday, current.day)
