"""``/export`` and ``salescoach export``: a team's days as plain rows, ready for XLSX and CSV.

This module loads a date range and turns it into rows of plain values (dates, whole numbers,
decimals, texts, and a few codes: an :class:`~coach.days.Absence`, the missed
:class:`~coach.days.CheckIn` kinds). The adapter (``bot.export_files``) words the headers and
codes in the reader's language and writes the files. The export is for the team's managers
(and the admin): it holds the reps' private answers (wins, lessons, objections).

* One sheet per person: every working day of the team from the day they joined (or the
  range's start), plus any other day they checked in, skipped or missed; a row holds both
  check-ins (flag and local time), tasks done of planned, every KPI planned and actual, the
  absence and the texts of the review.
* A team sheet: per person, the range's totals and their composite score and points
  (``coach.score_data``: current reps only; someone who left keeps their rows, not a score).
* CSV: the person sheets stacked, one row per person and day, with who it is in front.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and tab or
carriage return) as a formula, so text typed by a rep could attack the manager who opens the
file (CSV/XLSX injection). :func:`neutralize` defuses such text for CSV; the XLSX writer
stores every text as a string cell, never a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from coach.access import manager_of
from coach.days import Absence, CheckIn, DayRecord
from coach.kpis import Kpi
from coach.models import Person, Role, Team
from coach.periods import check_range, export_range
from coach.ports import UnitOfWork
from coach.repdays import team_calendar, team_zone
from coach.score_data import team_scores
from coach.scores import RepScore

Cell = str | int | Decimal | date | time | Absence | tuple[CheckIn, ...] | None
"""A value in a row; ``None`` is an empty cell."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet cell a formula (OWASP: CSV injection)."""

SHEET_TITLE_LIMIT = 31
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True, slots=True)
class Column:
    """A column: a stable ``key`` the adapter words, and the KPI for per-KPI columns."""

    key: str
    kpi: Kpi | None = None


@dataclass(frozen=True, slots=True)
class DayRow:
    """One person's one day."""

    day: date
    working: bool
    record: DayRecord | None
    missed: tuple[CheckIn, ...]


@dataclass(frozen=True, slots=True)
class PersonExport:
    """One person's sheet: who, their days (oldest first), their score over the range."""

    user_id: int
    name: str
    username: str | None
    current: bool
    days: tuple[DayRow, ...]
    score: RepScore | None


@dataclass(frozen=True, slots=True)
class TeamExport:
    """A team's range: ``start`` to ``end`` (team-local days, both included)."""

    team: Team
    start: date
    end: date
    people: tuple[PersonExport, ...]
    zone: str


# --- use cases -----------------------------------------------------------------------------


def export_for(
    uow: UnitOfWork, person: Person, now: datetime, words: list[str], team_id: int | None = None
) -> TeamExport:
    """``/export [FROM [TO] | YYYY-MM]`` by a manager of the team (default: this month)."""
    team = manager_of(uow, person.user_id, team_id)
    today = now.astimezone(team_zone(team)).date()
    start, end = export_range(words, today)
    return load_export(uow, team, start, end)


def load_export(uow: UnitOfWork, team: Team, start: date, end: date) -> TeamExport:
    """Everything the export of ``team`` from ``start`` to ``end`` shows (no authorization)."""
    check_range(start, end)
    zone = team_zone(team)
    cal = team_calendar(team)
    records = uow.days.of_team(team.id, start, end)
    misses = uow.misses.of_team(team.id, start, end)
    reps = {m.user_id: m for m in uow.members.of_team(team.id, Role.REP)}
    ids = set(reps) | {r.user_id for r in records} | {m.user_id for m in misses}
    people = uow.people.many(ids)
    scores = {s.user_id: s for s in team_scores(uow, team, start, end)} if reps else {}
    by_person: dict[int, dict[date, DayRecord]] = {}
    for record in records:
        by_person.setdefault(record.user_id, {})[record.day] = record
    missed: dict[tuple[int, date], set[CheckIn]] = {}
    for miss in misses:
        missed.setdefault((miss.user_id, miss.day), set()).add(miss.kind)
    working_days = frozenset(cal.working_days_between(start, end))
    exports = []
    for uid in ids:
        membership = reps.get(uid)
        first = start
        if membership is not None:
            first = max(start, membership.joined_at.astimezone(zone).date())
        own = by_person.get(uid, {})
        days = {d for d in working_days if d >= first} if membership is not None else set()
        days |= set(own) | {day for (who, day) in missed if who == uid}
        rows = tuple(
            DayRow(
                day,
                day in working_days,
                own.get(day),
                tuple(k for k in CheckIn if k in missed.get((uid, day), set())),
            )
            for day in sorted(days)
        )
        person = people.get(uid)
        exports.append(
            PersonExport(
                user_id=uid,
                name=person.first_name if person else str(uid),
                username=person.username if person else None,
                current=membership is not None,
                days=rows,
                score=scores.get(uid),
            )
        )
    exports.sort(key=lambda p: (not p.current, p.name, p.user_id))
    return TeamExport(team, start, end, tuple(exports), team.timezone)


# --- rows ----------------------------------------------------------------------------------

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("day"),
    Column("working"),
    Column("absence"),
    Column("planned"),
    Column("plan_time"),
    Column("reviewed"),
    Column("review_time"),
    Column("missed"),
    Column("tasks_done"),
    Column("tasks_total"),
    *(Column(kind, kpi) for kpi in Kpi for kind in ("plan", "actual")),
    Column("win"),
    Column("lesson"),
    Column("objection"),
    Column("tomorrow_first"),
)
"""The columns of a person's sheet, in order."""

TEAM_COLUMNS: tuple[Column, ...] = (
    Column("name"),
    Column("user_id"),
    Column("working_days"),
    Column("planned_days"),
    Column("reviewed_days"),
    Column("missed_plans"),
    Column("missed_reviews"),
    Column("absent_days"),
    Column("tasks_done"),
    Column("tasks_total"),
    *(Column("actual", kpi) for kpi in Kpi),
    *(Column("target", kpi) for kpi in Kpi),
    Column("composite"),
    Column("results"),
    Column("process"),
    Column("capability"),
    Column("teamwork"),
    Column("points"),
)
"""The columns of the team sheet: one row per person."""

CSV_COLUMNS: tuple[Column, ...] = (Column("user_id"), Column("name"), *PERSON_COLUMNS)
"""The columns of the CSV: one row per person and day."""


def day_cells(row: DayRow, zone: str) -> tuple[Cell, ...]:
    """A :class:`DayRow` as the cells of :data:`PERSON_COLUMNS`."""
    record = row.record
    values: dict[str, Cell] = {
        "day": row.day,
        "working": int(row.working),
        "absence": record.absence if record else None,
        "planned": int(bool(record and record.has_plan)),
        "plan_time": _local_time(record.planned_at if record else None, zone),
        "reviewed": int(bool(record and record.has_review)),
        "review_time": _local_time(record.reviewed_at if record else None, zone),
        "missed": row.missed or None,
        "tasks_done": sum(1 for t in record.tasks if t.done) if record else 0,
        "tasks_total": len(record.tasks) if record else 0,
        "win": record.win if record else None,
        "lesson": record.lesson if record else None,
        "objection": record.objection if record else None,
        "tomorrow_first": record.tomorrow_first if record else None,
    }
    cells: list[Cell] = []
    for column in PERSON_COLUMNS:
        if column.kpi is None:
            cells.append(values[column.key])
            continue
        figures = _figures(record, column.key)
        cells.append(figures.get(column.kpi))
    return tuple(cells)


def person_rows(person: PersonExport, zone: str) -> list[tuple[Cell, ...]]:
    """A person's sheet without its header: one row per day."""
    return [day_cells(row, zone) for row in person.days]


def team_row(person: PersonExport) -> tuple[Cell, ...]:
    """A person's line on the team sheet (:data:`TEAM_COLUMNS`)."""
    records = [row.record for row in person.days if row.record is not None]
    actual: dict[Kpi, Decimal] = {}
    for record in records:
        for kpi, value in record.actual.items():
            actual[kpi] = actual.get(kpi, Decimal(0)) + value
    score = person.score
    values: dict[str, Cell] = {
        "name": person.name,
        "user_id": person.user_id,
        "working_days": sum(
            1 for row in person.days if row.working and not (row.record and row.record.absence)
        ),
        "planned_days": sum(1 for r in records if r.has_plan),
        "reviewed_days": sum(1 for r in records if r.has_review),
        "missed_plans": sum(1 for row in person.days if CheckIn.PLAN in row.missed),
        "missed_reviews": sum(1 for row in person.days if CheckIn.REVIEW in row.missed),
        "absent_days": sum(1 for r in records if r.absence is not None),
        "tasks_done": sum(1 for r in records for t in r.tasks if t.done),
        "tasks_total": sum(len(r.tasks) for r in records),
        "composite": score.composite if score else None,
        "results": score.results if score else None,
        "process": score.process if score else None,
        "capability": score.capability if score else None,
        "teamwork": score.teamwork if score else None,
        "points": score.points if score else None,
    }
    targets: Mapping[Kpi, Decimal] = score.targets if score else {}
    cells: list[Cell] = []
    for column in TEAM_COLUMNS:
        if column.kpi is None:
            cells.append(values[column.key])
        elif column.key == "actual":
            cells.append(actual.get(column.kpi, Decimal(0)))
        else:
            cells.append(targets.get(column.kpi))
    return tuple(cells)


def csv_rows(export: TeamExport) -> Iterable[tuple[Cell, ...]]:
    """Every person's days, one row each, with the person's id and name first."""
    for person in export.people:
        for cells in person_rows(person, export.zone):
            yield (person.user_id, person.name, *cells)


# --- safety and names ------------------------------------------------------------------------


def neutralize(text: str) -> str:
    """Text a spreadsheet will show as text: a leading formula character gets a ``'``."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def sheet_titles(names: Sequence[str], reserved: Iterable[str] = ()) -> list[str]:
    """Valid, unique worksheet titles for ``names`` (in order), none equal to ``reserved``.

    Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, not starting or ending
    with ``'``, not empty, unique without regard to case (``History`` is taken by Excel).
    A clash gets `` (2)``, `` (3)``… within the 31 characters.
    """
    taken = {title.casefold() for title in reserved} | {"history"}
    titles = []
    for name in names:
        base = " ".join(name.translate(_SHEET_FORBIDDEN).split()).strip("'")
        base = base[:SHEET_TITLE_LIMIT].strip() or "_"
        title, n = base, 1
        while title.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            title = base[: SHEET_TITLE_LIMIT - len(suffix)].rstrip() + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


# --- helpers ----------------------------------------------------------------------------------

_NO_FIGURES: Mapping[Kpi, Decimal] = MappingProxyType({})


def _figures(record: DayRecord | None, kind: str) -> Mapping[Kpi, Decimal]:
    if record is None:
        return _NO_FIGURES
    return record.planned if kind == "plan" else record.actual


def _local_time(at: datetime | None, zone: str) -> time | None:
    if at is None:
        return None
    local = at.astimezone(ZoneInfo(zone))
    return time(local.hour, local.minute)
