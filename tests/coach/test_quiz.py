"""Quiz rules: the FSRS schedule on a work calendar, what to ask next, mastery, battles, gaps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import pytest

from coach.content import Question, StoredQuestion, read_pack
from coach.quiz import (
    SCHEDULER,
    AnswerRecord,
    BattleAnswer,
    BattleRow,
    Card,
    Gap,
    TagMastery,
    battle_board,
    battle_points,
    due_questions,
    knowledge_gaps,
    mastery,
    next_due,
    rating_for,
    review,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY = date(2025, 3, 10)  # a Monday off, made up for these tests
GOOD, EASY, HARD = 20.0, 5.0, 60.0  # answer times that rate a right answer Good, Easy, Hard
PACKS = Path(__file__).parents[2] / "coach" / "packs"


def working(day: date) -> bool:
    return day.weekday() < 5 and day != HOLIDAY


def every_day(day: date) -> bool:
    return True


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def stored(key: int, *tags: str, text: str = "") -> StoredQuestion:
    question = Question(
        id=f"q{key}",
        text=text or f"Question {key}?",
        options=("yes", "no"),
        correct=0,
        explanation="Because.",
        tags=tags,
    )
    return StoredQuestion(key=key, scope=1, pack_id="test", question=question)


def answer(
    card: Card | None,
    key: int,
    correct: bool,
    at: datetime,
    seconds: float | None = GOOD,
    calendar=every_day,
) -> Card:
    return review(card, key, correct, seconds, at, tz=SHANGHAI, working=calendar)


def answered(
    key: int, correct: bool, at: datetime, seconds: float | None = GOOD, calendar=every_day
) -> Card:
    return answer(None, key, correct, at, seconds, calendar)


@cache
def default_questions() -> tuple[StoredQuestion, ...]:
    pack = read_pack((PACKS / "default.en.yaml").read_bytes())
    return tuple(
        StoredQuestion(key=n, scope=0, pack_id=pack.id, question=q)
        for n, q in enumerate(pack.questions, start=1)
    )


# ----------------------------------------------------------------------------- rating
@pytest.mark.parametrize(
    ("correct", "seconds", "rating"),
    [
        (False, 3.0, fsrs.Rating.Again),
        (False, None, fsrs.Rating.Again),
        (True, 0.0, fsrs.Rating.Easy),
        (True, 8.0, fsrs.Rating.Easy),
        (True, 8.5, fsrs.Rating.Good),
        (True, 45.0, fsrs.Rating.Good),
        (True, 45.5, fsrs.Rating.Hard),
        (True, None, fsrs.Rating.Good),
        (True, -2.0, fsrs.Rating.Good),
    ],
    ids=[
        "wrong",
        "wrong-untimed",
        "instant",
        "8s-easy",
        "8.5s-good",
        "45s-good",
        "45.5s-hard",
        "untimed-good",
        "negative-time-good",
    ],
)
def test_rating_follows_correctness_and_answer_time(
    correct: bool, seconds: float | None, rating: fsrs.Rating
):
    assert rating_for(correct, seconds) is rating


# ----------------------------------------------------------------------------- schedule
def test_each_right_answer_pushes_the_next_one_further():
    at = local(2025, 3, 3, 10)
    card, intervals = None, []
    for _ in range(4):
        card = answer(card, 7, True, at)
        assert card.last_review == at
        intervals.append(card.due - at)
        at = card.due
    assert intervals[0] >= timedelta(days=1)
    assert intervals == sorted(set(intervals))  # strictly increasing
    assert (card.reviews, card.lapses, card.last_correct) == (4, 0, True)


def test_a_wrong_answer_brings_the_question_back_and_counts_a_lapse():
    first = answered(7, True, local(2025, 3, 3, 10))
    second = answer(first, 7, True, first.due)
    learnt_interval = second.due - first.due

    lapsed = answer(second, 7, False, second.due)

    assert lapsed.due - second.due < learnt_interval
    assert lapsed.due - second.due <= first.due - local(2025, 3, 3, 10)  # as soon as at first
    assert (lapsed.reviews, lapsed.lapses, lapsed.last_correct) == (3, 1, False)
    assert lapsed.last_review == second.due


def test_a_wrong_first_answer_is_not_a_lapse():
    at = local(2025, 3, 3, 10)
    card = answered(7, False, at)
    assert (card.reviews, card.lapses, card.last_correct) == (1, 0, False)
    assert card.due == at + timedelta(days=1)


def test_easy_beats_good_beats_hard():
    at = local(2025, 3, 3, 10)
    easy, good, hard = (answered(7, True, at, seconds) for seconds in (EASY, GOOD, HARD))
    assert easy.due > good.due > hard.due > at


def test_unknown_answer_time_schedules_like_good():
    at = local(2025, 3, 3, 10)
    assert answered(7, True, at, None) == answered(7, True, at, GOOD)


@pytest.mark.parametrize(
    ("correct", "at", "due"),
    [
        # Good is 2 days: Thursday -> Saturday; Sunday off and Monday a holiday -> Tuesday 09:00
        (True, local(2025, 3, 6, 15), local(2025, 3, 11, 9)),
        # Wednesday -> Friday, a working day: FSRS's time of day stays
        (True, local(2025, 3, 5, 15), local(2025, 3, 7, 15)),
        # Friday -> Sunday -> Monday 09:00 (no holiday that week)
        (True, local(2025, 3, 14, 15), local(2025, 3, 17, 9)),
        # a wrong answer is due in a day: Friday -> Saturday -> Tuesday 09:00
        (False, local(2025, 3, 7, 15), local(2025, 3, 11, 9)),
        # Friday 07:30 in Shanghai is still Thursday in UTC: the local day decides
        (False, local(2025, 3, 7, 7, 30), local(2025, 3, 11, 9)),
        # Thursday 23:30 -> Friday 23:30: still Friday locally, so it stays
        (False, local(2025, 3, 6, 23, 30), local(2025, 3, 7, 23, 30)),
    ],
    ids=[
        "sat-over-holiday-to-tue",
        "fri-stays",
        "sun-to-mon",
        "wrong-sat-to-tue",
        "local-sat-though-utc-fri",
        "late-fri-stays",
    ],
)
def test_due_dates_on_days_off_move_to_the_next_working_morning(
    correct: bool, at: datetime, due: datetime
):
    card = answered(7, correct, at, calendar=working)
    assert card.due == due
    assert card.due.tzinfo is UTC


def test_without_a_working_day_within_30_days_the_fsrs_due_date_stays():
    at = local(2025, 3, 6, 15)
    assert answered(7, True, at, calendar=lambda day: False).due == at + timedelta(days=2)


def test_card_round_trips_through_json():
    at = local(2025, 3, 3, 10)
    card = answer(answered(7, True, at), 7, False, at + timedelta(days=2))
    text = json.dumps(card.state)
    restored = Card(
        question_key=card.question_key,
        due=card.due,
        state=json.loads(text),
        reviews=card.reviews,
        lapses=card.lapses,
        last_review=card.last_review,
        last_correct=card.last_correct,
    )
    assert restored == card
    later = at + timedelta(days=3)
    assert answer(restored, 7, True, later) == answer(card, 7, True, later)


def test_review_refuses_a_naive_time_and_another_questions_card():
    card = answered(7, True, local(2025, 3, 3, 10))
    with pytest.raises(ValueError, match="aware"):
        answered(7, True, datetime(2025, 3, 3, 10))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="question 7"):
        answer(card, 8, True, local(2025, 3, 4, 10))


# ----------------------------------------------------------------------------- what to ask
NOW = local(2025, 3, 12, 10)


def card_due(key: int, due: datetime) -> Card:
    return Card(question_key=key, due=due, state={})


QUESTIONS = [stored(k) for k in (1, 2, 3, 4, 5)]
CARDS = {
    1: card_due(1, NOW + timedelta(days=1)),  # not yet
    2: card_due(2, NOW - timedelta(days=3)),
    4: card_due(4, NOW - timedelta(days=1)),
    5: card_due(5, NOW),  # due this instant
    9: card_due(9, NOW - timedelta(days=30)),  # question retired
}


def keys(questions: list[StoredQuestion]) -> list[int]:
    return [q.key for q in questions]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(10, [2, 4, 5, 3]), (3, [2, 4, 5]), (1, [2]), (0, [])],
)
def test_due_questions_most_overdue_first_then_new_ones_up_to_the_limit(
    limit: int, expected: list[int]
):
    assert keys(due_questions(CARDS, QUESTIONS, NOW, limit)) == expected


def test_new_questions_come_in_the_given_order():
    questions = [stored(k) for k in (30, 10, 20)]
    assert keys(due_questions({}, questions, NOW, 5)) == [30, 10, 20]
    assert keys(due_questions({}, list(default_questions()), NOW, 3)) == [1, 2, 3]


def test_equally_overdue_questions_keep_the_given_order():
    due = NOW - timedelta(hours=1)
    cards = {k: card_due(k, due) for k in (1, 2, 3)}
    questions = [stored(k) for k in (3, 1, 2)]
    assert keys(due_questions(cards, questions, NOW, 5)) == [3, 1, 2]


def test_next_due_is_the_earliest_live_card():
    assert next_due(CARDS, QUESTIONS) == NOW - timedelta(days=3)  # not the retired one
    assert next_due({9: CARDS[9]}, QUESTIONS) is None
    assert next_due({}, QUESTIONS) is None


# ----------------------------------------------------------------------------- mastery
def test_mastery_per_tag_weakest_first():
    questions = [
        stored(1, "pricing", "product"),
        stored(2, "pricing"),
        stored(3, "security"),
        stored(4, "product"),
        stored(5, "cases"),
        stored(6, "cases"),
    ]
    month_ago = NOW - timedelta(days=30)
    cards = {
        1: answered(1, True, NOW),
        2: answered(2, False, NOW),
        4: answered(4, True, month_ago),
        5: answered(5, True, NOW),
        99: answered(99, True, NOW),  # retired: no tag of its own
    }
    faded = SCHEDULER.get_card_retrievability(
        fsrs.Card.from_dict(cards[4].state), current_datetime=NOW.astimezone(UTC)
    )
    assert 0 < faded < 1

    assert mastery(cards, questions, NOW) == [
        TagMastery("security", seen=0, total=1, mastery=0.0),
        TagMastery("cases", seen=1, total=2, mastery=0.5),  # unseen counts as 0
        TagMastery("pricing", seen=2, total=2, mastery=0.5),  # a wrong last answer is 0
        TagMastery("product", seen=2, total=2, mastery=pytest.approx((1 + faded) / 2)),
    ]


def test_mastery_fades_with_time_and_recovers_with_a_right_answer():
    questions = [stored(1, "pricing")]
    card = answered(1, True, NOW)
    [fresh] = mastery({1: card}, questions, NOW)
    [later] = mastery({1: card}, questions, NOW + timedelta(days=20))
    assert fresh.mastery == 1.0
    assert 0 < later.mastery < fresh.mastery

    wrong = answer(card, 1, False, NOW + timedelta(days=20))
    assert mastery({1: wrong}, questions, NOW + timedelta(days=20))[0].mastery == 0.0
    right = answer(wrong, 1, True, NOW + timedelta(days=21))
    assert mastery({1: right}, questions, NOW + timedelta(days=21))[0].mastery == 1.0


def test_mastery_with_nothing_answered_lists_every_tag_at_zero():
    questions = default_questions()
    result = mastery({}, questions, NOW)
    assert [m.tag for m in result] == sorted({t for q in questions for t in q.question.tags})
    assert {(m.seen, m.mastery) for m in result} == {(0, 0.0)}
    assert sum(m.total for m in result) == sum(len(set(q.question.tags)) for q in questions)


# ----------------------------------------------------------------------------- battle
@pytest.mark.parametrize(
    ("correct", "seconds", "points"),
    [
        (False, 1.0, 0),
        (True, 0.0, 1000),
        (True, 3.0, 925),
        (True, 10.0, 750),
        (True, 20.0, 500),
        (True, 35.0, 500),
        (True, -1.0, 1000),
    ],
    ids=["wrong", "instant", "3s", "half-time", "at-close", "after-close", "negative"],
)
def test_battle_points_reward_right_and_fast(correct: bool, seconds: float, points: int):
    assert battle_points(correct, seconds, open_seconds=20.0) == points


def test_battle_points_need_an_open_time():
    with pytest.raises(ValueError, match="open_seconds"):
        battle_points(True, 1.0, open_seconds=0.0)


def test_battle_board_ranks_ties_and_counts_only_first_answers():
    answers = [
        BattleAnswer(user_id=2, question=1, correct=True, seconds=10.0),  # 750
        BattleAnswer(user_id=1, question=1, correct=True, seconds=2.0),  # 950
        BattleAnswer(user_id=3, question=1, correct=False, seconds=1.0),  # 0
        BattleAnswer(user_id=3, question=1, correct=True, seconds=1.5),  # a second try: ignored
        BattleAnswer(user_id=5, question=1, correct=True, seconds=20.0),  # 500
        BattleAnswer(user_id=4, question=1, correct=True, seconds=20.0),  # 500
        BattleAnswer(user_id=6, question=1, correct=False, seconds=3.0),  # 0
        BattleAnswer(user_id=1, question=2, correct=True, seconds=10.0),  # 750
        BattleAnswer(user_id=2, question=2, correct=True, seconds=2.0),  # 950
        BattleAnswer(user_id=3, question=2, correct=True, seconds=0.0),  # 1000
        BattleAnswer(user_id=4, question=2, correct=True, seconds=20.0),  # 500
        BattleAnswer(user_id=5, question=2, correct=True, seconds=30.0),  # 500, slower
    ]
    assert battle_board(answers, open_seconds=20.0) == [
        BattleRow(rank=1, user_id=1, points=1700, correct=2, answered=2, seconds=6.0),
        BattleRow(rank=1, user_id=2, points=1700, correct=2, answered=2, seconds=6.0),
        BattleRow(rank=3, user_id=4, points=1000, correct=2, answered=2, seconds=20.0),
        BattleRow(rank=4, user_id=5, points=1000, correct=2, answered=2, seconds=25.0),
        BattleRow(rank=5, user_id=3, points=1000, correct=1, answered=2, seconds=0.0),
        BattleRow(rank=6, user_id=6, points=0, correct=0, answered=1, seconds=0.0),
    ]


def test_battle_board_of_no_answers_is_empty():
    assert battle_board([], open_seconds=20.0) == []


# ----------------------------------------------------------------------------- gaps
def records(key: int, *results: tuple[int, bool]) -> list[AnswerRecord]:
    return [AnswerRecord(user_id=u, question_key=key, correct=c) for u, c in results]


def test_knowledge_gaps_by_question_and_tag():
    questions = [
        stored(1, "pricing", text="A?"),
        stored(2, "pricing", "security", text="B?"),
        stored(3, "security", text="C?"),
        stored(4, "cases", text="D?"),
    ]
    answers = [
        *records(1, (1, False), (1, False), (2, False), (3, True)),  # 3 of 4 wrong, 2 people
        *records(2, (1, True), (2, True), (3, False)),  # 1 of 3
        *records(3, (1, False), (2, False)),  # asked only twice
        *records(4, (1, True), (2, True), (3, True)),  # never wrong
        *records(99, (1, False), (2, False), (3, False)),  # retired
    ]
    by_question, by_tag = knowledge_gaps(answers, questions)
    assert by_question == [Gap("A?", asked=4, wrong=3, people=2), Gap("B?", 3, 1, 1)]
    assert by_tag == [Gap("security", asked=5, wrong=3, people=3), Gap("pricing", 7, 4, 3)]
    assert [g.rate for g in by_tag] == [0.6, 4 / 7]


def test_knowledge_gaps_order_thresholds_and_limit():
    questions = [stored(k, text=t) for k, t in ((1, "E?"), (2, "F?"), (3, "G?"), (4, "H?"))]
    answers = [
        *records(1, (1, False), (2, False), (3, True), (4, True)),  # 2 of 4
        *records(2, (1, False), (2, False), (3, False), (1, True), (2, True), (3, True)),  # 3/6
        *records(3, (5, False), (6, False), (7, True), (8, True)),  # 2 of 4, label after E
        *records(4, (1, False), (2, True)),  # 1 of 2
    ]
    by_question, by_tag = knowledge_gaps(answers, questions)
    assert [g.label for g in by_question] == ["F?", "E?", "G?"]
    assert by_tag == []
    assert [g.label for g in knowledge_gaps(answers, questions, limit=2)[0]] == ["F?", "E?"]
    loose = knowledge_gaps(answers, questions, min_asked=2)[0]
    assert [g.label for g in loose] == ["F?", "E?", "G?", "H?"]
    assert knowledge_gaps(answers, questions, min_asked=5)[0] == [Gap("F?", 6, 3, 3)]


def test_gap_rate_of_nothing_asked_is_zero():
    assert Gap("x", asked=0, wrong=0, people=0).rate == 0.0
