"""目标分解: a rep's weekly targets broken down into the month, the week and the day.

Targets are set per week (:data:`~coach.days.DEFAULT_WEEKLY_TARGETS`, overlaid by the team's
own, overlaid by the rep's). A month's target is the weekly one scaled by how many days the
rep works that month, measured in the team's weeks::

    month target = weekly × working days of the month ÷ team workdays per week

so a month with a golden week or a week of leave asks for less, a month with 调休 Saturdays
for more. The same rule sizes a week. The pace for a day is what is left of the month
target, before that day's own figures, spread over the working days left including that day.

Counts are rounded up to whole numbers, revenue up to the cent: a pace is what is *needed*,
so it never rounds down. A KPI whose weekly target is zero (or not set) has no target and no
pace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from coach.calendar import WorkCalendar
from coach.days import DEFAULT_WEEKLY_TARGETS, RELAY_FOCUS, DayRecord
from coach.kpis import Kpi
from coach.ports import UnitOfWork
from coach.repdays import month_bounds, sum_actuals, week_bounds, working_count

_WHOLE = Decimal(1)
_CENTS = Decimal("0.01")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class KpiPace:
    """One KPI's breakdown for one rep and one day.

    Attributes:
        kpi: the KPI.
        target_month: the month's target (rounded up).
        done_month: actuals reported this month before the day.
        days_left: the rep's working days from the day to the month's end, the day included
            (0 when none is left, e.g. leave until the month's end).
        per_day: what each of those days needs to reach ``target_month``; never negative; the
            whole remainder when ``days_left`` is 0 (rounded up).
        week_target: the target of the day's ISO week (rounded up).
        week_done: actuals reported this week before the day.
    """

    kpi: Kpi
    target_month: Decimal
    done_month: Decimal
    days_left: int
    per_day: Decimal
    week_target: Decimal
    week_done: Decimal

    @property
    def left_month(self) -> Decimal:
        """What is still missing to the month's target (zero once it is reached)."""
        return max(_ZERO, self.target_month - self.done_month)

    @property
    def left_week(self) -> Decimal:
        """What is still missing to the week's target (zero once it is reached)."""
        return max(_ZERO, self.week_target - self.week_done)


def merge_targets(*levels: Mapping[Kpi, Decimal]) -> dict[Kpi, Decimal]:
    """Overlay target levels, later ones winning per KPI; the result is in :class:`Kpi` order."""
    merged: dict[Kpi, Decimal] = {}
    for level in levels:
        merged.update(level)
    return {kpi: merged[kpi] for kpi in Kpi if kpi in merged}


def weekly_targets(uow: UnitOfWork, team_id: int, user_id: int) -> dict[Kpi, Decimal]:
    """A rep's weekly targets: the defaults, overlaid by the team's, overlaid by the rep's."""
    return merge_targets(
        DEFAULT_WEEKLY_TARGETS,
        uow.targets.weekly(team_id),
        uow.targets.weekly(team_id, user_id),
    )


def team_weekly_targets(
    uow: UnitOfWork, team_id: int, user_ids: Iterable[int]
) -> dict[int, dict[Kpi, Decimal]]:
    """:func:`weekly_targets` for many reps of one team, in one query."""
    levels = uow.targets.levels(team_id)
    team = merge_targets(DEFAULT_WEEKLY_TARGETS, levels.get(None, {}))
    return {uid: merge_targets(team, levels.get(uid, {})) for uid in user_ids}


def round_up(kpi: Kpi, value: Decimal) -> Decimal:
    """Round a needed amount up: whole counts, revenue to the cent."""
    return value.quantize(_CENTS if kpi.is_money else _WHOLE, rounding=ROUND_CEILING)


def scaled_target(kpi: Kpi, weekly: Decimal, working_days: int, workdays_per_week: int) -> Decimal:
    """``weekly`` scaled to a period of ``working_days`` working days, rounded up."""
    return round_up(kpi, weekly * working_days / workdays_per_week)


def month_target(kpi: Kpi, weekly: Decimal, calendar: WorkCalendar, day: date) -> Decimal:
    """The target of ``day``'s month for a rep whose calendar (leave included) is ``calendar``."""
    working = working_count(calendar, *month_bounds(day))
    return scaled_target(kpi, weekly, working, len(calendar.workdays))


def week_target(kpi: Kpi, weekly: Decimal, calendar: WorkCalendar, day: date) -> Decimal:
    """The target of ``day``'s ISO week (Monday to Sunday) for that rep's ``calendar``."""
    working = working_count(calendar, *week_bounds(day))
    return scaled_target(kpi, weekly, working, len(calendar.workdays))


def day_pace(
    targets: Mapping[Kpi, Decimal],
    records: Iterable[DayRecord],
    calendar: WorkCalendar,
    day: date,
) -> tuple[KpiPace, ...]:
    """The breakdown of each targeted KPI for one rep on ``day``.

    Args:
        targets: the rep's weekly targets (:func:`weekly_targets`); zero means no target.
        records: the rep's records, at least those of ``day``'s month and ISO week; other
            days are ignored.
        calendar: the rep's calendar, leave included (:func:`coach.repdays.rep_calendar`).
        day: the day to pace.

    Returns:
        One :class:`KpiPace` per KPI with a positive target, in :class:`Kpi` order.
    """
    records = list(records)
    first, last = month_bounds(day)
    monday, _ = week_bounds(day)
    before = day - timedelta(days=1)
    done_month = sum_actuals(records, first, before)
    done_week = sum_actuals(records, monday, before)
    days_left = working_count(calendar, day, last)
    paces = []
    for kpi, weekly in merge_targets(targets).items():
        if weekly <= 0:
            continue
        target = month_target(kpi, weekly, calendar, day)
        done = done_month.get(kpi, _ZERO)
        left = max(_ZERO, target - done)
        per_day = round_up(kpi, left / days_left if days_left else left)
        paces.append(
            KpiPace(
                kpi=kpi,
                target_month=target,
                done_month=done,
                days_left=days_left,
                per_day=per_day,
                week_target=week_target(kpi, weekly, calendar, day),
                week_done=done_week.get(kpi, _ZERO),
            )
        )
    return tuple(paces)


def focus_kpi(day: date) -> Kpi:
    """The day's relay-race (销售接力赛) focus metric."""
    return RELAY_FOCUS[day.isoweekday()]
