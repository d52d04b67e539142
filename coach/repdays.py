"""Small helpers over a rep's day records: calendars, date ranges, sums, carry-over.

Pacing, streaks, the weekly checklist and the tick all need the same few facts about a list
of :class:`~coach.days.DayRecord`; they live here so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from coach.calendar import WorkCalendar
from coach.days import DayRecord, Task
from coach.kpis import Kpi
from coach.models import Team

CARRY_OVER_LOOKBACK = timedelta(days=14)
"""How far back the last active day is looked for when rolling unfinished tasks over."""


def team_calendar(team: Team) -> WorkCalendar:
    """The team's work calendar: its working week and its country's public holidays."""
    return WorkCalendar.from_schedule(team.schedule, team.schedule.country)


def team_zone(team: Team) -> ZoneInfo:
    """The team's time zone."""
    return ZoneInfo(team.timezone)


def leave_days(records: Iterable[DayRecord]) -> frozenset[date]:
    """The days the records mark as absent (leave, sick, training, travel)."""
    return frozenset(record.day for record in records if record.absence is not None)


def rep_calendar(team_cal: WorkCalendar, records: Iterable[DayRecord]) -> WorkCalendar:
    """The team calendar with one rep's absences (from their ``records``) as leave."""
    return team_cal.with_leave(leave_days(records))


@lru_cache(maxsize=8192)
def working_count(calendar: WorkCalendar, first: date, last: date) -> int:
    """How many working days ``calendar`` has from ``first`` to ``last`` (cached: a tick asks
    the same of thousands of reps sharing a calendar)."""
    return len(calendar.working_days_between(first, last))


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def week_bounds(day: date) -> tuple[date, date]:
    """The Monday and Sunday of ``day``'s ISO week."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=6)


def sum_actuals(
    records: Iterable[DayRecord], start: date, end: date, *, absent_too: bool = True
) -> dict[Kpi, Decimal]:
    """Each KPI's reported actuals over records with ``start <= day <= end``.

    KPIs nobody reported are absent from the result. With ``absent_too=False``, records of
    absence days are left out.
    """
    totals: dict[Kpi, Decimal] = {}
    for record in records:
        if not start <= record.day <= end or (record.absence is not None and not absent_too):
            continue
        for kpi, value in record.actual.items():
            totals[kpi] = totals.get(kpi, Decimal(0)) + value
    return totals


def by_user(records: Iterable[DayRecord]) -> dict[int, list[DayRecord]]:
    """Records grouped per rep, each list in the order given."""
    grouped: dict[int, list[DayRecord]] = {}
    for record in records:
        grouped.setdefault(record.user_id, []).append(record)
    return grouped


def carry_over(records: Iterable[DayRecord], day: date) -> tuple[Task, ...]:
    """The tasks that roll over into ``day``'s plan.

    That is the unfinished tasks of the rep's last active day before ``day`` (the latest
    record with a plan or a review; absence-only records are passed over), if that day was
    reviewed. A day planned but never reviewed carries nothing: its tasks were never ticked,
    so nobody knows which are still open. Only records within :data:`CARRY_OVER_LOOKBACK`
    of ``day`` are considered.
    """
    oldest = day - CARRY_OVER_LOOKBACK
    active = [
        record
        for record in records
        if oldest <= record.day < day and (record.has_plan or record.has_review)
    ]
    if not active:
        return ()
    last = max(active, key=lambda record: record.day)
    return last.unfinished if last.has_review else ()


def index_by_day(records: Iterable[DayRecord]) -> Mapping[tuple[int, date], DayRecord]:
    """Records keyed by ``(user_id, day)``."""
    return {(record.user_id, record.day): record for record in records}
