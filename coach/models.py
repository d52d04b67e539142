"""Plain dataclasses the domain works with; storage returns these, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class Role(StrEnum):
    """What a member does in a team."""

    MANAGER = "manager"
    REP = "rep"


class Lang(StrEnum):
    """Languages the bot speaks."""

    ZH = "zh"
    EN = "en"

    @classmethod
    def from_telegram(cls, language_code: str | None, default: Lang) -> Lang:
        """Pick a language from Telegram's IETF tag (``zh-hans``, ``en-US``, …)."""
        if not language_code:
            return default
        primary = language_code.split("-", 1)[0].lower()
        try:
            return cls(primary)
        except ValueError:
            return default


@dataclass(frozen=True, slots=True)
class Contact:
    """Who sent an update, as Telegram describes them."""

    user_id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the bot has talked to in private; ``blocked`` once they blocked the bot."""

    user_id: int
    first_name: str
    username: str | None
    language: Lang
    language_chosen: bool = False
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class Reminders:
    """A rep's reminder budget: how many nudges a day, how long after a prompt, and when never.

    ``daily_cap`` is shared by everything the bot pushes on its own beyond the scheduled
    prompts (nudges now; drills and quiz pushes later). Quiet hours run from ``quiet_start`` to
    ``quiet_end`` team-local time and may wrap past midnight.
    """

    daily_cap: int = 2
    nudge_after_minutes: int = 60
    quiet_start: time = time(21, 30)
    quiet_end: time = time(8, 0)
    escalate_after_days: int = 3

    def is_quiet(self, at: time) -> bool:
        """Whether the wall-clock time ``at`` falls in quiet hours."""
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= at < self.quiet_end
        return at >= self.quiet_start or at < self.quiet_end


@dataclass(frozen=True, slots=True)
class Schedule:
    """Team-local times of the daily rhythm; weekdays are ISO numbers (1 = Monday).

    ``review_deadline`` closes the day: until then today's plan and review can be edited; at
    it, misses are recorded and the manager's daily summary goes out. The weekly summary is
    pushed on ISO weekday ``week_end_day`` at ``week_end_time``. ``country`` picks the public
    holidays (``None`` for none).
    """

    plan_time: time = time(8, 30)
    review_time: time = time(19, 0)
    sharing_time: time = time(20, 30)
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    review_deadline: time = time(22, 0)
    week_end_day: int = 5
    week_end_time: time = time(21, 0)
    country: str | None = "CN"
    reminders: Reminders = field(default_factory=Reminders)


@dataclass(frozen=True, slots=True)
class NewTeam:
    """A team about to be created."""

    name: str
    region: str | None
    timezone: str
    language: Lang
    schedule: Schedule = field(default_factory=Schedule)


@dataclass(frozen=True, slots=True)
class Team:
    """A sales team: one or more managers, many reps, an optional bound group."""

    id: int
    name: str
    region: str | None
    timezone: str
    language: Lang
    schedule: Schedule
    created_at: datetime
    group_chat_id: int | None = None
    group_title: str | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """A person's place in a team; a person belongs to at most one team."""

    user_id: int
    team_id: int
    role: Role
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Invite:
    """A deep-link invitation; only the SHA-256 of its token is kept."""

    id: int
    team_id: int
    role: Role
    token_hash: str
    created_by: int
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Dialog:
    """A multi-step flow in progress for one person; kept in the database, not in memory."""

    user_id: int
    kind: str
    step: str
    data: dict[str, object]
    expires_at: datetime
