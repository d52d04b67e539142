"""What the evening sharing (晚分享) leaves behind: sessions, shares, kudos.

These are the records the sharing repository stores (``coach.ports.SharingRepository``); the
rules that use them live in ``coach.sharing``.

A venting share keeps its author so that nobody can give kudos to their own share and a rep
can see their own shares; the bot never shows that author to anyone else, managers included,
and venting shares earn no points (a board would otherwise tell who vented).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from coach.team_settings import Theme


class SessionState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SharingSession:
    """One evening's sharing in a team's group; at most one per team and team-local day."""

    team_id: int
    day: date
    theme: Theme
    chat_id: int
    opened_at: datetime
    closes_at: datetime
    state: SessionState = SessionState.OPEN
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Share:
    """A rep's share; ``kind`` is its type (the session's theme unless the rep chose another)."""

    session_id: int
    team_id: int
    user_id: int
    kind: Theme
    text: str
    created_at: datetime
    kept_at: datetime | None = None  # kept by a manager as the week's best lesson (/tips)
    kept_by: int | None = None
    id: int | None = None

    @property
    def anonymous(self) -> bool:
        return self.kind is Theme.VENTING


@dataclass(frozen=True, slots=True)
class Teamwork:
    """One rep's teamwork in a date range: named shares (venting not counted) and the kudos
    those shares received, and kudos the rep gave."""

    shares: int = 0
    kudos_received: int = 0
    kudos_given: int = 0
