"""The schema comes from Alembic, matches the models, and the bot refuses an old schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.runner import SchemaOutOfDate, open_database
from storage.db import make_engine
from storage.migrate import schema_state, upgrade
from storage.models import Base


def test_migrations_match_the_models(database_url: str):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        assert schema_state(engine).up_to_date
    finally:
        engine.dispose()


def test_unmigrated_database_is_refused_with_the_fix(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    try:
        open_database(url)
    except SchemaOutOfDate as exc:
        assert "salescoach db upgrade" in str(exc)
    else:
        raise AssertionError("an empty database was accepted")
    upgrade(url)
    database = open_database(url)
    try:
        assert {"teams", "people", "memberships", "invites", "dialogs"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.dispose()


def test_sqlite_connections_are_tuned(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
