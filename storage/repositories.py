"""Repositories over one Session; they flush when ids are needed and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from coach.models import (
    Dialog,
    Invite,
    Lang,
    Membership,
    NewTeam,
    Person,
    Reminders,
    Role,
    Schedule,
    Team,
)
from storage.models import DialogRow, InviteRow, MembershipRow, PersonRow, TeamRow

IN_CHUNK = 500
"""Most values bound in one ``IN (…)``; SQLite allows 32,766 parameters per statement (999 before
3.32), PostgreSQL 65,535."""

T = TypeVar("T")


def chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` without duplicates, in lists of at most ``size``."""
    unique = iter(dict.fromkeys(values))
    while chunk := list(islice(unique, size)):
        yield chunk


def backend(session: Session) -> str:
    """``"postgresql"`` or ``"sqlite"``."""
    return session.get_bind().dialect.name


def insert_for(name: str, table: Any) -> Any:
    """An ``INSERT`` for ``table`` with backend ``name``'s ``ON CONFLICT`` clauses available."""
    target: Table = table.__table__ if hasattr(table, "__table__") else table
    return postgresql.insert(target) if name == "postgresql" else sqlite.insert(target)


def dialect_insert(session: Session, table: Any) -> Any:
    """An ``INSERT`` for ``table`` with the session's backend's ``ON CONFLICT`` clauses."""
    return insert_for(backend(session), table)


def flushed_connection(session: Session) -> Connection:
    """The session's connection, for a Core statement, after flushing what the ORM holds.

    ``Session.execute`` autoflushes and adds a quarter or more to a statement's Python; a
    statement run on the connection does neither, so the rows it refers to (a person just
    added through the ORM) are flushed here first.
    """
    session.flush()
    return session.connection()


# Statements run by every update are built once (per backend) with bound parameters: building
# and coercing a statement costs about as much Python as running it. Core statements run on the
# session's connection (``flushed_connection``).

_PERSON_ROWS = (
    select(PersonRow, MembershipRow, TeamRow, DialogRow)
    .outerjoin(MembershipRow, MembershipRow.user_id == PersonRow.user_id)
    .outerjoin(TeamRow, TeamRow.id == MembershipRow.team_id)
    .outerjoin(DialogRow, DialogRow.user_id == PersonRow.user_id)
    .where(PersonRow.user_id == bindparam("user_id"))
)


_CLEAR_DIALOG = delete(DialogRow.__table__).where(
    DialogRow.__table__.c.user_id == bindparam("user_id")
)


@cache
def _save_dialog(name: str) -> Any:
    columns = ("kind", "step", "data", "expires_at")
    upsert = insert_for(name, DialogRow).values(
        user_id=bindparam("user_id"), **{column: bindparam(column) for column in columns}
    )
    return upsert.on_conflict_do_update(
        index_elements=["user_id"], set_={column: upsert.excluded[column] for column in columns}
    )


def person_rows(session: Session, user_id: int) -> list[object]:
    """A person's row, membership, team and dialog, read in one statement (absent ones left out).

    They land in the session's identity map; ``session.get`` finds them there while they are
    referenced (the map holds unmodified rows weakly), so the caller keeps the list.
    """
    found = session.execute(_PERSON_ROWS, {"user_id": user_id}).first()
    return [row for row in found if row is not None] if found else []


class SqlPeople:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, user_id: int) -> Person | None:
        row = self._s.get(PersonRow, user_id)
        return _person(row) if row else None

    def save(self, person: Person, now: datetime) -> None:
        row = self._s.get(PersonRow, person.user_id)
        if row is None:
            row = PersonRow(user_id=person.user_id, created_at=now)
            self._s.add(row)
        row.first_name = person.first_name
        row.username = person.username
        row.language = person.language.value
        row.language_chosen = person.language_chosen
        row.blocked = person.blocked
        row.updated_at = now

    def many(self, user_ids: Iterable[int]) -> dict[int, Person]:
        found: dict[int, Person] = {}
        for chunk in chunks(user_ids):
            rows = self._s.scalars(select(PersonRow).where(PersonRow.user_id.in_(chunk)))
            found.update((row.user_id, _person(row)) for row in rows)
        return found

    def set_blocked(self, user_id: int, blocked: bool, now: datetime) -> None:
        self._s.execute(
            update(PersonRow)
            .where(PersonRow.user_id == user_id)
            .values(blocked=blocked, updated_at=now)
        )


class SqlTeams:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, team: NewTeam, now: datetime) -> Team:
        row = TeamRow(
            name=team.name,
            region=team.region,
            timezone=team.timezone,
            language=team.language.value,
            created_at=now,
            **_schedule_columns(team.schedule),
        )
        self._s.add(row)
        self._s.flush()
        return _team(row)

    def get(self, team_id: int) -> Team | None:
        row = self._s.get(TeamRow, team_id)
        return _team(row) if row else None

    def by_group(self, chat_id: int) -> Team | None:
        row = self._s.scalar(select(TeamRow).where(TeamRow.group_chat_id == chat_id))
        return _team(row) if row else None

    def set_group(self, team_id: int, chat_id: int | None, title: str | None) -> None:
        self._s.execute(
            update(TeamRow)
            .where(TeamRow.id == team_id)
            .values(group_chat_id=chat_id, group_title=title)
        )

    def all(self) -> list[Team]:
        return [_team(row) for row in self._s.scalars(select(TeamRow).order_by(TeamRow.id))]

    def update_schedule(self, team_id: int, schedule: Schedule, timezone: str) -> None:
        self._s.execute(
            update(TeamRow)
            .where(TeamRow.id == team_id)
            .values(timezone=timezone, **_schedule_columns(schedule))
        )


class SqlMembers:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, user_id: int) -> Membership | None:
        row = self._s.get(MembershipRow, user_id)
        return _membership(row) if row else None

    def add(self, membership: Membership) -> None:
        self._s.add(
            MembershipRow(
                user_id=membership.user_id,
                team_id=membership.team_id,
                role=membership.role.value,
                joined_at=membership.joined_at,
            )
        )
        self._s.flush()

    def remove(self, user_id: int) -> None:
        self._s.execute(delete(MembershipRow).where(MembershipRow.user_id == user_id))

    def of_team(self, team_id: int, role: Role | None = None) -> list[Membership]:
        query = select(MembershipRow).where(MembershipRow.team_id == team_id)
        if role is not None:
            query = query.where(MembershipRow.role == role.value)
        rows = self._s.scalars(query.order_by(MembershipRow.joined_at, MembershipRow.user_id))
        return [_membership(row) for row in rows]

    def count(self, team_id: int) -> int:
        query = select(func.count()).where(MembershipRow.team_id == team_id)
        return int(self._s.scalar(query) or 0)


class SqlInvites:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(
        self,
        team_id: int,
        role: Role,
        token_hash: str,
        created_by: int,
        now: datetime,
        expires_at: datetime | None,
    ) -> Invite:
        row = InviteRow(
            team_id=team_id,
            role=role.value,
            token_hash=token_hash,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        self._s.add(row)
        self._s.flush()
        return _invite(row)

    def by_token_hash(self, token_hash: str) -> Invite | None:
        row = self._s.scalar(select(InviteRow).where(InviteRow.token_hash == token_hash))
        return _invite(row) if row else None

    def revoke_active(self, team_id: int, role: Role, now: datetime) -> int:
        result = self._s.execute(
            update(InviteRow)
            .where(
                InviteRow.team_id == team_id,
                InviteRow.role == role.value,
                InviteRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SqlDialogs:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, user_id: int) -> Dialog | None:
        row = self._s.get(DialogRow, user_id)
        if row is None:
            return None
        return Dialog(row.user_id, row.kind, row.step, dict(row.data), row.expires_at)

    def save(self, dialog: Dialog) -> None:
        # One upsert, not the ORM's read then flush: a flow step saves its dialog every time.
        values = {
            "kind": dialog.kind,
            "step": dialog.step,
            "data": dict(dialog.data),
            "expires_at": dialog.expires_at,
        }
        statement = _save_dialog(backend(self._s))
        flushed_connection(self._s).execute(statement, {"user_id": dialog.user_id, **values})
        kept = self._s.identity_map.get(identity_key(DialogRow, dialog.user_id))
        if kept is not None:  # a row read earlier in this transaction shows the saved dialog
            for name, value in values.items():
                set_committed_value(kept, name, value)

    def clear(self, user_id: int) -> bool:
        # A Core delete (the ORM's bulk delete first looks for the row in the session); a row
        # read earlier in this transaction leaves the session, so a later ``get`` sees none.
        kept = self._s.identity_map.get(identity_key(DialogRow, user_id))
        if kept is not None:
            self._s.expunge(kept)
        result = flushed_connection(self._s).execute(_CLEAR_DIALOG, {"user_id": user_id})
        return bool(result.rowcount)


def _person(row: PersonRow) -> Person:
    return Person(
        user_id=row.user_id,
        first_name=row.first_name,
        username=row.username,
        language=Lang(row.language),
        language_chosen=row.language_chosen,
        blocked=row.blocked,
    )


def _schedule_columns(schedule: Schedule) -> dict[str, object]:
    """The ``teams`` columns that hold a schedule (one mapping for insert and update)."""
    reminders = schedule.reminders
    return {
        "plan_time": schedule.plan_time,
        "review_time": schedule.review_time,
        "sharing_time": schedule.sharing_time,
        "workdays": "".join(str(d) for d in sorted(schedule.workdays)),
        "review_deadline": schedule.review_deadline,
        "week_end_day": schedule.week_end_day,
        "week_end_time": schedule.week_end_time,
        "country": schedule.country,
        "daily_cap": reminders.daily_cap,
        "nudge_after_minutes": reminders.nudge_after_minutes,
        "quiet_start": reminders.quiet_start,
        "quiet_end": reminders.quiet_end,
        "escalate_after_days": reminders.escalate_after_days,
    }


def _team(row: TeamRow) -> Team:
    return Team(
        id=row.id,
        name=row.name,
        region=row.region,
        timezone=row.timezone,
        language=Lang(row.language),
        schedule=Schedule(
            plan_time=row.plan_time,
            review_time=row.review_time,
            sharing_time=row.sharing_time,
            workdays=frozenset(int(d) for d in row.workdays),
            review_deadline=row.review_deadline,
            week_end_day=row.week_end_day,
            week_end_time=row.week_end_time,
            country=row.country,
            reminders=Reminders(
                daily_cap=row.daily_cap,
                nudge_after_minutes=row.nudge_after_minutes,
                quiet_start=row.quiet_start,
                quiet_end=row.quiet_end,
                escalate_after_days=row.escalate_after_days,
            ),
        ),
        created_at=row.created_at,
        group_chat_id=row.group_chat_id,
        group_title=row.group_title,
    )


def _membership(row: MembershipRow) -> Membership:
    return Membership(row.user_id, row.team_id, Role(row.role), row.joined_at)


def _invite(row: InviteRow) -> Invite:
    return Invite(
        id=row.id,
        team_id=row.team_id,
        role=Role(row.role),
        token_hash=row.token_hash,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )
