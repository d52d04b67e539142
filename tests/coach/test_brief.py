"""The coaching brief's pure parts: team totals, most improved, weak categories, 1:1 topics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from coach.brief import (
    BIG_STEP,
    LOW_ATTAINMENT,
    MIN_QUIZ_ANSWERS,
    STRONG,
    Topic,
    one_on_one,
    weak_categories,
    weakest_step,
)
from coach.content import LAER, Category, LaerStep
from coach.kpis import Kpi
from coach.practice import DrillRecord
from coach.scores import RepScore

AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def score(user_id: int = 1, name: str = "Ann", composite: str = "50", **extra) -> RepScore:
    values = dict(
        user_id=user_id,
        name=name,
        composite=Decimal(composite),
        results=Decimal(50),
        process=Decimal(50),
        capability=Decimal(50),
        teamwork=Decimal(50),
        points=10,
        attainment={},
        actuals={},
        streak=0,
        on_time=4,
        missed=0,
        drills=1,
        quiz_answered=2,
        quiz_right=2,
    )
    values.update(extra)
    return RepScore(**values)


def drill(user_id: int, points: tuple[int, int, int, int], category=Category.PRICE) -> DrillRecord:
    return DrillRecord(
        team_id=1,
        user_id=user_id,
        objection_key=1,
        category=category,
        mode="steps",
        started_at=AT,
        finished_at=AT,
        points=dict(zip(LAER, points, strict=True)),
    )


def test_weak_categories_need_two_drills_and_come_lowest_first() -> None:
    drills = [
        drill(1, (2, 2, 2, 2), Category.PRICE),
        drill(2, (1, 1, 0, 0), Category.PRICE),
        drill(1, (0, 1, 0, 0), Category.TIMING),
        drill(2, (1, 0, 0, 0), Category.TIMING),
        drill(1, (0, 0, 0, 0), Category.TRUST),  # one drill: says too little
    ]
    weak = weak_categories(drills)
    assert [(w.category, w.drills, w.mean_points) for w in weak] == [
        (Category.TIMING, 2, Decimal(1)),
        (Category.PRICE, 2, Decimal(5)),
    ]


def test_the_weakest_step_is_the_lowest_mean_and_the_earlier_on_ties() -> None:
    assert weakest_step([]) is None
    step, mean = weakest_step([drill(1, (2, 1, 1, 2)), drill(1, (2, 2, 0, 2))])
    assert step is LaerStep.EXPLORE and mean == Decimal("0.5")
    step, _ = weakest_step([drill(1, (1, 1, 2, 2))])
    assert step is LaerStep.LISTEN


def test_one_on_one_topics_follow_their_order() -> None:
    low = LOW_ATTAINMENT - 1
    weak_drill = [drill(1, (2, 2, 0, 2))]
    # 1. discipline beats everything else
    s = score(missed=2, attainment={Kpi.DEALS: 0})
    assert one_on_one(s, None, weak_drill).topic is Topic.DISCIPLINE
    assert one_on_one(s, None, weak_drill).figure == Decimal(2)
    # 2. pipeline: the lowest KPI below the bar
    s = score(missed=1, attainment={Kpi.DEALS: low, Kpi.DEMOS: 10, Kpi.CALLS: None})
    topic = one_on_one(s, None, weak_drill)
    assert (topic.topic, topic.detail, topic.figure) == (Topic.PIPELINE, "demos", Decimal(10))
    # 3. objections: the weakest LAER step under one point
    s = score(attainment={Kpi.DEALS: LOW_ATTAINMENT})
    topic = one_on_one(s, None, weak_drill)
    assert (topic.topic, topic.detail) == (Topic.OBJECTIONS, "explore")
    # 4. product
    s = score(quiz_answered=MIN_QUIZ_ANSWERS, quiz_right=1)
    assert one_on_one(s, None, [drill(1, (1, 1, 1, 1))]).topic is Topic.PRODUCT
    # 5. no practice at all
    s = score(drills=0, quiz_answered=0, quiz_right=0)
    assert one_on_one(s, None, []).topic is Topic.NO_PRACTICE
    # 6. recognise a big step up
    s = score(composite="75")
    before = score(composite=str(Decimal(75) - BIG_STEP))
    assert one_on_one(s, before, []).topic is Topic.RECOGNISE
    # 7. stretch a strong rep, 8. otherwise keep the momentum
    assert one_on_one(score(composite=str(STRONG)), None, []).topic is Topic.STRETCH
    assert one_on_one(score(composite="55"), None, []).topic is Topic.MOMENTUM
    assert one_on_one(replace(score(composite="55")), score(composite="50"), []).topic is (
        Topic.MOMENTUM
    )
