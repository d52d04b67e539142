"""Contract tests for the rhythm's repositories: the fake and both SQL backends agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from coach.days import Absence, CheckIn, DayRecord, Miss, Reflection, Task
from coach.kpis import Kpi
from coach.models import Lang, NewTeam, Person, Reminders, Schedule

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


def seed(uow_factory, people=(1, 2, 3), teams=("A", "B")) -> list[int]:
    """People and teams for the foreign keys; returns the team ids."""
    with uow_factory() as uow:
        for user_id in people:
            uow.people.save(Person(user_id, f"p{user_id}", None, Lang.ZH), NOW)
        ids = [uow.teams.add(NewTeam(n, None, "Asia/Shanghai", Lang.ZH), NOW).id for n in teams]
        uow.commit()
    return ids


def day_of(user_id: int, team_id: int, day: date, **fields) -> DayRecord:
    return DayRecord(user_id=user_id, team_id=team_id, day=day, **fields)


# --- people and teams ----------------------------------------------------------------------------


def test_blocked_people_round_trip_and_unknown_ids_are_ignored(uow_factory):
    with uow_factory() as uow:
        uow.people.save(Person(1, "a", None, Lang.ZH), NOW)
        uow.people.save(Person(2, "b", None, Lang.EN, blocked=True), NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.get(1).blocked is False
        assert uow.people.get(2).blocked is True
        uow.people.set_blocked(1, True, NOW)
        uow.people.set_blocked(2, False, NOW)
        uow.people.set_blocked(99, True, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.get(1).blocked is True
        assert uow.people.get(2).blocked is False
        assert uow.people.get(99) is None


def test_set_blocked_is_seen_in_the_same_unit_of_work(uow_factory):
    with uow_factory() as uow:
        uow.people.save(Person(1, "a", None, Lang.ZH), NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.get(1).blocked is False  # loaded into the session first
        uow.people.set_blocked(1, True, NOW)
        assert uow.people.get(1).blocked is True


def test_many_people_returns_only_the_known_ones_even_for_long_lists(uow_factory):
    with uow_factory() as uow:
        for user_id in (5, 1500, 2999):
            uow.people.save(Person(user_id, f"p{user_id}", None, Lang.ZH), NOW)
        uow.commit()
    with uow_factory() as uow:
        found = uow.people.many(range(1, 3001))
        assert sorted(found) == [5, 1500, 2999]
        assert found[1500] == Person(1500, "p1500", None, Lang.ZH)
        assert uow.people.many([]) == {}
        assert uow.people.many([7, 7, 5, 5]) == {5: Person(5, "p5", None, Lang.ZH)}


def test_teams_all_by_id_with_the_whole_schedule(uow_factory):
    schedule = Schedule(
        plan_time=time(9, 0),
        review_time=time(18, 0),
        sharing_time=time(20, 0),
        workdays=frozenset({1, 2, 3, 4, 5, 6}),
        review_deadline=time(23, 15),
        week_end_day=6,
        week_end_time=time(17, 45),
        country=None,
        reminders=Reminders(
            daily_cap=5,
            nudge_after_minutes=15,
            quiet_start=time(22, 0),
            quiet_end=time(7, 30),
            escalate_after_days=2,
        ),
    )
    with uow_factory() as uow:
        assert uow.teams.all() == []
        a = uow.teams.add(NewTeam("A", None, "Europe/Berlin", Lang.EN, schedule), NOW)
        b = uow.teams.add(NewTeam("B", "华东", "Asia/Shanghai", Lang.ZH), NOW)
        uow.commit()
    with uow_factory() as uow:
        teams = uow.teams.all()
    assert teams == [a, b]
    assert teams[0].schedule == schedule
    assert teams[1].schedule == Schedule()


# --- days ----------------------------------------------------------------------------------------


def test_a_day_record_round_trips_whole(uow_factory):
    (team, _) = seed(uow_factory)
    record = day_of(
        1,
        team,
        MONDAY,
        tasks=(
            Task("拜访 ACME <b>", must=True, done=True),
            Task("{{ 7*7 }} 🎯", must=True),
            Task("x" * 200, must=True),
            Task("回访老客户", must=False, done=True),
        ),
        planned={Kpi.CALLS: Decimal(20), Kpi.REVENUE: Decimal("12000.50")},
        actual={
            Kpi.CALLS: Decimal(18),
            Kpi.REVENUE: Decimal("999999999999.99"),
            Kpi.DEALS: Decimal(0),
        },
        planned_at=NOW,
        reviewed_at=NOW + timedelta(hours=10),
        win="签了 😀",
        lesson="y" * 1000,
        objection="太贵",
        tomorrow_first="Call Bob",
    )
    with uow_factory() as uow:
        uow.days.save(record)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.days.get(1, MONDAY)
        assert uow.days.get(1, MONDAY + timedelta(days=1)) is None
        assert uow.days.get(2, MONDAY) is None
        # One day (one UNION statement) and a range (three statements) read the same record.
        assert uow.days.of_user(1, MONDAY, MONDAY) == [loaded]
    assert loaded == record
    assert loaded.tasks == record.tasks  # order kept
    assert list(loaded.actual) == [Kpi.CALLS, Kpi.DEALS, Kpi.REVENUE]
    # Counts come back whole, money with its two decimals, exactly.
    assert str(loaded.planned[Kpi.CALLS]) == "20"
    assert str(loaded.actual[Kpi.DEALS]) == "0"
    assert str(loaded.planned[Kpi.REVENUE]) == "12000.50"
    assert str(loaded.actual[Kpi.REVENUE]) == "999999999999.99"
    assert loaded.reviewed_at == NOW + timedelta(hours=10)
    assert loaded.reviewed_at.tzinfo is not None


def test_saving_a_day_replaces_tasks_and_figures(uow_factory):
    (team, other) = seed(uow_factory)
    first = day_of(
        1,
        team,
        MONDAY,
        tasks=(Task("a", True), Task("b", True), Task("c", False)),
        planned={Kpi.CALLS: Decimal(20), Kpi.DEMOS: Decimal(2)},
        actual={Kpi.CALLS: Decimal(3)},
        planned_at=NOW,
        win="w",
    )
    second = day_of(
        1,
        other,
        MONDAY,
        tasks=(Task("b", True, done=True),),
        planned={Kpi.NEW_VISITS: Decimal(4)},
        planned_at=NOW,
        reviewed_at=NOW,
    )
    with uow_factory() as uow:
        uow.days.save(first)
        uow.commit()
    with uow_factory() as uow:
        assert uow.days.get(1, MONDAY) == first
        uow.days.save(second)
        assert uow.days.get(1, MONDAY) == second  # seen before commit, in the same transaction
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.days.get(1, MONDAY)
        assert loaded == second
        assert loaded.actual == {} and loaded.win is None
        assert uow.days.of_team(team, MONDAY, MONDAY) == []
        assert uow.days.of_team(other, MONDAY, MONDAY) == [second]
        # Replacing again with nothing at all leaves an empty record, not the old rows.
        empty = day_of(1, other, MONDAY, absence=Absence.SICK)
        uow.days.save(empty)
        uow.commit()
    with uow_factory() as uow:
        assert uow.days.get(1, MONDAY) == empty


def test_a_rolled_back_save_leaves_the_old_record(uow_factory):
    (team, _) = seed(uow_factory)
    record = day_of(1, team, MONDAY, tasks=(Task("a", True),), planned_at=NOW)
    with uow_factory() as uow:
        uow.days.save(record)
        uow.commit()
    with uow_factory() as uow:
        uow.days.save(day_of(1, team, MONDAY, tasks=(Task("b", True),)))
        uow.rollback()
        assert uow.days.get(1, MONDAY) == record
    with uow_factory() as uow:
        assert uow.days.get(1, MONDAY) == record


def test_day_ranges_of_a_rep_and_of_a_team(uow_factory):
    (team, other) = seed(uow_factory)
    days = [MONDAY + timedelta(days=i) for i in range(-1, 6)]
    records = []
    with uow_factory() as uow:
        # Saved out of order, so the ordering comes from the query.
        for user_id in (3, 1, 2):
            for day in reversed(days):
                in_team = other if (user_id == 2 and day == MONDAY) else team
                record = day_of(
                    user_id,
                    in_team,
                    day,
                    tasks=(Task(f"t{user_id}{day.day}", True),),
                    actual={Kpi.CALLS: Decimal(user_id)},
                    reviewed_at=NOW,
                )
                uow.days.save(record)
                records.append(record)
        uow.commit()
    start, end = MONDAY, MONDAY + timedelta(days=4)
    with uow_factory() as uow:
        mine = uow.days.of_user(1, start, end)
        ours = uow.days.of_team(team, start, end)
        theirs = uow.days.of_team(other, start - timedelta(days=7), end)
        assert uow.days.of_user(1, end + timedelta(days=2), end + timedelta(days=9)) == []
    assert [r.day for r in mine] == [MONDAY + timedelta(days=i) for i in range(5)]
    assert all(r.user_id == 1 and r.tasks == (Task(f"t1{r.day.day}", True),) for r in mine)
    expected = sorted(
        (r for r in records if r.team_id == team and start <= r.day <= end),
        key=lambda r: (r.day, r.user_id),
    )
    assert ours == expected
    assert [(r.day, r.user_id) for r in ours][:2] == [(MONDAY, 1), (MONDAY, 3)]
    assert theirs == [r for r in records if r.team_id == other]
    assert all(r.actual == {Kpi.CALLS: Decimal(r.user_id)} for r in ours)


def test_day_marks_are_the_days_without_tasks_figures_or_texts(uow_factory):
    (team, other) = seed(uow_factory)
    with uow_factory() as uow:
        for user_id, in_team in ((1, team), (2, other), (3, team)):
            for i in range(3):
                uow.days.save(
                    day_of(
                        user_id,
                        in_team,
                        MONDAY + timedelta(days=i),
                        tasks=(Task("t", True),),
                        actual={Kpi.CALLS: Decimal(3)},
                        planned_at=NOW,
                        reviewed_at=NOW if i else None,
                        win="a win",
                        absence=Absence.SICK if i == 2 else None,
                    )
                )
        uow.commit()
    with uow_factory() as uow:
        marks = uow.days.marks([2, 1, 99], MONDAY + timedelta(days=1), MONDAY + timedelta(days=9))
    assert sorted(marks) == [1, 2]  # people with nothing in the range are left out
    assert [m.day for m in marks[1]] == [MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    assert marks[2][0] == day_of(
        2, other, MONDAY + timedelta(days=1), planned_at=NOW, reviewed_at=NOW
    )
    assert marks[1][1].absence is Absence.SICK and marks[1][1].win is None
    assert all(not m.tasks and not m.actual for m in marks[1] + marks[2])


# --- misses --------------------------------------------------------------------------------------


def test_a_miss_is_recorded_once_and_a_duplicate_does_not_spoil_the_transaction(uow_factory):
    (team, _) = seed(uow_factory)
    plan = Miss(1, team, MONDAY, CheckIn.PLAN, NOW)
    with uow_factory() as uow:
        assert uow.misses.add(plan) is True
        assert uow.misses.add(plan) is False
        uow.commit()
    with uow_factory() as uow:
        later = NOW + timedelta(hours=1)
        assert uow.misses.add(Miss(1, team, MONDAY, CheckIn.PLAN, later)) is False
        assert uow.misses.add(Miss(1, team, MONDAY, CheckIn.REVIEW, NOW)) is True
        uow.people.save(Person(4, "d", None, Lang.EN), NOW)  # the transaction still works
        uow.commit()
    with uow_factory() as uow:
        assert uow.misses.of_user(1, MONDAY, MONDAY) == [
            plan,
            Miss(1, team, MONDAY, CheckIn.REVIEW, NOW),
        ]
        assert uow.people.get(4) is not None


def test_misses_by_team_and_by_rep_in_order(uow_factory):
    (team, other) = seed(uow_factory)
    tuesday = MONDAY + timedelta(days=1)
    misses = [
        Miss(3, team, MONDAY, CheckIn.REVIEW, NOW),
        Miss(1, team, tuesday, CheckIn.REVIEW, NOW),
        Miss(1, team, tuesday, CheckIn.PLAN, NOW),
        Miss(3, team, MONDAY, CheckIn.PLAN, NOW),
        Miss(2, team, MONDAY, CheckIn.PLAN, NOW),
        Miss(2, other, tuesday, CheckIn.PLAN, NOW),
        Miss(1, team, MONDAY - timedelta(days=1), CheckIn.PLAN, NOW),
    ]
    with uow_factory() as uow:
        for miss in misses:
            assert uow.misses.add(miss)
        uow.commit()
    with uow_factory() as uow:
        by_team = uow.misses.of_team(team, MONDAY, tuesday)
        by_rep = uow.misses.of_user(1, MONDAY - timedelta(days=7), tuesday)
        assert uow.misses.of_team(other, MONDAY, MONDAY) == []
    assert [(m.day, m.user_id, m.kind) for m in by_team] == [
        (MONDAY, 2, CheckIn.PLAN),
        (MONDAY, 3, CheckIn.PLAN),
        (MONDAY, 3, CheckIn.REVIEW),
        (tuesday, 1, CheckIn.PLAN),
        (tuesday, 1, CheckIn.REVIEW),
    ]
    assert [(m.day, m.kind) for m in by_rep] == [
        (MONDAY - timedelta(days=1), CheckIn.PLAN),
        (tuesday, CheckIn.PLAN),
        (tuesday, CheckIn.REVIEW),
    ]
    assert by_team[0] == misses[4]


# --- targets -------------------------------------------------------------------------------------


def test_weekly_targets_per_level(uow_factory):
    (team, other) = seed(uow_factory)
    with uow_factory() as uow:
        assert uow.targets.weekly(team) == {}
        uow.targets.set_weekly(
            team, None, {Kpi.NEW_VISITS: Decimal(12), Kpi.REVENUE: Decimal("150000.50")}
        )
        uow.targets.set_weekly(team, 1, {Kpi.NEW_VISITS: Decimal(8)})
        uow.targets.set_weekly(other, None, {Kpi.DEALS: Decimal(1)})
        uow.commit()
    with uow_factory() as uow:
        assert uow.targets.weekly(team) == {
            Kpi.NEW_VISITS: Decimal(12),
            Kpi.REVENUE: Decimal("150000.50"),
        }
        assert str(uow.targets.weekly(team)[Kpi.NEW_VISITS]) == "12"
        assert str(uow.targets.weekly(team)[Kpi.REVENUE]) == "150000.50"
        assert uow.targets.weekly(team, 1) == {Kpi.NEW_VISITS: Decimal(8)}
        assert uow.targets.weekly(team, 2) == {}
        assert uow.targets.weekly(other) == {Kpi.DEALS: Decimal(1)}
        # Setting again replaces at that level only; None removes just that KPI.
        uow.targets.set_weekly(team, None, {Kpi.NEW_VISITS: Decimal(14), Kpi.REVENUE: None})
        uow.targets.set_weekly(team, 1, {Kpi.DEMOS: Decimal(3), Kpi.PROPOSALS: None})
        uow.commit()
    with uow_factory() as uow:
        assert uow.targets.weekly(team, None) == {Kpi.NEW_VISITS: Decimal(14)}
        assert uow.targets.weekly(team, 1) == {Kpi.NEW_VISITS: Decimal(8), Kpi.DEMOS: Decimal(3)}
        uow.targets.set_weekly(team, 1, {Kpi.NEW_VISITS: None, Kpi.DEMOS: None})
        uow.commit()
    with uow_factory() as uow:
        assert uow.targets.weekly(team, 1) == {}
        assert uow.targets.weekly(team) == {Kpi.NEW_VISITS: Decimal(14)}
        uow.targets.set_weekly(team, 2, {Kpi.DEALS: Decimal(4)})
        assert uow.targets.levels(team) == {
            None: {Kpi.NEW_VISITS: Decimal(14)},
            2: {Kpi.DEALS: Decimal(4)},
        }
        assert uow.targets.levels(other) == {None: {Kpi.DEALS: Decimal(1)}}


# --- reflections ---------------------------------------------------------------------------------


def test_reflections_are_replaced_per_week(uow_factory):
    (team, _) = seed(uow_factory)
    first = Reflection(1, team, MONDAY, "签了两单", "<b>跟进</b>", "{{ 7*7 }}", NOW)
    with uow_factory() as uow:
        assert uow.reflections.get(1, MONDAY) is None
        uow.reflections.save(first)
        uow.reflections.save(Reflection(1, team, MONDAY - timedelta(days=7), "a", "b", "c", NOW))
        uow.commit()
    later = NOW + timedelta(hours=2)
    second = Reflection(1, team, MONDAY, "z" * 1000, "", "🎯", later)
    with uow_factory() as uow:
        assert uow.reflections.get(1, MONDAY) == first
        uow.reflections.save(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.reflections.get(1, MONDAY) == second
        assert uow.reflections.get(1, MONDAY - timedelta(days=7)).went_well == "a"
        assert uow.reflections.get(2, MONDAY) is None
