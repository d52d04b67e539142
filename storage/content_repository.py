"""Content packs and their items (``coach.ports.ContentRepository``), with Core statements.

An item's content is one JSON document (``body``) in the shape of the pack file, so what is
stored reads back into the same ``Objection`` / ``Question``.

Live items are read often (an evening review that names an objection matches it against all of
them; every drill and quiz question picks from them) and change rarely (an import, a field item
added). ``ContentCache`` keeps the items read back per scope, language and kind; a read first
asks the database for the live rows' ids and fingerprints (small rows, no JSON) and reuses the
kept items while those are the same. Any change of a live item changes its fingerprint, a new
or retired item the id list, so what another process imported is seen at the next read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from cachetools import LRUCache
from sqlalchemy import and_, bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from coach.content import (
    LAER,
    Category,
    LaerStep,
    Objection,
    Pack,
    Question,
    Step,
    StoredObjection,
    StoredQuestion,
)
from coach.content_import import OBJECTION, QUESTION, kind_of
from storage.models import ContentItemRow, ContentPackRow
from storage.repositories import chunks, dialect_insert, flushed_connection

PACKS = ContentPackRow.__table__
ITEMS = ContentItemRow.__table__
ITEM_KEY = [ITEMS.c.team_id, ITEMS.c.pack_id, ITEMS.c.language, ITEMS.c.kind, ITEMS.c.item_id]

T = TypeVar("T")
Stamp = tuple[tuple[int, str], ...]


class ContentCache:
    """Live items read back, per (scope, language, kind), with the stamp they were read at.

    One per database (``storage.uow.Database``), shared by its threads; at most ``size``
    entries, the least recently used dropped first (``cachetools.LRUCache``).
    """

    def __init__(self, size: int = 512) -> None:
        self._entries: LRUCache[tuple[int, str, str], tuple[Stamp, tuple[Any, ...]]] = LRUCache(
            maxsize=size
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[int, str, str], stamp: Stamp) -> tuple[Any, ...] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != stamp:
                self.misses += 1
                return None
            self.hits += 1
            return entry[1]

    def put(self, key: tuple[int, str, str], stamp: Stamp, items: tuple[Any, ...]) -> None:
        with self._lock:
            self._entries[key] = (stamp, items)


class SqlContent:
    def __init__(self, session: Session, cache: ContentCache | None = None) -> None:
        self._s = session
        self._cache = cache or ContentCache()

    def pack_version(self, scope: int, pack_id: str, language: str) -> int | None:
        self._s.flush()
        return self._s.execute(
            select(PACKS.c.version).where(
                PACKS.c.team_id == scope, PACKS.c.pack_id == pack_id, PACKS.c.language == language
            )
        ).scalar()

    def item_fingerprints(
        self, scope: int, pack_id: str, language: str
    ) -> dict[tuple[str, str], tuple[str, bool]]:
        self._s.flush()
        rows = self._s.execute(
            select(ITEMS.c.kind, ITEMS.c.item_id, ITEMS.c.fingerprint, ITEMS.c.retired).where(
                _pack(scope, pack_id, language)
            )
        )
        return {(kind, item_id): (print_, bool(retired)) for kind, item_id, print_, retired in rows}

    def save_pack(self, scope: int, pack: Pack, now: datetime, by: int | None) -> None:
        self._s.flush()
        values = {
            "version": pack.version, "title": pack.title, "imported_at": now, "imported_by": by
        }  # fmt: skip
        statement = dialect_insert(self._s, PACKS).values(
            team_id=scope, pack_id=pack.id, language=pack.language, **values
        )
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=[PACKS.c.team_id, PACKS.c.pack_id, PACKS.c.language], set_=values
            )
        )

    def save_items(
        self, scope: int, pack: Pack, items: Sequence[Objection | Question], now: datetime
    ) -> None:
        if not items:
            return
        self._s.flush()
        rows = [
            {
                "team_id": scope,
                "pack_id": pack.id,
                "language": pack.language,
                "kind": kind_of(item),
                "item_id": item.id,
                "category": item.category.value if isinstance(item, Objection) else None,
                "tags": list(item.tags),
                "body": _body(item),
                "fingerprint": item.fingerprint,
                "version": pack.version,
                "retired": False,
                "updated_at": now,
            }
            for item in items
        ]
        statement = dialect_insert(self._s, ITEMS)
        replaced = ("category", "tags", "body", "fingerprint", "version", "retired", "updated_at")
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=ITEM_KEY,
                set_={name: statement.excluded[name] for name in replaced},
            ),
            rows,
        )

    def retire(
        self, scope: int, pack_id: str, language: str, keys: Iterable[tuple[str, str]]
    ) -> None:
        self._s.flush()
        for chunk in chunks(list(keys)):
            self._s.execute(
                update(ITEMS)
                .where(
                    _pack(scope, pack_id, language),
                    tuple_(ITEMS.c.kind, ITEMS.c.item_id).in_(chunk),
                )
                .values(retired=True)
            )

    def objections(self, scopes: Sequence[int], language: str) -> list[StoredObjection]:
        def read(row: Any) -> StoredObjection:
            return StoredObjection(row.id, row.team_id, row.pack_id, _objection(row))

        return self._live(scopes, language, OBJECTION, read)

    def questions(self, scopes: Sequence[int], language: str) -> list[StoredQuestion]:
        def read(row: Any) -> StoredQuestion:
            return StoredQuestion(row.id, row.team_id, row.pack_id, _question(row))

        return self._live(scopes, language, QUESTION, read)

    def _live(
        self, scopes: Sequence[int], language: str, kind: str, read: Callable[[Any], T]
    ) -> list[T]:
        """The live items of ``scopes`` in row order, each scope's from the cache if unchanged."""
        live = (ITEMS.c.language == language, ITEMS.c.kind == kind, ITEMS.c.retired.is_(False))
        stamps: dict[int, list[tuple[int, str]]] = {}
        values = {"scopes": list(scopes), "language": language, "kind": kind}
        for key, scope, print_ in flushed_connection(self._s).execute(_STAMPS, values):
            stamps.setdefault(scope, []).append((key, print_))
        found: list[T] = []
        for scope, stamp in stamps.items():
            cache_key = (scope, language, kind)
            kept = self._cache.get(cache_key, tuple(stamp))
            if kept is None:
                rows = self._s.execute(
                    select(ITEMS).where(ITEMS.c.team_id == scope, *live).order_by(ITEMS.c.id)
                ).all()
                kept = tuple(read(row) for row in rows)
                self._cache.put(cache_key, tuple((row.id, row.fingerprint) for row in rows), kept)
            found.extend(kept)
        if len(stamps) > 1:
            found.sort(key=lambda item: item.key)  # type: ignore[attr-defined]
        return found


# Every read of live content runs it (a review with an objection, each quiz question): built once.
_STAMPS = (
    select(ITEMS.c.id, ITEMS.c.team_id, ITEMS.c.fingerprint)
    .where(
        ITEMS.c.team_id.in_(bindparam("scopes", expanding=True)),
        ITEMS.c.language == bindparam("language"),
        ITEMS.c.kind == bindparam("kind"),
        ITEMS.c.retired.is_(False),
    )
    .order_by(ITEMS.c.id)
)


def _pack(scope: int, pack_id: str, language: str) -> Any:
    return and_(ITEMS.c.team_id == scope, ITEMS.c.pack_id == pack_id, ITEMS.c.language == language)


def _body(item: Objection | Question) -> dict[str, Any]:
    if isinstance(item, Question):
        return {
            "text": item.text,
            "options": list(item.options),
            "correct": item.correct,
            "explanation": item.explanation,
        }
    return {
        "customer": item.customer,
        "concerns": list(item.concerns),
        "steps": {
            step.value: {
                "aim": item.steps[step].aim,
                "cues": [list(group) for group in item.steps[step].cues],
                "model": item.steps[step].model,
            }
            for step in LAER
        },
    }


def _objection(row: Any) -> Objection:
    body = row.body
    return Objection(
        id=row.item_id,
        category=Category(row.category),
        customer=body["customer"],
        concerns=tuple(body["concerns"]),
        steps={
            LaerStep(name): Step(
                step["aim"], tuple(tuple(group) for group in step["cues"]), step["model"]
            )
            for name, step in body["steps"].items()
        },
        tags=tuple(row.tags),
    )


def _question(row: Any) -> Question:
    body = row.body
    return Question(
        row.item_id,
        body["text"],
        tuple(body["options"]),
        body["correct"],
        body["explanation"],
        tuple(row.tags),
    )
