"""Team settings (``coach.ports.TeamSettingsRepository``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coach.kpis import Kpi
from coach.team_settings import DEFAULT_SETTINGS, TeamSettings, Theme, Weights
from storage.models import TeamSettingsRow
from storage.repositories import dialect_insert

SETTINGS = TeamSettingsRow.__table__


class SqlTeamSettings:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: int) -> TeamSettings:
        row = self._s.execute(select(SETTINGS).where(SETTINGS.c.team_id == team_id)).first()
        if row is None:
            return DEFAULT_SETTINGS
        return TeamSettings(
            weights=Weights(**row.weights),
            relay={int(day): Kpi(kpi) for day, kpi in row.relay.items()},
            themes=tuple(Theme(t) for t in row.themes),
            monthly_revenue=None if row.monthly_revenue is None else Decimal(row.monthly_revenue),
        )

    def save(self, team_id: int, settings: TeamSettings) -> None:
        w = settings.weights
        values = {
            "weights": {
                "results": w.results,
                "process": w.process,
                "capability": w.capability,
                "teamwork": w.teamwork,
            },
            "relay": {str(day): kpi.value for day, kpi in sorted(settings.relay.items())},
            "themes": [t.value for t in settings.themes],
            "monthly_revenue": settings.monthly_revenue,
        }
        insert = dialect_insert(self._s, SETTINGS).values(team_id=team_id, **values)
        self._s.execute(insert.on_conflict_do_update(index_elements=["team_id"], set_=values))
