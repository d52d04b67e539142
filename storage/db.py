"""Engines: SQLite tuned for a bot (WAL, busy timeout, foreign keys) or PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 5000
PING_IDLE_AFTER = 10.0
"""Seconds a pooled PostgreSQL connection may sit unused before it is checked at checkout."""


def make_engine(
    url: str,
    *,
    echo: bool = False,
    ping_idle_after: float = PING_IDLE_AFTER,
    monotonic: Callable[[], float] = time.monotonic,
) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas a concurrent bot needs.

    Statement parameters are left out of SQL error messages: they may hold what a rep wrote,
    and error messages end up in logs.

    A PostgreSQL connection that sat in the pool longer than ``ping_idle_after`` seconds is
    pinged when it is taken out, and replaced if the server dropped it (a restart, an idle
    timeout). SQLAlchemy's ``pool_pre_ping`` pings at every checkout: one more round trip per
    transaction, about a tenth of an update's database time. A connection dropped while in
    steady use is found by its next statement instead: that transaction fails and SQLAlchemy
    replaces the whole pool.
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
    engine = create_engine(url, echo=echo, hide_parameters=True)
    _ping_when_idle(engine, ping_idle_after, monotonic)
    return engine


def _ping_when_idle(engine: Engine, idle: float, monotonic: Callable[[], float]) -> None:
    def checkin(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = monotonic()

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or monotonic() - returned <= idle:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and takes another (or makes a new one).
            raise exc.DisconnectionError("pooled connection dropped") from error

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


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
