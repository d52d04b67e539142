"""Who may see and change a team's reports, exports, targets and schedule: one place decides.

Every manager view (``/team``, ``/report``, ``/export``, ``/targets``, ``/schedule``) asks
:func:`manager_of` first, so the rule is written once: only a manager of the team. A rep's
private answers (wins, lessons, objections, reflections) reach the managers through these
views and nobody else. The CLI is the admin's and calls the team's use cases without it.
"""

from __future__ import annotations

from coach import errors
from coach.models import Role, Team
from coach.ports import UnitOfWork


def manager_of(uow: UnitOfWork, user_id: int, team_id: int | None = None) -> Team:
    """The team ``user_id`` manages, and may see the reports of.

    Args:
        uow: an open unit of work (read only here).
        user_id: who asks.
        team_id: the team asked about; ``None`` means the asker's own team.

    Raises:
        NotInTeam: the asker is in no team (an outsider).
        NotAManager: the asker is a rep, or a manager asking about another team (named by the
            team asked about, so the refusal says whose managers may).
    """
    membership = uow.members.get(user_id)
    own = uow.teams.get(membership.team_id) if membership else None
    if membership is None or own is None:
        raise errors.NotInTeam()
    if team_id is not None and team_id != own.id:
        asked = uow.teams.get(team_id)
        raise errors.NotAManager(team_name=asked.name if asked else own.name)
    if membership.role is not Role.MANAGER:
        raise errors.NotAManager(team_name=own.name)
    return own
