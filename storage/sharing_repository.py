"""Evening sharing (``coach.ports.SharingRepository``): sessions, shares, kudos.

Core statements, like the other repositories that are not plain ORM; the session is flushed
before statements that depend on rows added through the ORM (a team added in the same
transaction). One session per team and day and one kudos per person and share are kept by
the database (a unique key and a primary key) with ``ON CONFLICT DO NOTHING``, so two
schedulers or a double press store nothing twice and raise nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from coach.sharing_records import SessionState, Share, SharingSession, Teamwork
from coach.team_settings import Theme
from storage.models import KudosRow, ShareRow, SharingSessionRow
from storage.repositories import chunks, dialect_insert

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

    # --- sessions ------------------------------------------------------------------------------

    def open(self, session: SharingSession) -> SharingSession | None:
        self._s.flush()
        statement = (
            dialect_insert(self._s, SESSIONS)
            .values(
                team_id=session.team_id,
                day=session.day,
                theme=session.theme.value,
                chat_id=session.chat_id,
                opened_at=session.opened_at,
                closes_at=session.closes_at,
                state=session.state.value,
            )
            .on_conflict_do_nothing(index_elements=[SESSIONS.c.team_id, SESSIONS.c.day])
            .returning(SESSIONS.c.id)
        )
        new_id = self._s.execute(statement).scalar()
        return None if new_id is None else replace(session, id=int(new_id))

    def session(self, session_id: int) -> SharingSession | None:
        return self._one_session(SESSIONS.c.id == session_id)

    def session_on(self, team_id: int, day: date) -> SharingSession | None:
        return self._one_session(SESSIONS.c.team_id == team_id, SESSIONS.c.day == day)

    def latest(self, team_id: int) -> SharingSession | None:
        row = self._s.execute(
            select(SESSIONS)
            .where(SESSIONS.c.team_id == team_id)
            .order_by(SESSIONS.c.day.desc())
            .limit(1)
        ).first()
        return None if row is None else _session(row)

    def due_to_close(self, now: datetime) -> list[SharingSession]:
        rows = self._s.execute(
            select(SESSIONS)
            .where(SESSIONS.c.state == SessionState.OPEN.value, SESSIONS.c.closes_at <= now)
            .order_by(SESSIONS.c.closes_at, SESSIONS.c.id)
        )
        return [_session(row) for row in rows]

    def close(self, session_id: int) -> None:
        self._s.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == session_id)
            .values(state=SessionState.CLOSED.value)
        )

    def _one_session(self, *where: Any) -> SharingSession | None:
        row = self._s.execute(select(SESSIONS).where(*where)).first()
        return None if row is None else _session(row)

    # --- shares --------------------------------------------------------------------------------

    def add_share(self, share: Share) -> Share:
        new_id = self._s.execute(
            SHARES.insert()
            .values(
                session_id=share.session_id,
                team_id=share.team_id,
                user_id=share.user_id,
                kind=share.kind.value,
                text=share.text,
                created_at=share.created_at,
                kept_at=share.kept_at,
                kept_by=share.kept_by,
            )
            .returning(SHARES.c.id)
        ).scalar_one()
        return replace(share, id=int(new_id))

    def share(self, share_id: int) -> Share | None:
        row = self._s.execute(select(SHARES).where(SHARES.c.id == share_id)).first()
        return None if row is None else _share(row)

    def shares_of(self, session_id: int) -> list[Share]:
        rows = self._s.execute(
            select(SHARES)
            .where(SHARES.c.session_id == session_id)
            .order_by(SHARES.c.created_at, SHARES.c.id)
        )
        return [_share(row) for row in rows]

    def shares_between(self, team_id: int, start: date, end: date) -> list[Share]:
        in_range = select(SESSIONS.c.id).where(
            SESSIONS.c.team_id == team_id, SESSIONS.c.day >= start, SESSIONS.c.day <= end
        )
        rows = self._s.execute(
            select(SHARES)
            .where(SHARES.c.session_id.in_(in_range))
            .order_by(SHARES.c.created_at, SHARES.c.id)
        )
        return [_share(row) for row in rows]

    def keep(self, share_id: int, by: int, now: datetime) -> None:
        self._s.execute(
            update(SHARES).where(SHARES.c.id == share_id).values(kept_at=now, kept_by=by)
        )

    def unkeep(self, share_id: int) -> None:
        self._s.execute(
            update(SHARES).where(SHARES.c.id == share_id).values(kept_at=None, kept_by=None)
        )

    def kept(self, team_id: int, limit: int) -> list[Share]:
        rows = self._s.execute(
            select(SHARES)
            .where(SHARES.c.team_id == team_id, SHARES.c.kept_at.is_not(None))
            .order_by(SHARES.c.kept_at.desc(), SHARES.c.id.desc())
            .limit(limit)
        )
        return [_share(row) for row in rows]

    # --- kudos ---------------------------------------------------------------------------------

    def add_kudos(self, share: Share, user_id: int, now: datetime) -> bool:
        assert share.id is not None, "a stored share has an id"
        statement = (
            dialect_insert(self._s, KUDOS)
            .values(share_id=share.id, user_id=user_id, session_id=share.session_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[KUDOS.c.share_id, KUDOS.c.user_id])
            .returning(KUDOS.c.share_id)
        )
        return self._s.execute(statement).scalar() is not None

    def has_kudos(self, share_id: int, user_id: int) -> bool:
        found = self._s.execute(
            select(KUDOS.c.share_id).where(KUDOS.c.share_id == share_id, KUDOS.c.user_id == user_id)
        ).first()
        return found is not None

    def kudos_counts(self, share_ids: Iterable[int]) -> dict[int, int]:
        counts: dict[int, int] = {}
        for chunk in chunks(share_ids):
            rows = self._s.execute(
                select(KUDOS.c.share_id, func.count())
                .where(KUDOS.c.share_id.in_(chunk))
                .group_by(KUDOS.c.share_id)
            )
            counts.update((share_id, int(count)) for share_id, count in rows)
        return counts


def _session(row: Row[Any]) -> SharingSession:
    return SharingSession(
        team_id=row.team_id,
        day=row.day,
        theme=Theme(row.theme),
        chat_id=row.chat_id,
        opened_at=row.opened_at,
        closes_at=row.closes_at,
        state=SessionState(row.state),
        id=row.id,
    )


def _share(row: Row[Any]) -> Share:
    return Share(
        session_id=row.session_id,
        team_id=row.team_id,
        user_id=row.user_id,
        kind=Theme(row.kind),
        text=row.text,
        created_at=row.created_at,
        kept_at=row.kept_at,
        kept_by=row.kept_by,
        id=row.id,
    )
