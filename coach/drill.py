"""LAER drills: which objection to drill next, where a rep is weak, and one drill's session.

A drill is one objection answered in the four LAER steps, either step by step (``steps``) or as
one free text cut into the steps (``free``), then graded by :mod:`coach.laer`. History is a
list of ``DrillResult`` (points per step, never the rep's text). ``choose_objection`` brings
weak categories, categories never drilled and objections the team met in the field back more
often, and keeps the last few objections from coming straight back.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from coach.content import LAER, Category, LaerStep, Objection, StoredObjection
from coach.laer import (
    MAX_CHARS,
    MAX_POINTS,
    DrillGrade,
    Reason,
    StepGrade,
    grade_answer,
    split_answer,
)

Mode = Literal["steps", "free"]
ChoiceReason = Literal["weak_category", "field", "new_category", "random"]

WEAKNESS_WINDOW = 20
"""How many of the most recent drills ``weakness`` looks at."""

CATEGORY_WINDOW = 5
"""How many of a category's most recent drills make its share when choosing an objection."""

NO_REPEAT = 3
"""Objections of this many most recent drills are chosen only rarely."""

WEAK_WEIGHT = 2.0
NEW_WEIGHT = 1.5
FIELD_WEIGHT = 1.0
FIELD_CAP = 3
REPEAT_FACTOR = 0.1
EXPLAIN_FROM = 0.5
"""A bonus smaller than this does not explain a choice: it is called ``random``."""


# ----------------------------------------------------------------------------- history
@dataclass(frozen=True, slots=True)
class DrillResult:
    """One finished drill as history keeps it: the objection, when, and the points per step."""

    objection_key: int
    category: Category
    at: datetime
    points: Mapping[LaerStep, int]

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("DrillResult.at must be an aware datetime")
        if set(self.points) != set(LAER):
            raise ValueError("DrillResult.points needs all four LAER steps")
        if any(not 0 <= p <= MAX_POINTS for p in self.points.values()):
            raise ValueError(f"points per step are 0..{MAX_POINTS}")

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def out_of(self) -> int:
        return MAX_POINTS * len(LAER)

    @property
    def share(self) -> float:
        """``total / out_of``, 0..1."""
        return self.total / self.out_of


@dataclass(frozen=True, slots=True)
class Weakness:
    """Where a rep loses points, over their most recent drills.

    Attributes:
        step: the step with the lowest mean points (ties: LAER order); ``None`` without drills.
        category: the drilled category with the lowest mean share (ties: ``Category`` order);
            ``None`` without drills.
        steps: mean points 0..2 per step (empty without drills).
        categories: mean share 0..1 of the drill total, per category drilled.
        drills: how many drills this is about.
    """

    step: LaerStep | None
    category: Category | None
    steps: Mapping[LaerStep, float]
    categories: Mapping[Category, float]
    drills: int


def recent(results: Sequence[DrillResult], last: int) -> list[DrillResult]:
    """The ``last`` most recent results, newest first (equal times: later in the list first)."""
    if last <= 0:
        return []
    ordered = sorted(enumerate(results), key=lambda item: (item[1].at, item[0]), reverse=True)
    return [result for _, result in ordered[:last]]


def weakness(results: Sequence[DrillResult], *, last: int = WEAKNESS_WINDOW) -> Weakness:
    """The weakest step and category over the ``last`` most recent drills.

    Args:
        results: the rep's drill history, in any order.
        last: how many of the most recent drills to look at.

    Returns:
        Mean points per step, mean share per category drilled, and the weakest of each.
    """
    window = recent(results, last)
    if not window:
        return Weakness(None, None, MappingProxyType({}), MappingProxyType({}), 0)
    steps = {step: sum(r.points[step] for r in window) / len(window) for step in LAER}
    shares = _mean_shares(window)
    categories = {c: shares[c] for c in Category if c in shares}
    return Weakness(
        step=min(LAER, key=lambda s: steps[s]),  # min keeps the first of equals: LAER order
        category=min(categories, key=lambda c: categories[c]),
        steps=MappingProxyType(steps),
        categories=MappingProxyType(categories),
        drills=len(window),
    )


def _mean_shares(results: Sequence[DrillResult]) -> dict[Category, float]:
    by_category: dict[Category, list[float]] = defaultdict(list)
    for result in results:
        by_category[result.category].append(result.share)
    return {c: sum(shares) / len(shares) for c, shares in by_category.items()}


def category_shares(
    results: Sequence[DrillResult], *, per_category: int = CATEGORY_WINDOW
) -> dict[Category, float]:
    """Mean share of each drilled category over its own ``per_category`` most recent drills.

    Per category rather than over the last drills overall, so a category drilled long ago
    keeps its standing instead of looking new again.
    """
    by_category: dict[Category, list[DrillResult]] = defaultdict(list)
    for result in recent(results, len(results)):
        if len(by_category[result.category]) < per_category:
            by_category[result.category].append(result)
    return {c: sum(r.share for r in rs) / len(rs) for c, rs in by_category.items()}


# ----------------------------------------------------------------------------- choosing
@dataclass(frozen=True, slots=True)
class Choice:
    """The objection to drill and why, for the line that introduces it.

    Attributes:
        objection: the chosen objection.
        reason: ``weak_category`` (the rep scores low there), ``field`` (the team met this
            category recently), ``new_category`` (never drilled) or ``random``.
        share: the rep's mean share in the category, ``None`` when never drilled.
        met: how often the team met the category in the field recently.
    """

    objection: StoredObjection
    reason: ChoiceReason
    share: float | None
    met: int


@dataclass(frozen=True, slots=True)
class _Bonuses:
    weak: float
    new: float
    field: float
    repeat: bool

    @property
    def weight(self) -> float:
        base = 1.0 + self.weak + self.new + self.field
        return base * REPEAT_FACTOR if self.repeat else base

    @property
    def reason(self) -> ChoiceReason:
        named: list[tuple[float, ChoiceReason]] = [
            (self.weak, "weak_category"),
            (self.field, "field"),
            (self.new, "new_category"),
        ]
        best, reason = max(named, key=lambda item: item[0])  # max keeps the first of equals
        return reason if best >= EXPLAIN_FROM else "random"


def _bonuses(
    objections: Sequence[StoredObjection],
    results: Sequence[DrillResult],
    field: Mapping[Category, int],
) -> list[_Bonuses]:
    shares = category_shares(results)
    repeats = {r.objection_key for r in recent(results, NO_REPEAT)}
    out = []
    for stored in objections:
        category = stored.objection.category
        share = shares.get(category)
        out.append(
            _Bonuses(
                weak=WEAK_WEIGHT * (1 - share) if share is not None else 0.0,
                new=NEW_WEIGHT if share is None else 0.0,
                field=FIELD_WEIGHT * min(max(field.get(category, 0), 0), FIELD_CAP),
                repeat=stored.key in repeats,
            )
        )
    return out


def objection_weights(
    objections: Sequence[StoredObjection],
    results: Sequence[DrillResult],
    field: Mapping[Category, int],
) -> list[float]:
    """The weight of each objection in ``choose_objection``, in the same order.

    Base 1; plus ``2 × (1 − share)`` for a category drilled before (``category_shares``), or
    1.5 for a category never drilled; plus ``1 × min(met, 3)`` for a category the team met in
    the field; all times 0.1 for an objection of the last three drills.
    """
    return [b.weight for b in _bonuses(objections, results, field)]


def choose_objection(
    objections: Sequence[StoredObjection],
    results: Sequence[DrillResult],
    field: Mapping[Category, int],
    rng: random.Random,
) -> Choice:
    """Pick the next objection to drill, at random with ``objection_weights``.

    Args:
        objections: what can be drilled (the team's packs in the rep's language).
        results: the rep's drill history.
        field: how often the team met each category in the field recently.
        rng: the source of randomness; the same state gives the same choice.

    Raises:
        ValueError: ``objections`` is empty.
    """
    if not objections:
        raise ValueError("no objections to drill")
    bonuses = _bonuses(objections, results, field)
    weights = [b.weight for b in bonuses]
    point = rng.random() * sum(weights)
    index = len(weights) - 1
    for i, weight in enumerate(weights):
        point -= weight
        if point < 0:
            index = i
            break
    stored = objections[index]
    share = category_shares(results).get(stored.objection.category)
    return Choice(
        objection=stored,
        reason=bonuses[index].reason,
        share=share,
        met=max(field.get(stored.objection.category, 0), 0),
    )


# ----------------------------------------------------------------------------- the session
@dataclass(frozen=True, slots=True)
class DrillState:
    """One drill in progress, kept by the caller between messages (``to_data`` is JSON-able).

    Attributes:
        objection_key: the objection drilled.
        mode: ``steps`` (one message per step) or ``free`` (one message for all four).
        answers: step value -> the text for it, at most ``MAX_CHARS`` characters each.
        capped: step values whose text was cut at ``MAX_CHARS``.
    """

    objection_key: int
    mode: Mode
    answers: Mapping[str, str] = dataclass_field(default_factory=dict)
    capped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.objection_key, bool) or not isinstance(self.objection_key, int):
            raise ValueError("objection_key must be an int")
        if self.mode not in ("steps", "free"):
            raise ValueError(f"unknown drill mode {self.mode!r}")
        steps = {step.value for step in LAER}
        if not set(self.answers) <= steps or not set(self.capped) <= steps:
            raise ValueError("answers are keyed by LAER step values")
        if any(not isinstance(text, str) for text in self.answers.values()):
            raise ValueError("answers are text")
        object.__setattr__(
            self, "answers", MappingProxyType({k: v[:MAX_CHARS] for k, v in self.answers.items()})
        )
        object.__setattr__(self, "capped", tuple(self.capped))

    @property
    def next_step(self) -> LaerStep | None:
        """The first LAER step not answered yet; ``None`` when all four are."""
        return next((step for step in LAER if step.value not in self.answers), None)

    @property
    def done(self) -> bool:
        return self.next_step is None

    def to_data(self) -> dict[str, object]:
        """Plain JSON-able values; ``from_data`` reads them back."""
        return {
            "objection_key": self.objection_key,
            "mode": self.mode,
            "answers": dict(self.answers),
            "capped": list(self.capped),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> DrillState:
        """Read what ``to_data`` wrote; raise ``ValueError`` on anything else."""
        if not isinstance(data, Mapping):
            raise ValueError("drill state must be a mapping")
        answers = data.get("answers", {})
        capped = data.get("capped", [])
        if not isinstance(answers, Mapping) or not isinstance(capped, list | tuple):
            raise ValueError("drill state: answers must be a mapping, capped a list")
        return cls(
            objection_key=data.get("objection_key"),  # type: ignore[arg-type]  # checked in init
            mode=data.get("mode"),  # type: ignore[arg-type]
            answers=dict(answers),
            capped=tuple(capped),
        )


def start(objection_key: int, mode: Mode) -> DrillState:
    """A new drill of ``objection_key`` with nothing answered."""
    return DrillState(objection_key, mode)


def answer_step(state: DrillState, text: str) -> DrillState:
    """Store ``text`` as the answer to ``state.next_step`` (steps mode).

    Raises:
        ValueError: the drill is in free mode or already answered in full.
    """
    step = state.next_step
    if state.mode != "steps" or step is None:
        raise ValueError("no step to answer")
    text = text if isinstance(text, str) else ""
    capped = (*state.capped, step.value) if len(text) > MAX_CHARS else state.capped
    return DrillState(state.objection_key, state.mode, {**state.answers, step.value: text}, capped)


def answer_free(state: DrillState, text: str, lang: str) -> DrillState:
    """Cut one free-text answer into the four steps (``split_answer``) and store them all.

    Raises:
        ValueError: the drill is in steps mode or already answered.
    """
    if state.mode != "free" or state.answers:
        raise ValueError("no free answer expected")
    text = text if isinstance(text, str) else ""
    parts = split_answer(text[:MAX_CHARS], lang)
    capped: tuple[str, ...] = ()
    if len(text) > MAX_CHARS:
        # the cut falls in the last step that has any text
        last = next((s for s in reversed(LAER) if parts[s].strip()), LAER[-1])
        capped = (last.value,)
    answers = {step.value: parts[step] for step in LAER}
    return DrillState(state.objection_key, state.mode, answers, capped)


def grade(state: DrillState, objection: Objection, lang: str) -> DrillGrade:
    """Grade the drill with :func:`coach.laer.grade_answer`; a step not answered scores 0.

    A step whose text was cut gets the grader's ``capped`` reason, as if it had seen it all.
    """
    answers = {step: state.answers.get(step.value, "") for step in LAER}
    graded = grade_answer(objection, answers, lang)
    if not state.capped:
        return graded
    steps = dict(graded.steps)
    for value in state.capped:
        step = LaerStep(value)
        current = steps[step]
        if all(r.code != "capped" for r in current.reasons):
            extra = Reason("capped", {"limit": MAX_CHARS})
            steps[step] = StepGrade(
                current.step, current.points, (*current.reasons, extra), current.missing
            )
    return DrillGrade(steps)


def result(state: DrillState, graded: DrillGrade, category: Category, at: datetime) -> DrillResult:
    """What history keeps of a graded drill: the points per step, not the text."""
    return DrillResult(
        objection_key=state.objection_key,
        category=category,
        at=at,
        points=MappingProxyType({step: graded.steps[step].points for step in LAER}),
    )
