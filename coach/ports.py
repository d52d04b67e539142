"""What the domain needs from the outside world, as Protocols.

``storage`` implements these with SQLAlchemy; ``tests/fakes.py`` implements them in memory.
Repositories never commit: the unit of work, owned by the adapter, does.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from coach.models import (
    Dialog,
    Invite,
    Membership,
    NewTeam,
    Person,
    Role,
    Team,
)


class Clock(Protocol):
    """Tells the time; always aware."""

    def now(self) -> datetime: ...


class PeopleRepository(Protocol):
    def get(self, user_id: int) -> Person | None: ...

    def save(self, person: Person, now: datetime) -> None: ...


class TeamRepository(Protocol):
    def add(self, team: NewTeam, now: datetime) -> Team: ...

    def get(self, team_id: int) -> Team | None: ...

    def by_group(self, chat_id: int) -> Team | None: ...

    def set_group(self, team_id: int, chat_id: int | None, title: str | None) -> None: ...


class MemberRepository(Protocol):
    def get(self, user_id: int) -> Membership | None: ...

    def add(self, membership: Membership) -> None: ...

    def remove(self, user_id: int) -> None: ...

    def of_team(self, team_id: int, role: Role | None = None) -> list[Membership]: ...


class InviteRepository(Protocol):
    def add(
        self,
        team_id: int,
        role: Role,
        token_hash: str,
        created_by: int,
        now: datetime,
        expires_at: datetime | None,
    ) -> Invite: ...

    def by_token_hash(self, token_hash: str) -> Invite | None: ...

    def revoke_active(self, team_id: int, role: Role, now: datetime) -> int: ...


class DialogRepository(Protocol):
    def get(self, user_id: int) -> Dialog | None: ...

    def save(self, dialog: Dialog) -> None: ...

    def clear(self, user_id: int) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction: everything a use case reads and writes, committed once by the caller."""

    people: PeopleRepository
    teams: TeamRepository
    members: MemberRepository
    invites: InviteRepository
    dialogs: DialogRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
