"""目标分解: weekly targets overlaid per team and rep, and their month → week → day breakdown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from coach.calendar import WorkCalendar
from coach.days import DEFAULT_WEEKLY_TARGETS, Absence, DayRecord
from coach.kpis import Kpi
from coach.pace import KpiPace, day_pace, focus_kpi, month_target, week_target, weekly_targets
from coach.repdays import rep_calendar
from tests.fakes import FakeUnitOfWork

CN = WorkCalendar(country="CN", workdays=frozenset({1, 2, 3, 4, 5}))
AT = datetime(2026, 11, 1, tzinfo=UTC)
VISITS_ONLY = {Kpi.NEW_VISITS: Decimal(10)}


def d(text: str) -> date:
    return date.fromisoformat(text)


def reviewed(day: str, user_id: int = 7, **actual: int | str) -> DayRecord:
    return DayRecord(
        user_id=user_id,
        team_id=1,
        day=d(day),
        actual={Kpi(k): Decimal(v) for k, v in actual.items()},
        reviewed_at=AT,
    )


def absent(day: str, user_id: int = 7) -> DayRecord:
    return DayRecord(user_id=user_id, team_id=1, day=d(day), absence=Absence.LEAVE)


def pace_of(kpi: Kpi, paces: tuple[KpiPace, ...]) -> KpiPace:
    return next(p for p in paces if p.kpi is kpi)


def test_weekly_targets_overlay_defaults_then_team_then_rep():
    uow = FakeUnitOfWork()
    with uow:
        assert weekly_targets(uow, 1, 7) == dict(DEFAULT_WEEKLY_TARGETS)
        uow.targets.set_weekly(1, None, {Kpi.NEW_VISITS: Decimal(12), Kpi.CALLS: Decimal(100)})
        uow.targets.set_weekly(1, 7, {Kpi.NEW_VISITS: Decimal(8)})
        uow.targets.set_weekly(2, None, {Kpi.DEALS: Decimal(9)})  # another team: no effect
        mine = weekly_targets(uow, 1, 7)
        colleague = weekly_targets(uow, 1, 8)
    assert mine[Kpi.NEW_VISITS] == 8
    assert colleague[Kpi.NEW_VISITS] == 12
    assert mine[Kpi.CALLS] == colleague[Kpi.CALLS] == 100
    assert mine[Kpi.DEALS] == 2
    assert list(mine) == [kpi for kpi in Kpi if kpi in mine]  # in Kpi order


def test_month_target_scales_the_weekly_target_by_the_months_working_days():
    # November 2026: 21 weekdays, no holiday in China.
    assert month_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-11-17")) == 42
    assert month_target(Kpi.DEALS, Decimal(2), CN, d("2026-11-17")) == 9  # 8.4 rounds up
    assert month_target(Kpi.REVENUE, Decimal(100_000), CN, d("2026-11-17")) == Decimal("420000.00")
    # October 2026: 22 weekdays, 5 of them National Day / Mid-Autumn, plus 调休 Saturday 10th.
    assert month_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-10-20")) == 36


def test_a_week_with_holidays_or_a_makeup_saturday_is_sized_by_its_working_days():
    assert week_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-11-18")) == 10
    assert week_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-09-30")) == 6  # Mon–Wed only
    # Oct 5–7 holidays; Thu, Fri and the make-up Saturday are worked.
    assert week_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-10-10")) == 6
    # Sep 14–20: five weekdays and the make-up Sunday the 20th.
    assert week_target(Kpi.NEW_VISITS, Decimal(10), CN, d("2026-09-16")) == 12


def test_first_working_day_of_the_month_spreads_the_whole_target():
    paces = day_pace(DEFAULT_WEEKLY_TARGETS, [], CN, d("2026-11-02"))
    visits = pace_of(Kpi.NEW_VISITS, paces)
    assert visits == KpiPace(Kpi.NEW_VISITS, Decimal(42), Decimal(0), 21, Decimal(2), 10, 0)
    assert pace_of(Kpi.DEALS, paces).per_day == 1  # 9 / 21 rounds up to one deal a day
    assert [p.kpi for p in paces] == [kpi for kpi in Kpi if kpi in DEFAULT_WEEKLY_TARGETS]


def test_earlier_reviews_this_month_reduce_the_pace_and_the_day_itself_does_not_count():
    records = [
        reviewed("2026-10-30", new_visits=9),  # last month: not counted for November
        reviewed("2026-11-02", new_visits=20),
        reviewed("2026-11-03", new_visits=10),
        reviewed("2026-11-23", new_visits=50),  # the day itself: not yet
    ]
    visits = pace_of(Kpi.NEW_VISITS, day_pace(VISITS_ONLY, records, CN, d("2026-11-23")))
    assert visits.done_month == 30
    assert visits.days_left == 6  # Nov 23–27 and 30
    assert visits.per_day == 2  # (42 − 30) / 6
    assert visits.week_done == 0


def test_month_end_and_over_target_give_a_pace_that_is_never_negative():
    last_day = pace_of(
        Kpi.NEW_VISITS,
        day_pace(VISITS_ONLY, [reviewed("2026-11-02", new_visits=37)], CN, d("2026-11-30")),
    )
    assert (last_day.days_left, last_day.per_day, last_day.left_month) == (1, 5, 5)
    ahead = pace_of(
        Kpi.NEW_VISITS,
        day_pace(VISITS_ONLY, [reviewed("2026-11-02", new_visits=60)], CN, d("2026-11-30")),
    )
    assert (ahead.per_day, ahead.left_month) == (0, 0)


def test_no_working_day_left_asks_for_the_whole_remainder():
    # Leave for the rest of November from the 26th: on the 28th (Saturday) nothing is left.
    leave = [absent(f"2026-11-{n}") for n in (26, 27, 30)]
    cal = rep_calendar(CN, leave)
    visits = pace_of(Kpi.NEW_VISITS, day_pace(VISITS_ONLY, leave, cal, d("2026-11-28")))
    assert visits.days_left == 0
    assert visits.per_day == visits.target_month == 36  # 18 working days


def test_leave_in_the_middle_of_the_month_lowers_month_and_week_targets():
    leave = [absent(f"2026-11-{n:02}") for n in range(9, 14)]  # Mon–Fri of the second week
    cal = rep_calendar(CN, leave)
    during = pace_of(Kpi.NEW_VISITS, day_pace(VISITS_ONLY, leave, cal, d("2026-11-11")))
    assert during.target_month == 32  # 16 working days
    assert during.week_target == 0
    assert during.days_left == 11  # from the 16th on: 5 + 5 + Monday the 30th
    after = pace_of(Kpi.NEW_VISITS, day_pace(VISITS_ONLY, leave, cal, d("2026-11-16")))
    assert (after.days_left, after.per_day) == (11, 3)  # 32 / 11 rounds up


def test_a_week_across_the_month_boundary_counts_each_figure_where_it_belongs():
    records = [reviewed("2026-11-30", new_visits=4), reviewed("2026-12-01", new_visits=3)]
    visits = pace_of(Kpi.NEW_VISITS, day_pace(VISITS_ONLY, records, CN, d("2026-12-02")))
    assert visits.done_month == 3  # December only
    assert visits.week_done == 7  # Monday Nov 30 and Tuesday Dec 1


def test_zero_means_no_target_and_revenue_keeps_cents():
    targets = {Kpi.NEW_VISITS: Decimal(0), Kpi.REVENUE: Decimal(100_000), Kpi.CALLS: Decimal(50)}
    records = [reviewed("2026-11-02", revenue="400000.01")]
    paces = day_pace(targets, records, CN, d("2026-11-27"))
    assert [p.kpi for p in paces] == [Kpi.CALLS, Kpi.REVENUE]
    revenue = pace_of(Kpi.REVENUE, paces)
    assert revenue.left_month == Decimal("19999.99")
    assert revenue.per_day == Decimal("10000.00")  # 19999.99 / 2, rounded up to the cent
    calls = pace_of(Kpi.CALLS, paces)
    assert calls.target_month == 210


def test_relay_focus_follows_the_weekday():
    assert focus_kpi(d("2026-11-23")) is Kpi.CALLS  # Monday
    assert focus_kpi(d("2026-11-24")) is Kpi.NEW_VISITS
    assert focus_kpi(d("2026-10-10")) is Kpi.FOLLOW_UPS  # make-up Saturday


@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    done=st.integers(min_value=0, max_value=200),
    weekly=st.integers(min_value=1, max_value=40),
)
def test_the_pace_is_the_least_whole_number_that_reaches_the_target(
    day: date, done: int, weekly: int
):
    first = day.replace(day=1)
    records = [reviewed(first.isoformat(), new_visits=done)] if first < day else []
    visits = day_pace({Kpi.NEW_VISITS: Decimal(weekly)}, records, CN, day)[0]
    assert visits.per_day >= 0
    assert visits.per_day == int(visits.per_day)
    if visits.days_left:
        assert visits.per_day * visits.days_left >= visits.left_month
        assert (visits.per_day - 1) * visits.days_left < visits.left_month or not visits.per_day
    else:
        assert visits.per_day == visits.left_month
    assert visits.week_target <= weekly * 7 / 5 + 1


def test_days_left_counts_the_day_itself_when_it_is_worked():
    visits = day_pace(VISITS_ONLY, [], CN, d("2026-11-27"))[0]
    assert visits.days_left == 2  # Friday 27th and Monday 30th
