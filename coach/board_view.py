"""``/board``: which board, for which team and period, and who is asking.

The use cases read only (through ``coach.score_data``); the adapter renders the result as
text, a keyboard and a chart. Periods run **to date**: "this week" is Monday through today,
"this month" the 1st through today, so targets are scaled to the working days so far and a
composite of 100 means "on pace"; the previous period for "most improved" is cut at the same
point (last week Monday through the same weekday, last month's 1st through the same day), so
the two compare like for like.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from coach import errors
from coach.boards import (
    Board,
    BoardKind,
    RegionRow,
    Relay,
    TeamResult,
    TotalLine,
    hero_board,
    improved_board,
    kpi_boards,
    quiz_board,
    region_pk,
    relay,
    streak_board,
    team_completion,
    team_totals,
)
from coach.models import Person, Team
from coach.ports import UnitOfWork
from coach.repdays import month_bounds, team_zone, week_bounds
from coach.score_data import team_revenue_target, team_scores
from coach.scores import RepScore
from coach.team_settings import DEFAULT_SETTINGS, Weights


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(eq=False)
class NotTheTeamGroup(errors.CoachError):
    """``/board`` in a group no team is bound to."""

    code = "board_not_team_group"  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class BoardView:
    """A board ready to show.

    Attributes:
        team: whose board.
        kind, period: which board, over which period (``RELAY`` is always today).
        start, end: the window shown (``end`` is today).
        viewer: the rep asking in private, whose line is marked (``None`` in a group).
        board: the ranked rows (hero, streak, quiz, improved, relay contributors).
        kpis: one board per KPI (``KPI``).
        totals: the team's totals against its targets (``KPI`` and ``HERO``).
        regions: the 区域PK (``REGION``).
        relay: the relay race of today (``RELAY``).
        weights: the team's composite weights (stated under the hero board).
    """

    team: Team
    kind: BoardKind
    period: Period
    start: date
    end: date
    viewer: int | None = None
    board: Board | None = None
    kpis: tuple[Board, ...] = ()
    totals: tuple[TotalLine, ...] = ()
    regions: tuple[RegionRow, ...] = ()
    relay: Relay | None = None
    weights: Weights = DEFAULT_SETTINGS.weights


def period_window(period: Period, today: date) -> tuple[date, date]:
    """The period to date: its first day through ``today``."""
    first = week_bounds(today)[0] if period is Period.WEEK else month_bounds(today)[0]
    return first, today


def previous_window(period: Period, today: date) -> tuple[date, date]:
    """The previous period cut at the same point: last week's Monday through the same
    weekday, or last month's 1st through the same day of the month (its last day when it is
    shorter)."""
    if period is Period.WEEK:
        start, end = period_window(period, today - timedelta(days=7))
        return start, end
    first, _ = month_bounds(today)
    previous_first, previous_last = month_bounds(first - timedelta(days=1))
    end = min(previous_last, previous_first + timedelta(days=today.day - 1))
    return previous_first, end


def board_for_member(
    uow: UnitOfWork, person: Person, now: datetime, kind: BoardKind, period: Period
) -> BoardView:
    """A team member's board in private; their own line is marked. Refuses non-members."""
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    if membership is None or team is None:
        raise errors.NotInTeam()
    return build_view(uow, team, now, kind, period, viewer=person.user_id)


def board_for_group(
    uow: UnitOfWork, person: Person, now: datetime, chat_id: int, kind: BoardKind, period: Period
) -> BoardView:
    """The board of the team bound to ``chat_id``, for anyone in that group."""
    team = uow.teams.by_group(chat_id)
    if team is None:
        raise NotTheTeamGroup()
    return build_view(uow, team, now, kind, period)


def build_view(
    uow: UnitOfWork,
    team: Team,
    now: datetime,
    kind: BoardKind,
    period: Period,
    viewer: int | None = None,
) -> BoardView:
    """Build the board ``kind`` of ``team`` for the ``period`` to date."""
    today = now.astimezone(team_zone(team)).date()
    start, end = period_window(period, today)
    settings = uow.settings.get(team.id)
    view = BoardView(team, kind, period, start, end, viewer, weights=settings.weights)
    match kind:
        case BoardKind.RELAY:
            race = relay(settings.relay, today, team_scores(uow, team, today, today))
            return _with(view, start=today, relay=race, board=Board(kind, race.rows, race.kpi))
        case BoardKind.REGION:
            return _with(view, regions=region_pk(_team_results(uow, start, end)))
        case BoardKind.IMPROVED:
            before = team_scores(uow, team, *previous_window(period, today))
            return _with(view, board=improved_board(team_scores(uow, team, start, end), before))
    scores = team_scores(uow, team, start, end)
    if kind is BoardKind.KPI:
        return _with(view, kpis=kpi_boards(scores), totals=_totals(uow, team, scores, start, end))
    if kind is BoardKind.STREAK:
        return _with(view, board=streak_board(scores))
    if kind is BoardKind.QUIZ:
        return _with(view, board=quiz_board(scores))
    return _with(view, board=hero_board(scores), totals=_totals(uow, team, scores, start, end))


def _totals(
    uow: UnitOfWork, team: Team, scores: list[RepScore], start: date, end: date
) -> tuple[TotalLine, ...]:
    monthly = uow.settings.get(team.id).monthly_revenue
    return team_totals(scores, team_revenue_target(team, monthly, start, end))


def _team_results(uow: UnitOfWork, start: date, end: date) -> list[TeamResult]:
    """Every team with a region: its completion over the window (区域PK)."""
    results = []
    for team in uow.teams.all():
        if not team.region:
            continue
        totals = _totals(uow, team, team_scores(uow, team, start, end), start, end)
        results.append(TeamResult(team.id, team.name, team.region, team_completion(totals)))
    return results


def _with(view: BoardView, **changes: object) -> BoardView:
    return replace(view, **changes)  # type: ignore[arg-type]
