"""The durable outbox and the log of handled Telegram updates.

Like the rhythm repositories these use Core statements and flush the session first (Core
statements do not autoflush).

Concurrency:

* ``SqlOutbox.claim`` locks the rows it returns with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
  so concurrent senders take disjoint messages. SQLite transactions begin ``IMMEDIATE``
  (``storage.db``): one writer at a time, so two senders cannot interleave at all.
* ``SqlUpdateLog.mark`` inserts with ``ON CONFLICT DO NOTHING … RETURNING``. When
  two transactions race on the same update id, PostgreSQL makes the second insert wait for the
  first transaction; if that one commits, the second gets ``False`` (no IntegrityError at
  commit). If it rolls back, the second gets ``True``: the update was never handled. On SQLite
  the second transaction cannot even begin until the first has finished, with the same result.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, text, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from coach.outbox import Button, Delivery, OutgoingMessage, QueuedMessage
from storage.models import OutboxRow, PersonRow, ProcessedUpdateRow
from storage.repositories import (
    backend,
    chunks,
    dialect_insert,
    flushed_connection,
    insert_for,
)

OUTBOX = OutboxRow.__table__
PEOPLE = PersonRow.__table__
UPDATES = ProcessedUpdateRow.__table__

ERROR_LENGTH = 200
"""``last_error`` is cut to this many characters (it holds error names and codes)."""

BLOCKED_ERROR = "blocked"
INTERRUPTED_ERROR = "interrupted while sending"


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, messages: Iterable[OutgoingMessage], now: datetime) -> int:
        rows: dict[str, dict[str, Any]] = {}
        for message in messages:
            if message.key not in rows:  # the first of equal keys wins, as across calls
                rows[message.key] = _row(message, now)
        if not rows:
            return 0
        self._s.flush()
        # ON CONFLICT DO NOTHING skips keys already stored without an error; RETURNING yields
        # only the rows really inserted.
        if self._s.get_bind().dialect.name == "postgresql":
            return self._add_postgresql(list(rows.values()))
        # SQLite: one multi-row INSERT per batch of rows ("insertmanyvalues").
        statement = (
            dialect_insert(self._s, OUTBOX)
            .on_conflict_do_nothing(index_elements=[OUTBOX.c.key])
            .returning(OUTBOX.c.id)
        )
        return len(self._s.execute(statement, list(rows.values())).all())

    def _add_postgresql(self, rows: list[dict[str, Any]]) -> int:
        # One statement and one parameter, whatever the number of rows: the rows as one JSON
        # document, unpacked by the server. Multi-row VALUES with 13 parameters per row make
        # psycopg parse and quote 130,000 placeholders in Python for 10,000 rows (1.6 s here);
        # this takes a fraction of that.
        document = json.dumps(
            [
                {
                    **{name: row[name] for name in _BULK_COLUMNS},
                    "day": row["day"].isoformat() if row["day"] else None,
                    "not_before": _utc(row["not_before"]).isoformat(),
                    "created_at": _utc(row["created_at"]).isoformat(),
                }
                for row in rows
            ],
            ensure_ascii=False,
        )
        return len(self._s.execute(_BULK_INSERT, {"rows": document}).all())

    def has(self, key: str) -> bool:
        self._s.flush()
        return self._s.scalar(select(OUTBOX.c.id).where(OUTBOX.c.key == key)) is not None

    def existing(self, keys: Iterable[str]) -> set[str]:
        self._s.flush()
        found: set[str] = set()
        for chunk in chunks(keys):
            found.update(self._s.scalars(select(OUTBOX.c.key).where(OUTBOX.c.key.in_(chunk))))
        return found

    def budget_spent(self, user_ids: Iterable[int], day: date) -> dict[int, int]:
        self._s.flush()
        spent: dict[int, int] = {}
        for chunk in chunks(user_ids):
            rows = self._s.execute(
                select(OUTBOX.c.user_id, func.count())
                .where(
                    OUTBOX.c.user_id.in_(chunk),
                    OUTBOX.c.day == day,
                    OUTBOX.c.budgeted.is_(True),
                )
                .group_by(OUTBOX.c.user_id)
            )
            spent.update((user_id, int(count)) for user_id, count in rows)
        return spent

    def claim(self, now: datetime, limit: int) -> list[QueuedMessage]:
        self._s.flush()
        query = (
            select(OUTBOX)
            .where(OUTBOX.c.state == Delivery.PENDING.value, OUTBOX.c.not_before <= now)
            .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
            .limit(limit)
        )
        if self._s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_queued(row) for row in self._s.execute(query)]

    def close_blocked(self, now: datetime) -> int:
        self._s.flush()
        blocked = select(PEOPLE.c.user_id).where(PEOPLE.c.blocked.is_(True))
        result = self._s.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.user_id.in_(blocked),
                OUTBOX.c.state == Delivery.PENDING.value,
                OUTBOX.c.not_before <= now,
            )
            .values(state=Delivery.BLOCKED.value, last_error=BLOCKED_ERROR)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def start_sending(self, message_ids: Iterable[int], now: datetime) -> None:
        self._s.flush()
        for chunk in chunks(list(message_ids)):
            self._s.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(chunk), _guard(OUTBOX.c.state) == Delivery.PENDING.value)
                .values(state=Delivery.SENDING.value)
            )

    def requeue_unwritten(self, message_ids: Collection[int]) -> int:
        self._s.flush()
        count = 0
        for chunk in chunks(list(message_ids)):
            result = self._s.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(chunk), OUTBOX.c.state == Delivery.SENDING.value)
                .values(state=Delivery.PENDING.value)
            )
            count += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return count

    def settle_interrupted(self, now: datetime) -> int:
        self._s.flush()
        result = self._s.execute(
            update(OUTBOX)
            .where(OUTBOX.c.state == Delivery.SENDING.value)
            .values(state=Delivery.UNKNOWN.value, last_error=INTERRUPTED_ERROR)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def mark_sent(self, message_id: int, now: datetime, telegram_message_id: int | None) -> None:
        self._update(
            message_id,
            state=Delivery.SENT.value,
            sent_at=now,
            telegram_message_id=telegram_message_id,
            attempts=OUTBOX.c.attempts + 1,
        )

    def mark_sent_many(self, sent: Iterable[tuple[int, datetime, int | None]]) -> None:
        rows = [
            {"message_id": message_id, "sent_at": now, "telegram_message_id": telegram_id}
            for message_id, now, telegram_id in sent
        ]
        if not rows:
            return
        self._s.flush()
        if self._s.get_bind().dialect.name == "postgresql":
            # One statement for the batch, the rows as one JSON document (as in ``add``):
            # psycopg's executemany still makes one UPDATE per row on the server.
            document = json.dumps(
                [
                    {
                        "id": row["message_id"],
                        "sent_at": _utc(row["sent_at"]).isoformat(),
                        "telegram_message_id": row["telegram_message_id"],
                    }
                    for row in rows
                ]
            )
            ids = [row["message_id"] for row in rows]
            self._s.execute(
                _BULK_MARK_SENT, {"rows": document, "ids": ids, "sent": Delivery.SENT.value}
            )
            return
        statement = (
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("message_id"))
            .values(
                state=Delivery.SENT.value,
                sent_at=bindparam("sent_at"),
                telegram_message_id=bindparam("telegram_message_id"),
                attempts=OUTBOX.c.attempts + 1,
            )
        )
        self._s.connection().execute(statement, rows)  # one executemany

    def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        self._update(
            message_id,
            state=Delivery.PENDING.value,
            not_before=not_before,
            last_error=error[:ERROR_LENGTH],
            attempts=OUTBOX.c.attempts + 1,
        )

    def give_up(self, message_id: int, state: Delivery, now: datetime, error: str) -> None:
        self._update(
            message_id,
            state=state.value,
            last_error=error[:ERROR_LENGTH],
            attempts=OUTBOX.c.attempts + 1,
        )

    def block_chat(self, chat_id: int, now: datetime) -> int:
        self._s.flush()
        result = self._s.execute(
            update(OUTBOX)
            .where(OUTBOX.c.chat_id == chat_id, OUTBOX.c.state == Delivery.PENDING.value)
            .values(state=Delivery.BLOCKED.value, last_error=BLOCKED_ERROR)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def counts(self) -> dict[Delivery, int]:
        self._s.flush()
        rows = self._s.execute(select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state))
        return {Delivery(state): int(count) for state, count in rows}

    def _update(self, message_id: int, **values: Any) -> None:
        self._s.flush()
        self._s.execute(update(OUTBOX).where(OUTBOX.c.id == message_id).values(**values))


def _guard(column: ColumnElement[str]) -> ColumnElement[str]:
    """``column`` as an expression no index can serve, for a condition that only guards rows
    already found by their primary key.

    Without statistics (no ``ANALYZE`` has run) SQLite serves ``id IN (…) AND state = 'pending'``
    from the ``(state, not_before, id)`` index, i.e. reads every pending row: 5 ms per
    ``SENDING`` mark with 10,000 messages queued, against 0.7 ms by primary key.
    """
    return column.concat("")


_BULK_COLUMNS = {
    "key": "varchar",
    "chat_id": "bigint",
    "kind": "varchar",
    "text": "text",
    "buttons": "json",
    "user_id": "bigint",
    "team_id": "integer",
    "day": "date",
    "budgeted": "boolean",
    "state": "varchar",
    "attempts": "integer",
    "not_before": "timestamptz",
    "created_at": "timestamptz",
    "chart": "json",
}
_BULK_INSERT = text(
    "INSERT INTO outbox ({columns}) SELECT {columns} "
    "FROM json_to_recordset(CAST(:rows AS json)) AS r({typed}) "
    "ON CONFLICT (key) DO NOTHING RETURNING id".format(
        columns=", ".join(f'"{name}"' for name in _BULK_COLUMNS),
        typed=", ".join(f'"{name}" {kind}' for name, kind in _BULK_COLUMNS.items()),
    )
)

_BULK_MARK_SENT = text(
    "UPDATE outbox SET state = :sent, sent_at = r.sent_at, "
    "telegram_message_id = r.telegram_message_id, attempts = outbox.attempts + 1 "
    "FROM json_to_recordset(CAST(:rows AS json)) "
    "AS r(id integer, sent_at timestamptz, telegram_message_id bigint) "
    # The ids again as an array: the planner cannot see into the JSON (it guesses 100 rows)
    # and would join by reading the whole outbox, which keeps every message ever sent.
    "WHERE outbox.id = r.id AND outbox.id = ANY(CAST(:ids AS integer[]))"
)


def _utc(value: datetime) -> datetime:
    """Aware UTC, as ``UTCDateTime`` would bind it; naive datetimes are refused the same way."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


def _row(message: OutgoingMessage, now: datetime) -> dict[str, Any]:
    return {
        "key": message.key,
        "chat_id": message.chat_id,
        "kind": message.kind,
        "text": message.text,
        "buttons": [
            [{"label": button.label, "data": button.data} for button in row]
            for row in message.buttons
        ],
        "user_id": message.user_id,
        "team_id": message.team_id,
        "day": message.day,
        "budgeted": message.budgeted,
        "state": Delivery.PENDING.value,
        "attempts": 0,
        "not_before": message.not_before,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
        "telegram_message_id": None,
        "chart": dict(message.chart) if message.chart is not None else None,
    }


def _queued(row: Row[Any]) -> QueuedMessage:
    message = OutgoingMessage(
        key=row.key,
        chat_id=row.chat_id,
        text=row.text,
        kind=row.kind,
        not_before=row.not_before,
        buttons=tuple(
            tuple(Button(button["label"], button["data"]) for button in buttons)
            for buttons in row.buttons
        ),
        user_id=row.user_id,
        team_id=row.team_id,
        day=row.day,
        budgeted=row.budgeted,
        chart=row.chart,
    )
    return QueuedMessage(row.id, message, row.attempts, row.created_at)


@cache
def _mark(name: str) -> Any:
    """Every update runs it: built once per backend (``storage.repositories``)."""
    return (
        insert_for(name, UPDATES)
        .values(update_id=bindparam("update_id"), processed_at=bindparam("processed_at"))
        .on_conflict_do_nothing(index_elements=[UPDATES.c.update_id])
        .returning(UPDATES.c.update_id)
    )


def update_recorded(connection: Connection, update_id: int, now: datetime) -> bool:
    """Whether a committed transaction recorded ``update_id``; writes nothing (rolled back).

    An ``INSERT`` rather than a ``SELECT``: on PostgreSQL it waits for a transaction that
    recorded the id and has not committed yet, and then tells its outcome. A plain connection,
    not a session: an update check is a whole transaction of one statement.
    """
    name = connection.dialect.name
    values = {"update_id": update_id, "processed_at": now}
    try:
        return connection.execute(_mark(name), values).first() is None
    finally:
        connection.rollback()


class SqlUpdateLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def mark(self, update_id: int, now: datetime) -> bool:
        values = {"update_id": update_id, "processed_at": now}
        result = flushed_connection(self._s).execute(_mark(backend(self._s)), values)
        return result.first() is not None

    def prune(self, before: datetime) -> int:
        self._s.flush()
        result = self._s.execute(UPDATES.delete().where(UPDATES.c.processed_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
