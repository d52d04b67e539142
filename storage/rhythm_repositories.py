"""Repositories of the daily rhythm: days, misses, weekly targets and reflections.

They work on the tables with Core statements (no ORM objects are kept in the session for these
rows), so a ``save`` that replaces a day's tasks and figures never leaves a stale object behind.
Core statements do not autoflush, so every method flushes the session first: rows the same unit
of work added through the ORM (a person, a team) are visible and satisfy the foreign keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    insert,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from coach.days import Absence, CheckIn, DayRecord, Miss, Reflection, Task
from coach.kpis import Kpi
from storage.models import (
    TEAM_LEVEL,
    DayKpiRow,
    DayRow,
    DayTaskRow,
    MissRow,
    ReflectionRow,
    TargetRow,
)
from storage.repositories import (
    backend,
    chunks,
    dialect_insert,
    flushed_connection,
    insert_for,
)

DAYS = DayRow.__table__
TASKS = DayTaskRow.__table__
KPIS = DayKpiRow.__table__
MISSES = MissRow.__table__
TARGETS = TargetRow.__table__
REFLECTIONS = ReflectionRow.__table__

PLAN = "plan"
ACTUAL = "actual"

_CENTS = Decimal("0.01")
_UNITS = Decimal(1)


def figure(kpi: Kpi, value: Decimal) -> Decimal:
    """A stored KPI figure as the domain writes it: two decimals for money, whole for counts.

    ``Numeric(14, 2)`` reads back as ``Decimal('5.00')`` on PostgreSQL and from a float on
    SQLite; both become ``Decimal('5')`` for a count and ``Decimal('5.00')`` for revenue.
    """
    return value.quantize(_CENTS if kpi.is_money else _UNITS)


class SqlDays:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, user_id: int, day: date) -> DayRecord | None:
        """One rep's day in one statement (``_ONE_DAY``): a check-in reads its day every time.

        A review reads its day twice; three round trips each were a tenth of its statements.
        """
        days: list[Any] = []
        tasks: dict[tuple[int, date], list[Task]] = {}
        figures: dict[tuple[int, date, str], dict[Kpi, Decimal]] = {}
        rows = flushed_connection(self._s).execute(_ONE_DAY, {"user_id": user_id, "day": day})
        for row in rows:
            if row.part == _DAY_PART:
                days.append(row)
            elif row.part == _TASK_PART:
                _add_task(tasks, row)
            else:
                _add_figure(figures, row)
        found = _records(days, tasks, figures)
        return found[0] if found else None

    def save(self, record: DayRecord) -> None:
        key = {"user_id": record.user_id, "day": record.day}
        values = {
            "team_id": record.team_id,
            "planned_at": record.planned_at,
            "reviewed_at": record.reviewed_at,
            "win": record.win,
            "lesson": record.lesson,
            "objection": record.objection,
            "tomorrow_first": record.tomorrow_first,
            "absence": record.absence.value if record.absence else None,
        }
        connection = flushed_connection(self._s)
        # Upsert the day row first: on PostgreSQL it takes the row lock, so two transactions
        # saving the same day run one after the other and the last one's record wins whole.
        connection.execute(_save_day(backend(self._s)), {**key, **values})
        connection.execute(_DELETE_TASKS, key)
        connection.execute(_DELETE_KPIS, key)
        if record.tasks:
            connection.execute(
                insert(TASKS),
                [
                    {**key, "position": i, "text": t.text, "must": t.must, "done": t.done}
                    for i, t in enumerate(record.tasks)
                ],
            )
        figures = [
            {**key, "team_id": record.team_id, "source": source, "kpi": kpi.value, "value": value}
            for source, values_ in ((PLAN, record.planned), (ACTUAL, record.actual))
            for kpi, value in values_.items()
        ]
        if figures:
            connection.execute(insert(KPIS), figures)

    def of_user(self, user_id: int, start: date, end: date) -> list[DayRecord]:
        return self._load(and_(DAYS.c.user_id == user_id, DAYS.c.day.between(start, end)))

    def of_team(self, team_id: int, start: date, end: date) -> list[DayRecord]:
        return self._load(and_(DAYS.c.team_id == team_id, DAYS.c.day.between(start, end)))

    def marks(self, user_ids: Iterable[int], start: date, end: date) -> dict[int, list[DayRecord]]:
        columns = (DAYS.c.user_id, DAYS.c.team_id, DAYS.c.day, DAYS.c.planned_at)
        columns += (DAYS.c.reviewed_at, DAYS.c.absence)
        marks: dict[int, list[DayRecord]] = {}
        for ids in chunks(sorted(set(user_ids))):
            rows = self._s.execute(
                select(*columns)
                .where(DAYS.c.user_id.in_(ids), DAYS.c.day.between(start, end))
                .order_by(DAYS.c.user_id, DAYS.c.day)
            )
            for row in rows:
                marks.setdefault(row.user_id, []).append(
                    DayRecord(
                        user_id=row.user_id,
                        team_id=row.team_id,
                        day=row.day,
                        planned_at=row.planned_at,
                        reviewed_at=row.reviewed_at,
                        absence=Absence(row.absence) if row.absence else None,
                    )
                )
        return marks

    def _load(self, where: ColumnElement[bool]) -> list[DayRecord]:
        """The records whose day row matches ``where``, by day then user id.

        Three statements (days, tasks, figures), not ``get``'s union: for the thousands of rows
        of a team's month, the union's wider rows cost more Python than the round trips save.
        """
        self._s.flush()
        days = self._s.execute(select(DAYS).where(where).order_by(DAYS.c.day, DAYS.c.user_id)).all()
        if not days:
            return []
        tasks: dict[tuple[int, date], list[Task]] = {}
        joined = and_(TASKS.c.user_id == DAYS.c.user_id, TASKS.c.day == DAYS.c.day)
        for row in self._s.execute(
            select(TASKS.c.user_id, TASKS.c.day, TASKS.c.text, TASKS.c.must, TASKS.c.done)
            .join_from(TASKS, DAYS, joined)
            .where(where)
            .order_by(TASKS.c.user_id, TASKS.c.day, TASKS.c.position)
        ):
            _add_task(tasks, row)
        figures: dict[tuple[int, date, str], dict[Kpi, Decimal]] = {}
        joined = and_(KPIS.c.user_id == DAYS.c.user_id, KPIS.c.day == DAYS.c.day)
        for row in self._s.execute(
            select(KPIS.c.user_id, KPIS.c.day, KPIS.c.source, KPIS.c.kpi, KPIS.c.value)
            .join_from(KPIS, DAYS, joined)
            .where(where)
        ):
            _add_figure(figures, row)
        return _records(days, tasks, figures)


def _add_task(tasks: dict[tuple[int, date], list[Task]], row: Any) -> None:
    tasks.setdefault((row.user_id, row.day), []).append(Task(row.text, row.must, row.done))


def _add_figure(figures: dict[tuple[int, date, str], dict[Kpi, Decimal]], row: Any) -> None:
    kpi = Kpi(row.kpi)
    figures.setdefault((row.user_id, row.day, row.source), {})[kpi] = figure(kpi, row.value)


def _records(
    days: Sequence[Any],
    tasks: Mapping[tuple[int, date], list[Task]],
    figures: Mapping[tuple[int, date, str], dict[Kpi, Decimal]],
) -> list[DayRecord]:
    """Day records from day rows and their tasks and figures by (user, day[, source])."""
    return [
        DayRecord(
            user_id=row.user_id,
            team_id=row.team_id,
            day=row.day,
            tasks=tuple(tasks.get((row.user_id, row.day), ())),
            planned=figures.get((row.user_id, row.day, PLAN), {}),
            actual=figures.get((row.user_id, row.day, ACTUAL), {}),
            planned_at=row.planned_at,
            reviewed_at=row.reviewed_at,
            win=row.win,
            lesson=row.lesson,
            objection=row.objection,
            tomorrow_first=row.tomorrow_first,
            absence=Absence(row.absence) if row.absence else None,
        )
        for row in days
    ]


_DAY_VALUES = ("team_id", "planned_at", "reviewed_at", "win", "lesson", "objection")
_DAY_VALUES += ("tomorrow_first", "absence")
_THE_DAY = {"user_id": bindparam("user_id"), "day": bindparam("day")}
_DELETE_TASKS = delete(TASKS).where(
    TASKS.c.user_id == _THE_DAY["user_id"], TASKS.c.day == _THE_DAY["day"]
)
_DELETE_KPIS = delete(KPIS).where(
    KPIS.c.user_id == _THE_DAY["user_id"], KPIS.c.day == _THE_DAY["day"]
)


@cache
def _save_day(name: str) -> Any:
    """The day row's upsert, built once per backend (``storage.repositories``)."""
    upsert = insert_for(name, DAYS).values(**_THE_DAY, **{v: bindparam(v) for v in _DAY_VALUES})
    return upsert.on_conflict_do_update(
        index_elements=[DAYS.c.user_id, DAYS.c.day],
        set_={column: upsert.excluded[column] for column in _DAY_VALUES},
    )


_DAY_PART, _TASK_PART, _KPI_PART = 0, 1, 2
_PART_COLUMNS = (
    (DAYS, _DAY_VALUES),
    (TASKS, ("position", "text", "must", "done")),
    (KPIS, ("source", "kpi", "value")),
)


def _day_parts(where: ColumnElement[bool]) -> CompoundSelect:
    """Days matching ``where``, their tasks and their figures, in one result (see ``get``).

    Each branch is filtered by ``where`` on its own, so every branch uses the days' index.

    Every branch has every column; one a branch lacks is a ``NULL`` cast to the column's type
    (PostgreSQL resolves an untyped ``NULL`` shared by two branches as text, which then clashes
    with the third), so the results are converted by the right types on both backends.
    """

    def branch(part: int, table: Table) -> Select[Any]:
        columns: list[Any] = [literal_column(str(part), Integer).label("part")]
        columns += [DAYS.c.user_id, DAYS.c.day]
        for owner, names in _PART_COLUMNS:
            for name in names:
                column = owner.c[name]
                columns.append(column if owner is table else cast(null(), column.type).label(name))
        query = select(*columns).where(where)
        if table is not DAYS:
            joined = and_(table.c.user_id == DAYS.c.user_id, table.c.day == DAYS.c.day)
            query = query.select_from(table.join(DAYS, joined))
        return query

    parts = union_all(branch(_DAY_PART, DAYS), branch(_TASK_PART, TASKS), branch(_KPI_PART, KPIS))
    by = parts.selected_columns
    return parts.order_by(by.day, by.user_id, by.part, by.position)


# One rep's day (``SqlDays.get``), the statement every check-in runs: built once.
_ONE_DAY = _day_parts(and_(DAYS.c.user_id == _THE_DAY["user_id"], DAYS.c.day == _THE_DAY["day"]))


class SqlMisses:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, miss: Miss) -> bool:
        # ON CONFLICT DO NOTHING: a duplicate is no error, so the transaction goes on unharmed.
        self._s.flush()
        statement = (
            dialect_insert(self._s, MISSES)
            .values(
                user_id=miss.user_id,
                day=miss.day,
                kind=miss.kind.value,
                team_id=miss.team_id,
                recorded_at=miss.recorded_at,
            )
            .on_conflict_do_nothing(index_elements=[MISSES.c.user_id, MISSES.c.day, MISSES.c.kind])
            .returning(MISSES.c.user_id)
        )
        # RETURNING says whether a row went in (a plain INSERT's rowcount is not reliable:
        # psycopg reports -1 once SQLAlchemy has closed the cursor).
        return self._s.execute(statement).first() is not None

    def of_team(self, team_id: int, start: date, end: date) -> list[Miss]:
        return self._select(
            and_(MISSES.c.team_id == team_id, MISSES.c.day.between(start, end)),
            (MISSES.c.day, MISSES.c.user_id, MISSES.c.kind),
        )

    def of_user(self, user_id: int, start: date, end: date) -> list[Miss]:
        return self._select(
            and_(MISSES.c.user_id == user_id, MISSES.c.day.between(start, end)),
            (MISSES.c.day, MISSES.c.kind),
        )

    def _select(self, where: ColumnElement[bool], order: Sequence[Any]) -> list[Miss]:
        self._s.flush()
        rows = self._s.execute(select(MISSES).where(where).order_by(*order))
        return [
            Miss(row.user_id, row.team_id, row.day, CheckIn(row.kind), row.recorded_at)
            for row in rows
        ]


class SqlTargets:
    def __init__(self, session: Session) -> None:
        self._s = session

    def weekly(self, team_id: int, user_id: int | None = None) -> dict[Kpi, Decimal]:
        self._s.flush()
        rows = self._s.execute(
            select(TARGETS.c.kpi, TARGETS.c.value).where(
                TARGETS.c.team_id == team_id, TARGETS.c.user_id == _level(user_id)
            )
        )
        found = {Kpi(row.kpi): row.value for row in rows}
        return {kpi: figure(kpi, found[kpi]) for kpi in Kpi if kpi in found}

    def levels(self, team_id: int) -> dict[int | None, dict[Kpi, Decimal]]:
        self._s.flush()
        rows = self._s.execute(
            select(TARGETS.c.user_id, TARGETS.c.kpi, TARGETS.c.value).where(
                TARGETS.c.team_id == team_id
            )
        )
        levels: dict[int | None, dict[Kpi, Decimal]] = {}
        for row in rows:
            kpi = Kpi(row.kpi)
            user = None if row.user_id == TEAM_LEVEL else row.user_id
            levels.setdefault(user, {})[kpi] = figure(kpi, row.value)
        return {
            user: {kpi: found[kpi] for kpi in Kpi if kpi in found} for user, found in levels.items()
        }

    def set_weekly(
        self, team_id: int, user_id: int | None, targets: Mapping[Kpi, Decimal | None]
    ) -> None:
        self._s.flush()
        level = _level(user_id)
        for kpi, value in targets.items():
            if value is None:
                self._s.execute(
                    delete(TARGETS).where(
                        TARGETS.c.team_id == team_id,
                        TARGETS.c.user_id == level,
                        TARGETS.c.kpi == kpi.value,
                    )
                )
                continue
            upsert = dialect_insert(self._s, TARGETS).values(
                team_id=team_id, user_id=level, kpi=kpi.value, value=value
            )
            self._s.execute(
                upsert.on_conflict_do_update(
                    index_elements=[TARGETS.c.team_id, TARGETS.c.user_id, TARGETS.c.kpi],
                    set_={"value": upsert.excluded.value},
                )
            )


def _level(user_id: int | None) -> int:
    return TEAM_LEVEL if user_id is None else user_id


class SqlReflections:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, user_id: int, week_start: date) -> Reflection | None:
        self._s.flush()
        row = self._s.execute(
            select(REFLECTIONS).where(
                REFLECTIONS.c.user_id == user_id, REFLECTIONS.c.week_start == week_start
            )
        ).one_or_none()
        if row is None:
            return None
        return Reflection(
            user_id=row.user_id,
            team_id=row.team_id,
            week_start=row.week_start,
            went_well=row.went_well,
            to_improve=row.to_improve,
            next_actions=row.next_actions,
            answered_at=row.answered_at,
        )

    def save(self, reflection: Reflection) -> None:
        self._s.flush()
        values = {
            "team_id": reflection.team_id,
            "went_well": reflection.went_well,
            "to_improve": reflection.to_improve,
            "next_actions": reflection.next_actions,
            "answered_at": reflection.answered_at,
        }
        upsert = dialect_insert(self._s, REFLECTIONS).values(
            user_id=reflection.user_id, week_start=reflection.week_start, **values
        )
        self._s.execute(
            upsert.on_conflict_do_update(
                index_elements=[REFLECTIONS.c.user_id, REFLECTIONS.c.week_start],
                set_={name: upsert.excluded[name] for name in values},
            )
        )
