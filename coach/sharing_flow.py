"""Evening sharing use cases (晚分享): open and close sessions, share, kudos, keep lessons.

Each function runs in one unit of work the caller commits. Who may do what:

* sharing and kudos: members of the team (reps and managers), while a session is open for
  sharing; kudos on any of the team's shares, also after the session closed;
* keeping a share as the week's best lesson: the team's managers, named shares only (one kept
  lesson per team and week: keeping another moves the mark);
* ``/tips`` (the kept lessons): team members.

A share written privately is posted in the group through the outbox, in the same transaction
as the share (``compose`` renders it; the adapter passes its renderer), so the group's 20
messages a minute are respected and a crash cannot post a share twice or lose a stored one.
A venting share's author is stored (to refuse kudos to oneself) and never shown to anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from coach import errors
from coach.models import Dialog, Person, Role, Team
from coach.notices import SharePost, SharingDigest, SharingOpened
from coach.onboarding import team_of
from coach.outbox import OutgoingMessage
from coach.ports import UnitOfWork
from coach.repdays import team_calendar, team_zone, week_bounds
from coach.sharing import (
    KudosVerdict,
    NoTeamGroup,
    NotKeepable,
    NotTeamMember,
    ShareNotFound,
    SharingNotOpen,
    VentInGroup,
    clean_share,
    digest,
    is_open,
    kudos_verdict,
    next_session,
    split_tag,
    theme_of_day,
)
from coach.sharing_records import Share, SharingSession
from coach.team_settings import Theme

SHARE = "share"
"""The dialog kind of a share being written after ``/share`` alone."""

KEPT_SHOWN = 10
"""How many kept lessons ``/tips`` lists."""

CANDIDATES_SHOWN = 5
"""How many shares ``/tips`` offers a manager to keep."""

LATE_ANSWER = timedelta(hours=1)
"""A share written this long after the session closed is still answered ("it has closed")
rather than taken for unrelated text."""

Compose = Callable[[SharePost], OutgoingMessage]
"""The adapter's renderer of a share's group post (``bot.notices.compose``)."""


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharePosted:
    """A share was stored; ``in_group``: written in the group (the adapter answers there)."""

    share: Share
    team: Team
    session: SharingSession
    in_group: bool


@dataclass(frozen=True, slots=True)
class ShareAsked:
    """``/share`` alone: the session, and the type the next message will be shared as."""

    team: Team
    session: SharingSession
    kind: Theme


@dataclass(frozen=True, slots=True)
class ShareMissed:
    """The session closed while the rep was writing; nothing was shared."""

    next_at: datetime | None
    zone: str
    theme: Theme


@dataclass(frozen=True, slots=True)
class KudosGiven:
    """What a 👍 press did, and the share's kudos count now (0 when it is gone)."""

    verdict: KudosVerdict
    share_id: int
    count: int


@dataclass(frozen=True, slots=True)
class Lesson:
    """A share as ``/tips`` lists it; ``author`` is ``None`` only for venting (never listed)."""

    share: Share
    author: Person | None
    day: date
    kudos: int


@dataclass(frozen=True, slots=True)
class Tips:
    """The team's kept lessons; for a manager also this and last week's shares to keep."""

    team: Team
    kept: tuple[Lesson, ...]
    candidates: tuple[Lesson, ...]
    manager: bool


@dataclass(frozen=True, slots=True)
class Kept:
    """A share kept as the best lesson of the week starting ``week_start``; ``replaced`` is
    the share that held the mark before, if any."""

    lesson: Lesson
    week_start: date
    replaced: Share | None


# --- the scheduler's part ----------------------------------------------------------------------


def open_session(
    uow: UnitOfWork, team: Team, day: date, due_at: datetime, now: datetime, length: timedelta
) -> SharingOpened | None:
    """Open ``day``'s session in the team's group at its sharing time (``due_at``).

    Nothing happens for a team without a group, after the session would already have closed,
    or when the team has a session that day (a second tick, a restart, another process).
    """
    if team.group_chat_id is None or now >= due_at + length:
        return None
    if uow.sharing.session_on(team.id, day) is not None:
        return None
    tz = team_zone(team)
    theme = theme_of_day(
        uow.settings.get(team.id).themes, team_calendar(team), _since(team, tz), day
    )
    session = uow.sharing.open(
        SharingSession(team.id, day, theme, team.group_chat_id, due_at, due_at + length)
    )
    if session is None:
        return None
    return SharingOpened(team, session, team.group_chat_id)


def close_sessions(uow: UnitOfWork, now: datetime, grace: timedelta) -> list[SharingDigest]:
    """Close every session whose time is up; a digest for those closed within ``grace``.

    A session found long after its closing time (the bot was down) is closed without a
    digest: a summary of last night posted the next afternoon is noise.
    """
    notices: list[SharingDigest] = []
    for session in uow.sharing.due_to_close(now):
        assert session.id is not None
        uow.sharing.close(session.id)
        team = uow.teams.get(session.team_id)
        if team is None or team.group_chat_id is None or now >= session.closes_at + grace:
            continue
        shares = uow.sharing.shares_of(session.id)
        counts = uow.sharing.kudos_counts(s.id for s in shares if s.id is not None)
        summary = digest(shares, counts)
        author = None
        if summary.top is not None and not summary.top.anonymous:
            author = uow.people.get(summary.top.user_id)
        notices.append(
            SharingDigest(team, session, team.group_chat_id, summary, author, session.closes_at)
        )
    if not notices:
        return []
    existing = uow.outbox.existing(notice.key for notice in notices)
    return [notice for notice in notices if notice.key not in existing]


# --- sharing -----------------------------------------------------------------------------------


def share_privately(
    uow: UnitOfWork, person: Person, now: datetime, text: str, compose: Compose
) -> SharePosted:
    """``/share <text>``: post the share in the group (a leading ``#tag`` picks its type)."""
    team = team_of(uow, person)
    session = _open_session(uow, team, now)
    tag, body = split_tag(text)
    return _post(uow, person, now, team, session, tag or session.theme, body, compose)


def start_share(uow: UnitOfWork, person: Person, now: datetime) -> ShareAsked:
    """``/share`` alone: the next message is the share, as the session's theme unless changed."""
    team = team_of(uow, person)
    session = _open_session(uow, team, now)
    _save_dialog(uow, person, session, session.theme)
    return ShareAsked(team, session, session.theme)


def choose_kind(uow: UnitOfWork, person: Person, now: datetime, kind: Theme) -> ShareAsked:
    """A type button under the ``/share`` question: the next message is shared as ``kind``."""
    team = team_of(uow, person)
    session = _open_session(uow, team, now)
    _save_dialog(uow, person, session, kind)
    return ShareAsked(team, session, kind)


def continue_share(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    dialog: Dialog,
    text: str | None,
    compose: Compose,
) -> SharePosted | ShareMissed:
    """The message after ``/share``: post it, or say the session closed meanwhile."""
    team = team_of(uow, person)
    session = uow.sharing.latest(team.id)
    if (
        session is None
        or not is_open(session, now)
        or team.group_chat_id is None
        or session.id != dialog.data.get("session")
    ):
        uow.dialogs.clear(person.user_id)
        missed = _not_open(uow, team, now)
        return ShareMissed(missed.next_at, missed.zone, Theme(missed.theme))
    tag, body = split_tag(text)
    kind = tag or Theme(str(dialog.data.get("kind", session.theme.value)))
    posted = _post(uow, person, now, team, session, kind, body, compose)
    uow.dialogs.clear(person.user_id)
    return posted


def share_in_group(
    uow: UnitOfWork, person: Person, now: datetime, chat_id: int, text: str
) -> SharePosted | None:
    """A reply to the bot in a team's group: a named share; ``None`` in a group of no team.

    Venting is refused here: the message already shows its author, so it goes privately.
    """
    team = uow.teams.by_group(chat_id)
    if team is None:
        return None
    membership = uow.members.get(person.user_id)
    if membership is None or membership.team_id != team.id:
        raise NotTeamMember(team_name=team.name)
    session = uow.sharing.latest(team.id)
    if session is None or not is_open(session, now):
        raise _not_open(uow, team, now)
    tag, body = split_tag(text)
    kind = tag or session.theme
    if kind is Theme.VENTING:
        raise VentInGroup()
    assert session.id is not None
    share = uow.sharing.add_share(
        Share(session.id, team.id, person.user_id, kind, clean_share(body), now)
    )
    return SharePosted(share, team, session, in_group=True)


def give_kudos(uow: UnitOfWork, person: Person, now: datetime, share_id: int) -> KudosGiven:
    """A 👍 press: stored once per person and share, never for one's own, members only."""
    share = uow.sharing.share(share_id)
    membership = uow.members.get(person.user_id)
    already = share is not None and uow.sharing.has_kudos(share_id, person.user_id)
    verdict = kudos_verdict(
        share, person.user_id, membership.team_id if membership else None, already
    )
    if verdict is KudosVerdict.THANKS:
        assert share is not None  # a missing share is GONE
        if not uow.sharing.add_kudos(share, person.user_id, now):
            verdict = KudosVerdict.ALREADY  # given a moment ago in a concurrent transaction
    count = uow.sharing.kudos_counts([share_id]).get(share_id, 0) if share else 0
    return KudosGiven(verdict, share_id, count)


# --- kept lessons ------------------------------------------------------------------------------


def tips(uow: UnitOfWork, person: Person, now: datetime) -> Tips:
    """``/tips``: the kept lessons; a manager also gets this and last week's named shares
    (most kudos first) to keep one."""
    team = team_of(uow, person)
    membership = uow.members.get(person.user_id)
    manager = membership is not None and membership.role is Role.MANAGER
    kept = _lessons(uow, uow.sharing.kept(team.id, KEPT_SHOWN))
    candidates: tuple[Lesson, ...] = ()
    if manager:
        today = now.astimezone(team_zone(team)).date()
        monday, _ = week_bounds(today)
        shares = [
            s
            for s in uow.sharing.shares_between(team.id, monday - timedelta(days=7), today)
            if not s.anonymous and s.kept_at is None
        ]
        lessons = _lessons(uow, shares)
        ranked = sorted(lessons, key=lambda x: (-x.kudos, -x.share.created_at.timestamp()))
        candidates = tuple(ranked[:CANDIDATES_SHOWN])
    return Tips(team, kept, candidates, manager)


def keep_lesson(uow: UnitOfWork, person: Person, now: datetime, share_id: int) -> Kept:
    """A manager keeps share ``share_id`` as its week's best lesson (the previous one of that
    week, if any, is no longer kept)."""
    team = team_of(uow, person)
    membership = uow.members.get(person.user_id)
    if membership is None or membership.role is not Role.MANAGER:
        raise errors.NotAManager(team_name=team.name)
    share = uow.sharing.share(share_id)
    if share is None or share.team_id != team.id:
        raise ShareNotFound(number=share_id)
    if share.anonymous:
        raise NotKeepable(number=share_id)
    session = uow.sharing.session(share.session_id)
    assert session is not None and share.id is not None
    monday, sunday = week_bounds(session.day)
    replaced = None
    for other in uow.sharing.shares_between(team.id, monday, sunday):
        if other.kept_at is not None and other.id != share.id:
            assert other.id is not None
            uow.sharing.unkeep(other.id)
            replaced = other
    if share.kept_at is None:
        uow.sharing.keep(share.id, person.user_id, now)
        share = uow.sharing.share(share.id) or share
    (lesson,) = _lessons(uow, [share])
    return Kept(lesson, monday, replaced)


# --- helpers -------------------------------------------------------------------------------------


def _post(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    team: Team,
    session: SharingSession,
    kind: Theme,
    body: str,
    compose: Compose,
) -> SharePosted:
    assert session.id is not None and team.group_chat_id is not None
    share = uow.sharing.add_share(
        Share(session.id, team.id, person.user_id, kind, clean_share(body), now)
    )
    author = None if share.anonymous else person
    uow.outbox.add([compose(SharePost(team, session, team.group_chat_id, share, author))], now)
    return SharePosted(share, team, session, in_group=False)


def _open_session(uow: UnitOfWork, team: Team, now: datetime) -> SharingSession:
    """The team's session open for shares now, or the refusal that says why there is none."""
    if team.group_chat_id is None:
        raise NoTeamGroup(team_name=team.name)
    session = uow.sharing.latest(team.id)
    if session is None or not is_open(session, now):
        raise _not_open(uow, team, now)
    return session


def _not_open(uow: UnitOfWork, team: Team, now: datetime) -> SharingNotOpen:
    tz = team_zone(team)
    upcoming = next_session(
        now,
        tz,
        team.schedule,
        team_calendar(team),
        uow.settings.get(team.id).themes,
        _since(team, tz),
    )
    return SharingNotOpen(next_at=upcoming.at, zone=team.timezone, theme=upcoming.theme.value)


def _save_dialog(uow: UnitOfWork, person: Person, session: SharingSession, kind: Theme) -> None:
    uow.dialogs.save(
        Dialog(
            person.user_id,
            SHARE,
            "text",
            {"session": session.id, "kind": kind.value},
            session.closes_at + LATE_ANSWER,
        )
    )


def _since(team: Team, tz: ZoneInfo) -> date:
    """The first day of the team's theme rotation: the day it was created, team-local."""
    return team.created_at.astimezone(tz).date()


def _lessons(uow: UnitOfWork, shares: list[Share]) -> tuple[Lesson, ...]:
    ids = [s.id for s in shares if s.id is not None]
    counts = uow.sharing.kudos_counts(ids)
    people = uow.people.many({s.user_id for s in shares if not s.anonymous})
    days: dict[int, date] = {}
    for share in shares:
        if share.session_id not in days:
            session = uow.sharing.session(share.session_id)
            days[share.session_id] = session.day if session else share.created_at.date()
    return tuple(
        Lesson(
            share,
            None if share.anonymous else people.get(share.user_id),
            days[share.session_id],
            counts.get(share.id or 0, 0),
        )
        for share in shares
    )
