"""周结: the weekly checklist of one rep, from the in-memory storage."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coach.days import Absence, DayRecord, Reflection, Task
from coach.kpis import Kpi
from coach.models import Lang, NewTeam, Schedule, Team
from coach.weekly import KpiLine, reflection_prompts, rep_streak, week_checklist
from tests.fakes import FakeUnitOfWork

AT = datetime(2026, 11, 1, tzinfo=UTC)
REP = 7


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def world() -> tuple[FakeUnitOfWork, Team]:
    uow = FakeUnitOfWork()
    with uow:
        team = uow.teams.add(NewTeam("华东一组", "华东", "Asia/Shanghai", Lang.ZH, Schedule()), AT)
        uow.commit()
    return uow, team


def save(uow: FakeUnitOfWork, *records: DayRecord) -> None:
    with uow:
        for record in records:
            uow.days.save(record)
        uow.commit()


def day(text: str, tasks: tuple[Task, ...] = (), **actual: int) -> DayRecord:
    return DayRecord(
        REP,
        1,
        d(text),
        tasks=tasks,
        actual={Kpi(k): Decimal(v) for k, v in actual.items()},
        planned_at=AT,
        reviewed_at=AT,
    )


def line(lines: tuple[KpiLine, ...], kpi: Kpi) -> KpiLine:
    return next(item for item in lines if item.kpi is kpi)


def test_targets_actuals_and_real_percentages(world):
    uow, team = world
    done, open_ = Task("call Li", True, True), Task("send quote", True, False)
    save(
        uow,
        day("2026-11-23", (done, open_), new_visits=4, calls=30, deals=2),
        day("2026-11-24", (done,), new_visits=4, follow_ups=3, deals=1),
        day("2026-11-25", (open_,), new_visits=5),
        day("2026-11-28", new_visits=1),  # Saturday, after `through`: not counted
    )
    with uow:
        uow.targets.set_weekly(team.id, REP, {Kpi.DEMOS: Decimal(0)})  # no demo target
        checklist = week_checklist(uow, team, REP, d("2026-11-23"), d("2026-11-27"))
    visits = line(checklist.lines, Kpi.NEW_VISITS)
    assert visits == KpiLine(Kpi.NEW_VISITS, Decimal(10), Decimal(13), 130)  # not capped
    assert line(checklist.lines, Kpi.CALLS) == KpiLine(Kpi.CALLS, None, Decimal(30), None)
    assert line(checklist.lines, Kpi.DEALS).percent == 150
    assert line(checklist.lines, Kpi.FOLLOW_UPS).percent == 20
    assert line(checklist.lines, Kpi.PROPOSALS) == KpiLine(Kpi.PROPOSALS, 5, 0, 0)
    assert Kpi.DEMOS not in [item.kpi for item in checklist.lines]
    assert line(checklist.lines, Kpi.REVENUE).target == Decimal("100000.00")
    assert [item.kpi for item in checklist.lines] == sorted(
        (item.kpi for item in checklist.lines), key=list(Kpi).index
    )
    assert (checklist.working_days, checklist.reviewed_days) == (5, 3)
    assert (checklist.plan.done, checklist.plan.planned, checklist.plan.percent) == (2, 4, 50)
    assert checklist.streak == 0  # Thursday and Friday were not reviewed
    assert checklist.reflection is None


def test_midweek_checklist_counts_through_the_day_and_keeps_the_streak(world):
    uow, team = world
    save(uow, day("2026-11-23", new_visits=2), day("2026-11-24", new_visits=3))
    with uow:
        checklist = week_checklist(uow, team, REP, d("2026-11-23"), d("2026-11-25"))
    assert line(checklist.lines, Kpi.NEW_VISITS).actual == 5
    assert line(checklist.lines, Kpi.NEW_VISITS).target == 10  # the whole week's target
    assert checklist.streak == 2  # Wednesday is not over
    assert (checklist.working_days, checklist.reviewed_days) == (3, 2)


def test_holiday_week_and_leave_scale_the_targets(world):
    uow, team = world
    # Week of Oct 5, 2026: Mon–Wed holidays; Thu, Fri and the make-up Saturday worked.
    with uow:
        golden = week_checklist(uow, team, REP, d("2026-10-05"), d("2026-10-11"))
    assert line(golden.lines, Kpi.NEW_VISITS).target == 6
    assert golden.working_days == 3
    # Two days of leave in a normal week: three working days left.
    save(
        uow,
        DayRecord(REP, 1, d("2026-11-26"), absence=Absence.LEAVE),
        DayRecord(REP, 1, d("2026-11-27"), absence=Absence.TRAVEL),
    )
    with uow:
        leave = week_checklist(uow, team, REP, d("2026-11-23"), d("2026-11-27"))
    assert line(leave.lines, Kpi.NEW_VISITS).target == 6
    assert line(leave.lines, Kpi.DEALS).target == 2  # 1.2 rounds up
    assert leave.working_days == 3


def test_the_stored_reflection_comes_back(world):
    uow, team = world
    answers = Reflection(REP, team.id, d("2026-11-23"), "two deals", "calls", "demo Acme", AT)
    with uow:
        uow.reflections.save(answers)
        uow.commit()
    with uow:
        checklist = week_checklist(uow, team, REP, d("2026-11-23"), d("2026-11-27"))
    assert checklist.reflection == answers


def test_a_long_streak_loads_more_history_than_the_first_window(world):
    uow, team = world
    nowhere = Team(team.id, team.name, None, "UTC", Lang.EN, Schedule(country=None), AT, None, None)
    first = d("2026-01-05")
    days = [first + timedelta(days=n) for n in range(330)]
    workdays = [x for x in days if x.isoweekday() <= 5]
    save(uow, *(DayRecord(REP, 1, x, reviewed_at=AT) for x in workdays))
    with uow:
        assert rep_streak(uow, nowhere, REP, workdays[-1]) == len(workdays)


def test_reflection_wording_rotates_every_week_even_across_new_year():
    weeks = [d("2026-12-14") + timedelta(weeks=n) for n in range(6)]  # into January 2027
    prompts = [reflection_prompts(monday) for monday in weeks]
    for earlier, later in itertools.pairwise(prompts):
        assert earlier.went_well != later.went_well
        assert earlier.to_improve != later.to_improve
        assert earlier.next_actions != later.next_actions
    assert {p.went_well for p in prompts} == {0, 1, 2}
    assert reflection_prompts(d("2026-11-26")) == reflection_prompts(d("2026-11-23"))
    assert all(0 <= reflection_prompts(monday, 5).went_well < 5 for monday in weeks)
    with pytest.raises(ValueError):
        reflection_prompts(weeks[0], 1)


@pytest.mark.parametrize(
    ("week_start", "through"),
    [("2026-11-24", "2026-11-25"), ("2026-11-23", "2026-11-30"), ("2026-11-23", "2026-11-22")],
)
def test_a_week_must_start_on_monday_and_contain_through(world, week_start: str, through: str):
    uow, team = world
    with uow, pytest.raises(ValueError):
        week_checklist(uow, team, REP, d(week_start), d(through))
