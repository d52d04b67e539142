"""Migration 0003 lets the outbox hold ``sending`` and ``unknown``, and its downgrade undoes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, column, select, table
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
from storage.types import UTCDateTime

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
OUTBOX = table(
    "outbox",
    column("key"),
    column("chat_id"),
    column("kind"),
    column("text"),
    column("buttons"),
    column("budgeted"),
    column("state"),
    column("attempts"),
    column("not_before", UTCDateTime()),
    column("created_at", UTCDateTime()),
)


def add(engine: Engine, key: str, state: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            OUTBOX.insert().values(
                key=key,
                chat_id=1,
                kind="plan",
                text="hi",
                buttons="[]",
                budgeted=False,
                state=state,
                attempts=0,
                not_before=NOW,
                created_at=NOW,
            )
        )


def states(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(OUTBOX.c.key, OUTBOX.c.state)).all())


def test_upgrade_allows_the_new_states_and_downgrade_fails_them(database_url: str):
    engine = make_engine(database_url)
    command.downgrade(alembic_config(database_url), "0002")  # the fixture's database is at head
    try:
        add(engine, "old", "pending")
        with pytest.raises(IntegrityError):
            add(engine, "early", "sending")

        upgrade(database_url, "0003")
        add(engine, "on-the-way", "sending")
        add(engine, "lost-track", "unknown")
        with pytest.raises(IntegrityError):
            add(engine, "bogus", "maybe")
        assert states(engine) == {
            "old": "pending", "on-the-way": "sending", "lost-track": "unknown"
        }  # fmt: skip

        command.downgrade(alembic_config(database_url), "0002")
        assert states(engine) == {"old": "pending", "on-the-way": "failed", "lost-track": "failed"}
        with pytest.raises(IntegrityError):
            add(engine, "again", "sending")
    finally:
        with engine.begin() as connection:  # empty and at head, as the fixture expects it back
            connection.execute(OUTBOX.delete())
        engine.dispose()
        upgrade(database_url)
