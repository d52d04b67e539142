"""Weekly targets per KPI: the seeds' defaults, overridden per team and per rep (admin side)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from coach import errors
from coach.days import DEFAULT_WEEKLY_TARGETS
from coach.kpis import Kpi
from coach.pace import merge_targets, weekly_targets
from coach.ports import UnitOfWork

TARGET_LIMIT = Decimal(10) ** 10


@dataclass(eq=False)
class BadTarget(errors.CoachError):
    """A ``kpi=value`` pair that names no KPI or holds no usable number."""

    code: ClassVar[str] = "bad_target"
    value: str


@dataclass(eq=False)
class NoSuchTeam(errors.CoachError):
    code: ClassVar[str] = "no_such_team"
    team_id: int


def parse_target_args(words: list[str]) -> dict[Kpi, Decimal | None]:
    """Read ``new_visits=12 revenue=150000 demos=-`` (``-`` removes the override)."""
    targets: dict[Kpi, Decimal | None] = {}
    for word in words:
        name, sep, raw = word.partition("=")
        try:
            kpi = Kpi(name.strip())
        except ValueError:
            raise BadTarget(value=word) from None
        if not sep or not raw.strip():
            raise BadTarget(value=word)
        if raw.strip() == "-":
            targets[kpi] = None
            continue
        try:
            value = Decimal(raw.strip().replace(",", ""))
        except InvalidOperation:
            raise BadTarget(value=word) from None
        if not value.is_finite() or value < 0 or value >= TARGET_LIMIT:
            raise BadTarget(value=word)
        if not kpi.is_money and value != value.to_integral_value():
            raise BadTarget(value=word)
        targets[kpi] = value
    if not targets:
        raise BadTarget(value="")
    return targets


def set_weekly_targets(
    uow: UnitOfWork, team_id: int, user_id: int | None, targets: Mapping[Kpi, Decimal | None]
) -> dict[Kpi, Decimal]:
    """Set a team's (``user_id=None``) or a rep's weekly targets; return the rep's effective
    targets, or the team's when no rep is given."""
    if uow.teams.get(team_id) is None:
        raise NoSuchTeam(team_id=team_id)
    if user_id is not None:
        membership = uow.members.get(user_id)
        if membership is None or membership.team_id != team_id:
            raise errors.NotInTeam()
    uow.targets.set_weekly(team_id, user_id, targets)
    return effective_targets(uow, team_id, user_id)


def effective_targets(uow: UnitOfWork, team_id: int, user_id: int | None) -> dict[Kpi, Decimal]:
    """What applies to a rep, or to the team's reps without overrides (``user_id=None``)."""
    if uow.teams.get(team_id) is None:
        raise NoSuchTeam(team_id=team_id)
    if user_id is None:
        return merge_targets(DEFAULT_WEEKLY_TARGETS, uow.targets.weekly(team_id))
    return weekly_targets(uow, team_id, user_id)
