"""Practice records (``coach.ports.PracticeRepository``): drills, quiz cards, polls, battles,
field objections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from coach.content import LAER, Category
from coach.practice import (
    Battle,
    BattleState,
    DrillRecord,
    DrillSource,
    FieldObjection,
    FieldStatus,
    PollKind,
    QuizAnswer,
    QuizPoll,
)
from coach.quiz import Card
from storage.models import (
    BattleRow,
    DrillRow,
    FieldObjectionRow,
    QuizAnswerRow,
    QuizCardRow,
    QuizPollRow,
)
from storage.repositories import chunks, dialect_insert, flushed_connection

DRILLS = DrillRow.__table__
CARDS = QuizCardRow.__table__
POLLS = QuizPollRow.__table__
ANSWERS = QuizAnswerRow.__table__
BATTLES = BattleRow.__table__
FIELD = FieldObjectionRow.__table__

_FIELD_VALUES = ("team_id", "user_id", "day", "text", "category", "objection_key", "status")
_FIELD_VALUES += ("created_at",)
# A review with an objection runs both: built once, run on the session's connection.
_REPLACE_FIELD = delete(FIELD).where(
    FIELD.c.team_id == bindparam("team_id"),
    FIELD.c.user_id == bindparam("user_id"),
    FIELD.c.day == bindparam("day"),
    FIELD.c.status.in_([FieldStatus.MATCHED.value, FieldStatus.OFFERED.value]),
)
_ADD_FIELD = (
    FIELD.insert().values({name: bindparam(name) for name in _FIELD_VALUES}).returning(FIELD.c.id)
)


class SqlPractice:
    def __init__(self, session: Session) -> None:
        self._s = session

    # --- drills ---------------------------------------------------------------------------
    def add_drill(self, record: DrillRecord) -> None:
        self._s.execute(
            DRILLS.insert().values(
                team_id=record.team_id,
                user_id=record.user_id,
                objection_key=record.objection_key,
                category=record.category.value,
                mode=record.mode,
                source=record.source.value,
                started_at=record.started_at,
                finished_at=record.finished_at,
                **{step.value: record.points.get(step, 0) for step in LAER},
            )
        )

    def drills(self, user_id: int, limit: int) -> list[DrillRecord]:
        rows = self._s.execute(
            select(DRILLS)
            .where(DRILLS.c.user_id == user_id)
            .order_by(DRILLS.c.finished_at.desc(), DRILLS.c.id.desc())
            .limit(limit)
        )
        return [_drill(row) for row in rows]

    def team_drills(self, team_id: int, since: datetime) -> list[DrillRecord]:
        rows = self._s.execute(
            select(DRILLS)
            .where(DRILLS.c.team_id == team_id, DRILLS.c.finished_at >= since)
            .order_by(DRILLS.c.finished_at, DRILLS.c.id)
        )
        return [_drill(row) for row in rows]

    def drill_counts(self, user_ids: Iterable[int], since: datetime) -> dict[int, int]:
        return self._per_user(DRILLS, user_ids, DRILLS.c.finished_at >= since)

    # --- quiz cards -----------------------------------------------------------------------
    def due_cards(self, user_ids: Iterable[int], by: datetime) -> dict[int, int]:
        return self._per_user(CARDS, user_ids, CARDS.c.due <= by)

    def _per_user(
        self, table: Table, user_ids: Iterable[int], condition: ColumnElement[bool]
    ) -> dict[int, int]:
        """Rows of ``table`` meeting ``condition`` per user (users without any left out)."""
        counts: dict[int, int] = {}
        for chunk in chunks(user_ids):
            rows = self._s.execute(
                select(table.c.user_id, func.count())
                .where(table.c.user_id.in_(chunk), condition)
                .group_by(table.c.user_id)
            )
            counts.update((int(uid), int(n)) for uid, n in rows)
        return counts

    def cards(self, user_id: int) -> dict[int, Card]:
        rows = self._s.execute(select(CARDS).where(CARDS.c.user_id == user_id))
        return {row.question_key: _card(row) for row in rows}

    def save_card(self, user_id: int, card: Card) -> None:
        values = {
            "due": card.due,
            "state": dict(card.state),
            "reviews": card.reviews,
            "lapses": card.lapses,
            "last_review": card.last_review,
            "last_correct": card.last_correct,
        }
        statement = dialect_insert(self._s, CARDS).values(
            user_id=user_id, question_key=card.question_key, **values
        )
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=[CARDS.c.user_id, CARDS.c.question_key], set_=values
            )
        )

    # --- polls and answers ----------------------------------------------------------------
    def add_poll(self, poll: QuizPoll) -> None:
        self._s.execute(
            POLLS.insert().values(
                poll_id=poll.poll_id,
                kind=poll.kind.value,
                chat_id=poll.chat_id,
                message_id=poll.message_id,
                team_id=poll.team_id,
                question_key=poll.question_key,
                correct=poll.correct,
                sent_at=poll.sent_at,
                user_id=poll.user_id,
                battle_id=poll.battle_id,
                position=poll.index,
            )
        )

    def poll(self, poll_id: str) -> QuizPoll | None:
        row = self._s.execute(select(POLLS).where(POLLS.c.poll_id == poll_id)).first()
        return None if row is None else _poll(row)

    def battle_polls(self, battle_id: int) -> list[QuizPoll]:
        rows = self._s.execute(
            select(POLLS).where(POLLS.c.battle_id == battle_id).order_by(POLLS.c.position)
        )
        return [_poll(row) for row in rows]

    def add_answer(self, answer: QuizAnswer) -> bool:
        statement = (
            dialect_insert(self._s, ANSWERS)
            .values(
                poll_id=answer.poll_id,
                user_id=answer.user_id,
                team_id=answer.team_id,
                question_key=answer.question_key,
                option=answer.option,
                correct=answer.correct,
                seconds=answer.seconds,
                answered_at=answer.answered_at,
                battle_id=answer.battle_id,
            )
            .on_conflict_do_nothing(index_elements=[ANSWERS.c.poll_id, ANSWERS.c.user_id])
            .returning(ANSWERS.c.id)
        )
        return self._s.execute(statement).scalar() is not None

    def answers(self, team_id: int, since: datetime) -> list[QuizAnswer]:
        rows = self._s.execute(
            select(ANSWERS)
            .where(ANSWERS.c.team_id == team_id, ANSWERS.c.answered_at >= since)
            .order_by(ANSWERS.c.answered_at, ANSWERS.c.id)
        )
        return [_answer(row) for row in rows]

    def quiz_answers(self, user_id: int, since: datetime, limit: int) -> list[QuizAnswer]:
        rows = self._s.execute(
            select(ANSWERS)
            .where(
                ANSWERS.c.user_id == user_id,
                ANSWERS.c.battle_id.is_(None),
                ANSWERS.c.answered_at >= since,
            )
            .order_by(ANSWERS.c.answered_at.desc(), ANSWERS.c.id.desc())
            .limit(limit)
        )
        return [_answer(row) for row in rows]

    def battle_answers(self, battle_id: int) -> list[QuizAnswer]:
        rows = self._s.execute(
            select(ANSWERS).where(ANSWERS.c.battle_id == battle_id).order_by(ANSWERS.c.id)
        )
        return [_answer(row) for row in rows]

    def answered(self, user_id: int, since: datetime) -> int:
        """How many quiz answers the person gave since ``since`` (battles included)."""
        return int(
            self._s.execute(
                select(func.count()).where(
                    ANSWERS.c.user_id == user_id, ANSWERS.c.answered_at >= since
                )
            ).scalar_one()
        )

    # --- battles --------------------------------------------------------------------------
    def add_battle(self, battle: Battle) -> Battle | None:
        """Store a new battle; ``None`` when the team already has one that week."""
        statement = (
            dialect_insert(self._s, BATTLES)
            .values(**_battle_values(battle))
            .on_conflict_do_nothing(index_elements=[BATTLES.c.team_id, BATTLES.c.week])
            .returning(BATTLES.c.id)
        )
        new_id = self._s.execute(statement).scalar()
        if new_id is None:
            return None
        return replace(battle, id=int(new_id))

    def battle(self, battle_id: int) -> Battle | None:
        row = self._s.execute(select(BATTLES).where(BATTLES.c.id == battle_id)).first()
        return None if row is None else _battle(row)

    def battle_of_week(self, team_id: int, week: date) -> Battle | None:
        row = self._s.execute(
            select(BATTLES).where(BATTLES.c.team_id == team_id, BATTLES.c.week == week)
        ).first()
        return None if row is None else _battle(row)

    def due_battles(self, now: datetime) -> list[Battle]:
        rows = self._s.execute(
            select(BATTLES)
            .where(BATTLES.c.state == BattleState.RUNNING.value, BATTLES.c.next_at <= now)
            .order_by(BATTLES.c.next_at, BATTLES.c.id)
        )
        return [_battle(row) for row in rows]

    def save_battle(self, battle: Battle) -> None:
        assert battle.id is not None, "save_battle needs a stored battle"
        self._s.execute(
            update(BATTLES).where(BATTLES.c.id == battle.id).values(**_battle_values(battle))
        )

    # --- field objections -----------------------------------------------------------------
    def replace_field(self, item: FieldObjection) -> FieldObjection:
        """Store the objection of a rep's day, replacing the one that day had (review edits);
        one a manager already handled is kept."""
        key = {"team_id": item.team_id, "user_id": item.user_id, "day": item.day}
        flushed_connection(self._s).execute(_REPLACE_FIELD, key)
        return self.add_field(item)

    def add_field(self, item: FieldObjection) -> FieldObjection:
        values = {
            "team_id": item.team_id,
            "user_id": item.user_id,
            "day": item.day,
            "text": item.text,
            "category": item.category.value if item.category else None,
            "objection_key": item.objection_key,
            "status": item.status.value,
            "created_at": item.created_at,
        }
        new_id = flushed_connection(self._s).execute(_ADD_FIELD, values).scalar_one()
        return replace(item, id=int(new_id))

    def field_counts(self, team_id: int, since: date) -> dict[Category, int]:
        rows = self._s.execute(
            select(FIELD.c.category, func.count())
            .where(
                FIELD.c.team_id == team_id,
                FIELD.c.day >= since,
                FIELD.c.category.is_not(None),
            )
            .group_by(FIELD.c.category)
        )
        return {Category(category): int(count) for category, count in rows}

    def field_items(
        self, team_id: int, statuses: Iterable[FieldStatus], limit: int = 50
    ) -> list[FieldObjection]:
        rows = self._s.execute(
            select(FIELD)
            .where(FIELD.c.team_id == team_id, FIELD.c.status.in_([s.value for s in statuses]))
            .order_by(FIELD.c.day.desc(), FIELD.c.id.desc())
            .limit(limit)
        )
        return [_field(row) for row in rows]

    def field_item(self, item_id: int) -> FieldObjection | None:
        row = self._s.execute(select(FIELD).where(FIELD.c.id == item_id)).first()
        return None if row is None else _field(row)

    def set_field(self, item_id: int, status: FieldStatus, objection_key: int | None) -> None:
        self._s.execute(
            update(FIELD)
            .where(FIELD.c.id == item_id)
            .values(status=status.value, objection_key=objection_key)
        )


# --- rows to records ---------------------------------------------------------------------
def _drill(row: Any) -> DrillRecord:
    return DrillRecord(
        team_id=row.team_id,
        user_id=row.user_id,
        objection_key=row.objection_key,
        category=Category(row.category),
        mode=row.mode,
        started_at=row.started_at,
        finished_at=row.finished_at,
        points={step: int(getattr(row, step.value)) for step in LAER},
        source=DrillSource(row.source),
    )


def _card(row: Any) -> Card:
    return Card(
        question_key=row.question_key,
        due=row.due,
        state=dict(row.state),
        reviews=row.reviews,
        lapses=row.lapses,
        last_review=row.last_review,
        last_correct=row.last_correct,
    )


def _poll(row: Any) -> QuizPoll:
    return QuizPoll(
        poll_id=row.poll_id,
        kind=PollKind(row.kind),
        chat_id=row.chat_id,
        message_id=row.message_id,
        team_id=row.team_id,
        question_key=row.question_key,
        correct=row.correct,
        sent_at=row.sent_at,
        user_id=row.user_id,
        battle_id=row.battle_id,
        index=row.position,
    )


def _answer(row: Any) -> QuizAnswer:
    return QuizAnswer(
        poll_id=row.poll_id,
        user_id=row.user_id,
        team_id=row.team_id,
        question_key=row.question_key,
        option=row.option,
        correct=bool(row.correct),
        seconds=float(row.seconds),
        answered_at=row.answered_at,
        battle_id=row.battle_id,
    )


def _battle_values(battle: Battle) -> dict[str, Any]:
    return {
        "team_id": battle.team_id,
        "chat_id": battle.chat_id,
        "week": battle.week,
        "language": battle.language,
        "started_at": battle.started_at,
        "question_keys": list(battle.question_keys),
        "open_seconds": battle.open_seconds,
        "asked": battle.asked,
        "next_at": battle.next_at,
        "state": battle.state.value,
    }


def _battle(row: Any) -> Battle:
    return Battle(
        id=row.id,
        team_id=row.team_id,
        chat_id=row.chat_id,
        week=row.week,
        language=row.language,
        started_at=row.started_at,
        question_keys=tuple(int(k) for k in row.question_keys),
        open_seconds=row.open_seconds,
        asked=row.asked,
        next_at=row.next_at,
        state=BattleState(row.state),
    )


def _field(row: Any) -> FieldObjection:
    return FieldObjection(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        day=row.day,
        text=row.text,
        category=Category(row.category) if row.category else None,
        objection_key=row.objection_key,
        status=FieldStatus(row.status),
        created_at=row.created_at,
    )
