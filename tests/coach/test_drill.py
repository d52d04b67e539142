"""Drills: history and weakness, choosing the next objection, and one drill's session."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from coach.content import LAER, Category, LaerStep, Objection, StoredObjection, read_pack
from coach.drill import (
    Choice,
    DrillResult,
    DrillState,
    answer_free,
    answer_step,
    category_shares,
    choose_objection,
    grade,
    objection_weights,
    result,
    start,
    weakness,
)
from coach.laer import MAX_CHARS

PACKS = Path(__file__).parents[2] / "coach" / "packs"
L, A, E, R = LAER
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@cache
def pack(lang: str) -> tuple[Objection, ...]:
    return read_pack((PACKS / f"default.{lang}.yaml").read_bytes()).objections


def objection(lang: str, objection_id: str) -> Objection:
    return next(o for o in pack(lang) if o.id == objection_id)


@cache
def stored(lang: str = "en") -> tuple[StoredObjection, ...]:
    return tuple(StoredObjection(i + 1, 1, "default", o) for i, o in enumerate(pack(lang)))


def drilled(key: int, category: Category, minutes: int, *points: int) -> DrillResult:
    """A drill ``minutes`` after T0 with ``points`` per step in LAER order (1 each if none)."""
    per_step = dict(zip(LAER, points or (1, 1, 1, 1), strict=True))
    return DrillResult(key, category, T0 + timedelta(minutes=minutes), per_step)


def one_of(category: Category) -> StoredObjection:
    return next(s for s in stored() if s.objection.category is category)


# ----------------------------------------------------------------------------- results
def test_a_result_totals_its_points_out_of_eight():
    done = drilled(1, Category.PRICE, 0, 2, 1, 0, 2)
    assert (done.total, done.out_of, done.share) == (5, 8, 5 / 8)


@pytest.mark.parametrize(
    ("at", "points"),
    [
        (datetime(2025, 3, 3, 9, 0), dict.fromkeys(LAER, 1)),  # noqa: DTZ001 - naive on purpose
        (T0, {L: 1, A: 1, E: 1}),
        (T0, {L: 3, A: 1, E: 1, R: 1}),
    ],
    ids=["naive-time", "missing-step", "too-many-points"],
)
def test_a_result_refuses_bad_values(at: datetime, points: dict[LaerStep, int]):
    with pytest.raises(ValueError):
        DrillResult(1, Category.PRICE, at, points)


# ----------------------------------------------------------------------------- weakness
def test_no_drills_no_weakness():
    assert weakness([]) == weakness([], last=5)
    found = weakness([])
    assert (found.step, found.category, found.drills) == (None, None, 0)
    assert dict(found.steps) == {} and dict(found.categories) == {}


def test_weakness_finds_the_weakest_step_and_category():
    history = [
        drilled(1, Category.PRICE, 0, 2, 2, 0, 1),
        drilled(2, Category.TRUST, 1, 2, 1, 1, 2),
        drilled(3, Category.PRICE, 2, 2, 2, 1, 1),
    ]
    found = weakness(history)
    assert found.step is E
    assert found.steps[E] == pytest.approx(2 / 3)
    assert found.steps[L] == 2
    assert found.category is Category.PRICE
    assert found.categories[Category.PRICE] == pytest.approx((5 + 6) / 16)
    assert found.categories[Category.TRUST] == pytest.approx(6 / 8)
    assert found.drills == 3


def test_weakness_looks_at_the_most_recent_drills_only_in_any_order():
    old_bad = [drilled(1, Category.RISK, i, 0, 0, 0, 0) for i in range(5)]
    new_good = [drilled(2, Category.NEED, 100 + i, 2, 2, 2, 1) for i in range(20)]
    found = weakness(list(reversed(new_good + old_bad)))
    assert found.drills == 20
    assert set(found.categories) == {Category.NEED}
    assert found.step is R
    assert weakness(old_bad + new_good, last=25).category is Category.RISK


def test_weakness_ties_go_to_laer_order_and_category_order():
    history = [drilled(1, Category.TRUST, 0), drilled(2, Category.BUDGET, 1)]
    found = weakness(history)
    assert found.step is L
    assert found.category is Category.BUDGET


def test_category_shares_use_each_categorys_own_recent_drills():
    history = [drilled(1, Category.RISK, i, 0, 0, 0, 0) for i in range(3)]
    history += [drilled(1, Category.RISK, 10 + i, 2, 2, 2, 2) for i in range(5)]
    history += [drilled(2, Category.NEED, 100 + i) for i in range(30)]
    shares = category_shares(history)
    assert shares == {Category.RISK: 1.0, Category.NEED: 0.5}


# ----------------------------------------------------------------------------- choosing
def test_weights_follow_the_rules():
    price, trust, need, risk = (
        one_of(c) for c in (Category.PRICE, Category.TRUST, Category.NEED, Category.RISK)
    )
    history = [
        drilled(price.key, Category.PRICE, 0, 1, 1, 1, 1),  # share 0.5
        drilled(trust.key, Category.TRUST, 1, 2, 2, 2, 2),  # share 1.0
        drilled(99, Category.TRUST, 2, 2, 2, 2, 2),
        drilled(98, Category.TRUST, 3, 2, 2, 2, 2),  # the last three: trust, 99, 98
    ]
    field = {Category.NEED: 5, Category.PRICE: 1}
    weights = objection_weights([price, trust, need, risk], history, field)
    assert weights == pytest.approx(
        [
            1 + 2 * 0.5 + 1,  # weak category, met once
            (1 + 0) * 0.1,  # strong category, drilled in the last three
            1 + 1.5 + 3,  # new, met five times (counted up to three)
            1 + 1.5,  # new
        ]
    )


def test_an_objection_of_the_last_three_drills_is_rare_not_impossible():
    price = [s for s in stored() if s.objection.category is Category.PRICE][:2]
    history = [drilled(price[0].key, Category.PRICE, 0)]
    picks = Counter(
        choose_objection(price, history, {}, random.Random(seed)).objection.key
        for seed in range(2000)
    )
    assert picks[price[0].key] > 0
    assert picks[price[1].key] > 8 * picks[price[0].key]


def test_weak_categories_come_back_more_often():
    strong, weak = one_of(Category.TRUST), one_of(Category.PRICE)
    history = [drilled(90 + i, Category.TRUST, i, 2, 2, 2, 2) for i in range(3)]
    history += [drilled(80 + i, Category.PRICE, 10 + i, 0, 0, 1, 0) for i in range(3)]
    picks = Counter(
        choose_objection([strong, weak], history, {}, random.Random(seed)).objection.key
        for seed in range(1000)
    )
    assert picks[weak.key] > 2 * picks[strong.key]


def test_the_choice_is_deterministic_for_a_seed():
    history = [drilled(3, Category.PRICE, 0), drilled(20, Category.NEED, 1)]
    field = {Category.RISK: 2}
    first = [choose_objection(stored(), history, field, random.Random(7)) for _ in range(3)]
    assert len({c.objection.key for c in first}) == 1
    rng = random.Random(11)
    runs = [choose_objection(stored(), history, field, rng).objection.key for _ in range(20)]
    rng = random.Random(11)
    again = [choose_objection(stored(), history, field, rng).objection.key for _ in range(20)]
    assert runs == again


def test_choosing_from_nothing_is_refused():
    with pytest.raises(ValueError):
        choose_objection([], [], {}, random.Random(1))


def test_one_objection_is_always_chosen_even_if_just_drilled():
    only = one_of(Category.RISK)
    history = [drilled(only.key, Category.RISK, 0)]
    assert choose_objection([only], history, {}, random.Random(3)).objection == only


@pytest.mark.parametrize(
    ("history", "field", "reason", "share", "met"),
    [
        ([drilled(50, Category.PRICE, 0, 0, 0, 1, 0)], {}, "weak_category", 1 / 8, 0),
        ([drilled(50, Category.PRICE, 0, 2, 2, 2, 2)], {Category.PRICE: 2}, "field", 1.0, 2),
        ([], {}, "new_category", None, 0),
        ([drilled(50, Category.PRICE, 0, 2, 2, 2, 1)], {}, "random", 7 / 8, 0),
    ],
    ids=["weak", "field", "new", "nothing-special"],
)
def test_the_choice_says_why(
    history: list[DrillResult], field: dict[Category, int], reason: str, share, met: int
):
    price = one_of(Category.PRICE)
    choice = choose_objection([price], history, field, random.Random(1))
    assert choice == Choice(price, reason, share, met)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the session
def test_steps_mode_walks_the_four_steps_in_order():
    state = start(7, "steps")
    seen = []
    for text in ("one", "two", "three", "four"):
        seen.append(state.next_step)
        state = answer_step(state, text)
    assert seen == list(LAER)
    assert state.next_step is None and state.done
    assert dict(state.answers) == {
        "listen": "one",
        "acknowledge": "two",
        "explore": "three",
        "respond": "four",
    }
    with pytest.raises(ValueError):
        answer_step(state, "five")


def test_the_state_survives_json():
    state = answer_step(answer_step(start(7, "steps"), "So you're saying…"), "x" * 3000)
    data = json.loads(json.dumps(state.to_data()))
    assert DrillState.from_data(data) == state
    assert DrillState.from_data(data).next_step is E


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"objection_key": "7", "mode": "steps"},
        {"objection_key": True, "mode": "steps"},
        {"objection_key": 7, "mode": "chat"},
        {"objection_key": 7, "mode": "steps", "answers": {"close": "x"}},
        {"objection_key": 7, "mode": "steps", "answers": {"listen": 3}},
        {"objection_key": 7, "mode": "steps", "answers": ["x"]},
        {"objection_key": 7, "mode": "steps", "capped": {"listen": 1}},
    ],
)
def test_bad_stored_state_is_refused(data: object):
    with pytest.raises(ValueError):
        DrillState.from_data(data)  # type: ignore[arg-type]


def test_answers_are_capped_before_they_are_stored():
    state = answer_step(start(1, "steps"), "我" * (MAX_CHARS + 500))
    assert len(state.answers["listen"]) == MAX_CHARS
    assert state.capped == ("listen",)
    assert len(json.dumps(state.to_data(), ensure_ascii=False)) < MAX_CHARS + 200


def test_a_cut_answer_is_graded_as_cut():
    state = start(1, "steps")
    state = answer_step(state, "So you're saying the price is high? " * 80)
    for text in ("I understand.", "What worries you most?", "A client saved 20%."):
        state = answer_step(state, text)
    graded = grade(state, objection("en", "price-too-expensive"), "en")
    assert [r.code for r in graded.steps[L].reasons].count("capped") == 1
    assert all("capped" not in [r.code for r in graded.steps[s].reasons] for s in (A, E, R))


def test_free_mode_splits_one_answer_into_the_steps():
    text = (
        "1. So you're saying ¥120,000 a year is more than you planned, right? "
        "2. That makes sense, it's a big spend. "
        "3. What are you comparing it with? "
        "4. A supermarket chain cut stock-outs 35% and saved ¥2 million a year."
    )
    state = answer_free(start(4, "free"), text, "en")
    assert state.done
    assert state.answers["explore"] == "What are you comparing it with?"
    graded = grade(state, objection("en", "price-too-expensive"), "en")
    assert graded.steps[L].points == 2
    assert graded.steps[E].points >= 1
    with pytest.raises(ValueError):
        answer_free(state, text, "en")
    with pytest.raises(ValueError):
        answer_step(state, "more")


def test_free_mode_caps_the_text_and_marks_the_last_step_cut():
    text = "您的意思是价格太高了，对吗？我理解。您最担心什么？" + "一家超市省了20%。" * 300
    state = answer_free(start(4, "free"), text, "zh")
    assert sum(len(t) for t in state.answers.values()) <= MAX_CHARS
    assert state.capped == ("respond",)
    graded = grade(state, objection("zh", "price-too-expensive"), "zh")
    assert "capped" in [r.code for r in graded.steps[R].reasons]


def test_modes_do_not_mix():
    with pytest.raises(ValueError):
        answer_free(start(1, "steps"), "text", "en")
    with pytest.raises(ValueError):
        answer_step(start(1, "free"), "text")


@pytest.mark.parametrize("text", ["", " ", "🙂", "<b>x</b>", "{{ 7*7 }}", "a"])
def test_odd_answers_are_kept_and_graded_zero(text: str):
    state = start(1, "steps")
    for _ in LAER:
        state = answer_step(state, text)
    graded = grade(state, objection("en", "need-excel-enough"), "en")
    assert graded.total == 0
    assert graded.out_of == 8


def test_an_unfinished_drill_grades_the_missing_steps_as_empty():
    state = answer_step(start(1, "steps"), "So you're saying Excel works fine for you?")
    graded = grade(state, objection("en", "need-excel-enough"), "en")
    assert graded.steps[L].points >= 1
    assert [graded.steps[s].reasons[0].code for s in (A, E, R)] == ["empty"] * 3


def test_a_graded_drill_becomes_a_result_without_its_text():
    state = start(12, "steps")
    for text in (
        "So you're saying Excel works fine for you, right?",
        "That makes sense — Excel is familiar and costs nothing.",
        "How much time does the team spend reconciling sheets each week?",
        "A supermarket chain cut stock-outs 35% in three months.",
    ):
        state = answer_step(state, text)
    graded = grade(state, objection("en", "need-excel-enough"), "en")
    done = result(state, graded, Category.NEED, T0)
    assert done.objection_key == 12
    assert done.total == graded.total
    assert dict(done.points) == {s: graded.steps[s].points for s in LAER}
    assert [f.name for f in fields(done)] == ["objection_key", "category", "at", "points"]
