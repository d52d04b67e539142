"""The evening sharing's rules (晚分享): the day's theme, what a share may say, kudos, the digest.

Everything here is pure: the use cases in ``coach.sharing_flow`` load the records and call
these. Why each rule is as it is:

* **The theme rotates by working day** (the team's ``TeamSettings.themes`` in turn, counted
  over the team's working days since it was created), so consecutive sessions never repeat a
  theme however weekends and holidays fall, and a new team starts with the first theme.
* **A share is a short free text**: trimmed, blank lines folded, at most
  :data:`SHARE_LIMIT` characters, no control or invisible characters (a share is read aloud in
  the group; a 4,000-character essay is not a share). Line breaks are kept: lessons are often
  lists.
* **A rep may pick the type** with a leading tag (``#倒垃圾 …``, ``#success …``); without one
  a share takes the session's theme.
* **Kudos**: one per person and share, never to one's own share, team members only.
* **The digest** counts the shares and the kudos, names the share with the most kudos (a
  venting share may win, and is then shown without a name) and lists the types present.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from coach import errors
from coach.calendar import WorkCalendar
from coach.models import Schedule
from coach.repdays import working_count
from coach.rhythm import PromptKind, event_instant
from coach.sharing_records import SessionState, Share, SharingSession
from coach.team_settings import Theme

SHARE_LIMIT = 1000
"""The longest share, in characters."""

SESSION_LENGTH = timedelta(minutes=60)
"""How long a session stays open after the sharing time unless configured otherwise."""

SHARE_FIELD = "share"
"""The field name ``InvalidText`` refusals about a share carry."""

THEME_TAGS: Mapping[str, Theme] = {
    "问题": Theme.PROBLEMS,
    "问题与解决": Theme.PROBLEMS,
    "problem": Theme.PROBLEMS,
    "problems": Theme.PROBLEMS,
    "成功": Theme.SUCCESS,
    "成功案例": Theme.SUCCESS,
    "案例": Theme.SUCCESS,
    "success": Theme.SUCCESS,
    "case": Theme.SUCCESS,
    "经验": Theme.EXPERIENCE,
    "经验心得": Theme.EXPERIENCE,
    "心得": Theme.EXPERIENCE,
    "experience": Theme.EXPERIENCE,
    "tip": Theme.EXPERIENCE,
    "倒垃圾": Theme.VENTING,
    "吐槽": Theme.VENTING,
    "venting": Theme.VENTING,
    "vent": Theme.VENTING,
}
"""Tags a share may start with to choose its type (``#倒垃圾 …``); case does not matter."""

_TAG_ENDS = ":：,，"  # a tag may be followed by a colon or comma instead of a space
_JOINERS = frozenset("\u200c\u200d")  # kept: emoji sequences and some scripts need them


# --- refusals --------------------------------------------------------------------------------


@dataclass(eq=False)
class SharingNotOpen(errors.CoachError):
    """No session is open for the team now; ``next_at`` is when the next one opens."""

    code = "sharing_not_open"  # type: ignore[assignment]
    next_at: datetime | None
    zone: str
    theme: str


@dataclass(eq=False)
class NoTeamGroup(errors.CoachError):
    """The team has no bound group, so there is nowhere to share."""

    code = "sharing_no_group"  # type: ignore[assignment]
    team_name: str


@dataclass(eq=False)
class NotTeamMember(errors.CoachError):
    """Someone in the team's group who is not a member of the team tried to share."""

    code = "share_not_member"  # type: ignore[assignment]
    team_name: str


@dataclass(eq=False)
class VentInGroup(errors.CoachError):
    """A venting share written in the group would carry its author's name: send it privately."""

    code = "share_vent_in_group"  # type: ignore[assignment]


@dataclass(eq=False)
class ShareNotFound(errors.CoachError):
    """No share with that number in the asker's team."""

    code = "share_not_found"  # type: ignore[assignment]
    number: int


@dataclass(eq=False)
class NotKeepable(errors.CoachError):
    """Venting shares are not lessons, and keeping one would single it out."""

    code = "share_not_keepable"  # type: ignore[assignment]
    number: int


# --- the theme -------------------------------------------------------------------------------


def theme_of_day(themes: Sequence[Theme], calendar: WorkCalendar, since: date, day: date) -> Theme:
    """The theme of ``day``'s session: ``themes`` in turn, one per working day after ``since``.

    Args:
        themes: the team's themes in rotation order (at least one).
        calendar: the team's work calendar.
        since: the day the rotation starts (the team's creation day, team-local); the first
            working day from it gets ``themes[0]``.
        day: the session's team-local day.
    """
    if not themes:
        raise ValueError("at least one theme is needed")
    before = working_count(calendar, since, day - timedelta(days=1)) if day > since else 0
    return themes[before % len(themes)]


@dataclass(frozen=True, slots=True)
class NextSession:
    """When the next session opens and its theme; ``at`` is ``None`` when none is in sight."""

    at: datetime | None
    theme: Theme


def next_session(
    now: datetime,
    tz: ZoneInfo,
    schedule: Schedule,
    calendar: WorkCalendar,
    themes: Sequence[Theme],
    since: date,
    horizon: int = 60,
) -> NextSession:
    """The first sharing time strictly after ``now`` on a working day (within ``horizon`` days)."""
    today = now.astimezone(tz).date()
    for offset in range(horizon + 1):
        day = today + timedelta(days=offset)
        if not calendar.is_working_day(day):
            continue
        at = event_instant(PromptKind.SHARING, day, tz, schedule)
        if at > now:
            return NextSession(at, theme_of_day(themes, calendar, since, day))
    return NextSession(None, themes[0])


def is_open(session: SharingSession | None, now: datetime) -> bool:
    """Whether shares are taken now: the session is open and its closing time not reached.

    A session the tick has not closed yet (an outage) stops taking shares at ``closes_at``
    all the same.
    """
    return (
        session is not None
        and session.state is SessionState.OPEN
        and session.opened_at <= now < session.closes_at
    )


# --- the text --------------------------------------------------------------------------------


def clean_share(text: str | None, limit: int = SHARE_LIMIT) -> str:
    """The share as it will be posted, or ``InvalidText``.

    Each line is trimmed, runs of blank lines become one, tabs become spaces; the result must
    be non-empty, at most ``limit`` characters, and free of control and invisible characters.
    """
    lines = [line.replace("\t", " ").strip() for line in (text or "").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    cleaned = "\n".join(kept).strip()
    if not cleaned:
        raise errors.InvalidText(field=SHARE_FIELD, reason="empty", limit=limit)
    if len(cleaned) > limit:
        raise errors.InvalidText(field=SHARE_FIELD, reason="too_long", limit=limit)
    if any(_is_hidden(ch) for ch in cleaned if ch != "\n"):
        raise errors.InvalidText(field=SHARE_FIELD, reason="not_plain", limit=limit)
    return cleaned


def split_tag(text: str | None) -> tuple[Theme | None, str]:
    """A leading type tag (``#倒垃圾``, ``#success:``) and the rest; ``None`` without one.

    An unknown ``#word`` is part of the text (people use hashtags).
    """
    stripped = (text or "").lstrip()
    if not stripped.startswith(("#", "＃")):
        return None, text or ""
    head = stripped[1:]
    end = 0
    while end < len(head) and not head[end].isspace() and head[end] not in _TAG_ENDS:
        end += 1
    theme = THEME_TAGS.get(head[:end].casefold())
    if theme is None:
        return None, text or ""
    rest = head[end:]
    if rest[:1] in tuple(_TAG_ENDS):
        rest = rest[1:]
    return theme, rest


def _is_hidden(ch: str) -> bool:
    return ch not in _JOINERS and unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"}


# --- kudos -----------------------------------------------------------------------------------


class KudosVerdict(StrEnum):
    """What became of a 👍 press; only ``THANKS`` stores anything."""

    THANKS = "thanks"
    ALREADY = "already"
    OWN = "own"
    NOT_MEMBER = "not_member"
    GONE = "gone"  # the share no longer exists (its team was deleted)


def kudos_verdict(
    share: Share | None, giver_id: int, giver_team_id: int | None, already: bool
) -> KudosVerdict:
    """Whether ``giver_id`` may give ``share`` a kudos, and if not, why."""
    if share is None:
        return KudosVerdict.GONE
    if giver_team_id != share.team_id:
        return KudosVerdict.NOT_MEMBER
    if share.user_id == giver_id:
        return KudosVerdict.OWN
    if already:
        return KudosVerdict.ALREADY
    return KudosVerdict.THANKS


# --- the digest ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Digest:
    """A closed session in numbers.

    Attributes:
        shares: how many shares were made.
        kudos: how many kudos they received in all.
        kinds: each type present with its count, in :class:`Theme` order.
        top: the share with the most kudos (at least one; ties go to the earlier share), or
            ``None``. A venting top share is shown without its author.
        top_kudos: its kudos.
    """

    shares: int
    kudos: int
    kinds: tuple[tuple[Theme, int], ...]
    top: Share | None
    top_kudos: int


def digest(shares: Iterable[Share], kudos: Mapping[int, int]) -> Digest:
    """Sum up a session's shares given the kudos per share id."""
    ordered = sorted(shares, key=lambda s: (s.created_at, s.id or 0))
    counts = {theme: 0 for theme in Theme}
    for share in ordered:
        counts[share.kind] += 1
    top: Share | None = None
    top_kudos = 0
    for share in ordered:
        got = kudos.get(share.id or 0, 0)
        if got > top_kudos:
            top, top_kudos = share, got
    return Digest(
        shares=len(ordered),
        kudos=sum(kudos.get(share.id or 0, 0) for share in ordered),
        kinds=tuple((theme, n) for theme, n in counts.items() if n),
        top=top,
        top_kudos=top_kudos,
    )


def excerpt(text: str, limit: int = 300) -> str:
    """The start of a share for a digest or a list, cut at ``limit`` characters with "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
