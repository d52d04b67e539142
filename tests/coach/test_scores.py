"""Points and the composite score: worked numbers, each computed here from the stated rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from coach.kpis import Kpi
from coach.scores import (
    ATTAINMENT_CAP,
    POINTS_RULES,
    RULES,
    STREAK_STEP,
    TEAMWORK_POINTS_PER_WEEK,
    PointsRule,
    RepPeriod,
    capability_part,
    discipline,
    drill_tally,
    points_breakdown,
    process_part,
    ranked,
    results_part,
    score,
    teamwork_part,
)
from coach.team_settings import Weights

D = Decimal
WEEK_TARGETS = {
    Kpi.NEW_VISITS: D(10),
    Kpi.FOLLOW_UPS: D(15),
    Kpi.PROPOSALS: D(5),
    Kpi.DEMOS: D(3),
    Kpi.DEALS: D(2),
    Kpi.REVENUE: D(100_000),
}


def tenth(value: Decimal) -> Decimal:
    return value.quantize(D("0.1"), ROUND_HALF_UP)


def period(**kw: object) -> RepPeriod:
    kw.setdefault("user_id", 1)
    kw.setdefault("name", "李娜")
    kw.setdefault("targets", WEEK_TARGETS)
    return RepPeriod(**kw)  # type: ignore[arg-type]


def test_one_outlier_kpi_is_capped_and_a_part_never_passes_100():
    outlier = period(actuals={Kpi.REVENUE: D(900_000), Kpi.DEALS: D(1)})
    # revenue 900% counts as the cap, deals 50%; the mean is capped at 100
    assert results_part(outlier) == min(D(100), (ATTAINMENT_CAP + D(50)) / 2)
    modest = period(actuals={Kpi.REVENUE: D(50_000), Kpi.DEALS: D(1)})
    assert results_part(modest) == (D(50) + D(50)) / 2
    # a huge revenue alone cannot lift deals at 0 beyond the cap's share
    lone = period(actuals={Kpi.REVENUE: D(10_000_000)})
    assert results_part(lone) == (ATTAINMENT_CAP + 0) / 2


def test_new_customers_count_in_results_only_with_a_target():
    without = period(actuals={Kpi.NEW_CUSTOMERS: D(9), Kpi.REVENUE: D(100_000), Kpi.DEALS: D(2)})
    assert results_part(without) == D(100)
    with_target = period(
        targets={**WEEK_TARGETS, Kpi.NEW_CUSTOMERS: D(4)},
        actuals={Kpi.NEW_CUSTOMERS: D(1), Kpi.REVENUE: D(100_000), Kpi.DEALS: D(2)},
    )
    assert results_part(with_target) == (D(25) + D(100) + D(100)) / 3


def test_process_is_the_capped_process_kpis_and_discipline_counting_alike():
    p = period(
        actuals={Kpi.NEW_VISITS: D(5), Kpi.FOLLOW_UPS: D(15), Kpi.PROPOSALS: D(10)},
        plans_on_time=4,
        reviews_on_time=4,
        late=1,
        missed=1,
    )
    kept = D(8) * 100 / (8 + 1 + 1)
    assert discipline(p) == kept
    visits, follow_ups = D(5) * 100 / 10, D(100)
    proposals = min(ATTAINMENT_CAP, D(10) * 100 / 5)
    demos = D(0)
    assert process_part(p) == (visits + follow_ups + proposals + demos + kept) / 5


def test_nothing_owed_leaves_discipline_out():
    p = period(actuals={Kpi.NEW_VISITS: D(10)}, targets={Kpi.NEW_VISITS: D(10)})
    assert discipline(p) is None
    assert process_part(p) == D(100)


def test_capability_is_drill_points_and_quiz_answers_right():
    drills, won, possible, full = drill_tally(
        [{"l": 2, "a": 2, "e": 1, "r": 1}, {"l": 0, "a": 2, "e": 0, "r": 0}]
    )
    assert (drills, won, possible, full) == (2, 8, 16, 3)
    both = period(
        drills=drills, drill_points=won, drill_max=possible, quiz_answered=4, quiz_right=3
    )
    assert capability_part(both) == (D(won) * 100 / possible + D(3) * 100 / 4) / 2
    assert capability_part(period(quiz_answered=4, quiz_right=3)) == D(75)
    assert capability_part(period()) == 0


def test_teamwork_points_against_the_weekly_expectation():
    p = period(shares=1, kudos_received=2, kudos_given=20, weeks=D(4))
    earned = (
        RULES["share"].points * 1
        + RULES["kudos_received"].points * 2
        + min(RULES["kudos_given"].points * 20, RULES["kudos_given"].cap or 0)
    )
    assert teamwork_part(p) == D(earned) * 100 / (TEAMWORK_POINTS_PER_WEEK * 4)
    assert teamwork_part(period(shares=5, weeks=D(1))) == D(100)  # capped at 100
    assert teamwork_part(period(weeks=D(0))) == 0
    assert teamwork_part(period(shares=1, weeks=D(0))) == D(100)


def test_points_follow_the_rule_table():
    p = period(
        actuals={Kpi.NEW_VISITS: D(12), Kpi.DEALS: D(2), Kpi.REVENUE: D(10)},
        plans_on_time=4,
        reviews_on_time=5,
        streak=11,
        drills=2,
        drill_full_steps=3,
        quiz_right=6,
        shares=2,
        kudos_received=3,
        kudos_given=14,
    )
    counts = {
        "plan_on_time": 4,
        "review_on_time": 5,
        "streak": 11 // STREAK_STEP,
        "target_met": 2,  # new-customer visits and deals reached their targets
        "drill": 2,
        "drill_full_step": 3,
        "quiz_right": 6,
        "share": 2,
        "kudos_received": 3,
        "kudos_given": 14,
    }
    expected = {rule.code: rule.pay(counts[rule.code]) for rule in POINTS_RULES}
    assert points_breakdown(p) == expected
    assert expected["kudos_given"] == RULES["kudos_given"].cap
    assert score(p, Weights()).points == sum(expected.values())


def test_a_rule_pays_per_count_up_to_its_cap():
    assert PointsRule("x", 3).pay(4) == 12
    assert PointsRule("x", 3, cap=10).pay(4) == 10
    assert PointsRule("x", 3).pay(-1) == 0


def test_the_composite_weighs_the_parts_and_keeps_them_in_the_score():
    p = period(
        actuals={Kpi.REVENUE: D(50_000), Kpi.DEALS: D(1), Kpi.NEW_VISITS: D(10)},
        plans_on_time=5,
        reviews_on_time=5,
        drills=1,
        drill_points=6,
        drill_max=8,
        shares=1,
    )
    parts = {
        "results": results_part(p),
        "process": process_part(p),
        "capability": capability_part(p),
        "teamwork": teamwork_part(p),
    }
    for weights in (Weights(), Weights(40, 30, 20, 10), Weights(100, 0, 0, 0)):
        result = score(p, weights)
        expected = (
            parts["results"] * weights.results
            + parts["process"] * weights.process
            + parts["capability"] * weights.capability
            + parts["teamwork"] * weights.teamwork
        ) / 100
        assert result.composite == tenth(expected)
    result = score(p, Weights())
    assert result.results == tenth(parts["results"])
    assert result.process == tenth(parts["process"])
    assert result.capability == tenth(parts["capability"])
    assert result.teamwork == tenth(parts["teamwork"])
    assert result.attainment[Kpi.REVENUE] == 50
    assert result.attainment[Kpi.NEW_VISITS] == 100
    assert result.attainment[Kpi.FOLLOW_UPS] == 0
    assert Kpi.CALLS not in result.attainment
    assert result.discipline == D(100)
    assert result.on_time == 10 and result.missed == 0


def test_attainment_is_uncapped_and_none_without_a_target():
    p = period(actuals={Kpi.DEALS: D(9), Kpi.CALLS: D(40)})
    result = score(p, Weights())
    assert result.attainment[Kpi.DEALS] == 450
    assert result.attainment[Kpi.CALLS] is None
    assert result.actuals[Kpi.CALLS] == D(40)


def test_a_rep_with_nothing_scores_zero():
    result = score(period(), Weights())
    assert (result.composite, result.points, result.active) == (0, 0, False)


@pytest.mark.parametrize("seed", range(3))
def test_ranking_is_deterministic_with_ties(seed: int):
    import random

    a = score(period(user_id=3, name="B", plans_on_time=5), Weights())
    b = score(period(user_id=2, name="A", plans_on_time=5), Weights())
    c = score(period(user_id=1, name="A", plans_on_time=5), Weights())
    best = score(period(user_id=9, name="Z", actuals={Kpi.REVENUE: D(100_000)}), Weights())
    tied_more_points = score(period(user_id=8, name="Y", plans_on_time=6), Weights())
    items = [a, b, c, best, tied_more_points]
    random.Random(seed).shuffle(items)
    # same composite (discipline 100) for a, b, c and tied_more_points: points, then name, id
    assert a.composite == tied_more_points.composite
    assert [s.user_id for s in ranked(items)] == [9, 8, 1, 2, 3]
