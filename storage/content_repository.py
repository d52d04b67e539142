"""Content packs and their items (``coach.ports.ContentRepository``), with Core statements.

An item's content is one JSON document (``body``) in the shape of the pack file, so what is
stored reads back into the same ``Objection`` / ``Question``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, tuple_, update
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
from storage.repositories import chunks, dialect_insert

PACKS = ContentPackRow.__table__
ITEMS = ContentItemRow.__table__
ITEM_KEY = [ITEMS.c.team_id, ITEMS.c.pack_id, ITEMS.c.language, ITEMS.c.kind, ITEMS.c.item_id]


class SqlContent:
    def __init__(self, session: Session) -> None:
        self._s = session

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
        return [
            StoredObjection(row.id, row.team_id, row.pack_id, _objection(row))
            for row in self._live(scopes, language, OBJECTION)
        ]

    def questions(self, scopes: Sequence[int], language: str) -> list[StoredQuestion]:
        return [
            StoredQuestion(row.id, row.team_id, row.pack_id, _question(row))
            for row in self._live(scopes, language, QUESTION)
        ]

    def _live(self, scopes: Sequence[int], language: str, kind: str) -> list[Any]:
        self._s.flush()
        return list(
            self._s.execute(
                select(ITEMS)
                .where(
                    ITEMS.c.team_id.in_(list(scopes)),
                    ITEMS.c.language == language,
                    ITEMS.c.kind == kind,
                    ITEMS.c.retired.is_(False),
                )
                .order_by(ITEMS.c.id)
            )
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
