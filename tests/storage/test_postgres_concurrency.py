"""PostgreSQL only: concurrent senders claim disjoint messages; racing update marks agree."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from coach.outbox import OutgoingMessage
from storage.db import make_engine
from storage.uow import Database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(make_engine(database_url))
    yield database
    database.dispose()


def test_two_senders_claim_disjoint_messages(db: Database):
    with db.unit_of_work() as uow:
        messages = [OutgoingMessage(f"k{i}", i, "hi", "plan", NOW) for i in range(10)]
        assert uow.outbox.add(messages, NOW) == 10
        uow.commit()
    with db.unit_of_work() as first, db.unit_of_work() as second:
        mine = first.outbox.claim(NOW, 4)
        theirs = second.outbox.claim(NOW, 10)
        assert [q.message.key for q in mine] == ["k0", "k1", "k2", "k3"]
        assert [q.message.key for q in theirs] == [f"k{i}" for i in range(4, 10)]
        for queued in mine:
            first.outbox.mark_sent(queued.id, NOW, 1)
        first.commit()
        second.rollback()  # that sender died: its messages are free again, none lost
    with db.unit_of_work() as third:
        assert [q.message.key for q in third.outbox.claim(NOW, 10)] == [
            f"k{i}" for i in range(4, 10)
        ]


@pytest.mark.parametrize("first_commits", [True, False])
def test_racing_marks_of_one_update_agree(db: Database, first_commits: bool):
    results: dict[str, bool] = {}

    def second() -> None:
        with db.unit_of_work() as uow:
            results["second"] = uow.updates.mark(77, NOW)
            uow.commit()

    with db.unit_of_work() as uow:
        assert uow.updates.mark(77, NOW) is True
        racer = threading.Thread(target=second)
        racer.start()
        _wait_until_someone_waits_for_a_lock(db)
        if first_commits:
            uow.commit()
        else:
            uow.rollback()
    racer.join(timeout=30)
    assert not racer.is_alive()
    # The loser of the race is told the update was handled; no IntegrityError at commit.
    assert results == {"second": not first_commits}


def _wait_until_someone_waits_for_a_lock(db: Database) -> None:
    """Poll the server (no sleeping) until a session of this database is blocked on a lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 30
    # Autocommit: within one transaction PostgreSQL would keep showing the same snapshot.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while not connection.execute(query).scalar():
            assert time.monotonic() < deadline, "the second transaction never waited"


def _drop_other_connections(url: str) -> None:
    """What a server restart does to a pool: every other connection of this database is cut."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_at_checkout(database_url: str):
    clock = [0.0]
    database = Database(make_engine(database_url, ping_idle_after=10, monotonic=lambda: clock[0]))
    try:
        with database.unit_of_work() as uow:
            assert uow.teams.all() == []  # the pool now holds one connection
        _drop_other_connections(database_url)
        clock[0] = 60.0  # idle for a minute: it is pinged, found dead and replaced
        with database.unit_of_work() as uow:
            assert uow.teams.all() == []

        # In steady use it is not pinged: a drop fails the next transaction, which makes
        # SQLAlchemy replace the pool, and the one after works.
        _drop_other_connections(database_url)
        clock[0] = 65.0
        with pytest.raises(OperationalError), database.unit_of_work() as uow:
            uow.teams.all()
        with database.unit_of_work() as uow:
            assert uow.teams.all() == []
    finally:
        database.dispose()
