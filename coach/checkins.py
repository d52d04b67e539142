"""The rep's side of the day: the morning plan, the evening review, days off, the week's answers.

Every use case has the signature ``(uow, person, now, …)``. Flows that take several messages
keep their answers in the person's ``Dialog`` (in the database) and write the day's record
only at the end, in one transaction: a half-finished check-in stores nothing, and a finished
one is committed before the bot confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

from coach import errors, field_flow, repdays
from coach.calendar import WorkCalendar
from coach.days import (
    MUST_TASKS,
    SECONDARY_TASKS,
    Absence,
    DayRecord,
    Reflection,
    Task,
)
from coach.kpis import InvalidKpiEntry, Kpi, parse_kpis
from coach.models import Dialog, Membership, Person, Team
from coach.ports import UnitOfWork
from coach.repdays import CARRY_OVER_LOOKBACK
from coach.rhythm import deadline_instant
from coach.text import clean_line
from coach.weekly import percent, rep_streak

TASK_LIMIT = 200
NOTE_LIMIT = 1000
SKIP_DAYS_LIMIT = 30
PLAN = "plan"
REVIEW = "review"
REFLECT = "reflect"

REVIEW_NOTES = ("win", "lesson", "objection", "tomorrow_first")
OPTIONAL_NOTES = frozenset({"objection"})
REFLECTION_FIELDS = ("went_well", "to_improve", "next_actions")


# --- refusals --------------------------------------------------------------------------------


@dataclass(eq=False)
class DayClosed(errors.CoachError):
    """Today's check-ins closed at the team's review deadline."""

    code: ClassVar[str] = "day_closed"
    deadline: str


@dataclass(eq=False)
class TooManyTasks(errors.CoachError):
    """More than 3 must-do or 2 secondary tasks (the 3+2 rule)."""

    code: ClassVar[str] = "too_many_tasks"
    must: int
    secondary: int


@dataclass(eq=False)
class EmptyPlan(errors.CoachError):
    """A plan needs at least one task."""

    code: ClassVar[str] = "empty_plan"


@dataclass(eq=False)
class UnknownAbsence(errors.CoachError):
    """``/skip`` with a reason or a length it cannot read."""

    code: ClassVar[str] = "unknown_absence"
    value: str
    limit: int = SKIP_DAYS_LIMIT


@dataclass(eq=False)
class NoFlow(errors.CoachError):
    """A button of a flow that is over (or was never started)."""

    code: ClassVar[str] = "stale"


# --- today -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Today:
    """The rep's team-local day and its limits."""

    team: Team
    membership: Membership
    day: date
    deadline: datetime
    calendar: WorkCalendar

    @property
    def is_working_day(self) -> bool:
        return self.calendar.is_working_day(self.day)


def today(uow: UnitOfWork, person: Person, now: datetime) -> Today:
    """The person's team day at ``now``; refuses people outside a team."""
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    if membership is None or team is None:
        raise errors.NotInTeam()
    zone = ZoneInfo(team.timezone)
    day = now.astimezone(zone).date()
    calendar = repdays.team_calendar(team)
    deadline = deadline_instant(day, zone, team.schedule)
    return Today(team, membership, day, deadline, calendar)


def open_today(uow: UnitOfWork, person: Person, now: datetime) -> Today:
    """Like :func:`today`, but refuses once the day's deadline has passed."""
    current = today(uow, person, now)
    if now >= current.deadline:
        raise DayClosed(deadline=current.team.schedule.review_deadline.strftime("%H:%M"))
    return current


def _record(uow: UnitOfWork, person: Person, current: Today) -> DayRecord:
    found = uow.days.get(person.user_id, current.day)
    return found or DayRecord(person.user_id, current.team.id, current.day)


def carry_over(uow: UnitOfWork, person: Person, current: Today) -> tuple[Task, ...]:
    """The unfinished tasks offered for today's plan: the same rule as the morning prompt's."""
    start = current.day - CARRY_OVER_LOOKBACK
    records = uow.days.of_user(person.user_id, start, current.day - timedelta(days=1))
    return repdays.carry_over(records, current.day)


# --- the plan ------------------------------------------------------------------------------

_MARKER = re.compile(r"^\s*(?:[-*•·●▪–—]|\d{1,2}[.)、．）]|[①②③④⑤⑥⑦⑧⑨⑩]|[（(]\d{1,2}[)）])\s*")


@dataclass(frozen=True, slots=True)
class PlanDraft:
    tasks: tuple[Task, ...]
    planned: Mapping[Kpi, Decimal]


def _kpi_line(line: str) -> Mapping[Kpi, Decimal] | None:
    """The figures of a line that is a KPI entry; ``None`` if it reads as a task.

    A line naming a KPI with a number but a bad value (``拜访 -3``, ``拜访 10000``) is refused
    rather than taken for a task, so a typo never slips through as text.
    """
    try:
        return parse_kpis(line).values
    except InvalidKpiEntry as refusal:
        codes = {problem.code for problem in refusal.problems}
        value_problems = {
            "kpi_negative",
            "kpi_fractional",
            "kpi_over_cap",
            "kpi_conflict",
            "kpi_unreadable_number",
        }
        if codes & value_problems and not codes & {"kpi_unknown_word", "invalid_text"}:
            raise
        return None


def parse_tasks(text: str | None, *, must: bool) -> list[Task]:
    """One task per line; list markers (``1.``, ``-``, ``①``) are dropped; blank lines skipped."""
    lines = [_MARKER.sub("", line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line.strip()]
    if not lines:
        clean_line(None, field="task", limit=TASK_LIMIT)  # raises "empty"
    return [Task(clean_line(line, field="task", limit=TASK_LIMIT), must=must) for line in lines]


def parse_plan(text: str | None) -> PlanDraft:
    """Read a whole plan from one message.

    Each line is a task or a KPI line (``拜访 5 电话 20``). Lines starting with ``+`` are
    secondary tasks; of the others the first three are must-dos and any further ones
    secondary. The 3+2 rule is then checked.
    """
    tasks: list[Task] = []
    planned: dict[Kpi, Decimal] = {}
    musts = 0
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        figures = _kpi_line(raw)
        if figures is not None:
            planned.update(figures)
            continue
        secondary = raw.lstrip().startswith(("+", "＋"))
        body = raw.lstrip().lstrip("+＋") if secondary else raw
        for task in parse_tasks(body, must=True):
            is_must = not secondary and musts < MUST_TASKS
            musts += is_must
            tasks.append(replace(task, must=is_must))
    if not tasks:
        raise EmptyPlan()
    check_three_plus_two(tasks)
    return PlanDraft(tuple(tasks), planned)


def check_three_plus_two(tasks: list[Task] | tuple[Task, ...]) -> None:
    must = sum(task.must for task in tasks)
    secondary = len(tasks) - must
    if must > MUST_TASKS or secondary > SECONDARY_TASKS:
        raise TooManyTasks(must=must, secondary=secondary)


@dataclass(frozen=True, slots=True)
class PlanStarted:
    today: Today
    existing: DayRecord | None
    carry: tuple[Task, ...]


@dataclass(frozen=True, slots=True)
class PlanAsked:
    """The flow moved on; ``step`` is what the bot asks next."""

    today: Today
    step: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True, slots=True)
class PlanSaved:
    today: Today
    record: DayRecord
    replaced: bool


def start_plan(uow: UnitOfWork, person: Person, now: datetime) -> PlanStarted:
    """``/plan``: open the step-by-step flow; the first answer is the must-do tasks."""
    current = open_today(uow, person, now)
    existing = uow.days.get(person.user_id, current.day)
    carry = () if existing and existing.has_plan else carry_over(uow, person, current)
    data = {"day": current.day.isoformat(), "tasks": [], "carry": [t.text for t in carry]}
    uow.dialogs.save(Dialog(person.user_id, PLAN, "tasks", data, current.deadline))
    return PlanStarted(current, existing if existing and existing.has_plan else None, carry)


def plan_in_one(uow: UnitOfWork, person: Person, now: datetime, text: str) -> PlanSaved:
    """``/plan <tasks and figures>``: the whole plan in one message."""
    current = open_today(uow, person, now)
    draft = parse_plan(text)
    uow.dialogs.clear(person.user_id)
    return _save_plan(uow, person, now, current, draft.tasks, draft.planned)


def take_carry_over(uow: UnitOfWork, person: Person, now: datetime) -> PlanAsked:
    """The rep keeps yesterday's unfinished tasks: they become today's first must-dos."""
    dialog, current = _dialog(uow, person, now, PLAN)
    carried = [Task(str(text), must=True) for text in dialog.data.get("carry", [])]  # type: ignore[union-attr]
    tasks = _tasks(dialog) + carried
    must = [t for t in tasks if t.must][:MUST_TASKS]
    extra = [replace(t, must=False) for t in tasks if t.must][MUST_TASKS:]
    tasks = must + extra + [t for t in tasks if not t.must]
    check_three_plus_two(tasks)
    _save_dialog(uow, dialog, "tasks", tasks, carry=[])
    return PlanAsked(current, "tasks", tuple(tasks))


def continue_plan(
    uow: UnitOfWork, person: Person, now: datetime, dialog: Dialog, text: str | None
) -> PlanAsked | PlanSaved:
    """Take the answer to the current step; ``text=None`` is the Skip button."""
    current = open_today(uow, person, now)
    if dialog.data.get("day") != current.day.isoformat():
        uow.dialogs.clear(person.user_id)
        raise NoFlow()
    tasks = _tasks(dialog)
    if dialog.step == "tasks":
        if text is None:
            if not tasks:
                raise EmptyPlan()
            _save_dialog(uow, dialog, "more", tasks)
            return PlanAsked(current, "more", tuple(tasks))
        draft = parse_plan(text)
        whole = bool(draft.planned) or any(not t.must for t in draft.tasks)
        tasks = tasks + [replace(t, must=True) for t in draft.tasks if t.must]
        tasks += [t for t in draft.tasks if not t.must]
        check_three_plus_two(tasks)
        if whole:
            uow.dialogs.clear(person.user_id)
            return _save_plan(uow, person, now, current, tuple(tasks), draft.planned)
        _save_dialog(uow, dialog, "more", tasks)
        return PlanAsked(current, "more", tuple(tasks))
    if dialog.step == "more":
        if text is not None:
            tasks = tasks + parse_tasks(text.lstrip("+＋"), must=False)
            check_three_plus_two(tasks)
        _save_dialog(uow, dialog, "numbers", tasks)
        return PlanAsked(current, "numbers", tuple(tasks))
    planned = parse_kpis(text).values if text is not None else {}
    uow.dialogs.clear(person.user_id)
    return _save_plan(uow, person, now, current, tuple(tasks), planned)


def _save_plan(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    current: Today,
    tasks: tuple[Task, ...],
    planned: Mapping[Kpi, Decimal],
) -> PlanSaved:
    if not tasks:
        raise EmptyPlan()
    record = _record(uow, person, current)
    replaced = record.has_plan
    saved = replace(record, tasks=tasks, planned=planned, planned_at=now, team_id=current.team.id)
    uow.days.save(saved)
    return PlanSaved(current, saved, replaced)


# --- the review ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewAsked:
    """What the review flow asks next, with the ticks so far."""

    today: Today
    step: str
    tasks: tuple[Task, ...]
    editing: bool


@dataclass(frozen=True, slots=True)
class KpiLine:
    kpi: Kpi
    planned: Decimal | None
    actual: Decimal | None

    @property
    def percent(self) -> int | None:
        """Actual as a whole percentage of planned (half up, uncapped); ``None`` without a plan."""
        return percent(self.actual or Decimal(0), self.planned)


@dataclass(frozen=True, slots=True)
class ReviewSaved:
    today: Today
    record: DayRecord
    replaced: bool
    lines: tuple[KpiLine, ...]
    tasks_done: int
    completion: int | None
    rolled: tuple[Task, ...]
    streak: int


def start_review(uow: UnitOfWork, person: Person, now: datetime) -> ReviewAsked:
    """``/review``: tick off the plan's tasks first (or go straight to the figures)."""
    current = open_today(uow, person, now)
    record = uow.days.get(person.user_id, current.day)
    tasks = record.tasks if record else ()
    data: dict[str, object] = {
        "day": current.day.isoformat(),
        "tasks": [[t.text, t.must, t.done] for t in tasks],
        "notes": {},
    }
    step = "tasks" if tasks else "numbers"
    uow.dialogs.save(Dialog(person.user_id, REVIEW, step, data, current.deadline))
    return ReviewAsked(current, step, tasks, editing=bool(record and record.has_review))


def toggle_task(uow: UnitOfWork, person: Person, now: datetime, index: int) -> ReviewAsked:
    """A task button: done ↔ not done."""
    dialog, current = _dialog(uow, person, now, REVIEW)
    tasks = _tasks(dialog)
    if dialog.step != "tasks" or not 0 <= index < len(tasks):
        raise NoFlow()
    tasks[index] = replace(tasks[index], done=not tasks[index].done)
    _save_dialog(uow, dialog, "tasks", tasks)
    return ReviewAsked(current, "tasks", tuple(tasks), editing=False)


def tasks_ticked(uow: UnitOfWork, person: Person, now: datetime) -> ReviewAsked:
    """The "next" button under the task list: on to the figures."""
    dialog, current = _dialog(uow, person, now, REVIEW)
    if dialog.step != "tasks":
        raise NoFlow()
    tasks = _tasks(dialog)
    _save_dialog(uow, dialog, "numbers", tasks)
    return ReviewAsked(current, "numbers", tuple(tasks), editing=False)


_NEXT_STEP = {
    "numbers": "win",
    "win": "lesson",
    "lesson": "objection",
    "objection": "tomorrow_first",
}


def continue_review(
    uow: UnitOfWork, person: Person, now: datetime, dialog: Dialog, text: str | None
) -> ReviewAsked | ReviewSaved:
    """Take the answer to the current step; ``text=None`` is the Skip button (figures or
    objection only)."""
    current = open_today(uow, person, now)
    if dialog.data.get("day") != current.day.isoformat():
        uow.dialogs.clear(person.user_id)
        raise NoFlow()
    tasks = _tasks(dialog)
    notes = dict(dialog.data.get("notes") or {})  # type: ignore[call-overload]
    step = dialog.step
    if step == "tasks":
        step = "numbers"  # a text while the buttons are shown: take it as the figures
    if step == "numbers":
        if text is not None:
            notes["actual"] = {k.value: str(v) for k, v in parse_kpis(text).values.items()}
    elif step in REVIEW_NOTES:
        if text is None and step not in OPTIONAL_NOTES:
            clean_line(None, field=step, limit=NOTE_LIMIT)  # raises "empty"
        notes[step] = clean_line(text, field=step, limit=NOTE_LIMIT) if text is not None else None
    else:
        raise NoFlow()
    if step == "tomorrow_first":
        uow.dialogs.clear(person.user_id)
        return _save_review(uow, person, now, current, tasks, notes)
    following = _NEXT_STEP[step]
    _save_dialog(uow, dialog, following, tasks, notes=notes)
    return ReviewAsked(current, following, tuple(tasks), editing=False)


def _save_review(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    current: Today,
    tasks: list[Task],
    notes: dict[str, object],
) -> ReviewSaved:
    record = _record(uow, person, current)
    replaced = record.has_review
    actual_raw = notes.get("actual") or {}
    actual = {Kpi(k): Decimal(str(v)) for k, v in actual_raw.items()}  # type: ignore[union-attr]
    saved = replace(
        record,
        team_id=current.team.id,
        tasks=tuple(tasks),
        actual=actual,
        reviewed_at=now,
        win=_note(notes, "win"),
        lesson=_note(notes, "lesson"),
        objection=_note(notes, "objection"),
        tomorrow_first=_note(notes, "tomorrow_first"),
    )
    uow.days.save(saved)
    if saved.objection:  # field-to-drill: matched to a category, or offered to the managers
        field_flow.record(
            uow, current.team, person.user_id, current.day, saved.objection,
            person.language.value, now,
        )  # fmt: skip
    streak = rep_streak(uow, current.team, person.user_id, current.day, current.calendar)
    return review_outcome(current, saved, replaced, streak)


def review_outcome(current: Today, record: DayRecord, replaced: bool, streak: int) -> ReviewSaved:
    """Plan against actual for a reviewed day, with the review streak as of that day."""
    kpis = [k for k in Kpi if k in record.planned or k in record.actual]
    lines = tuple(KpiLine(k, record.planned.get(k), record.actual.get(k)) for k in kpis)
    done = sum(t.done for t in record.tasks)
    parts = [min(line.percent or 0, 100) for line in lines if line.percent is not None]
    if record.tasks:
        parts.append(done * 100 // len(record.tasks))
    completion = sum(parts) // len(parts) if parts else None
    return ReviewSaved(
        current, record, replaced, lines, done, completion, record.unfinished, streak
    )


def _note(notes: dict[str, object], key: str) -> str | None:
    value = notes.get(key)
    return str(value) if value is not None else None


# --- days off ------------------------------------------------------------------------------

ABSENCE_WORDS: Mapping[str, Absence] = {
    "leave": Absence.LEAVE,
    "vacation": Absence.LEAVE,
    "holiday": Absence.LEAVE,
    "off": Absence.LEAVE,
    "请假": Absence.LEAVE,
    "休假": Absence.LEAVE,
    "年假": Absence.LEAVE,
    "事假": Absence.LEAVE,
    "sick": Absence.SICK,
    "ill": Absence.SICK,
    "病假": Absence.SICK,
    "生病": Absence.SICK,
    "training": Absence.TRAINING,
    "course": Absence.TRAINING,
    "培训": Absence.TRAINING,
    "travel": Absence.TRAVEL,
    "trip": Absence.TRAVEL,
    "出差": Absence.TRAVEL,
}


def skip_request(
    uow: UnitOfWork, person: Person, now: datetime, words: list[str]
) -> tuple[Absence | None, int | None]:
    """``/skip [reason] [days]`` from a team member (people outside a team are refused first)."""
    today(uow, person, now)
    return parse_skip_args(words)


def away_until(uow: UnitOfWork, person: Person, now: datetime) -> date | None:
    """The last day of the rep's current absence, if they are away today."""
    return absent_until(uow, person, today(uow, person, now))


def parse_skip_args(words: list[str]) -> tuple[Absence | None, int | None]:
    """Read ``[reason] [days]`` (``sick 3``, ``出差 2天``); either may be missing."""
    reason: Absence | None = None
    days: int | None = None
    for word in words:
        key = word.strip().lower()
        if key in ABSENCE_WORDS:
            reason = ABSENCE_WORDS[key]
            continue
        digits = key.removesuffix("d").removesuffix("天").removesuffix("days").removesuffix("day")
        if digits.isdigit() and 1 <= int(digits) <= SKIP_DAYS_LIMIT:
            days = int(digits)
            continue
        raise UnknownAbsence(value=word)
    return reason, days


@dataclass(frozen=True, slots=True)
class Skipped:
    today: Today
    reason: Absence
    days: tuple[date, ...]


def skip(uow: UnitOfWork, person: Person, now: datetime, reason: Absence, days: int) -> Skipped:
    """Mark ``days`` working days from today (or the next working day) as away."""
    if not 1 <= days <= SKIP_DAYS_LIMIT:
        raise UnknownAbsence(value=str(days))
    current = today(uow, person, now)
    calendar = current.calendar
    start = (
        current.day
        if calendar.is_working_day(current.day)
        else calendar.next_working_day(current.day)
    )
    marked = [start]
    while len(marked) < days:
        marked.append(calendar.next_working_day(marked[-1]))
    for day in marked:
        record = uow.days.get(person.user_id, day) or DayRecord(
            person.user_id, current.team.id, day
        )
        uow.days.save(replace(record, absence=reason))
    uow.dialogs.clear(person.user_id)
    return Skipped(current, reason, tuple(marked))


def back_to_work(uow: UnitOfWork, person: Person, now: datetime) -> tuple[date, ...]:
    """Clear the rep's absences from today on; return the days cleared."""
    current = today(uow, person, now)
    cleared = []
    horizon = current.day + timedelta(days=SKIP_DAYS_LIMIT * 2)
    for record in uow.days.of_user(person.user_id, current.day, horizon):
        if record.absence is not None:
            uow.days.save(replace(record, absence=None))
            cleared.append(record.day)
    return tuple(cleared)


def absent_until(uow: UnitOfWork, person: Person, current: Today) -> date | None:
    """The last day of the rep's current absence, if today is one."""
    horizon = current.day + timedelta(days=SKIP_DAYS_LIMIT * 2)
    last = None
    for record in uow.days.of_user(person.user_id, current.day, horizon):
        if record.absence is None:
            if current.calendar.is_working_day(record.day):
                break
            continue
        last = record.day
    return last


# --- the week's three questions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReflectionAsked:
    today: Today
    week_start: date
    question: int  # 0, 1, 2


def start_reflection(uow: UnitOfWork, person: Person, now: datetime) -> ReflectionAsked:
    current = today(uow, person, now)
    week = repdays.week_bounds(current.day)[0]
    expires = now + timedelta(hours=12)
    data = {"week": week.isoformat(), "answers": []}
    uow.dialogs.save(Dialog(person.user_id, REFLECT, REFLECTION_FIELDS[0], data, expires))
    return ReflectionAsked(current, week, 0)


def continue_reflection(
    uow: UnitOfWork, person: Person, now: datetime, dialog: Dialog, text: str | None
) -> ReflectionAsked | Reflection:
    current = today(uow, person, now)
    answers = [str(a) for a in dialog.data.get("answers", [])]  # type: ignore[union-attr]
    answers.append(clean_line(text, field=dialog.step, limit=NOTE_LIMIT))
    week = date.fromisoformat(str(dialog.data["week"]))
    if len(answers) < len(REFLECTION_FIELDS):
        step = REFLECTION_FIELDS[len(answers)]
        data = {"week": week.isoformat(), "answers": answers}
        uow.dialogs.save(replace(dialog, step=step, data=data))
        return ReflectionAsked(current, week, len(answers))
    uow.dialogs.clear(person.user_id)
    reflection = Reflection(person.user_id, current.team.id, week, *answers, answered_at=now)
    uow.reflections.save(reflection)
    return reflection


# --- dialog plumbing -------------------------------------------------------------------------


def _dialog(uow: UnitOfWork, person: Person, now: datetime, kind: str) -> tuple[Dialog, Today]:
    current = open_today(uow, person, now)
    dialog = uow.dialogs.get(person.user_id)
    if (
        dialog is None
        or dialog.kind != kind
        or dialog.expires_at <= now
        or dialog.data.get("day") != current.day.isoformat()
    ):
        raise NoFlow()
    return dialog, current


def _tasks(dialog: Dialog) -> list[Task]:
    raw = dialog.data.get("tasks") or []
    return [Task(str(t[0]), bool(t[1]), bool(t[2]) if len(t) > 2 else False) for t in raw]  # type: ignore[union-attr, index, arg-type]


def _save_dialog(
    uow: UnitOfWork,
    dialog: Dialog,
    step: str,
    tasks: list[Task],
    *,
    carry: list[str] | None = None,
    notes: dict[str, object] | None = None,
) -> None:
    data = dict(dialog.data)
    data["tasks"] = [[t.text, t.must, t.done] for t in tasks]
    if carry is not None:
        data["carry"] = carry
    if notes is not None:
        data["notes"] = notes
    uow.dialogs.save(replace(dialog, step=step, data=data))
