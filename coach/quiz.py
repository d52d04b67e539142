"""Product quizzes: spaced repetition per rep and question, mastery, battles and knowledge gaps.

The schedule is FSRS (the ``fsrs`` package) without fuzzing, so a given history always gives
the same due dates. The rating comes from the answer: wrong is Again; right is Easy, Good or
Hard by how long the rep took. A due date that falls on a day off moves to the start of the
next working day, so questions pile up on working days rather than over a weekend.

Everything here is pure: callers pass ``now`` (aware), the team's time zone and calendar, and
the cards and questions they loaded; they get frozen dataclasses back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import fsrs
from fsrs.card import CardDict

from coach.content import StoredQuestion

EASY_SECONDS = 8.0
"""A right answer within this many seconds is Easy."""
HARD_SECONDS = 45.0
"""A right answer after more than this many seconds is Hard."""

DAY_START = time(9)
"""Where a due date moved off a day off lands: this local time on the next working day."""
MAX_SHIFT_DAYS = 30
"""How far ahead to look for a working day before keeping the due date FSRS gave."""

BATTLE_BASE_POINTS = 500
"""Points for a right battle answer, however slow."""
BATTLE_SPEED_POINTS = 500
"""Extra points for a right battle answer, scaled down linearly to 0 at the closing time."""

# No minute-long (re)learning steps: the rating is derived from answer time, and FSRS keeps a
# card on its step after Hard, so a rep who is right but slow would get the same question every
# few minutes. Every answer schedules whole days instead; a wrong one comes back the next day.
SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


# ----------------------------------------------------------------------------- repetition
@dataclass(frozen=True, slots=True)
class Card:
    """One rep's schedule for one question.

    Attributes:
        question_key: the question's ``StoredQuestion.key``.
        due: when the question is next due (aware, UTC).
        state: the FSRS card as ``fsrs.Card.to_dict()`` gives it (JSON-able); store it as is.
        reviews: how many answers the card has seen.
        lapses: wrong answers after the first answer.
        last_review: when it was last answered (aware, UTC), ``None`` if never.
        last_correct: whether the last answer was right, ``None`` if never answered.
    """

    question_key: int
    due: datetime
    state: dict[str, Any]
    reviews: int = 0
    lapses: int = 0
    last_review: datetime | None = None
    last_correct: bool | None = None


def rating_for(correct: bool, seconds: float | None) -> fsrs.Rating:
    """The FSRS rating of an answer.

    Args:
        correct: whether the rep chose the right option.
        seconds: how long the rep took; ``None`` (or negative, a clock glitch) if unknown.

    Returns:
        Again if wrong; if right, Easy within ``EASY_SECONDS``, Hard beyond ``HARD_SECONDS``,
        and Good otherwise or when the time is unknown.
    """
    if not correct:
        return fsrs.Rating.Again
    if seconds is None or seconds < 0:
        return fsrs.Rating.Good
    if seconds <= EASY_SECONDS:
        return fsrs.Rating.Easy
    if seconds > HARD_SECONDS:
        return fsrs.Rating.Hard
    return fsrs.Rating.Good


def review(
    card: Card | None,
    question_key: int,
    correct: bool,
    seconds: float | None,
    now: datetime,
    *,
    tz: ZoneInfo,
    working: Callable[[date], bool],
) -> Card:
    """Record an answer and schedule the question again.

    Args:
        card: the rep's card for the question, ``None`` the first time it is answered.
        question_key: the question answered.
        correct: whether the answer was right.
        seconds: how long the rep took, ``None`` if unknown (see :func:`rating_for`).
        now: when the answer came (aware).
        tz: the team's time zone, in which working days are counted.
        working: whether a team-local date is a working day.

    Returns:
        The updated card. Its due date is FSRS's, unless that falls on a day that is not
        working: then it is ``DAY_START`` on the next working day (looked for up to
        ``MAX_SHIFT_DAYS`` ahead).

    Raises:
        ValueError: ``now`` is naive, or ``card`` belongs to another question.
    """
    at = _utc(now)
    if card is not None and card.question_key != question_key:
        raise ValueError(f"card is for question {card.question_key}, not {question_key}")
    before = _fsrs_card(card) if card is not None else fsrs.Card(card_id=question_key, due=at)
    after, _log = SCHEDULER.review_card(before, rating_for(correct, seconds), review_datetime=at)
    reviews, lapses = (card.reviews, card.lapses) if card is not None else (0, 0)
    return Card(
        question_key=question_key,
        due=_on_working_day(after.due, tz, working),
        state=dict(after.to_dict()),
        reviews=reviews + 1,
        lapses=lapses + int(reviews > 0 and not correct),
        last_review=at,
        last_correct=correct,
    )


def due_questions(
    cards: Mapping[int, Card],
    questions: Sequence[StoredQuestion],
    now: datetime,
    limit: int,
) -> list[StoredQuestion]:
    """The questions to ask a rep now.

    Args:
        cards: the rep's cards by question key.
        questions: the live questions, in the order new ones should be asked.
        now: the current instant (aware).
        limit: at most this many questions.

    Returns:
        Due questions first, the most overdue first; then questions never answered, in the
        order given. Cards of questions not in ``questions`` (retired) are ignored.
    """
    if limit <= 0:
        return []
    at = _utc(now)
    live = _live(questions)
    order = {key: position for position, key in enumerate(live)}
    due_keys = sorted(
        (key for key, card in cards.items() if key in live and card.due <= at),
        key=lambda key: (cards[key].due, order[key]),
    )
    unseen = [key for key in live if key not in cards]
    return [live[key] for key in [*due_keys, *unseen][:limit]]


def next_due(cards: Mapping[int, Card], questions: Sequence[StoredQuestion]) -> datetime | None:
    """When the earliest live question falls due (for "all caught up until …").

    Returns:
        The earliest due date among cards of live questions; ``None`` if there are none.
    """
    live = _live(questions)
    return min((card.due for key, card in cards.items() if key in live), default=None)


@dataclass(frozen=True, slots=True)
class TagMastery:
    """How well a rep knows the questions with one tag.

    Attributes:
        tag: the tag.
        seen: live questions with the tag the rep has answered.
        total: live questions with the tag.
        mastery: 0..1; see :func:`mastery`.
    """

    tag: str
    seen: int
    total: int
    mastery: float


def mastery(
    cards: Mapping[int, Card], questions: Sequence[StoredQuestion], now: datetime
) -> list[TagMastery]:
    """A rep's mastery per tag over the live questions.

    A question scores FSRS's retrievability at ``now`` (the chance the rep still knows it), or
    0 when it was never answered or its last answer was wrong: retrievability is near 1 just
    after any answer, and a wrong one is not knowledge. A tag's mastery is the mean score of
    its questions, that is the mean over the seen ones times ``seen / total``.

    Returns:
        One entry per tag, weakest first, then by tag.
    """
    at = _utc(now)
    total: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    score: dict[str, float] = defaultdict(float)
    for key, question in _live(questions).items():
        card = cards.get(key)
        for tag in dict.fromkeys(question.question.tags):
            total[tag] += 1
            if card is not None:
                seen[tag] += 1
                score[tag] += _recall(card, at)
    tags = [TagMastery(tag, seen[tag], count, score[tag] / count) for tag, count in total.items()]
    return sorted(tags, key=lambda t: (t.mastery, t.tag))


# ----------------------------------------------------------------------------- battle
@dataclass(frozen=True, slots=True)
class BattleAnswer:
    """One answer in a group battle; ``seconds`` since the question opened."""

    user_id: int
    question: int
    correct: bool
    seconds: float


@dataclass(frozen=True, slots=True)
class BattleRow:
    """One line of a battle board.

    Attributes:
        rank: 1 for the best; equal results share a rank and the next rank skips (1, 1, 3).
        user_id: the rep.
        points: the sum of :func:`battle_points` over the rep's answers.
        correct: right answers.
        answered: questions answered.
        seconds: mean seconds of the right answers (0.0 if none).
    """

    rank: int
    user_id: int
    points: int
    correct: int
    answered: int
    seconds: float


def battle_points(correct: bool, seconds: float, open_seconds: float) -> int:
    """Points for one battle answer: nothing if wrong, more the faster if right.

    Args:
        correct: whether the answer was right.
        seconds: seconds from the question opening to the answer.
        open_seconds: how long the question stays open.

    Raises:
        ValueError: ``open_seconds`` is not positive.
    """
    if open_seconds <= 0:
        raise ValueError("open_seconds must be positive")
    if not correct:
        return 0
    late = min(max(seconds / open_seconds, 0.0), 1.0)
    return BATTLE_BASE_POINTS + round(BATTLE_SPEED_POINTS * (1 - late))


def battle_board(answers: Iterable[BattleAnswer], open_seconds: float) -> list[BattleRow]:
    """The board of a battle.

    Only a rep's first answer to a question counts. Reps are ranked by points, then right
    answers, then mean seconds of right answers (faster first), then user id; equal points,
    right answers and seconds share a rank.

    Args:
        answers: the battle's answers, in the order they arrived.
        open_seconds: how long each question stays open (see :func:`battle_points`).
    """
    first: dict[tuple[int, int], BattleAnswer] = {}
    for answer in answers:
        first.setdefault((answer.user_id, answer.question), answer)
    by_user: dict[int, list[BattleAnswer]] = defaultdict(list)
    for answer in first.values():
        by_user[answer.user_id].append(answer)
    tallies = sorted(
        (_tally(user_id, mine, open_seconds) for user_id, mine in by_user.items()),
        key=lambda row: (-row.points, -row.correct, row.seconds, row.user_id),
    )
    rows: list[BattleRow] = []
    for position, row in enumerate(tallies, start=1):
        tied = rows and _result(rows[-1]) == _result(row)
        rows.append(replace(row, rank=rows[-1].rank if tied else position))
    return rows


def _tally(user_id: int, answers: list[BattleAnswer], open_seconds: float) -> BattleRow:
    right = [a.seconds for a in answers if a.correct]
    return BattleRow(
        rank=0,
        user_id=user_id,
        points=sum(battle_points(a.correct, a.seconds, open_seconds) for a in answers),
        correct=len(right),
        answered=len(answers),
        seconds=sum(right) / len(right) if right else 0.0,
    )


def _result(row: BattleRow) -> tuple[int, int, float]:
    return row.points, row.correct, row.seconds


# ----------------------------------------------------------------------------- knowledge gaps
@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One quiz answer of a rep, for the manager's view."""

    user_id: int
    question_key: int
    correct: bool


@dataclass(frozen=True, slots=True)
class Gap:
    """A question or tag the team often gets wrong.

    Attributes:
        label: the question's text, or the tag.
        asked: answers given.
        wrong: wrong answers among them.
        people: reps with at least one wrong answer.
    """

    label: str
    asked: int
    wrong: int
    people: int

    @property
    def rate(self) -> float:
        """The share of answers that were wrong (0..1)."""
        return self.wrong / self.asked if self.asked else 0.0


def knowledge_gaps(
    answers: Iterable[AnswerRecord],
    questions: Sequence[StoredQuestion],
    *,
    min_asked: int = 3,
    limit: int = 5,
) -> tuple[list[Gap], list[Gap]]:
    """The questions and the tags the team most often gets wrong.

    Only live questions count; an item needs ``min_asked`` answers and at least one wrong one.

    Args:
        answers: the team's answers over the period.
        questions: the live questions.
        min_asked: fewer answers than this say too little to show.
        limit: at most this many items in each list.

    Returns:
        (questions, tags), each by wrong rate, then wrong answers (both most first), then label.
    """
    live = _live(questions)
    by_question: dict[int, list[AnswerRecord]] = defaultdict(list)
    by_tag: dict[str, list[AnswerRecord]] = defaultdict(list)
    for answer in answers:
        question = live.get(answer.question_key)
        if question is None:
            continue
        by_question[answer.question_key].append(answer)
        for tag in dict.fromkeys(question.question.tags):
            by_tag[tag].append(answer)
    question_gaps = [_gap(live[key].question.text, group) for key, group in by_question.items()]
    tag_gaps = [_gap(tag, group) for tag, group in by_tag.items()]
    return _worst(question_gaps, min_asked, limit), _worst(tag_gaps, min_asked, limit)


def _gap(label: str, answers: list[AnswerRecord]) -> Gap:
    wrong = [a for a in answers if not a.correct]
    return Gap(label, len(answers), len(wrong), len({a.user_id for a in wrong}))


def _worst(gaps: list[Gap], min_asked: int, limit: int) -> list[Gap]:
    shown = [g for g in gaps if g.asked >= min_asked and g.wrong > 0]
    return sorted(shown, key=lambda g: (-g.rate, -g.wrong, g.label))[: max(limit, 0)]


# ----------------------------------------------------------------------------- helpers
def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC as ``datetime.UTC`` (FSRS refuses any other tzinfo)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


def _live(questions: Sequence[StoredQuestion]) -> dict[int, StoredQuestion]:
    return {q.key: q for q in questions}


def _fsrs_card(card: Card) -> fsrs.Card:
    return fsrs.Card.from_dict(cast(CardDict, card.state))


def _recall(card: Card, at: datetime) -> float:
    if not card.last_correct:
        return 0.0
    return SCHEDULER.get_card_retrievability(_fsrs_card(card), current_datetime=at)


def _on_working_day(due: datetime, tz: ZoneInfo, working: Callable[[date], bool]) -> datetime:
    """``due``, or ``DAY_START`` on the next working day if its local day is not working."""
    day = due.astimezone(tz).date()
    if working(day):
        return due.astimezone(UTC)
    for ahead in range(1, MAX_SHIFT_DAYS + 1):
        candidate = day + timedelta(days=ahead)
        if working(candidate):
            return datetime.combine(candidate, DAY_START, tzinfo=tz).astimezone(UTC)
    return due.astimezone(UTC)
