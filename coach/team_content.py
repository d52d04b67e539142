"""The content a team practises with: its own packs first, then the built-in ones."""

from __future__ import annotations

from coach.content import StoredObjection, StoredQuestion
from coach.models import Team
from coach.ports import UnitOfWork

BUILT_IN = 0
"""The scope of the packs that ship with the bot (``storage.models.BUILT_IN``)."""


def objections_for(uow: UnitOfWork, team: Team, language: str) -> list[StoredObjection]:
    """The team's live objections in ``language``, its own before the built-in ones."""
    own = uow.content.objections([team.id], language)
    return own + uow.content.objections([BUILT_IN], language)


def questions_for(uow: UnitOfWork, team: Team, language: str) -> list[StoredQuestion]:
    """The team's live quiz questions in ``language``, its own before the built-in ones."""
    own = uow.content.questions([team.id], language)
    return own + uow.content.questions([BUILT_IN], language)
