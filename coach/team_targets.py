"""``/targets``: managers see and set weekly targets (team, rep) and the monthly revenue target.

Words, as in the CLI (``coach.targets``): ``/targets revenue=150000 deals=3`` sets the team's
weekly targets, ``/targets @tom demos=4`` one rep's (``-`` removes an override, so the rep
follows the team again), ``/targets month=450000`` the team's monthly revenue target
(``month=-`` removes it). KPIs may be named by any one-word alias (``拜访=12``). A rep is
named by ``@username``, by first name, or by user id. The whole message is read before
anything is stored; one bad word refuses all of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from coach import errors
from coach.access import manager_of
from coach.days import DEFAULT_WEEKLY_TARGETS
from coach.kpis import Kpi
from coach.models import Person, Role, Team
from coach.pace import merge_targets, month_target
from coach.ports import UnitOfWork
from coach.repdays import team_calendar, team_zone
from coach.targets import TARGET_LIMIT, BadTarget, parse_target_args

MONTH_WORDS = frozenset({"month", "monthly", "月目标", "月度"})


@dataclass(eq=False)
class UnknownRep(errors.CoachError):
    """``@name`` names nobody among the team's reps."""

    code: ClassVar[str] = "unknown_rep"
    rep: str


@dataclass(eq=False)
class AmbiguousRep(errors.CoachError):
    """``@name`` fits several reps (same first name); their usernames or ids tell them apart."""

    code: ClassVar[str] = "ambiguous_rep"
    rep: str
    candidates: list[str] = field(default_factory=list)


@dataclass(eq=False)
class MonthIsTeamWide(errors.CoachError):
    """``month=`` was given together with a rep: the monthly revenue target is the team's."""

    code: ClassVar[str] = "month_is_team_wide"


@dataclass(frozen=True, slots=True)
class RepTargets:
    """One rep's effective weekly targets and the ones set for them alone."""

    person: Person
    effective: Mapping[Kpi, Decimal]
    overrides: Mapping[Kpi, Decimal]


@dataclass(frozen=True, slots=True)
class TargetsView:
    """Everything ``/targets`` shows.

    Attributes:
        team: the team.
        team_targets: the weekly targets of a rep without overrides (defaults + team's own).
        team_set: the KPIs the team set itself (the rest are the seeds' defaults).
        reps: every rep, by first name; ``overrides`` empty for those following the team.
        monthly_revenue: the team's monthly revenue target, if the manager set one.
        derived_month_revenue: this month's revenue target as the weekly targets give it (each
            rep's weekly revenue scaled to the month's working days, summed over the reps).
        month: the first day of the month that figure is for.
    """

    team: Team
    team_targets: Mapping[Kpi, Decimal]
    team_set: frozenset[Kpi]
    reps: tuple[RepTargets, ...]
    monthly_revenue: Decimal | None
    derived_month_revenue: Decimal
    month: date


@dataclass(frozen=True, slots=True)
class TargetsRequest:
    """A parsed ``/targets`` message."""

    rep: str | None = None
    weekly: Mapping[Kpi, Decimal | None] = field(default_factory=dict)
    month: Decimal | None = None
    month_given: bool = False

    @property
    def empty(self) -> bool:
        return self.rep is None and not self.weekly and not self.month_given


@dataclass(frozen=True, slots=True)
class TargetsSet:
    """What ``/targets …`` changed, and the view after it."""

    view: TargetsView
    rep: Person | None
    weekly: Mapping[Kpi, Decimal | None]
    month_given: bool


def parse_targets_request(words: list[str]) -> TargetsRequest:
    """Read ``[@rep] [kpi=value …] [month=value]``; refuse a message with anything unclear."""
    rep: str | None = None
    month: Decimal | None = None
    month_given = False
    weekly_words: list[str] = []
    for word in words:
        if word.startswith("@") and len(word) > 1 and rep is None:
            rep = word[1:]
            continue
        name, sep, raw = word.partition("=")
        if sep and name.strip().lower() in MONTH_WORDS:
            month, month_given = _month_value(word, raw), True
            continue
        weekly_words.append(_canonical(word))
    weekly = parse_target_args(weekly_words) if weekly_words else {}
    if rep is not None and month_given:
        raise MonthIsTeamWide()
    return TargetsRequest(rep=rep, weekly=weekly, month=month, month_given=month_given)


_KPI_WORDS = {
    alias.lower(): kpi for kpi in Kpi for alias in (kpi.value, *kpi.aliases) if " " not in alias
}


def _canonical(word: str) -> str:
    """``拜访=12`` or ``Demos=4`` → ``new_visits=12``, ``demos=4``: any one-word KPI alias."""
    name, sep, raw = word.partition("=")
    kpi = _KPI_WORDS.get(name.strip().lower())
    return f"{kpi.value}={raw}" if sep and kpi is not None else word


def _month_value(word: str, raw: str) -> Decimal | None:
    text = raw.strip().replace(",", "")
    if text == "-":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadTarget(value=word) from None
    if not value.is_finite() or value <= 0 or value >= TARGET_LIMIT:
        raise BadTarget(value=word)
    return value.quantize(Decimal("0.01"))


def show_targets(
    uow: UnitOfWork, person: Person, now: datetime, team_id: int | None = None
) -> TargetsView:
    """``/targets`` alone: the team's and each rep's targets (managers only)."""
    return targets_view(uow, manager_of(uow, person.user_id, team_id), now)


def set_targets(
    uow: UnitOfWork, person: Person, now: datetime, words: list[str], team_id: int | None = None
) -> TargetsSet | TargetsView:
    """``/targets …``: store what the words say; words that only name a rep show that rep."""
    team = manager_of(uow, person.user_id, team_id)
    request = parse_targets_request(words)
    if request.empty:
        return targets_view(uow, team, now)
    rep = find_rep(uow, team, request.rep) if request.rep is not None else None
    if request.weekly:
        uow.targets.set_weekly(team.id, rep.user_id if rep else None, request.weekly)
    if request.month_given:
        settings = uow.settings.get(team.id)
        uow.settings.save(team.id, replace(settings, monthly_revenue=request.month))
    return TargetsSet(targets_view(uow, team, now), rep, request.weekly, request.month_given)


def find_rep(uow: UnitOfWork, team: Team, name: str) -> Person:
    """The team's rep called ``name``: a username (any case), a first name, or a user id."""
    reps = [m.user_id for m in uow.members.of_team(team.id, Role.REP)]
    people = uow.people.many(reps)
    wanted = name.strip().lower()
    by_username = [p for p in people.values() if p.username and p.username.lower() == wanted]
    if by_username:
        return by_username[0]
    if wanted.isdigit() and int(wanted) in people:
        return people[int(wanted)]
    by_name = sorted(
        (p for p in people.values() if p.first_name.strip().lower() == wanted),
        key=lambda p: p.user_id,
    )
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        handles = [f"@{p.username}" if p.username else f"@{p.user_id}" for p in by_name]
        raise AmbiguousRep(rep=name, candidates=handles)
    raise UnknownRep(rep=name)


def targets_view(uow: UnitOfWork, team: Team, now: datetime) -> TargetsView:
    """The targets of ``team`` as they apply at ``now`` (no authorization)."""
    levels = uow.targets.levels(team.id)
    own = levels.get(None, {})
    team_targets = merge_targets(DEFAULT_WEEKLY_TARGETS, own)
    reps = [m.user_id for m in uow.members.of_team(team.id, Role.REP)]
    people = uow.people.many(reps)
    lines = []
    today = now.astimezone(team_zone(team)).date()
    cal = team_calendar(team)
    derived = Decimal(0)
    for uid in sorted(people, key=lambda u: (people[u].first_name, u)):
        overrides = levels.get(uid, {})
        effective = merge_targets(team_targets, overrides)
        lines.append(RepTargets(people[uid], effective, merge_targets(overrides)))
        weekly_revenue = effective.get(Kpi.REVENUE, Decimal(0))
        if weekly_revenue > 0:
            derived += month_target(Kpi.REVENUE, weekly_revenue, cal, today)
    return TargetsView(
        team=team,
        team_targets=team_targets,
        team_set=frozenset(own),
        reps=tuple(lines),
        monthly_revenue=uow.settings.get(team.id).monthly_revenue,
        derived_month_revenue=derived,
        month=today.replace(day=1),
    )
