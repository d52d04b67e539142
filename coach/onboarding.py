"""Teams, invites, joining, languages and group binding: the foundation every flow stands on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from coach import errors
from coach.invites import IssuedInvite, is_expired, looks_like_token, new_token, token_hash
from coach.models import (
    Contact,
    Dialog,
    Lang,
    Membership,
    NewTeam,
    Person,
    Role,
    Schedule,
    Team,
)
from coach.ports import UnitOfWork
from coach.text import clean_line

TEAM_NAME_LIMIT = 64
REGION_LIMIT = 32
INVITE_DAYS_LIMIT = 365
DIALOG_TTL = timedelta(hours=1)
NEW_TEAM = "newteam"


@dataclass(frozen=True, slots=True)
class TeamDefaults:
    """What a new team gets unless its manager says otherwise (from the config)."""

    timezone: str
    schedule: Schedule
    invite_ttl_days: int | None


@dataclass(frozen=True, slots=True)
class Profile:
    """A person with their team and role, if any."""

    person: Person
    membership: Membership | None
    team: Team | None

    @property
    def role(self) -> Role | None:
        return self.membership.role if self.membership else None


@dataclass(frozen=True, slots=True)
class TeamCreated:
    team: Team
    invite: IssuedInvite


@dataclass(frozen=True, slots=True)
class InviteIssued:
    team: Team
    invite: IssuedInvite
    revoked: int


@dataclass(frozen=True, slots=True)
class Joined:
    team: Team
    role: Role
    moved_from: Team | None


@dataclass(frozen=True, slots=True)
class MoveNeeded:
    """The person is in another team; joining needs their explicit yes."""

    current: Team
    target: Team
    role: Role


@dataclass(frozen=True, slots=True)
class GroupBound:
    team: Team
    previous_chat_id: int | None
    already: bool


@dataclass(frozen=True, slots=True)
class NewTeamArgs:
    name: str
    region: str | None
    timezone: str | None


# --- people ---------------------------------------------------------------------------------


def meet(uow: UnitOfWork, contact: Contact, now: datetime, default: Lang) -> Person:
    """Record or refresh the person behind a private update; return who they are now.

    The language follows Telegram's ``language_code`` until the person picks one with /lang.
    """
    known = uow.people.get(contact.user_id)
    detected = Lang.from_telegram(contact.language_code, default)
    if known is None:
        person = Person(contact.user_id, contact.first_name, contact.username, detected)
    else:
        person = replace(
            known,
            first_name=contact.first_name,
            username=contact.username,
            language=known.language if known.language_chosen else detected,
            blocked=False,  # they are talking to the bot, so it is not blocked (any more)
        )
        if person == known:
            return known
    uow.people.save(person, now)
    return person


def set_blocked(uow: UnitOfWork, user_id: int, blocked: bool, now: datetime) -> None:
    """The person blocked or unblocked the bot: no pushes while blocked, none lost after."""
    uow.people.set_blocked(user_id, blocked, now)
    if blocked:
        uow.outbox.block_chat(user_id, now)


def profile(uow: UnitOfWork, person: Person, now: datetime) -> Profile:
    """The person's team and role (``now`` is unused; kept for the common signature)."""
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    return Profile(person, membership, team)


def choose_language(uow: UnitOfWork, person: Person, now: datetime, lang: Lang) -> Profile:
    """Switch the person's language for good (Telegram's setting no longer overrides it)."""
    chosen = replace(person, language=lang, language_chosen=True)
    uow.people.save(chosen, now)
    return profile(uow, chosen, now)


# --- teams ----------------------------------------------------------------------------------


def parse_new_team(text: str) -> NewTeamArgs:
    """Read ``name [| region] [| time zone]``; a part naming an IANA zone is the time zone.

    Full-width bars (｜) count as bars, so Chinese keyboards need no switching.
    """
    parts = [p.strip() for p in text.replace("｜", "|").split("|")]
    name, rest = parts[0], [p for p in parts[1:] if p]
    region = timezone = None
    for part in rest:
        if timezone is None and _is_zone(part):
            timezone = part
        elif region is None:
            region = part
        else:
            raise errors.InvalidText(field="new_team", reason="too_many_parts", limit=3)
    return NewTeamArgs(name=name, region=region, timezone=timezone)


def create_team(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    args: NewTeamArgs,
    defaults: TeamDefaults,
) -> TeamCreated:
    """Create a team with ``person`` as its manager and a first rep invite."""
    _ensure_free(uow, person)
    name = clean_line(args.name, field="team_name", limit=TEAM_NAME_LIMIT)
    region = clean_line(args.region, field="region", limit=REGION_LIMIT) if args.region else None
    timezone = args.timezone or defaults.timezone
    if not _is_zone(timezone):
        raise errors.UnknownTimezone(value=timezone)
    team = uow.teams.add(
        NewTeam(
            name=name,
            region=region,
            timezone=timezone,
            language=person.language,
            schedule=defaults.schedule,
        ),
        now,
    )
    uow.members.add(Membership(person.user_id, team.id, Role.MANAGER, now))
    uow.dialogs.clear(person.user_id)
    issued = _issue(uow, team, Role.REP, person.user_id, defaults.invite_ttl_days, now)
    return TeamCreated(team, issued)


def begin_new_team(uow: UnitOfWork, person: Person, now: datetime) -> Dialog:
    """Start the step-by-step /newteam flow: the bot asks for the name next."""
    _ensure_free(uow, person)
    dialog = Dialog(person.user_id, NEW_TEAM, "name", {}, now + DIALOG_TTL)
    uow.dialogs.save(dialog)
    return dialog


def continue_new_team(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    dialog: Dialog,
    text: str | None,
    defaults: TeamDefaults,
) -> Dialog | TeamCreated:
    """Take the answer to the current step; ``text=None`` skips the optional region."""
    if dialog.step == "name":
        name = clean_line(text, field="team_name", limit=TEAM_NAME_LIMIT)
        asked = Dialog(person.user_id, NEW_TEAM, "region", {"name": name}, now + DIALOG_TTL)
        uow.dialogs.save(asked)
        return asked
    region = clean_line(text, field="region", limit=REGION_LIMIT) if text is not None else None
    args = NewTeamArgs(name=str(dialog.data["name"]), region=region, timezone=None)
    return create_team(uow, person, now, args, defaults)


def active_dialog(uow: UnitOfWork, person: Person, now: datetime) -> Dialog | None:
    """The person's unfinished flow, if it has not expired."""
    dialog = uow.dialogs.get(person.user_id)
    if dialog is None or dialog.expires_at <= now:
        return None
    return dialog


def cancel(uow: UnitOfWork, person: Person, now: datetime) -> bool:
    """Leave whatever flow the person is in; whether there was one."""
    return uow.dialogs.clear(person.user_id)


# --- invites --------------------------------------------------------------------------------


def parse_invite_args(args: list[str], default_days: int | None) -> tuple[Role, int | None]:
    """Read ``[manager] [days]`` (``7``, ``7d``, ``0`` for never); unknown words are refused."""
    role, days = Role.REP, default_days
    for arg in args:
        word = arg.strip().lower()
        if word in {"manager", "主管", "经理"}:
            role = Role.MANAGER
        elif word in {"rep", "销售"}:
            role = Role.REP
        else:
            digits = word.removesuffix("d").removesuffix("天")
            if not digits.isdigit() or int(digits) > INVITE_DAYS_LIMIT:
                raise errors.InvalidInviteTtl(value=arg, limit=INVITE_DAYS_LIMIT)
            days = int(digits) or None
    return role, days


def issue_invite(
    uow: UnitOfWork, person: Person, now: datetime, role: Role, ttl_days: int | None
) -> InviteIssued:
    """Make a new invite link for the manager's team; the previous one for its role stops."""
    team = managed_team(uow, person)
    revoked = uow.invites.revoke_active(team.id, role, now)
    issued = _issue(uow, team, role, person.user_id, ttl_days, now)
    return InviteIssued(team, issued, revoked)


def join(
    uow: UnitOfWork, person: Person, now: datetime, token: str, *, confirm_move: bool = False
) -> Joined | MoveNeeded:
    """Join the team behind an invite token.

    A person already in another team is asked first (``MoveNeeded``) and moves only with
    ``confirm_move``; the token is checked again at that moment.
    """
    if not looks_like_token(token):
        raise errors.InviteInvalid()
    invite = uow.invites.by_token_hash(token_hash(token))
    target = uow.teams.get(invite.team_id) if invite else None
    if invite is None or target is None:
        raise errors.InviteInvalid()
    if invite.revoked_at is not None:
        raise errors.InviteRevoked(team_name=target.name)
    if is_expired(invite, now):
        raise errors.InviteExpired(team_name=target.name)
    current = uow.members.get(person.user_id)
    moved_from = None
    if current is not None:
        if current.team_id == target.id:
            raise errors.AlreadyMember(team_name=target.name, role=current.role.value)
        moved_from = uow.teams.get(current.team_id)
        assert moved_from is not None, "membership without team"
        if not confirm_move:
            return MoveNeeded(current=moved_from, target=target, role=invite.role)
        _ensure_not_sole_manager(uow, current, moved_from)
        uow.members.remove(person.user_id)
    uow.members.add(Membership(person.user_id, target.id, invite.role, now))
    return Joined(team=target, role=invite.role, moved_from=moved_from)


# --- groups ---------------------------------------------------------------------------------


def bind_group(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    chat_id: int,
    title: str | None,
    *,
    is_group_admin: bool,
) -> GroupBound:
    """Make ``chat_id`` the team's group; only a manager who administers the group may."""
    team = managed_team(uow, person)
    if not is_group_admin:
        raise errors.NotGroupAdmin()
    holder = uow.teams.by_group(chat_id)
    if holder is not None and holder.id != team.id:
        raise errors.GroupOfOtherTeam()
    already = team.group_chat_id == chat_id
    previous = None if already else team.group_chat_id
    uow.teams.set_group(team.id, chat_id, title)
    bound = uow.teams.get(team.id)
    assert bound is not None
    return GroupBound(team=bound, previous_chat_id=previous, already=already)


def group_gone(uow: UnitOfWork, chat_id: int) -> Team | None:
    """The bot left or was removed from a group: forget any binding to it."""
    team = uow.teams.by_group(chat_id)
    if team is not None:
        uow.teams.set_group(team.id, None, None)
    return team


def group_migrated(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> Team | None:
    """A group became a supergroup with a new id: keep the binding on the new id."""
    team = uow.teams.by_group(old_chat_id)
    if team is not None:
        uow.teams.set_group(team.id, new_chat_id, team.group_title)
    return team


# --- helpers --------------------------------------------------------------------------------


def _issue(
    uow: UnitOfWork, team: Team, role: Role, by: int, ttl_days: int | None, now: datetime
) -> IssuedInvite:
    token = new_token()
    expires = now + timedelta(days=ttl_days) if ttl_days else None
    invite = uow.invites.add(team.id, role, token_hash(token), by, now, expires)
    return IssuedInvite(invite=invite, token=token)


def _ensure_free(uow: UnitOfWork, person: Person) -> None:
    membership = uow.members.get(person.user_id)
    if membership is not None:
        team = uow.teams.get(membership.team_id)
        raise errors.AlreadyInTeam(team_name=team.name if team else "?", role=membership.role.value)


def managed_team(uow: UnitOfWork, person: Person) -> Team:
    """The team ``person`` manages; refuses people without a team and reps."""
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    if membership is None or team is None:
        raise errors.NotInTeam()
    if membership.role is not Role.MANAGER:
        raise errors.NotAManager(team_name=team.name)
    return team


def team_of(uow: UnitOfWork, person: Person) -> Team:
    """The person's team; refuses people without one."""
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    if team is None:
        raise errors.NotInTeam()
    return team


def _ensure_not_sole_manager(uow: UnitOfWork, membership: Membership, team: Team) -> None:
    if membership.role is Role.MANAGER and len(uow.members.of_team(team.id, Role.MANAGER)) <= 1:
        raise errors.SoleManager(team_name=team.name)


def _is_zone(name: str) -> bool:
    """A time zone as /newteam takes it: an IANA name with a slash, or ``UTC`` (so a region
    word like ``华东`` is never read as a zone)."""
    return ("/" in name or name == "UTC") and is_zone(name)


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Asia/Shanghai``, ``UTC``)."""
    if name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def answer_dialog(
    uow: UnitOfWork, person: Person, now: datetime, text: str | None, defaults: TeamDefaults
) -> Dialog | TeamCreated | None:
    """Feed a free-text answer to the person's open flow; ``None`` when there is none."""
    dialog = active_dialog(uow, person, now)
    if dialog is None:
        return None
    if dialog.kind == NEW_TEAM:
        return continue_new_team(uow, person, now, dialog, text, defaults)
    uow.dialogs.clear(person.user_id)  # a flow this version no longer knows
    return None


def new_team_command(
    uow: UnitOfWork, person: Person, now: datetime, text: str, defaults: TeamDefaults
) -> TeamCreated:
    """``/newteam name [| region] [| zone]`` in one go."""
    _ensure_free(uow, person)
    return create_team(uow, person, now, parse_new_team(text), defaults)


def invite_command(
    uow: UnitOfWork, person: Person, now: datetime, words: list[str], default_days: int | None
) -> InviteIssued:
    """``/invite [manager] [days]``: the manager check comes before the arguments are read."""
    managed_team(uow, person)
    role, days = parse_invite_args(words, default_days)
    return issue_invite(uow, person, now, role, days)
