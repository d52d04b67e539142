"""The boards: ranks, ties, who takes part, totals, 区域PK and the relay race."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coach.board_view import Period, period_window, previous_window
from coach.boards import (
    BoardKind,
    TeamResult,
    hero_board,
    improved_board,
    kpi_board,
    kpi_boards,
    quiz_board,
    region_pk,
    relay,
    streak_board,
    team_completion,
    team_totals,
)
from coach.days import RELAY_FOCUS
from coach.kpis import Kpi
from coach.scores import ATTAINMENT_CAP, RepPeriod, RepScore, score
from coach.team_settings import Weights

D = Decimal


def rep(user_id: int, name: str, **kw: object) -> RepScore:
    kw.setdefault("targets", {Kpi.NEW_VISITS: D(10), Kpi.DEALS: D(2)})
    return score(RepPeriod(user_id, name, **kw), Weights())  # type: ignore[arg-type]


def test_hero_board_shares_ranks_on_ties_and_orders_them_by_name():
    a = rep(1, "Bo", actuals={Kpi.DEALS: D(2)}, plans_on_time=1)
    b = rep(2, "Al", actuals={Kpi.DEALS: D(2)}, plans_on_time=1)
    c = rep(3, "Cy", actuals={Kpi.DEALS: D(1)})
    d = rep(4, "Di", actuals={Kpi.DEALS: D(2)}, plans_on_time=2)  # same composite, more points
    board = hero_board([c, a, d, b])
    assert board.kind is BoardKind.HERO
    assert a.composite == b.composite == d.composite > c.composite
    assert [(r.rank, r.name) for r in board.rows] == [(1, "Di"), (2, "Al"), (2, "Bo"), (4, "Cy")]
    assert board.rows[0].value == d.composite
    assert board.rows[0].extra == d.points
    assert board.rows[0].user_id == 4


def test_kpi_board_ranks_by_actual_and_shows_uncapped_attainment():
    a = rep(1, "A", actuals={Kpi.NEW_VISITS: D(25)})
    b = rep(2, "B", actuals={Kpi.NEW_VISITS: D(5)})
    c = rep(3, "C", targets={}, actuals={Kpi.CALLS: D(7)})
    board = kpi_board([b, a, c], Kpi.NEW_VISITS)
    assert [(r.name, r.value, r.extra) for r in board.rows] == [
        ("A", D(25), D(25 * 100 // 10)),
        ("B", D(5), D(5 * 100 // 10)),
    ]
    calls = kpi_board([a, c], Kpi.CALLS)
    assert [(r.name, r.extra) for r in calls.rows] == [("C", None)]
    assert [b.kpi for b in kpi_boards([a, b, c])] == [Kpi.CALLS, Kpi.NEW_VISITS, Kpi.DEALS]


def test_streak_and_quiz_boards_leave_out_reps_with_nothing():
    reps = [
        rep(1, "A", streak=3, quiz_answered=4, quiz_right=3),
        rep(2, "B", streak=0, quiz_answered=3, quiz_right=3),
        rep(3, "C", streak=5),
    ]
    streaks = streak_board(reps)
    assert [(r.name, r.value) for r in streaks.rows] == [("C", 5), ("A", 3)]
    quiz = quiz_board(reps)
    # same right answers: the more accurate first
    assert [(r.rank, r.name, r.extra) for r in quiz.rows] == [
        (1, "B", D(100)),
        (2, "A", D(3 * 100 // 4)),
    ]


def test_most_improved_needs_data_in_both_periods_and_a_gain():
    before = [
        rep(1, "A", actuals={Kpi.DEALS: D(1)}),
        rep(2, "B", actuals={Kpi.DEALS: D(2)}),
        rep(3, "C"),  # no data before
        rep(4, "D", actuals={Kpi.DEALS: D(1)}),
    ]
    now = [
        rep(1, "A", actuals={Kpi.DEALS: D(2)}),
        rep(2, "B", actuals={Kpi.DEALS: D(1)}),  # went down
        rep(3, "C", actuals={Kpi.DEALS: D(2)}),
        rep(4, "D", actuals={Kpi.DEALS: D(2)}, plans_on_time=1),
    ]
    board = improved_board(now, before)
    gain_a = now[0].composite - before[0].composite
    gain_d = now[3].composite - before[3].composite
    assert gain_d > gain_a > 0
    assert [(r.name, r.value, r.extra) for r in board.rows] == [
        ("D", gain_d, now[3].composite),
        ("A", gain_a, now[0].composite),
    ]


def test_team_totals_and_completion_cap_each_kpi():
    reps = [
        rep(1, "A", actuals={Kpi.NEW_VISITS: D(30), Kpi.CALLS: D(9)}),
        rep(2, "B", actuals={Kpi.NEW_VISITS: D(10), Kpi.DEALS: D(1)}),
    ]
    totals = team_totals(reps)
    assert [(t.kpi, t.actual, t.target, t.percent) for t in totals] == [
        (Kpi.CALLS, D(9), None, None),
        (Kpi.NEW_VISITS, D(40), D(20), 200),
        (Kpi.DEALS, D(1), D(4), 25),
    ]
    assert team_completion(totals) == (min(D(200), ATTAINMENT_CAP) + D(25)) / 2
    with_revenue = team_totals(reps, revenue_target=D(500))
    assert with_revenue[-1].kpi is Kpi.REVENUE and with_revenue[-1].target == D(500)
    assert team_completion(team_totals([rep(1, "A", targets={})])) is None


def test_region_pk_ranks_regions_by_their_teams_mean_completion():
    teams = [
        TeamResult(1, "华东一组", "华东", D(80)),
        TeamResult(2, "华东二组", "华东", D(60)),
        TeamResult(3, "华南一组", "华南", D(75)),
        TeamResult(4, "无区域", None, D(99)),  # no region: not in the PK
        TeamResult(5, "无目标", "华北", None),  # no target: not in the PK
    ]
    rows = region_pk(teams)
    assert [(r.rank, r.region, r.completion) for r in rows] == [
        (1, "华南", D(75)),
        (2, "华东", (D(80) + D(60)) / 2),
    ]
    assert [(t.rank, t.name) for t in rows[1].teams] == [(1, "华东一组"), (2, "华东二组")]


def test_relay_uses_the_days_focus_kpi_and_the_teams_day_target():
    tuesday = date(2026, 11, 24)
    kpi = RELAY_FOCUS[tuesday.isoweekday()]
    reps = [
        rep(1, "A", targets={kpi: D(2)}, actuals={kpi: D(3)}),
        rep(2, "B", targets={kpi: D(2)}, actuals={Kpi.CALLS: D(50)}),
        rep(3, "C", targets={kpi: D(2)}, actuals={kpi: D(1)}),
    ]
    race = relay(RELAY_FOCUS, tuesday, reps)
    assert race.kpi is kpi
    assert (race.total, race.target) == (D(4), D(6))
    assert race.percent == round(4 * 100 / 6)
    assert [(r.name, r.value) for r in race.rows] == [("A", D(3)), ("C", D(1))]
    custom = relay({**RELAY_FOCUS, 2: Kpi.CALLS}, tuesday, reps)
    assert (custom.kpi, custom.total, custom.target, custom.percent) == (
        Kpi.CALLS,
        D(50),
        None,
        None,
    )


def test_periods_run_to_date_and_the_previous_one_is_cut_at_the_same_point():
    wednesday = date(2026, 11, 25)
    assert period_window(Period.WEEK, wednesday) == (date(2026, 11, 23), wednesday)
    assert previous_window(Period.WEEK, wednesday) == (date(2026, 11, 16), date(2026, 11, 18))
    assert period_window(Period.MONTH, wednesday) == (date(2026, 11, 1), wednesday)
    assert previous_window(Period.MONTH, wednesday) == (date(2026, 10, 1), date(2026, 10, 25))
    # 31 March: February has no 31st, so its last day
    assert previous_window(Period.MONTH, date(2027, 3, 31)) == (
        date(2027, 2, 1),
        date(2027, 2, 28),
    )
