"""Importing a content pack: whole or not at all, keeping reps' history of unchanged items.

The caller validated the file (``coach.content.read_pack``) and commits the unit of work: every
item, the retirements and the pack's version are written in that one transaction.

Versions: a pack (scope, id, language) only moves forward. Importing a version not above the
one stored is refused (``StalePackVersion``), so an old file sent by mistake cannot undo a
newer one. Items are matched by kind and id: an unchanged item (same ``fingerprint``) keeps its
row untouched, so drill and quiz history stays with it; a changed one gets the new content in
the same row (its history stays, and says what was answered then); an item the new version
lacks is retired — not offered any more, its history kept; one that comes back is revived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from coach.content import Objection, Pack, Question
from coach.errors import CoachError
from coach.ports import UnitOfWork

OBJECTION = "objection"
QUESTION = "question"


@dataclass(eq=False)
class StalePackVersion(CoachError):
    code: ClassVar[str] = "stale_pack_version"
    pack_id: str
    language: str
    imported: int
    given: int


@dataclass(frozen=True, slots=True)
class ImportReport:
    pack_id: str
    language: str
    version: int
    previous: int | None
    added: int
    changed: int
    unchanged: int
    retired: int
    revived: int


def kind_of(item: Objection | Question) -> str:
    return OBJECTION if isinstance(item, Objection) else QUESTION


def import_pack(
    uow: UnitOfWork, scope: int, pack: Pack, now: datetime, by: int | None = None
) -> ImportReport:
    """Store ``pack`` for ``scope`` (a team id, or 0 for the built-in packs)."""
    content = uow.content
    previous = content.pack_version(scope, pack.id, pack.language)
    if previous is not None and pack.version <= previous:
        raise StalePackVersion(pack.id, pack.language, previous, pack.version)
    stored = content.item_fingerprints(scope, pack.id, pack.language)
    items: list[Objection | Question] = [*pack.objections, *pack.questions]
    to_save: list[Objection | Question] = []
    added = changed = unchanged = revived = 0
    for item in items:
        known = stored.get((kind_of(item), item.id))
        if known is None:
            added += 1
            to_save.append(item)
        elif known[0] != item.fingerprint:
            changed += 1
            to_save.append(item)
        else:
            unchanged += 1
            if known[1]:
                revived += 1
                to_save.append(item)  # saved again: no longer retired
    present = {(kind_of(item), item.id) for item in items}
    gone = [key for key, (_, retired) in stored.items() if key not in present and not retired]
    content.save_items(scope, pack, to_save, now)
    content.retire(scope, pack.id, pack.language, gone)
    content.save_pack(scope, pack, now, by)
    return ImportReport(
        pack.id, pack.language, pack.version, previous, added, changed, unchanged, len(gone),
        revived,
    )  # fmt: skip
