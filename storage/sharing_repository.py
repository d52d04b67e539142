"""Evening sharing (``coach.ports.SharingRepository``): sessions, shares, kudos."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coach.sharing_records import Teamwork
from coach.team_settings import Theme
from storage.models import KudosRow, ShareRow, SharingSessionRow

SESSIONS = SharingSessionRow.__table__
SHARES = ShareRow.__table__
KUDOS = KudosRow.__table__


class SqlSharing:
    def __init__(self, session: Session) -> None:
        self._s = session

    def teamwork(self, team_id: int, start: date, end: date) -> dict[int, Teamwork]:
        in_range = select(SESSIONS.c.id).where(
            SESSIONS.c.team_id == team_id, SESSIONS.c.day >= start, SESSIONS.c.day <= end
        )
        named = SHARES.c.kind != Theme.VENTING.value
        shares = self._s.execute(
            select(SHARES.c.user_id, func.count())
            .where(SHARES.c.session_id.in_(in_range), named)
            .group_by(SHARES.c.user_id)
        ).all()
        received = self._s.execute(
            select(SHARES.c.user_id, func.count())
            .select_from(KUDOS.join(SHARES, KUDOS.c.share_id == SHARES.c.id))
            .where(KUDOS.c.session_id.in_(in_range), named)
            .group_by(SHARES.c.user_id)
        ).all()
        given = self._s.execute(
            select(KUDOS.c.user_id, func.count())
            .where(KUDOS.c.session_id.in_(in_range))
            .group_by(KUDOS.c.user_id)
        ).all()
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        parts = {"shares": shares, "kudos_received": received, "kudos_given": given}
        for name, rows in parts.items():
            for user_id, count in rows:
                counts[user_id][name] = count
        return {user_id: Teamwork(**parts) for user_id, parts in counts.items()}
