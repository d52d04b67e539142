"""周结: a rep's weekly checklist — targets, actuals, streak, plan completion, reflection.

The week runs Monday to Sunday. Targets are the rep's weekly ones scaled to the working days
of that week (as in :mod:`coach.pace`), so a week with holidays or leave asks for less and a
week with a 调休 Saturday for more; a full normal week asks exactly the weekly target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from coach.calendar import WorkCalendar
from coach.days import DayRecord, Reflection
from coach.kpis import Kpi
from coach.models import Team
from coach.pace import team_weekly_targets, week_target
from coach.ports import UnitOfWork
from coach.repdays import rep_calendar, sum_actuals, team_calendar, week_bounds
from coach.streaks import PlanCompletion, plan_completion, streak_run

REFLECTION_VARIANTS = 3
"""How many wordings each reflection question has (at least)."""

STREAK_WINDOW = timedelta(days=64)
"""History loaded first for a streak; doubled while the streak reaches its start."""
STREAK_WINDOW_MAX = timedelta(days=366 * 3)

_EPOCH_MONDAY = date(2001, 1, 1)  # a Monday: weeks are counted from here


@dataclass(frozen=True, slots=True)
class KpiLine:
    """One KPI of the checklist.

    Attributes:
        kpi: the KPI.
        target: the week's target, or ``None`` when the KPI has none.
        actual: what the rep reported this week through the checklist's last day.
        percent: ``actual / target`` as a whole percentage (half up), not capped (130 when
            over target); ``None`` without a target.
    """

    kpi: Kpi
    target: Decimal | None
    actual: Decimal
    percent: int | None


@dataclass(frozen=True, slots=True)
class ReflectionPrompts:
    """Which wording (0-based index) of each of the three reflection questions to ask."""

    went_well: int
    to_improve: int
    next_actions: int


@dataclass(frozen=True, slots=True)
class WeekChecklist:
    """A rep's week from Monday ``week_start`` through ``through``.

    Attributes:
        user_id, team_id: whose week.
        week_start: the Monday.
        through: the last day counted (``week_start`` … ``week_start + 6``).
        lines: one per KPI with a target or a reported figure, in :class:`Kpi` order.
        streak: the review streak as of ``through``.
        plan: tasks done over tasks planned from Monday through ``through``.
        working_days: the rep's working days from Monday through ``through``.
        reviewed_days: how many of those the rep reviewed.
        questions: the wording of each reflection question for this week.
        reflection: the rep's stored answers for this week, if any.
    """

    user_id: int
    team_id: int
    week_start: date
    through: date
    lines: tuple[KpiLine, ...]
    streak: int
    plan: PlanCompletion
    working_days: int
    reviewed_days: int
    questions: ReflectionPrompts
    reflection: Reflection | None


def reflection_prompts(week_start: date, variants: int = REFLECTION_VARIANTS) -> ReflectionPrompts:
    """The wordings to use in the week of ``week_start``; they change every week.

    The index counts weeks continuously (not the ISO week number, which restarts at 1 and
    would repeat a wording across New Year), and each question is shifted differently, so
    two consecutive weeks never share a wording of the same question.

    Args:
        week_start: any day of the week (its Monday is used).
        variants: how many wordings each question has (at least 2).
    """
    if variants < 2:
        raise ValueError("rotation needs at least two variants")
    week = (week_bounds(week_start)[0] - _EPOCH_MONDAY).days // 7
    return ReflectionPrompts(
        went_well=week % variants,
        to_improve=(week + 1) % variants,
        next_actions=(week + 2) % variants,
    )


def percent(actual: Decimal, target: Decimal | None) -> int | None:
    """``actual`` as a whole percentage of ``target`` (half up), uncapped; ``None`` without one."""
    if target is None or target <= 0:
        return None
    return int((actual * 100 / target).quantize(Decimal(1), ROUND_HALF_UP))


def rep_streak(
    uow: UnitOfWork, team: Team, user_id: int, today: date, calendar: WorkCalendar | None = None
) -> int:
    """The rep's review streak as of ``today``, loading as much history as the streak needs.

    The streak is the person's, across a change of team; ``team`` gives the calendar unless
    ``calendar`` (the team calendar) is passed.
    """
    return team_streaks(uow, team, [user_id], today, calendar).get(user_id, 0)


def team_streaks(
    uow: UnitOfWork,
    team: Team,
    user_ids: Iterable[int],
    today: date,
    calendar: WorkCalendar | None = None,
) -> dict[int, int]:
    """:func:`rep_streak` for many reps at once: one query for all of them over
    :data:`STREAK_WINDOW` (day marks only, ``DayRepository.marks``), then a longer window only
    for the reps whose streak reaches back to its start."""
    cal = calendar or team_calendar(team)
    todo = list(user_ids)
    streaks: dict[int, int] = {}
    window = STREAK_WINDOW
    while todo:
        start = today - window
        marks = uow.days.marks(todo, start, today)
        longer = []
        for user_id in todo:
            run = streak_run(marks.get(user_id, ()), cal, today)
            cut_short = run.since is not None and cal.add_working_days(run.since, -1) < start
            if cut_short and window < STREAK_WINDOW_MAX:
                longer.append(user_id)
            else:
                streaks[user_id] = run.length
        todo = longer
        window *= 2
    return streaks


def week_checklist(
    uow: UnitOfWork, team: Team, user_id: int, week_start: date, through: date
) -> WeekChecklist:
    """Build the weekly checklist of one rep.

    Args:
        uow: an open unit of work (read only here).
        team: the rep's team (its schedule and country make the calendar).
        user_id: the rep.
        week_start: the Monday of the week.
        through: the last day to count, from ``week_start`` to the Sunday.

    Raises:
        ValueError: ``week_start`` is not a Monday or ``through`` is outside that week.
    """
    return week_checklists(uow, team, [user_id], week_start, through)[user_id]


def week_checklists(
    uow: UnitOfWork, team: Team, user_ids: Iterable[int], week_start: date, through: date
) -> dict[int, WeekChecklist]:
    """:func:`week_checklist` for many reps of one team, reading the week's records and the
    streaks once for all of them (the week-end tick builds every rep's checklist at once)."""
    monday, sunday = week_bounds(week_start)
    if monday != week_start:
        raise ValueError(f"week_start {week_start} is not a Monday")
    if not monday <= through <= sunday:
        raise ValueError(f"through {through} is outside the week of {week_start}")
    ids = list(user_ids)
    team_cal = team_calendar(team)
    by_rep: dict[int, list[DayRecord]] = {uid: [] for uid in ids}
    records = (
        uow.days.of_user(ids[0], monday, sunday)
        if len(ids) == 1
        else uow.days.of_team(team.id, monday, sunday)
    )
    for record in records:
        if record.user_id in by_rep:
            by_rep[record.user_id].append(record)
    streaks = team_streaks(uow, team, ids, through, team_cal)
    targets = team_weekly_targets(uow, team.id, ids)
    return {
        uid: _checklist(
            uow, team.id, uid, monday, through, by_rep[uid], team_cal, targets[uid], streaks[uid]
        )
        for uid in ids
    }


def _checklist(
    uow: UnitOfWork,
    team_id: int,
    user_id: int,
    monday: date,
    through: date,
    records: list[DayRecord],
    team_cal: WorkCalendar,
    targets: Mapping[Kpi, Decimal],
    streak: int,
) -> WeekChecklist:
    cal = rep_calendar(team_cal, records)
    actuals = sum_actuals(records, monday, through)
    lines = []
    for kpi in Kpi:
        weekly = targets.get(kpi, Decimal(0))
        target = week_target(kpi, weekly, cal, monday) if weekly > 0 else None
        if target is None and kpi not in actuals:
            continue
        actual = actuals.get(kpi, Decimal(0))
        lines.append(KpiLine(kpi, target, actual, percent(actual, target)))
    working = cal.working_days_between(monday, through)
    reviewed = {r.day for r in records if r.has_review}
    return WeekChecklist(
        user_id=user_id,
        team_id=team_id,
        week_start=monday,
        through=through,
        lines=tuple(lines),
        streak=streak,
        plan=plan_completion(records, monday, through),
        working_days=len(working),
        reviewed_days=sum(1 for day in working if day in reviewed),
        questions=reflection_prompts(monday),
        reflection=uow.reflections.get(user_id, monday),
    )
