"""The unit of work: one session and one transaction per update or job."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.content_repository import ContentCache, SqlContent
from storage.outbox_repository import SqlOutbox, SqlUpdateLog, update_recorded
from storage.practice_repository import SqlPractice
from storage.repositories import (
    SqlDialogs,
    SqlInvites,
    SqlMembers,
    SqlPeople,
    SqlTeams,
    person_rows,
)
from storage.rhythm_repositories import SqlDays, SqlMisses, SqlReflections, SqlTargets
from storage.sharing_repository import SqlSharing
from storage.team_repository import SqlTeamSettings


class SqlUnitOfWork:
    """Implements ``coach.ports.UnitOfWork``; rolls back unless ``commit`` was called."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        turn: AbstractContextManager[object] | None = None,
        content: ContentCache | None = None,
    ) -> None:
        self._factory = factory
        self._turn = turn or nullcontext()
        self._content = content
        self._session: Session | None = None
        self._kept: list[object] = []

    def __enter__(self) -> Self:
        self._turn.__enter__()
        session = self._session = self._factory()
        self.people = SqlPeople(session)
        self.teams = SqlTeams(session)
        self.members = SqlMembers(session)
        self.invites = SqlInvites(session)
        self.dialogs = SqlDialogs(session)
        self.days = SqlDays(session)
        self.misses = SqlMisses(session)
        self.targets = SqlTargets(session)
        self.reflections = SqlReflections(session)
        self.outbox = SqlOutbox(session)
        self.updates = SqlUpdateLog(session)
        self.content = SqlContent(session, self._content)
        self.practice = SqlPractice(session)
        self.settings = SqlTeamSettings(session)
        self.sharing = SqlSharing(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._kept.clear()
            self._session.close()
            self._session = None
            self._turn.__exit__(None, None, None)

    def load_person(self, user_id: int) -> None:
        """Read the person's row, membership, team and open dialog in one statement, and keep
        them for this unit of work: the repositories' reads of them then need no SQL.

        An update from a known rep otherwise reads each in a statement of its own (four round
        trips to PostgreSQL, and the dialog twice when a flow step reads and saves it).
        """
        assert self._session is not None, "load_person outside the unit of work"
        self._kept.extend(person_rows(self._session, user_id))

    def commit(self) -> None:
        assert self._session is not None, "commit outside the unit of work"
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None, "rollback outside the unit of work"
        self._session.rollback()


class Database:
    """The engine and a factory of units of work for it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time and every transaction here begins IMMEDIATE: threads
        # of this process take turns on a lock instead of polling SQLite's busy handler, whose
        # sleeps would otherwise dominate under concurrent updates. Other processes still wait
        # through the busy timeout. PostgreSQL needs no turns.
        self._turns = threading.RLock() if engine.dialect.name == "sqlite" else None
        self.content_cache = ContentCache()

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, self._turns, self.content_cache)

    def update_recorded(self, update_id: int, now: datetime) -> bool:
        """Whether a committed transaction recorded the update (see ``update_recorded``)."""
        with self._turns or nullcontext(), self.engine.connect() as connection:
            return update_recorded(connection, update_id, now)

    def dispose(self) -> None:
        self.engine.dispose()
