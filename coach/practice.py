"""What practice leaves behind: finished drills, quiz polls and answers, battles, field objections.

These are the records the practice repository stores (``coach.ports.PracticeRepository``); the
rules that use them live in ``coach.drill``, ``coach.quiz`` and ``coach.field``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from coach.content import Category, LaerStep


class DrillSource(StrEnum):
    """Why a drill was started."""

    COMMAND = "command"  # /drill
    PUSH = "push"  # the daily practice push
    FIELD = "field"  # an objection the team met


@dataclass(frozen=True, slots=True)
class DrillRecord:
    """A finished drill: points per step; the rep's words are not kept."""

    team_id: int
    user_id: int
    objection_key: int
    category: Category
    mode: str  # "steps" or "free"
    started_at: datetime
    finished_at: datetime
    points: Mapping[LaerStep, int]
    source: DrillSource = DrillSource.COMMAND

    @property
    def total(self) -> int:
        return sum(self.points.values())


class PollKind(StrEnum):
    QUIZ = "quiz"  # a private quiz question
    BATTLE = "battle"  # a question of a group battle


@dataclass(frozen=True, slots=True)
class QuizPoll:
    """A quiz poll the bot sent; answers arrive later with only its ``poll_id``."""

    poll_id: str
    kind: PollKind
    chat_id: int
    message_id: int
    team_id: int
    question_key: int
    correct: int
    sent_at: datetime
    user_id: int | None = None  # the rep, for a private quiz
    battle_id: int | None = None
    index: int = 0  # position in the round (quiz) or battle


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """One person's answer to one poll (the first one counts)."""

    poll_id: str
    user_id: int
    team_id: int
    question_key: int
    option: int
    correct: bool
    seconds: float
    answered_at: datetime
    battle_id: int | None = None


class BattleState(StrEnum):
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Battle:
    """A team's quiz battle in its group: questions one after another, each open a while."""

    team_id: int
    chat_id: int
    week: date  # the Monday of the week it belongs to (one scheduled battle a week)
    language: str
    started_at: datetime
    question_keys: tuple[int, ...]
    open_seconds: int
    asked: int = 0  # questions sent so far
    next_at: datetime | None = None  # when the next question (or the board) is due
    state: BattleState = BattleState.RUNNING
    id: int | None = None


class FieldStatus(StrEnum):
    MATCHED = "matched"  # fits a pack category: feeds drill choice
    OFFERED = "offered"  # matched nothing: waiting for a manager
    ADDED = "added"  # a manager made it a drill item
    DISMISSED = "dismissed"  # a manager set it aside


@dataclass(frozen=True, slots=True)
class FieldObjection:
    """An objection a rep met in the field (from an evening review) or a manager added."""

    team_id: int
    user_id: int
    day: date
    text: str
    category: Category | None
    objection_key: int | None
    status: FieldStatus
    created_at: datetime
    id: int | None = None
