"""Engines: SQLite tuned for a bot (WAL, busy timeout, foreign keys) or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas a concurrent bot needs.

    Statement parameters are left out of SQL error messages: they may hold what a rep wrote,
    and error messages end up in logs.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if _is_file(dbapi_connection):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _is_file(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and row[2] for row in rows)


def _begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is
    # locked" when another writer got there first; taking the write lock up front makes it
    # wait for busy_timeout instead. Readers are not blocked under WAL.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
