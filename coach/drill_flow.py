"""LAER drill use cases: choose an objection, take the answers, grade, keep the points.

The drill in progress is a dialog (kind :data:`DRILL`) holding a ``coach.drill.DrillState``;
the rep's words live there only until the drill ends. What history keeps is the points per
step (``DrillRecord``), which ``/me`` and the choice of the next objection read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coach import drill, errors
from coach.checkins import NoFlow
from coach.content import LAER, LaerStep, StoredObjection
from coach.drill import Choice, DrillResult, DrillState, Weakness, weakness
from coach.laer import DrillGrade, StepGrade, grade_step
from coach.models import Dialog, Person
from coach.onboarding import team_of
from coach.ports import UnitOfWork
from coach.practice import DrillRecord, DrillSource
from coach.team_content import objections_for

DRILL = "drill"
"""The dialog kind of a drill in progress."""

OPEN_FOR = timedelta(hours=2)
"""A drill left unanswered this long is dropped."""

HISTORY = 50
"""Drills of a rep read to choose the next objection and find the weakest step."""

FIELD_DAYS = 14
"""Objections the team met in the field this many days back weigh on the choice."""


@dataclass(eq=False)
class NoObjections(errors.CoachError):
    code = "drill_no_objections"  # type: ignore[assignment]


@dataclass(eq=False)
class AlreadyAnswering(errors.CoachError):
    """ "One answer" pressed after some steps were answered one by one."""

    code = "drill_already_answering"  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class DrillStarted:
    choice: Choice
    mode: str

    @property
    def objection(self) -> StoredObjection:
        return self.choice.objection

    @property
    def next_step(self) -> LaerStep:
        return LAER[0]


@dataclass(frozen=True, slots=True)
class StepAnswered:
    """Steps mode: one step graded; the next one to answer."""

    objection: StoredObjection
    grade: StepGrade
    next_step: LaerStep


@dataclass(frozen=True, slots=True)
class DrillFinished:
    """The drill graded in full and stored; the rep's standing after it."""

    objection: StoredObjection
    grade: DrillGrade
    mode: str
    last: StepGrade | None  # steps mode: the step just answered
    weakness: Weakness


def history(uow: UnitOfWork, user_id: int) -> list[DrillResult]:
    return [
        DrillResult(r.objection_key, r.category, r.finished_at, r.points)
        for r in uow.practice.drills(user_id, HISTORY)
    ]


def start_drill(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    source: DrillSource = DrillSource.COMMAND,
    objection_key: int | None = None,
) -> DrillStarted:
    """Open a drill: the objection chosen for this rep (or the one given), step by step."""
    team = team_of(uow, person)
    objections = objections_for(uow, team, person.language.value)
    if not objections:
        raise NoObjections()
    past = history(uow, person.user_id)
    if objection_key is not None and any(o.key == objection_key for o in objections):
        chosen = next(o for o in objections if o.key == objection_key)
        choice = Choice(chosen, "field", None, 0)
    else:
        today = now.astimezone(ZoneInfo(team.timezone)).date()
        field = uow.practice.field_counts(team.id, today - timedelta(days=FIELD_DAYS))
        rng = random.Random(f"{person.user_id}:{now.isoformat()}")
        choice = drill.choose_objection(objections, past, field, rng)
    state = drill.start(choice.objection.key, "steps")
    uow.dialogs.save(
        Dialog(
            person.user_id,
            DRILL,
            "steps",
            {**state.to_data(), "started": now.isoformat(), "source": source.value},
            now + OPEN_FOR,
        )
    )
    return DrillStarted(choice, "steps")


def answer_in_one(uow: UnitOfWork, person: Person, now: datetime) -> DrillStarted:
    """The "one answer" button: the open drill takes its whole answer in the next message."""
    dialog = _open(uow, person, now)
    state = DrillState.from_data(dialog.data)
    if state.answers:
        raise AlreadyAnswering()
    objection = _objection(uow, person, state.objection_key)
    free = drill.start(state.objection_key, "free")
    uow.dialogs.save(replace(dialog, step="free", data={**dialog.data, **free.to_data()}))
    return DrillStarted(Choice(objection, "random", None, 0), "free")


def continue_drill(
    uow: UnitOfWork, person: Person, now: datetime, dialog: Dialog, text: str | None
) -> StepAnswered | DrillFinished:
    """Take the rep's message: one step (steps mode) or the whole answer (free mode)."""
    state = DrillState.from_data(dialog.data)
    objection = _objection(uow, person, state.objection_key)
    lang = person.language.value
    words = text or ""
    if state.mode == "free":
        state = drill.answer_free(state, words, lang)
        return _finish(uow, person, now, dialog, state, objection, last=None)
    step = state.next_step
    assert step is not None
    state = drill.answer_step(state, words)
    graded = grade_step(objection.objection, step, state.answers[step.value], lang)
    if state.done:
        return _finish(uow, person, now, dialog, state, objection, last=graded)
    uow.dialogs.save(replace(dialog, data={**dialog.data, **state.to_data()}))
    following = state.next_step
    assert following is not None
    return StepAnswered(objection, graded, following)


def _finish(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    dialog: Dialog,
    state: DrillState,
    objection: StoredObjection,
    last: StepGrade | None,
) -> DrillFinished:
    graded = drill.grade(state, objection.objection, person.language.value)
    team = team_of(uow, person)
    started = dialog.data.get("started")
    uow.practice.add_drill(
        DrillRecord(
            team_id=team.id,
            user_id=person.user_id,
            objection_key=objection.key,
            category=objection.objection.category,
            mode=state.mode,
            started_at=datetime.fromisoformat(str(started)) if started else now,
            finished_at=now,
            points={step: graded.steps[step].points for step in LAER},
            source=DrillSource(str(dialog.data.get("source", DrillSource.COMMAND.value))),
        )
    )
    uow.dialogs.clear(person.user_id)
    if last is not None:
        last = graded.steps[last.step]
    return DrillFinished(
        objection, graded, state.mode, last, weakness(history(uow, person.user_id))
    )


def _open(uow: UnitOfWork, person: Person, now: datetime) -> Dialog:
    dialog = uow.dialogs.get(person.user_id)
    if dialog is None or dialog.kind != DRILL or dialog.expires_at <= now:
        raise NoFlow()
    return dialog


def _objection(uow: UnitOfWork, person: Person, key: int) -> StoredObjection:
    team = team_of(uow, person)
    for stored in objections_for(uow, team, person.language.value):
        if stored.key == key:
            return stored
    # Retired, or the rep switched language mid-drill: the drill cannot go on.
    raise NoFlow()


@dataclass(frozen=True, slots=True)
class DrillStanding:
    """What ``/me`` shows of the drills."""

    weakness: Weakness
    last_total: int | None


def standing(uow: UnitOfWork, person: Person, now: datetime) -> DrillStanding:
    team_of(uow, person)
    past = history(uow, person.user_id)
    return DrillStanding(weakness(past), past[0].total if past else None)
