"""The boards (销售英雄榜 and friends), built from the reps' period scores.

Pure functions over :class:`~coach.scores.RepScore` lists (``coach.score_data.team_scores``).
A board is a ranked list of :class:`Row`; equal figures share a rank (1, 2, 2, 4) and are
listed by name, then user id, so a board reads the same every time. Boards carry names and
figures only, never anything a rep wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from coach.kpis import Kpi
from coach.scores import RepScore, attainment, capped, percent

T = TypeVar("T")

_ZERO = Decimal(0)
_TENTH = Decimal("0.1")


class BoardKind(StrEnum):
    """Which board; also the value its button carries."""

    HERO = "hero"  # 销售英雄榜: the composite
    KPI = "kpi"  # per KPI, with the team's totals against its targets
    STREAK = "streak"  # reviews in a row
    QUIZ = "quiz"  # quiz champion
    IMPROVED = "improved"  # most improved against the previous period
    REGION = "region"  # 区域PK
    RELAY = "relay"  # 销售接力赛: today's focus KPI


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a board.

    Attributes:
        rank: 1-based; equal figures share it.
        name: the rep's first name (or a team's or a region's name).
        value: the figure ranked on.
        user_id: the rep, for rows about a rep (to mark the reader's own line).
        extra: a second figure shown beside it: points (hero), attainment % (KPI), accuracy %
            (quiz), the composite now (improved), the number of teams (region).
    """

    rank: int
    name: str
    value: Decimal
    user_id: int | None = None
    extra: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Board:
    kind: BoardKind
    rows: tuple[Row, ...]
    kpi: Kpi | None = None


@dataclass(frozen=True, slots=True)
class TotalLine:
    """One KPI of the team's totals: the reps' actuals against the sum of their targets."""

    kpi: Kpi
    actual: Decimal
    target: Decimal | None
    percent: int | None


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region in the 区域PK: the mean completion of its teams, and the teams themselves."""

    rank: int
    region: str
    completion: Decimal
    teams: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class TeamResult:
    """What the 区域PK needs of one team."""

    team_id: int
    name: str
    region: str | None
    completion: Decimal | None


@dataclass(frozen=True, slots=True)
class Relay:
    """销售接力赛 for one day: the focus KPI, the team's total against its day target, and
    each rep's share of it."""

    day: date
    kpi: Kpi
    total: Decimal
    target: Decimal | None
    percent: int | None
    rows: tuple[Row, ...]


def rank_rows(
    items: Iterable[T],
    figure: Callable[[T], tuple[Decimal, ...]],
    make: Callable[[int, T], Row],
    name: Callable[[T], tuple[str, int]],
) -> tuple[Row, ...]:
    """Sort by ``figure`` (highest first), then by ``name``; equal figures share a rank."""
    ordered = sorted(items, key=lambda item: (tuple(-f for f in figure(item)), name(item)))
    rows: list[Row] = []
    previous: tuple[Decimal, ...] | None = None
    rank = 0
    for position, item in enumerate(ordered, start=1):
        current = figure(item)
        if current != previous:
            rank, previous = position, current
        rows.append(make(rank, item))
    return tuple(rows)


def _by_name(score: RepScore) -> tuple[str, int]:
    return score.name, score.user_id


def hero_board(scores: Iterable[RepScore]) -> Board:
    """Every rep by composite score (points break ties); ``extra`` is the points."""
    rows = rank_rows(
        scores,
        lambda s: (s.composite, Decimal(s.points)),
        lambda rank, s: Row(rank, s.name, s.composite, s.user_id, Decimal(s.points)),
        _by_name,
    )
    return Board(BoardKind.HERO, rows)


def kpi_board(scores: Iterable[RepScore], kpi: Kpi) -> Board:
    """Reps with a target or a figure for ``kpi``, by their actual; ``extra`` is the
    attainment % (``None`` without a target)."""
    relevant = [s for s in scores if kpi in s.targets or kpi in s.actuals]

    def extra(s: RepScore) -> Decimal | None:
        value = s.attainment.get(kpi)
        return None if value is None else Decimal(value)

    rows = rank_rows(
        relevant,
        lambda s: (s.actuals.get(kpi, _ZERO),),
        lambda rank, s: Row(rank, s.name, s.actuals.get(kpi, _ZERO), s.user_id, extra(s)),
        _by_name,
    )
    return Board(BoardKind.KPI, rows, kpi)


def kpi_boards(scores: Sequence[RepScore]) -> tuple[Board, ...]:
    """One :func:`kpi_board` per KPI someone has a target or a figure for, in KPI order."""
    used = {kpi for s in scores for kpi in (*s.targets, *s.actuals)}
    return tuple(kpi_board(scores, kpi) for kpi in Kpi if kpi in used)


def streak_board(scores: Iterable[RepScore]) -> Board:
    """Reps with a review streak, longest first."""
    rows = rank_rows(
        (s for s in scores if s.streak > 0),
        lambda s: (Decimal(s.streak),),
        lambda rank, s: Row(rank, s.name, Decimal(s.streak), s.user_id),
        _by_name,
    )
    return Board(BoardKind.STREAK, rows)


def quiz_board(scores: Iterable[RepScore]) -> Board:
    """Quiz champion: reps who answered, by right answers, then accuracy; ``extra`` is the
    accuracy %."""
    rows = rank_rows(
        (s for s in scores if s.quiz_answered > 0),
        lambda s: (Decimal(s.quiz_right), Decimal(s.quiz_accuracy or 0)),
        lambda rank, s: Row(
            rank, s.name, Decimal(s.quiz_right), s.user_id, Decimal(s.quiz_accuracy or 0)
        ),
        _by_name,
    )
    return Board(BoardKind.QUIZ, rows)


def improved_board(now: Iterable[RepScore], before: Iterable[RepScore]) -> Board:
    """Most improved: the composite's gain over the previous period, for reps active in both
    (``RepScore.active``) who gained; ``extra`` is the composite now."""
    previous = {s.user_id: s for s in before if s.active}
    gains = [
        (s, s.composite - previous[s.user_id].composite)
        for s in now
        if s.active and s.user_id in previous
    ]
    rows = rank_rows(
        (item for item in gains if item[1] > 0),
        lambda item: (item[1],),
        lambda rank, item: Row(rank, item[0].name, item[1], item[0].user_id, item[0].composite),
        lambda item: _by_name(item[0]),
    )
    return Board(BoardKind.IMPROVED, rows)


def team_totals(
    scores: Iterable[RepScore], revenue_target: Decimal | None = None
) -> tuple[TotalLine, ...]:
    """The team's actual per KPI against the sum of its reps' targets, in KPI order.

    Args:
        scores: the reps' scores for the period.
        revenue_target: the team's own revenue target for the period (from a monthly revenue
            target), replacing the sum of the reps' revenue targets.
    """
    actual: dict[Kpi, Decimal] = defaultdict(Decimal)
    target: dict[Kpi, Decimal] = defaultdict(Decimal)
    for s in scores:
        for kpi, value in s.actuals.items():
            actual[kpi] += value
        for kpi, value in s.targets.items():
            target[kpi] += value
    if revenue_target is not None:
        target[Kpi.REVENUE] = revenue_target
    lines = []
    for kpi in Kpi:
        if kpi not in actual and kpi not in target:
            continue
        goal = target.get(kpi)
        lines.append(TotalLine(kpi, actual.get(kpi, _ZERO), goal, percent(actual[kpi], goal)))
    return tuple(lines)


def team_completion(totals: Iterable[TotalLine]) -> Decimal | None:
    """The team's average completion: the mean of its KPIs' attainment against target, each
    capped at :data:`~coach.scores.ATTAINMENT_CAP` as in the composite; ``None`` without any
    target. One decimal."""
    values = [
        capped(exact)
        for line in totals
        if (exact := attainment(line.actual, line.target)) is not None
    ]
    if not values:
        return None
    return (sum(values, _ZERO) / len(values)).quantize(_TENTH)


def region_pk(teams: Iterable[TeamResult]) -> tuple[RegionRow, ...]:
    """区域PK: regions by the mean completion of their teams, each with its teams ranked.

    Teams without a region or without any target take no part.
    """
    grouped: dict[str, list[TeamResult]] = defaultdict(list)
    for team in teams:
        if team.region and team.completion is not None:
            grouped[team.region].append(team)

    def team_rows(members: list[TeamResult]) -> tuple[Row, ...]:
        return rank_rows(
            members,
            lambda t: (t.completion or _ZERO,),
            lambda rank, t: Row(rank, t.name, t.completion or _ZERO),
            lambda t: (t.name, t.team_id),
        )

    means = {
        region: (sum((t.completion or _ZERO for t in members), _ZERO) / len(members)).quantize(
            _TENTH
        )
        for region, members in grouped.items()
    }
    ordered = sorted(grouped, key=lambda region: (-means[region], region))
    rows: list[RegionRow] = []
    previous: Decimal | None = None
    rank = 0
    for position, region in enumerate(ordered, start=1):
        if means[region] != previous:
            rank, previous = position, means[region]
        rows.append(RegionRow(rank, region, means[region], team_rows(grouped[region])))
    return tuple(rows)


def relay(focus: Mapping[int, Kpi], day: date, day_scores: Iterable[RepScore]) -> Relay:
    """销售接力赛: the day's focus KPI (``TeamSettings.relay`` by ISO weekday), the team's
    total of it that day against the sum of the reps' day targets, and who contributed.

    Args:
        focus: ISO weekday → focus KPI.
        day: the team-local day.
        day_scores: the reps' scores for the window ``day`` to ``day``.
    """
    kpi = focus[day.isoweekday()]
    scores = list(day_scores)
    total = sum((s.actuals.get(kpi, _ZERO) for s in scores), _ZERO)
    targets = [s.targets[kpi] for s in scores if kpi in s.targets]
    target = sum(targets, _ZERO) if targets else None
    rows = rank_rows(
        (s for s in scores if s.actuals.get(kpi, _ZERO) > 0),
        lambda s: (s.actuals[kpi],),
        lambda rank, s: Row(rank, s.name, s.actuals[kpi], s.user_id),
        _by_name,
    )
    return Relay(day, kpi, total, target, percent(total, target), rows)
