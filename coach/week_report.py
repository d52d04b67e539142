"""``/report``: a week of the team for its managers — per rep checklist, score, practice, misses.

Any week can be asked for (``/report``, ``/report last``, ``/report 2026-11-16``), so past
weeks stay retrievable. Each rep's part is the same checklist the rep gets (``coach.weekly``),
the composite score and points of the boards (``coach.score_data`` over Monday through the
last day counted, the window ``/board`` uses, so the two agree), practice (drills and their
mean points out of 8, quiz answers and the share right), and the missed check-ins recorded
that week. The team's revenue target is this week's share of the monthly revenue target when
the manager set one (``/targets month=…``), else the sum of the reps' weekly ones. Reflection
answers are private to the rep and the team's managers: they appear here and nowhere public.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from coach.access import manager_of
from coach.days import CheckIn
from coach.kpis import Kpi
from coach.models import Person, Team
from coach.periods import Week, week_asked
from coach.ports import UnitOfWork
from coach.repdays import team_zone
from coach.score_data import team_periods, team_revenue_target
from coach.scores import RepPeriod, RepScore, ranked, score
from coach.weekly import WeekChecklist, percent, week_checklists

MAX_DRILL_POINTS = 8
"""A drill's most points: four LAER steps, 0–2 each."""


@dataclass(frozen=True, slots=True)
class Practice:
    """A rep's practice in a period.

    Attributes:
        drills: drills finished.
        drill_mean: mean points per drill (out of :data:`MAX_DRILL_POINTS`, one decimal), or
            ``None`` without drills.
        quiz_answered: quiz answers (private quizzes and battles).
        quiz_right: of which right.
    """

    drills: int
    drill_mean: Decimal | None
    quiz_answered: int
    quiz_right: int

    @property
    def quiz_percent(self) -> int | None:
        return percent(Decimal(self.quiz_right), Decimal(self.quiz_answered) or None)


@dataclass(frozen=True, slots=True)
class MissedDay:
    """The check-ins a rep missed on one working day (in :class:`CheckIn` order)."""

    day: date
    kinds: tuple[CheckIn, ...]


@dataclass(frozen=True, slots=True)
class RepWeek:
    """One rep's week in the report."""

    person: Person
    checklist: WeekChecklist
    score: RepScore
    practice: Practice
    missed: tuple[MissedDay, ...]


@dataclass(frozen=True, slots=True)
class TeamLine:
    """The team's total of one KPI: sum of the reps' week targets and actuals."""

    kpi: Kpi
    target: Decimal | None
    actual: Decimal

    @property
    def percent(self) -> int | None:
        return percent(self.actual, self.target)


@dataclass(frozen=True, slots=True)
class WeekReport:
    """The team's week from ``week.monday`` through ``week.through``; reps best first."""

    team: Team
    week: Week
    reps: tuple[RepWeek, ...]
    totals: tuple[TeamLine, ...]

    @property
    def missed(self) -> int:
        return sum(len(day.kinds) for rep in self.reps for day in rep.missed)


def team_report(
    uow: UnitOfWork, person: Person, now: datetime, words: list[str], team_id: int | None = None
) -> WeekReport:
    """``/report [last | DATE]`` by a manager of the team."""
    team = manager_of(uow, person.user_id, team_id)
    today = now.astimezone(team_zone(team)).date()
    return week_report(uow, team, week_asked(words, today))


def week_report(uow: UnitOfWork, team: Team, week: Week) -> WeekReport:
    """The report of ``week`` (no authorization: the caller checked it, or is the CLI)."""
    settings = uow.settings.get(team.id)
    periods = {p.user_id: p for p in team_periods(uow, team, week.monday, week.through)}
    scores = ranked(score(period, settings.weights) for period in periods.values())
    people = uow.people.many(periods)
    missed = _missed_days(uow, team, week)
    checklists = week_checklists(uow, team, [s.user_id for s in scores], week.monday, week.through)
    reps = []
    for rep_score in scores:
        uid = rep_score.user_id
        person = people.get(uid) or Person(uid, rep_score.name, None, team.language)
        reps.append(
            RepWeek(
                person=person,
                checklist=checklists[uid],
                score=rep_score,
                practice=practice_of(periods[uid]),
                missed=missed.get(uid, ()),
            )
        )
    totals = team_lines(r.checklist for r in reps)
    monthly = team_revenue_target(team, settings.monthly_revenue, week.monday, week.sunday)
    if monthly is not None:  # the manager's monthly revenue target, this week's share of it
        totals = tuple(
            replace(line, target=monthly) if line.kpi is Kpi.REVENUE else line for line in totals
        )
        if not any(line.kpi is Kpi.REVENUE for line in totals):
            totals = (*totals, TeamLine(Kpi.REVENUE, monthly, Decimal(0)))
    return WeekReport(team, week, tuple(reps), totals)


def practice_of(period: RepPeriod) -> Practice:
    """A rep's practice from what the score loader read for the period."""
    mean = None
    if period.drills:
        mean = (Decimal(period.drill_points) / period.drills).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    return Practice(period.drills, mean, period.quiz_answered, period.quiz_right)


def team_lines(checklists: Iterable[WeekChecklist]) -> tuple[TeamLine, ...]:
    """Per KPI, the sum of the reps' week targets (``None`` when no rep has one) and actuals."""
    targets: dict[Kpi, Decimal] = {}
    actuals: dict[Kpi, Decimal] = {}
    for checklist in checklists:
        for line in checklist.lines:
            actuals[line.kpi] = actuals.get(line.kpi, Decimal(0)) + line.actual
            if line.target is not None:
                targets[line.kpi] = targets.get(line.kpi, Decimal(0)) + line.target
    return tuple(TeamLine(kpi, targets.get(kpi), actuals[kpi]) for kpi in Kpi if kpi in actuals)


def _missed_days(uow: UnitOfWork, team: Team, week: Week) -> Mapping[int, tuple[MissedDay, ...]]:
    grouped: dict[int, dict[date, set[CheckIn]]] = {}
    for miss in uow.misses.of_team(team.id, week.monday, week.through):
        grouped.setdefault(miss.user_id, {}).setdefault(miss.day, set()).add(miss.kind)
    return {
        uid: tuple(
            MissedDay(day, tuple(kind for kind in CheckIn if kind in kinds))
            for day, kinds in sorted(days.items())
        )
        for uid, days in grouped.items()
    }
