"""team_scores: a seeded week on the fake and both SQL backends, checked against the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from coach.calendar import WorkCalendar
from coach.content import LAER, Category, read_pack
from coach.content_import import import_pack
from coach.days import DEFAULT_WEEKLY_TARGETS, Absence, CheckIn, DayRecord, Miss
from coach.kpis import Kpi
from coach.models import Lang, Membership, NewTeam, Person, Role, Schedule, Team
from coach.practice import DrillRecord, PollKind, QuizAnswer, QuizPoll
from coach.score_data import data_through, team_revenue_target, team_scores, window_streak
from coach.scores import RULES, RepPeriod, score
from coach.team_settings import TeamSettings, Weights

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
SUNDAY = MONDAY + timedelta(days=6)
WEEK = [MONDAY + timedelta(days=i) for i in range(5)]
PACKS = Path(__file__).parents[2] / "coach" / "packs"
MANAGER, ANNA, BO, CHEN, DAI = 100, 101, 102, 103, 104
CREATED = datetime(2026, 11, 1, tzinfo=UTC)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=ZONE).astimezone(UTC)


def checked_in(user: int, team: int, day: date, plan_at: datetime | None, **actual: int):
    return DayRecord(
        user,
        team,
        day,
        actual={Kpi(k): Decimal(v) for k, v in actual.items()},
        planned_at=plan_at,
        reviewed_at=local(day, 19, 30),
    )


def drill(team: int, user: int, key: int, at: datetime, points: tuple[int, ...]) -> DrillRecord:
    return DrillRecord(
        team_id=team,
        user_id=user,
        objection_key=key,
        category=Category.PRICE,
        mode="steps",
        started_at=at - timedelta(minutes=3),
        finished_at=at,
        points=dict(zip(LAER, points, strict=True)),
    )


@pytest.fixture
def seeded(uow_factory):
    """A team of four reps and a manager, and one week of their doings.

    Anna checks in on time every day and drills; Bo plans late on Monday and misses the rest;
    Chen is on leave from Wednesday; Dai joined on Thursday and did nothing.
    """
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("华东一组", "华东", "Asia/Shanghai", Lang.ZH), CREATED)
        import_pack(uow, 0, read_pack((PACKS / "default.zh.yaml").read_bytes()), CREATED)
        objection = uow.content.objections([0], "zh")[0].key
        question = uow.content.questions([0], "zh")[0].key
        people = [(MANAGER, "王"), (ANNA, "安娜"), (BO, "博"), (CHEN, "陈"), (DAI, "戴")]
        for uid, name in people:
            uow.people.save(Person(uid, name, None, Lang.ZH), CREATED)
        uow.commit()
    with uow_factory() as uow:
        for uid, _name in people:
            role = Role.MANAGER if uid == MANAGER else Role.REP
            joined = local(date(2026, 11, 26), 10) if uid == DAI else CREATED
            uow.members.add(Membership(uid, team.id, role, joined))
        # Anna: on time all week, 2 visits a day, a deal and 50k on Monday; also last Friday
        for day in WEEK:
            extra = {"deals": 1, "revenue": 50_000} if day == MONDAY else {}
            uow.days.save(checked_in(ANNA, team.id, day, local(day, 8, 40), new_visits=2, **extra))
        uow.days.save(checked_in(ANNA, team.id, MONDAY - timedelta(days=3), local(MONDAY, 8)))
        uow.practice.add_drill(drill(team.id, ANNA, objection, local(WEEK[1], 12), (2, 2, 1, 1)))
        # next Monday: outside the window
        next_monday = local(SUNDAY + timedelta(1), 9)
        uow.practice.add_drill(drill(team.id, ANNA, objection, next_monday, (2, 2, 2, 2)))
        # Bo: Monday planned at 20:00 (late), reviewed; misses Tuesday to Friday
        uow.days.save(checked_in(BO, team.id, MONDAY, local(MONDAY, 20), calls=30))
        for day in WEEK[1:]:
            for kind in CheckIn:
                uow.misses.add(Miss(BO, team.id, day, kind, local(day, 22)))
        for n, right in enumerate((True, False)):
            asked, answered = local(MONDAY, 9), local(MONDAY, 9, 1)
            uow.practice.add_poll(
                QuizPoll(f"p{n}", PollKind.QUIZ, BO, n, team.id, question, 1, asked, BO)
            )
            option = 1 if right else 0
            uow.practice.add_answer(
                QuizAnswer(f"p{n}", BO, team.id, question, option, right, 5.0, answered)
            )
        # Chen: on time Monday and Tuesday, then leave
        for day in WEEK[:2]:
            uow.days.save(checked_in(CHEN, team.id, day, local(day, 9), new_visits=2))
        for day in WEEK[2:]:
            uow.days.save(DayRecord(CHEN, team.id, day, absence=Absence.LEAVE))
        uow.commit()
    return uow_factory, team


def test_every_rep_is_scored_from_the_window_by_the_rules(seeded):
    uow_factory, team = seeded
    with uow_factory() as uow:
        scores = team_scores(uow, team, MONDAY, SUNDAY)
    by_id = {s.user_id: s for s in scores}
    assert set(by_id) == {ANNA, BO, CHEN, DAI}  # reps only
    assert scores[0].user_id == ANNA

    anna = by_id[ANNA]
    assert anna.name == "安娜"
    assert anna.targets == {k: v for k, v in DEFAULT_WEEKLY_TARGETS.items()}
    assert anna.actuals == {Kpi.NEW_VISITS: 10, Kpi.DEALS: 1, Kpi.REVENUE: 50_000}
    assert (anna.on_time, anna.late, anna.missed, anna.streak) == (10, 0, 0, 5)
    assert anna.drills == 1  # next Monday's drill is outside the window
    expected = score(
        RepPeriod(
            ANNA,
            "安娜",
            targets=DEFAULT_WEEKLY_TARGETS,
            actuals=anna.actuals,
            plans_on_time=5,
            reviews_on_time=5,
            streak=5,
            drills=1,
            drill_points=6,
            drill_max=8,
            drill_full_steps=2,
            weeks=Decimal(1),
        ),
        Weights(),
    )
    assert anna == expected
    # worked by hand from the rules: results (50 + 50) / 2, process (100 + 0 + 0 + 0 + 100) / 5,
    # capability 6 of 8, no teamwork
    assert anna.composite == Decimal("0.6") * 50 + Decimal("0.2") * 40 + Decimal("0.1") * 75
    assert anna.points == sum(
        RULES[code].pay(count)
        for code, count in {
            "plan_on_time": 5,
            "review_on_time": 5,
            "streak": 1,
            "target_met": 1,  # visits 10 of 10
            "drill": 1,
            "drill_full_step": 2,
        }.items()
    )

    bo = by_id[BO]
    assert (bo.on_time, bo.late, bo.missed, bo.streak) == (1, 1, 8, 0)
    assert (bo.quiz_answered, bo.quiz_right) == (2, 1)
    assert bo.discipline == Decimal("10.0")  # 1 on time of 1 + 1 + 8 owed

    chen = by_id[CHEN]  # two working days: targets scaled to 2 of 5, rounded up
    assert chen.targets == {
        kpi: (value * 2 / 5).quantize(
            Decimal("0.01") if kpi.is_money else Decimal(1), rounding=ROUND_CEILING
        )
        for kpi, value in DEFAULT_WEEKLY_TARGETS.items()
    }
    assert chen.attainment[Kpi.NEW_VISITS] == 100  # 4 of 4
    assert chen.streak == 2  # leave neither counts nor breaks it

    dai = by_id[DAI]  # joined Thursday: targets for Thursday and Friday
    assert dai.targets[Kpi.NEW_VISITS] == 4
    assert (dai.composite, dai.points, dai.active) == (0, 0, False)


def test_the_weights_are_the_teams(seeded):
    uow_factory, team = seeded
    with uow_factory() as uow:
        uow.settings.save(team.id, TeamSettings(weights=Weights(0, 0, 100, 0)))
        uow.commit()
    with uow_factory() as uow:
        scores = team_scores(uow, team, MONDAY, SUNDAY)
    assert [(s.user_id, s.composite) for s in scores[:2]] == [
        (ANNA, Decimal("75.0")),
        (BO, Decimal("50.0")),
    ]


def test_a_window_in_progress_counts_the_streak_as_of_its_last_day_with_data(seeded):
    uow_factory, team = seeded
    with uow_factory() as uow:
        scores = {s.user_id: s for s in team_scores(uow, team, MONDAY, MONDAY + timedelta(2))}
    assert scores[ANNA].streak == 3
    assert scores[ANNA].targets[Kpi.NEW_VISITS] == 6  # three days of ten a week
    with uow_factory() as uow:
        day = {s.user_id: s for s in team_scores(uow, team, WEEK[1], WEEK[1])}
    assert day[ANNA].actuals == {Kpi.NEW_VISITS: 2}
    assert day[ANNA].drills == 1
    assert day[BO].quiz_answered == 0


def test_a_team_without_reps_has_no_scores(uow_factory):
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("空", None, "UTC", Lang.EN), CREATED)
        uow.commit()
    with uow_factory() as uow:
        assert team_scores(uow, team, MONDAY, SUNDAY) == []
        with pytest.raises(ValueError):
            team_scores(uow, team, SUNDAY, MONDAY)


def test_window_streak_rules():
    cal = WorkCalendar(None)
    reviewed = [checked_in(1, 1, day, None) for day in WEEK[:3]]
    missed = [Miss(1, 1, WEEK[3], CheckIn.REVIEW, CREATED)]
    assert window_streak(reviewed, [], cal, MONDAY, WEEK[2]) == 3
    assert window_streak(reviewed, [], cal, MONDAY, WEEK[3]) == 3  # Thursday still open
    assert window_streak(reviewed, missed, cal, MONDAY, WEEK[3]) == 0  # Thursday missed
    assert window_streak(reviewed, [], cal, WEEK[1], WEEK[2]) == 2  # not before the window
    assert window_streak(reviewed, [], cal, MONDAY, SUNDAY) == 0  # Friday not reviewed
    assert data_through([reviewed], [missed], MONDAY, SUNDAY) == WEEK[3]
    assert data_through([], [], MONDAY, SUNDAY) == SUNDAY


def test_a_monthly_revenue_target_is_shared_by_working_days():
    team = Team(1, "T", None, "Asia/Shanghai", Lang.ZH, Schedule(country=None), CREATED)
    monthly = Decimal(220_000)
    assert team_revenue_target(team, None, MONDAY, SUNDAY) is None
    november = 21  # working days of November 2026, Monday to Friday, no holidays
    week = team_revenue_target(team, monthly, MONDAY, SUNDAY)
    assert week == (monthly * 5 / november).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    # across a month's end: each month's share of its own working days
    span = team_revenue_target(team, monthly, date(2026, 11, 30), date(2026, 12, 1))
    december = 23
    expected = monthly * 1 / november + monthly * 1 / december
    assert span == expected.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
