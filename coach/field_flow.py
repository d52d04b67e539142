"""Field-to-drill: objections reps meet become practice.

The objection a rep notes in the evening review is matched to a pack category
(``coach.field.match_objection``) in the same transaction as the review. Matched ones make
drills of that category more likely for the whole team for two weeks; unmatched ones wait for a
manager (``/objections``), who turns each into a team drill item (a category chosen with a
button; the steps' aims, cues and model answers are those of the closest objection of that
category, so it is graded like the others) or sets it aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from coach import errors
from coach.content import Category, Objection, Pack, StoredObjection
from coach.field import match_objection
from coach.models import Person, Team
from coach.onboarding import managed_team
from coach.ports import UnitOfWork
from coach.practice import FieldObjection, FieldStatus
from coach.team_content import objections_for

FIELD_PACK = "field"
"""The team pack that holds the objections managers added from the field."""

CUSTOMER_LIMIT = 300  # a pack's customer line


def record(
    uow: UnitOfWork, team: Team, user_id: int, day: date, text: str, lang: str, now: datetime
) -> FieldObjection:
    """Match and store the objection a rep met on ``day`` (an edit replaces it)."""
    match = match_objection(text, lang, objections_for(uow, team, lang))
    return uow.practice.replace_field(
        FieldObjection(
            team_id=team.id,
            user_id=user_id,
            day=day,
            text=text,
            category=match.category,
            objection_key=match.objection_key,
            status=FieldStatus.MATCHED if match.category else FieldStatus.OFFERED,
            created_at=now,
        )
    )


@dataclass(eq=False)
class FieldItemGone(errors.CoachError):
    """The item is not the manager's team's, or was already handled."""

    code = "field_item_gone"  # type: ignore[assignment]


@dataclass(eq=False)
class NoTemplate(errors.CoachError):
    code = "field_no_template"  # type: ignore[assignment]
    category: str


@dataclass(frozen=True, slots=True)
class FieldList:
    """``/objections``: what the team met lately, the unmatched ones first, with who met them."""

    team: Team
    offered: list[FieldObjection]
    matched: list[FieldObjection]
    names: dict[int, str]


def field_list(uow: UnitOfWork, person: Person, now: datetime) -> FieldList:
    team = managed_team(uow, person)
    offered = uow.practice.field_items(team.id, [FieldStatus.OFFERED], limit=10)
    matched = uow.practice.field_items(team.id, [FieldStatus.MATCHED], limit=10)
    people = uow.people.many({i.user_id for i in offered + matched})
    return FieldList(team, offered, matched, {k: p.first_name for k, p in people.items()})


def _open_item(uow: UnitOfWork, team: Team, item_id: int) -> FieldObjection:
    item = uow.practice.field_item(item_id)
    if item is None or item.team_id != team.id or item.status is not FieldStatus.OFFERED:
        raise FieldItemGone()
    return item


def item_to_sort(uow: UnitOfWork, person: Person, now: datetime, item_id: int) -> FieldObjection:
    """The item a manager is about to give a category (its buttons follow)."""
    return _open_item(uow, managed_team(uow, person), item_id)


def add_as_drill(
    uow: UnitOfWork, person: Person, now: datetime, item_id: int, category: Category
) -> StoredObjection:
    """Make an unmatched field objection a drill item of the team, in ``category``."""
    team = managed_team(uow, person)
    item = _open_item(uow, team, item_id)
    rep = uow.people.get(item.user_id)
    lang = rep.language.value if rep else team.language.value
    templates = [o for o in objections_for(uow, team, lang) if o.objection.category is category]
    if not templates:
        raise NoTemplate(category=category.value)
    template = templates[0].objection
    objection = Objection(
        id=f"field-{item_id}",
        category=category,
        customer=item.text[:CUSTOMER_LIMIT],
        concerns=template.concerns,
        steps=template.steps,
        tags=("field",),
    )
    version = (uow.content.pack_version(team.id, FIELD_PACK, lang) or 0) + 1
    pack = Pack(FIELD_PACK, version, lang, "Field objections", objections=(objection,))
    uow.content.save_pack(team.id, pack, now, person.user_id)
    uow.content.save_items(team.id, pack, [objection], now)
    stored = next(
        o for o in uow.content.objections([team.id], lang) if o.objection.id == objection.id
    )
    uow.practice.set_field(item_id, FieldStatus.ADDED, stored.key)
    return stored


def dismiss(uow: UnitOfWork, person: Person, now: datetime, item_id: int) -> None:
    team = managed_team(uow, person)
    _open_item(uow, team, item_id)
    uow.practice.set_field(item_id, FieldStatus.DISMISSED, None)
