"""The content a team practises with: its own packs first, then the built-in ones."""

from __future__ import annotations

from coach.content import StoredObjection, StoredQuestion
from coach.models import Team
from coach.ports import UnitOfWork

BUILT_IN = 0
"""The scope of the packs that ship with the bot (``storage.models.BUILT_IN``)."""


def objections_for(uow: UnitOfWork, team: Team, language: str) -> list[StoredObjection]:
    """The team's live objections in ``language``, its own before the built-in ones."""
    both = uow.content.objections([team.id, BUILT_IN], language)
    return [o for o in both if o.scope == team.id] + [o for o in both if o.scope != team.id]


def questions_for(uow: UnitOfWork, team: Team, language: str) -> list[StoredQuestion]:
    """The team's live quiz questions in ``language``, its own before the built-in ones."""
    both = uow.content.questions([team.id, BUILT_IN], language)
    return [q for q in both if q.scope == team.id] + [q for q in both if q.scope != team.id]
