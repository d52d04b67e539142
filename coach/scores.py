"""Points and the composite performance score of one rep over one period.

Everything here is a pure function of a :class:`RepPeriod` (what the loader,
``coach.score_data``, read for the period) and the team's :class:`~coach.team_settings.Weights`.

**Points** are a table of named rules (:data:`POINTS_RULES`): each rule counts something in the
period and pays a fixed number of points per count, some with a ceiling per period. ``/help``
lists the same table, so the rules stated are the rules applied.

**The composite score** (0–100, one decimal) adds four parts, each 0–100, with the team's
weights (seeds: results 60, process 20, capability 10, teamwork 10):

* *results*: attainment of revenue, deals and new customers against the period's targets;
* *process*: attainment of new-customer visits, follow-ups, proposals and demos, and check-in
  discipline (on-time check-ins over owed ones), each counting the same;
* *capability*: the share of drill points won (0–2 per LAER step) and of quiz answers right;
* *teamwork*: points for named shares and kudos against a weekly expectation.

Attainment is capped at :data:`ATTAINMENT_CAP` per KPI before averaging, and a part never
exceeds 100, so one outlier KPI (a single big deal at 900% of the revenue target) cannot carry
the score, while beating one target still makes up for part of another. KPIs without a
positive target for the rep are left out of their part; a part with nothing to measure is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from coach.kpis import Kpi
from coach.team_settings import Weights

ATTAINMENT_CAP = Decimal(150)
"""Attainment of one KPI counts at most this many percent in the composite."""

RESULTS_KPIS = (Kpi.REVENUE, Kpi.DEALS, Kpi.NEW_CUSTOMERS)
PROCESS_KPIS = (Kpi.NEW_VISITS, Kpi.FOLLOW_UPS, Kpi.PROPOSALS, Kpi.DEMOS)

STREAK_STEP = 5
"""The streak rule pays once for every this many reviews in a row."""

TEAMWORK_POINTS_PER_WEEK = 10
"""Teamwork points a week that make the teamwork part 100 (e.g. two named shares)."""

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_TENTH = Decimal("0.1")
_MAX_STEP_POINTS = 2


@dataclass(frozen=True, slots=True)
class PointsRule:
    """One line of the points table.

    Attributes:
        code: the rule's stable name (templates word it, tests and breakdowns key on it).
        points: points per counted event.
        cap: the most points the rule pays in one period; ``None`` for no ceiling.
    """

    code: str
    points: int
    cap: int | None = None

    def pay(self, count: int) -> int:
        """Points for ``count`` events in a period."""
        earned = self.points * max(0, count)
        return earned if self.cap is None else min(earned, self.cap)


POINTS_RULES: tuple[PointsRule, ...] = (
    PointsRule("plan_on_time", 2),  # a plan saved before the day's review time
    PointsRule("review_on_time", 3),  # a review saved before the day's review deadline
    PointsRule("streak", 5),  # every STREAK_STEP reviews in a row within the period
    PointsRule("target_met", 10),  # every KPI at or above its period target
    PointsRule("drill", 2),  # a finished LAER drill
    PointsRule("drill_full_step", 1),  # a LAER step scored 2 of 2
    PointsRule("quiz_right", 1),  # a quiz or battle answer that was right
    PointsRule("share", 5),  # a named share in the evening sharing (venting earns nothing)
    PointsRule("kudos_received", 2),  # a 👍 on one's named share
    PointsRule("kudos_given", 1, cap=10),  # a 👍 given (capped: no points for liking everything)
)
"""The points rules, in the order ``/help`` states them."""

RULES: Mapping[str, PointsRule] = MappingProxyType({rule.code: rule for rule in POINTS_RULES})

HELP_RULES: Mapping[str, object] = MappingProxyType(
    {"points_rules": POINTS_RULES, "streak_step": STREAK_STEP, "cap": ATTAINMENT_CAP}
)
"""What ``/help`` states about points (``bot/templates/board/rules.html.j2``): the table itself."""


@dataclass(frozen=True, slots=True)
class RepPeriod:
    """What one rep did in one period; the loader (``coach.score_data``) fills it.

    Attributes:
        user_id, name: the rep (first name).
        targets: the period's target per KPI (positive targets only).
        actuals: the reported actuals per KPI in the period.
        plans_on_time, reviews_on_time: check-ins saved in time (see ``coach.score_data``).
        late: check-ins saved, but after their limit.
        missed: recorded misses (``coach.days.Miss``) in the period.
        streak: reviews in a row ending at the period's last closed day, within the period.
        drills: finished drills; ``drill_points``/``drill_max``: points won and possible;
        drill_full_steps: steps scored 2 of 2.
        quiz_answered, quiz_right: quiz and battle answers, and the right ones.
        shares, kudos_received, kudos_given: teamwork (``coach.sharing_records.Teamwork``).
        weeks: the period's length in the team's working weeks (working days ÷ workdays per
            week); the teamwork expectation scales with it.
    """

    user_id: int
    name: str
    targets: Mapping[Kpi, Decimal] = field(default_factory=dict)
    actuals: Mapping[Kpi, Decimal] = field(default_factory=dict)
    plans_on_time: int = 0
    reviews_on_time: int = 0
    late: int = 0
    missed: int = 0
    streak: int = 0
    drills: int = 0
    drill_points: int = 0
    drill_max: int = 0
    drill_full_steps: int = 0
    quiz_answered: int = 0
    quiz_right: int = 0
    shares: int = 0
    kudos_received: int = 0
    kudos_given: int = 0
    weeks: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        targets = {kpi: self.targets[kpi] for kpi in Kpi if self.targets.get(kpi, _ZERO) > 0}
        actuals = {kpi: self.actuals[kpi] for kpi in Kpi if kpi in self.actuals}
        object.__setattr__(self, "targets", MappingProxyType(targets))
        object.__setattr__(self, "actuals", MappingProxyType(actuals))

    @property
    def on_time(self) -> int:
        return self.plans_on_time + self.reviews_on_time


@dataclass(frozen=True, slots=True)
class RepScore:
    """A rep's score for a period: the composite, its parts, the points and the figures.

    The fields up to ``missed`` are the interface other modules rely on; the ones after it
    carry the detail boards and reports show.
    """

    user_id: int
    name: str  # first name
    composite: Decimal  # 0..100, one decimal
    results: Decimal  # each part 0..100 before weighting
    process: Decimal
    capability: Decimal
    teamwork: Decimal
    points: int  # the points total of the rules
    attainment: Mapping[Kpi, int | None]  # percent per KPI vs the period target (uncapped)
    actuals: Mapping[Kpi, Decimal]
    streak: int
    on_time: int  # on-time check-ins in the period
    missed: int  # missed check-ins (misses) in the period
    targets: Mapping[Kpi, Decimal] = field(default_factory=dict)  # the period's targets
    late: int = 0  # check-ins saved after their limit
    drills: int = 0
    quiz_answered: int = 0
    quiz_right: int = 0
    shares: int = 0
    kudos_received: int = 0
    kudos_given: int = 0
    breakdown: Mapping[str, int] = field(default_factory=dict)  # points per rule code
    discipline: Decimal | None = None  # on-time share of owed check-ins, 0..100

    @property
    def active(self) -> bool:
        """Whether the rep left any trace in the period (a check-in, a miss, practice,
        sharing): only such reps take part in "most improved"."""
        return bool(
            self.on_time
            or self.late
            or self.missed
            or self.actuals
            or self.drills
            or self.quiz_answered
            or self.shares
            or self.kudos_given
        )

    @property
    def quiz_accuracy(self) -> int | None:
        """Right answers in percent (half up), ``None`` without answers."""
        if not self.quiz_answered:
            return None
        return _whole(Decimal(100 * self.quiz_right) / self.quiz_answered)


# --- pieces ----------------------------------------------------------------------------------


def attainment(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """``actual`` in percent of ``target``, exact and uncapped; ``None`` without a target."""
    if target is None or target <= 0:
        return None
    return actual * _HUNDRED / target


def percent(actual: Decimal, target: Decimal | None) -> int | None:
    """Attainment as a whole percentage (half up), uncapped; ``None`` without a target."""
    exact = attainment(actual, target)
    return None if exact is None else _whole(exact)


def capped(value: Decimal) -> Decimal:
    """Attainment as it counts in the composite: at most :data:`ATTAINMENT_CAP`."""
    return min(value, ATTAINMENT_CAP)


def _mean(values: Iterable[Decimal]) -> Decimal | None:
    items = list(values)
    if not items:
        return None
    return sum(items, _ZERO) / len(items)


def _part(values: Iterable[Decimal]) -> Decimal:
    """The mean of a part's items, at most 100; 0 when there is nothing to measure."""
    mean = _mean(values)
    return _ZERO if mean is None else min(_HUNDRED, mean)


def _kpi_attainments(period: RepPeriod, kpis: Iterable[Kpi]) -> list[Decimal]:
    values = []
    for kpi in kpis:
        exact = attainment(period.actuals.get(kpi, _ZERO), period.targets.get(kpi))
        if exact is not None:
            values.append(capped(exact))
    return values


def discipline(period: RepPeriod) -> Decimal | None:
    """On-time check-ins over owed ones (on time + late + missed), in percent; ``None``
    when nothing was owed (a period of leave, or one that has not started)."""
    owed = period.on_time + period.late + period.missed
    if not owed:
        return None
    return Decimal(period.on_time) * _HUNDRED / owed


def results_part(period: RepPeriod) -> Decimal:
    """Mean capped attainment of revenue, deals and new customers (those with a target)."""
    return _part(_kpi_attainments(period, RESULTS_KPIS))


def process_part(period: RepPeriod) -> Decimal:
    """Mean of the capped process KPIs' attainment and the check-in discipline."""
    items = _kpi_attainments(period, PROCESS_KPIS)
    kept = discipline(period)
    if kept is not None:
        items.append(kept)
    return _part(items)


def capability_part(period: RepPeriod) -> Decimal:
    """Mean of the drill points won (of those possible) and the quiz answers right, in
    percent; either alone when the rep did only one kind of practice; 0 with none."""
    items = []
    if period.drill_max:
        items.append(Decimal(period.drill_points) * _HUNDRED / period.drill_max)
    if period.quiz_answered:
        items.append(Decimal(period.quiz_right) * _HUNDRED / period.quiz_answered)
    return _part(items)


def teamwork_part(period: RepPeriod) -> Decimal:
    """Teamwork points against :data:`TEAMWORK_POINTS_PER_WEEK` per working week, at most 100."""
    earned = sum(RULES[code].pay(count) for code, count in _teamwork_counts(period).items())
    expected = TEAMWORK_POINTS_PER_WEEK * period.weeks
    if expected <= 0:
        return _HUNDRED if earned else _ZERO
    return min(_HUNDRED, Decimal(earned) * _HUNDRED / expected)


def _teamwork_counts(period: RepPeriod) -> dict[str, int]:
    return {
        "share": period.shares,
        "kudos_received": period.kudos_received,
        "kudos_given": period.kudos_given,
    }


def targets_met(period: RepPeriod) -> int:
    """How many targeted KPIs reached their period target."""
    return sum(
        1 for kpi, target in period.targets.items() if period.actuals.get(kpi, _ZERO) >= target
    )


def rule_counts(period: RepPeriod) -> dict[str, int]:
    """What each points rule counted in the period, by rule code."""
    return {
        "plan_on_time": period.plans_on_time,
        "review_on_time": period.reviews_on_time,
        "streak": period.streak // STREAK_STEP,
        "target_met": targets_met(period),
        "drill": period.drills,
        "drill_full_step": period.drill_full_steps,
        "quiz_right": period.quiz_right,
        **_teamwork_counts(period),
    }


def points_breakdown(period: RepPeriod) -> dict[str, int]:
    """Points per rule, in :data:`POINTS_RULES` order."""
    counts = rule_counts(period)
    return {rule.code: rule.pay(counts[rule.code]) for rule in POINTS_RULES}


def composite(parts: Mapping[str, Decimal], weights: Weights) -> Decimal:
    """The weighted sum of the parts (each 0–100), to one decimal (half up)."""
    total = (
        parts["results"] * weights.results
        + parts["process"] * weights.process
        + parts["capability"] * weights.capability
        + parts["teamwork"] * weights.teamwork
    ) / _HUNDRED
    return _tenth(total)


def score(period: RepPeriod, weights: Weights) -> RepScore:
    """Score one rep's period."""
    parts = {
        "results": results_part(period),
        "process": process_part(period),
        "capability": capability_part(period),
        "teamwork": teamwork_part(period),
    }
    breakdown = points_breakdown(period)
    kept = discipline(period)
    return RepScore(
        user_id=period.user_id,
        name=period.name,
        composite=composite(parts, weights),
        results=_tenth(parts["results"]),
        process=_tenth(parts["process"]),
        capability=_tenth(parts["capability"]),
        teamwork=_tenth(parts["teamwork"]),
        points=sum(breakdown.values()),
        attainment=MappingProxyType(
            {
                kpi: percent(period.actuals.get(kpi, _ZERO), period.targets.get(kpi))
                for kpi in Kpi
                if kpi in period.targets or kpi in period.actuals
            }
        ),
        actuals=period.actuals,
        streak=period.streak,
        on_time=period.on_time,
        missed=period.missed,
        targets=period.targets,
        late=period.late,
        drills=period.drills,
        quiz_answered=period.quiz_answered,
        quiz_right=period.quiz_right,
        shares=period.shares,
        kudos_received=period.kudos_received,
        kudos_given=period.kudos_given,
        breakdown=MappingProxyType(breakdown),
        discipline=None if kept is None else _tenth(kept),
    )


def ranked(scores: Iterable[RepScore]) -> list[RepScore]:
    """Best composite first; ties by points, then name, then user id (deterministic)."""
    return sorted(scores, key=lambda s: (-s.composite, -s.points, s.name, s.user_id))


def drill_tally(steps: Iterable[Mapping[object, int]]) -> tuple[int, int, int, int]:
    """``(drills, points won, points possible, full-mark steps)`` of finished drills given as
    their points per step (0–2 each)."""
    drills = won = possible = full = 0
    for points in steps:
        drills += 1
        won += sum(points.values())
        possible += _MAX_STEP_POINTS * len(points)
        full += sum(1 for value in points.values() if value >= _MAX_STEP_POINTS)
    return drills, won, possible, full


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(_TENTH, ROUND_HALF_UP)


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))
