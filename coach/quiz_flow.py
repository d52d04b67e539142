"""Product quiz use cases: which question to send, what an answer to a quiz poll does.

A private round is up to :data:`ROUND` questions, one poll at a time: each answer schedules the
question again (``coach.quiz.review``, days off skipped) and brings the next due one. Answers
arrive as poll answers naming only the poll, so every poll sent is recorded with its question,
correct option and sending time; an answer counts once (a replayed update changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coach import repdays
from coach.content import StoredQuestion
from coach.models import Lang, Person, Team
from coach.onboarding import managed_team, team_of
from coach.ports import UnitOfWork
from coach.practice import PollKind, QuizAnswer, QuizPoll
from coach.quiz import (
    AnswerRecord,
    Card,
    Gap,
    TagMastery,
    due_questions,
    knowledge_gaps,
    mastery,
    next_due,
    review,
)
from coach.team_content import questions_for

ROUND = 5
"""Questions in one private round (``/quiz``)."""

GAP_DAYS = 30
"""The knowledge-gap view looks at this many days of answers."""


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """A question to send as a quiz poll, its place in the round and the team it counts for."""

    stored: StoredQuestion
    index: int
    team_id: int


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """Nothing due: when the next question falls due (team-local), if any."""

    next_due: datetime | None
    timezone: str


@dataclass(frozen=True, slots=True)
class RoundScore:
    """Right answers among the questions of a round answered so far."""

    right: int
    asked: int


@dataclass(frozen=True, slots=True)
class QuizAnswered:
    """A private quiz answer: right or wrong, when the question comes back, what comes next."""

    correct: bool
    card: Card
    timezone: str
    following: QuizQuestion | CaughtUp | None  # None: the round is over
    round: RoundScore | None = None  # when the round ends here (over, or nothing more due)


def start_quiz(uow: UnitOfWork, person: Person, now: datetime) -> QuizQuestion | CaughtUp:
    """The first question of a round (``/quiz``), or when the next one falls due."""
    team = team_of(uow, person)
    return _next(uow, person, team, now, index=0, skip=None)


def _next(
    uow: UnitOfWork, person: Person, team: Team, now: datetime, index: int, skip: int | None
) -> QuizQuestion | CaughtUp:
    questions = questions_for(uow, team, person.language.value)
    if skip is not None:
        questions = [q for q in questions if q.key != skip]
    cards = uow.practice.cards(person.user_id)
    found = due_questions(cards, questions, now, 1)
    if found:
        return QuizQuestion(found[0], index, team.id)
    return CaughtUp(next_due(cards, questions), team.timezone)


def record_poll(uow: UnitOfWork, person: Person, now: datetime, poll: QuizPoll) -> None:
    """Remember a quiz poll just sent, so its answers can be scored."""
    uow.practice.add_poll(poll)


def private_poll(
    sent: QuizQuestion, person: Person, poll_id: str, message_id: int, now: datetime
) -> QuizPoll:
    return QuizPoll(
        poll_id=poll_id,
        kind=PollKind.QUIZ,
        chat_id=person.user_id,
        message_id=message_id,
        team_id=sent.team_id,
        question_key=sent.stored.key,
        correct=sent.stored.question.correct,
        sent_at=now,
        user_id=person.user_id,
        index=sent.index,
    )


def answer_poll(
    uow: UnitOfWork, person: Person, now: datetime, poll_id: str, options: tuple[int, ...]
) -> QuizAnswered | QuizAnswer | None:
    """Score an answer to one of our quiz polls.

    Returns ``None`` for a poll we do not know, a retracted vote, someone else's private quiz or
    an answer already counted; the stored :class:`QuizAnswer` for a battle answer; and
    :class:`QuizAnswered` for a private quiz.
    """
    poll = uow.practice.poll(poll_id)
    if poll is None or not options:
        return None
    if poll.kind is PollKind.QUIZ and poll.user_id != person.user_id:
        return None
    seconds = max((now - poll.sent_at).total_seconds(), 0.0)
    answer = QuizAnswer(
        poll_id=poll.poll_id,
        user_id=person.user_id,
        team_id=poll.team_id,
        question_key=poll.question_key,
        option=options[0],
        correct=options[0] == poll.correct,
        seconds=round(seconds, 2),
        answered_at=now,
        battle_id=poll.battle_id,
    )
    if not uow.practice.add_answer(answer):
        return None
    if poll.kind is PollKind.BATTLE:
        return answer
    team = uow.teams.get(poll.team_id)
    if team is None:
        return None
    calendar = repdays.team_calendar(team)
    card = review(
        uow.practice.cards(person.user_id).get(poll.question_key),
        poll.question_key,
        answer.correct,
        seconds,
        now,
        tz=ZoneInfo(team.timezone),
        working=calendar.is_working_day,
    )
    uow.practice.save_card(person.user_id, card)
    following: QuizQuestion | CaughtUp | None = None
    if poll.index + 1 < ROUND:
        following = _next(uow, person, team, now, poll.index + 1, skip=poll.question_key)
    score = None if isinstance(following, QuizQuestion) else _round_score(uow, poll, answer)
    return QuizAnswered(answer.correct, card, team.timezone, following, score)


ROUND_LOOKBACK = timedelta(days=7)
"""How far back the answers of a round's earlier questions are looked for."""


def _round_score(uow: UnitOfWork, poll: QuizPoll, answer: QuizAnswer) -> RoundScore:
    """The score of the round ``poll`` (a private quiz poll, just answered) ends.

    A round's polls are numbered 0, 1, … and each is sent once the one before was answered,
    so the rep's latest earlier answers, walked back while their polls count down to 0, are
    the round's.
    """
    right, asked = int(answer.correct), 1
    expected = poll.index - 1
    if expected < 0:
        return RoundScore(right, asked)
    earlier = uow.practice.quiz_answers(
        answer.user_id, poll.sent_at - ROUND_LOOKBACK, limit=poll.index + 1
    )
    for previous in (a for a in earlier if a.poll_id != poll.poll_id):
        sent = uow.practice.poll(previous.poll_id)
        if sent is None or sent.kind is not PollKind.QUIZ or sent.index != expected:
            break
        right += int(previous.correct)
        asked += 1
        expected -= 1
        if expected < 0:
            break
    return RoundScore(right, asked)


@dataclass(frozen=True, slots=True)
class QuizStanding:
    """What ``/me`` shows of the quiz: mastery per tag and the next due date."""

    tags: list[TagMastery]
    next_due: datetime | None
    due_now: int
    timezone: str


def standing(uow: UnitOfWork, person: Person, now: datetime) -> QuizStanding:
    team = team_of(uow, person)
    questions = questions_for(uow, team, person.language.value)
    cards = uow.practice.cards(person.user_id)
    live = {q.key for q in questions}
    due = sum(1 for key, card in cards.items() if key in live and card.due <= now)
    return QuizStanding(
        mastery(cards, questions, now), next_due(cards, questions), due, team.timezone
    )


@dataclass(frozen=True, slots=True)
class KnowledgeGaps:
    questions: list[Gap]
    tags: list[Gap]
    answers: int
    days: int


def team_gaps(uow: UnitOfWork, person: Person, now: datetime) -> KnowledgeGaps:
    """The questions and tags the manager's team gets wrong most (last :data:`GAP_DAYS`)."""
    team = managed_team(uow, person)
    answers = uow.practice.answers(team.id, now - timedelta(days=GAP_DAYS))
    records = [AnswerRecord(a.user_id, a.question_key, a.correct) for a in answers]
    questions = [q for lang in Lang for q in questions_for(uow, team, lang.value)]
    worst_questions, worst_tags = knowledge_gaps(records, questions)
    return KnowledgeGaps(worst_questions, worst_tags, len(records), GAP_DAYS)
