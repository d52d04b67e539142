"""A team's day as the manager sees it: who owes which check-in, who missed, team pace.

Pure functions; ``coach.tick`` loads the data and records the misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from coach.calendar import WorkCalendar
from coach.days import CheckIn, DayRecord
from coach.kpis import Kpi
from coach.models import Membership, Person
from coach.notices import KpiTotal, RepLine
from coach.pace import day_pace
from coach.repdays import by_user, rep_calendar, sum_actuals


def owed_check_ins(
    membership: Membership, record: DayRecord | None, plan_at: datetime, review_at: datetime
) -> tuple[CheckIn, ...]:
    """The check-ins a rep was expected to make on a team working day.

    None on a day of absence. A rep who joined after the plan time owes only the review, one
    who joined after the review time owes nothing that day.
    """
    if record is not None and record.absence is not None:
        return ()
    owed = []
    if membership.joined_at <= plan_at:
        owed.append(CheckIn.PLAN)
    if membership.joined_at <= review_at:
        owed.append(CheckIn.REVIEW)
    return tuple(owed)


def missed_check_ins(owed: Iterable[CheckIn], record: DayRecord | None) -> tuple[CheckIn, ...]:
    """Those of the ``owed`` check-ins that ``record`` does not have."""
    done = {
        CheckIn.PLAN: record is not None and record.has_plan,
        CheckIn.REVIEW: record is not None and record.has_review,
    }
    return tuple(kind for kind in owed if not done[kind])


def rep_lines(
    people: Mapping[int, Person],
    records: Mapping[int, DayRecord],
    missed: Mapping[int, tuple[CheckIn, ...]],
) -> tuple[RepLine, ...]:
    """One line per rep in ``people``, by first name then user id.

    Args:
        people: the team's reps.
        records: each rep's record of the day, if any.
        missed: each rep's missed check-ins of the day (absent means none).
    """
    lines = []
    for user_id, person in sorted(people.items(), key=lambda kv: (kv[1].first_name, kv[0])):
        record = records.get(user_id)
        lines.append(
            RepLine(
                person=person,
                planned=record is not None and record.has_plan,
                reviewed=record is not None and record.has_review,
                absence=record.absence if record is not None else None,
                missed=missed.get(user_id, ()),
            )
        )
    return tuple(lines)


def team_totals(
    day: date,
    records: Iterable[DayRecord],
    targets: Mapping[int, Mapping[Kpi, Decimal]],
    team_cal: WorkCalendar,
) -> tuple[KpiTotal, ...]:
    """The team's actuals of ``day`` per KPI against the sum of its reps' paces for that day.

    Args:
        day: the day.
        records: the reps' records, covering at least ``day``'s month and ISO week.
        targets: each rep's weekly targets, for every rep to count in the pace.
        team_cal: the team calendar; a rep not working that day (absence) adds no pace.

    Returns:
        One total per KPI that has a pace or a reported figure, in :class:`Kpi` order.
    """
    records = list(records)
    actual = sum_actuals(records, day, day, absent_too=False)
    pace: dict[Kpi, Decimal] = {}
    grouped = by_user(records)
    for user_id, rep_targets in targets.items():
        mine = grouped.get(user_id, [])
        cal = rep_calendar(team_cal, mine)
        if not cal.is_working_day(day):
            continue
        for kpi_pace in day_pace(rep_targets, mine, cal, day):
            pace[kpi_pace.kpi] = pace.get(kpi_pace.kpi, Decimal(0)) + kpi_pace.per_day
    return tuple(
        KpiTotal(kpi, actual.get(kpi, Decimal(0)), pace.get(kpi))
        for kpi in Kpi
        if kpi in actual or kpi in pace
    )
