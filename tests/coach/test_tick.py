"""The scheduler's tick over the in-memory storage: what is sent when, once, to whom.

Two teams: 华东一组 in Shanghai (China's holidays, a bound group) and East in New York (US
holidays, no group: summaries go to the manager privately). The caller's part (store each
call's notices in the outbox and commit) is played by :meth:`World.tick`.
"""

from __future__ import annotations

import time as wallclock
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coach.calendar import WorkCalendar
from coach.days import Absence, CheckIn, DayRecord, Miss, Task
from coach.kpis import Kpi
from coach.models import Lang, Membership, NewTeam, Person, Reminders, Role, Schedule, Team
from coach.notices import (
    DailySummary,
    Escalation,
    Notice,
    Nudge,
    PlanPrompt,
    ReviewPrompt,
    WeeklySummary,
)
from coach.outbox import OutgoingMessage
from coach.tick import decide
from tests.fakes import FakeUnitOfWork

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
GRACE = timedelta(minutes=30)
MINUTE = timedelta(minutes=1)
JOINED = datetime(2026, 1, 1, tzinfo=UTC)
MONDAY = date(2026, 11, 23)
GROUP = -100


def at(tz: ZoneInfo, day: date | str, hhmm: str) -> datetime:
    """The UTC instant of a team-local wall-clock time."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=tz).astimezone(UTC)


def to_message(notice: Notice) -> OutgoingMessage:
    """What the adapter stores; the text does not matter to the tick."""
    return OutgoingMessage(
        key=notice.key,
        chat_id=notice.chat_id,
        text=notice.kind,
        kind=notice.kind,
        not_before=notice.due_at,
        user_id=notice.user_id,
        team_id=notice.team_id,
        day=notice.day,
        budgeted=notice.budgeted,
    )


class World:
    """Teams, people and days in a FakeUnitOfWork, and a caller that ticks."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.log: list[tuple[datetime, Notice]] = []

    def team(
        self,
        name: str,
        zone: str,
        country: str | None,
        *,
        group: int | None = None,
        **schedule: object,
    ) -> Team:
        with self.uow as uow:
            team = uow.teams.add(
                NewTeam(name, None, zone, Lang.EN, Schedule(country=country, **schedule)), JOINED
            )
            if group is not None:
                uow.teams.set_group(team.id, group, f"{name} group")
            uow.commit()
            return uow.teams.get(team.id) or team

    def person(
        self,
        user_id: int,
        name: str,
        team: Team,
        role: Role = Role.REP,
        *,
        joined: datetime = JOINED,
        blocked: bool = False,
    ) -> None:
        with self.uow as uow:
            uow.people.save(Person(user_id, name, None, Lang.EN, blocked=blocked), joined)
            uow.members.add(Membership(user_id, team.id, role, joined))
            uow.commit()

    def edit(self, user_id: int, team: Team, day: date, **changes: object) -> None:
        with self.uow as uow:
            record = uow.days.get(user_id, day) or DayRecord(user_id, team.id, day)
            uow.days.save(replace(record, **changes))
            uow.commit()

    def tick(self, now: datetime, grace: timedelta = GRACE) -> list[Notice]:
        with self.uow as uow:
            notices = decide(uow, now, grace)
            uow.outbox.add(map(to_message, notices), now)
            uow.commit()
        self.log.extend((now, notice) for notice in notices)
        return notices

    def run(
        self,
        start: datetime,
        end: datetime,
        step: timedelta = MINUTE,
        actions: dict[datetime, Callable[[], None]] | None = None,
    ) -> None:
        """Tick from ``start`` to ``end``; an action runs just before the tick at its instant."""
        actions = actions or {}
        now = start
        while now <= end:
            if now in actions:
                actions[now]()
            self.tick(now)
            now += step

    def misses(self, team: Team, start: date, end: date) -> list[Miss]:
        with self.uow as uow:
            return uow.misses.of_team(team.id, start, end)

    def keys(self, day: date | None = None) -> list[str]:
        return sorted(n.key for _, n in self.log if day is None or n.day == day)


def shanghai(world: World, **schedule: object) -> Team:
    team = world.team("华东一组", "Asia/Shanghai", "CN", group=GROUP, **schedule)
    world.person(10, "王经理", team, Role.MANAGER)
    world.person(11, "李娜", team)
    world.person(12, "王强", team)
    world.person(13, "赵敏", team)
    world.person(14, "钱多", team, blocked=True)
    return team


def new_york(world: World, **schedule: object) -> Team:
    team = world.team("East", "America/New_York", "US", **schedule)
    world.person(20, "Maria", team, Role.MANAGER)
    world.person(21, "Tom", team)
    world.person(22, "Amy", team, joined=at(NY, MONDAY, "12:00"))
    return team


def expect(world: World, day: date) -> dict[str, datetime]:
    """Each key of ``day`` with the instant it was decided; fails on a key decided twice."""
    seen: dict[str, datetime] = {}
    for when, notice in world.log:
        if notice.day == day:
            assert notice.key not in seen, f"{notice.key} decided twice"
            seen[notice.key] = when
    return seen


# --- a whole day, minute by minute, in two time zones ------------------------------------------


def test_a_full_monday_in_shanghai_and_new_york_minute_by_minute():
    world = World()
    sh, ny = shanghai(world), new_york(world)
    task_done, task_open = Task("call Acme", True), Task("send quote", True)
    world.edit(13, sh, MONDAY, absence=Absence.SICK)
    world.run(
        at(SH, MONDAY, "00:00"),
        at(NY, MONDAY, "23:59"),
        actions={
            at(SH, MONDAY, "09:00"): lambda: world.edit(
                11, sh, MONDAY, tasks=(task_done, task_open), planned_at=at(SH, MONDAY, "09:00")
            ),
            at(SH, MONDAY, "19:30"): lambda: world.edit(
                11,
                sh,
                MONDAY,
                tasks=(replace(task_done, done=True), task_open),
                actual={Kpi.NEW_VISITS: Decimal(3), Kpi.CALLS: Decimal(12)},
                reviewed_at=at(SH, MONDAY, "19:30"),
            ),
            at(SH, MONDAY, "20:15"): lambda: world.edit(
                12,
                sh,
                MONDAY,
                actual={Kpi.NEW_VISITS: Decimal(2)},
                reviewed_at=at(SH, MONDAY, "20:15"),
            ),
            at(NY, MONDAY, "08:45"): lambda: world.edit(
                21, ny, MONDAY, planned_at=at(NY, MONDAY, "08:45")
            ),
            at(NY, MONDAY, "19:10"): lambda: world.edit(
                21, ny, MONDAY, reviewed_at=at(NY, MONDAY, "19:10")
            ),
        },
    )
    day = MONDAY.isoformat()
    assert expect(world, MONDAY) == {
        # Shanghai: 13 is sick, 14 blocked the bot.
        f"plan:11:{day}": at(SH, MONDAY, "08:30"),
        f"plan:12:{day}": at(SH, MONDAY, "08:30"),
        f"nudge:plan:12:{day}": at(SH, MONDAY, "09:30"),
        # The practice push halfway between plan and review, within the budget of 2 and only
        # when it leaves one for the review nudge: 12 spent one on the plan nudge.
        f"practice:11:{day}": at(SH, MONDAY, "13:45"),
        f"review:11:{day}": at(SH, MONDAY, "19:00"),
        f"review:12:{day}": at(SH, MONDAY, "19:00"),
        f"nudge:review:12:{day}": at(SH, MONDAY, "20:00"),
        # The evening sharing in the bound group: opened at 20:30, its digest an hour later.
        f"sharing:open:{sh.id}:{day}": at(SH, MONDAY, "20:30"),
        f"sharing:digest:{sh.id}:{day}": at(SH, MONDAY, "21:30"),
        f"summary:{sh.id}:{day}:{GROUP}": at(SH, MONDAY, "22:00"),
        # New York: Amy joined at noon, so her first prompt is the review.
        f"plan:21:{day}": at(NY, MONDAY, "08:30"),
        f"practice:21:{day}": at(NY, MONDAY, "13:45"),
        f"practice:22:{day}": at(NY, MONDAY, "13:45"),
        f"review:21:{day}": at(NY, MONDAY, "19:00"),
        f"review:22:{day}": at(NY, MONDAY, "19:00"),
        f"nudge:review:22:{day}": at(NY, MONDAY, "20:00"),
        f"summary:{ny.id}:{day}:20": at(NY, MONDAY, "22:00"),
    }
    assert all(when == notice.due_at for when, notice in world.log)

    misses = {(m.user_id, m.kind) for m in world.misses(sh, MONDAY, MONDAY)}
    assert misses == {(12, CheckIn.PLAN), (14, CheckIn.PLAN), (14, CheckIn.REVIEW)}
    assert {(m.user_id, m.kind) for m in world.misses(ny, MONDAY, MONDAY)} == {(22, CheckIn.REVIEW)}

    summary = next(n for _, n in world.log if isinstance(n, DailySummary) and n.team_id == sh.id)
    assert (summary.chat_id, summary.user_id) == (GROUP, None)
    lines = {line.person.user_id: line for line in summary.lines}
    assert [line.person.first_name for line in summary.lines] == sorted(
        p.first_name for p in (line.person for line in summary.lines)
    )
    assert (lines[11].planned, lines[11].reviewed, lines[11].missed) == (True, True, ())
    assert (lines[12].planned, lines[12].reviewed, lines[12].missed) == (
        False,
        True,
        (CheckIn.PLAN,),
    )
    assert lines[13].absence is Absence.SICK and lines[13].missed == ()
    assert lines[14].missed == (CheckIn.PLAN, CheckIn.REVIEW)
    totals = {total.kpi: total for total in summary.totals}
    assert totals[Kpi.NEW_VISITS].actual == 5
    # Three reps working (11, 12, 14) at 42 / 6 = 7 visits a day each.
    assert totals[Kpi.NEW_VISITS].pace == 21
    assert totals[Kpi.CALLS].pace is None and totals[Kpi.CALLS].actual == 12

    ny_summary = next(n for _, n in world.log if isinstance(n, DailySummary) and n.team_id == ny.id)
    assert (ny_summary.chat_id, ny_summary.user_id) == (20, 20)
    assert not any(isinstance(n, Escalation | WeeklySummary) for _, n in world.log)


def test_the_next_mornings_plan_carries_over_the_unfinished_tasks_and_the_pace():
    world = World()
    sh = shanghai(world)
    tasks = (Task("call Acme", True, done=True), Task("send quote", True), Task("CRM", False))
    world.edit(
        11,
        sh,
        MONDAY,
        tasks=tasks,
        planned_at=JOINED,
        reviewed_at=JOINED,
        actual={Kpi.NEW_VISITS: Decimal(12)},
    )
    world.edit(12, sh, MONDAY, tasks=tasks, planned_at=JOINED)  # planned, never reviewed
    tuesday = MONDAY + timedelta(days=1)
    prompts = {n.user_id: n for n in world.tick(at(SH, tuesday, "08:30"))}
    assert set(prompts) == {11, 12, 13}
    lina = prompts[11]
    assert isinstance(lina, PlanPrompt)
    assert lina.carry_over == (Task("send quote", True), Task("CRM", False))
    assert prompts[12].carry_over == ()
    assert lina.focus is Kpi.NEW_VISITS  # Tuesday's relay metric
    visits = next(p for p in lina.pace if p.kpi is Kpi.NEW_VISITS)
    assert (visits.target_month, visits.done_month, visits.days_left) == (42, 12, 5)
    assert (visits.per_day, visits.week_target, visits.week_done) == (6, 10, 12)
    assert lina.reminders == sh.schedule.reminders
    assert (lina.chat_id, lina.team_id, lina.day, lina.budgeted) == (11, sh.id, tuesday, False)


# --- holidays, make-up days, absences ----------------------------------------------------------


def test_national_day_is_silent_and_the_makeup_saturday_gets_prompts():
    world = World()
    shanghai(world)
    world.run(at(SH, "2026-10-01", "00:00"), at(SH, "2026-10-01", "23:59"), timedelta(minutes=5))
    assert world.log == []
    world.tick(at(SH, "2026-10-10", "08:30"))
    assert world.keys() == ["plan:11:2026-10-10", "plan:12:2026-10-10", "plan:13:2026-10-10"]


def test_thanksgiving_is_silent_in_new_york():
    world = World()
    new_york(world)
    world.run(at(NY, "2026-11-26", "00:00"), at(NY, "2026-11-26", "23:59"), timedelta(minutes=5))
    assert world.log == []


def test_an_absent_rep_gets_no_prompt_no_nudge_and_no_miss():
    world = World()
    sh = shanghai(world)
    for rep in (11, 12):
        world.edit(rep, sh, MONDAY, absence=Absence.TRAINING)
    world.run(at(SH, MONDAY, "08:00"), at(SH, MONDAY, "23:00"), timedelta(minutes=5))
    keys = world.keys()
    assert not any(f":{rep}:" in key for key in keys for rep in (11, 12))
    assert {m.user_id for m in world.misses(sh, MONDAY, MONDAY)} == {13, 14}


# --- budget and quiet hours --------------------------------------------------------------------


def test_the_daily_cap_stops_the_second_nudge():
    world = World()
    shanghai(world, reminders=Reminders(daily_cap=1))
    world.run(at(SH, MONDAY, "08:00"), at(SH, MONDAY, "21:00"), timedelta(minutes=5))
    nudges = [n for _, n in world.log if isinstance(n, Nudge) and n.user_id == 11]
    assert [(n.check_in, n.left_today, n.budgeted) for n in nudges] == [(CheckIn.PLAN, 0, True)]


def test_other_budgeted_pushes_count_against_the_cap():
    world = World()
    shanghai(world)
    with world.uow as uow:
        quiz = OutgoingMessage(
            "quiz:11:1", 11, "quiz", "quiz", JOINED, user_id=11, day=MONDAY, budgeted=True
        )
        uow.outbox.add([quiz], JOINED)
        uow.commit()
    world.run(at(SH, MONDAY, "08:00"), at(SH, MONDAY, "21:00"), timedelta(minutes=5))
    nudged = {(n.user_id, n.check_in): n.left_today for _, n in world.log if isinstance(n, Nudge)}
    assert nudged == {
        (11, CheckIn.PLAN): 0,
        (12, CheckIn.PLAN): 1,
        (13, CheckIn.PLAN): 1,
        (12, CheckIn.REVIEW): 0,
        (13, CheckIn.REVIEW): 0,
    }


def test_no_nudge_in_quiet_hours_but_one_when_they_end_within_grace():
    world = World()
    shanghai(
        world,
        plan_time=time(7, 0),
        review_time=time(21, 0),
        review_deadline=time(23, 30),
        reminders=Reminders(nudge_after_minutes=30, quiet_start=time(21, 30), quiet_end=time(8)),
    )
    grace = timedelta(minutes=45)
    for minute in range(0, 17 * 60, 5):
        world.tick(at(SH, MONDAY, "07:00") + timedelta(minutes=minute), grace)
    nudges = [(when, n) for when, n in world.log if isinstance(n, Nudge)]
    # The plan nudge fell due at 07:30 (quiet) and went out at 08:00, still within grace.
    assert {(when, n.check_in) for when, n in nudges} == {(at(SH, MONDAY, "08:00"), CheckIn.PLAN)}
    assert all(n.due_at == at(SH, MONDAY, "07:30") for _, n in nudges)
    # The review nudge (21:30) fell in quiet hours until it went stale.
    assert f"review:11:{MONDAY}" in set(world.keys())


# --- outages, staleness, idempotence -----------------------------------------------------------


def test_an_outage_is_caught_up_within_grace():
    world = World()
    shanghai(world)
    first = world.tick(at(SH, MONDAY, "08:50"))
    assert {n.key for n in first} == {f"plan:{rep}:{MONDAY}" for rep in (11, 12, 13)}
    assert all(n.due_at == at(SH, MONDAY, "08:30") for n in first)


def test_after_grace_a_prompt_is_stale_and_never_sent():
    world = World()
    shanghai(world)
    assert world.tick(at(SH, MONDAY, "09:00")) == []  # 08:30 + 30 min: stale
    # No prompt went out, so there is nothing to nudge about either.
    assert world.tick(at(SH, MONDAY, "09:30")) == []


def test_a_nudge_waits_for_a_tick_after_its_prompt():
    world = World()
    shanghai(world)
    long = timedelta(hours=2)
    first = world.tick(at(SH, MONDAY, "09:40"), long)  # plan and plan nudge both due
    assert {n.kind for n in first} == {"plan"}
    second = world.tick(at(SH, MONDAY, "09:41"), long)
    assert {n.key for n in second} == {f"nudge:plan:{rep}:{MONDAY}" for rep in (11, 12, 13)}


def test_deciding_twice_sends_nothing_new_and_records_misses_once():
    world = World()
    sh = shanghai(world)
    deadline = at(SH, MONDAY, "22:00")
    assert len(world.tick(deadline)) == 1  # the group summary
    assert world.tick(deadline) == []
    assert world.tick(deadline + timedelta(minutes=10)) == []
    misses = world.misses(sh, MONDAY, MONDAY)
    assert len(misses) == 8  # four reps, plan and review each
    assert {m.recorded_at for m in misses} == {deadline}


def test_a_rolled_back_tick_decides_the_same_again():
    world = World()
    shanghai(world)
    with world.uow as uow:
        first = decide(uow, at(SH, MONDAY, "22:00"), GRACE)
        uow.rollback()
    with world.uow as uow:
        again = decide(uow, at(SH, MONDAY, "22:00"), GRACE)
    assert [n.key for n in first] == [n.key for n in again]
    assert first


# --- escalation --------------------------------------------------------------------------------


def deadlines(world: World, days: Iterable[date]) -> list[Notice]:
    return [n for day in days for n in world.tick(at(SH, day, "22:00"))]


def test_escalation_after_three_missed_days_and_each_multiple_privately():
    world = World()
    sh = shanghai(world)
    world.person(15, "孙经理", sh, Role.MANAGER, blocked=True)  # gets nothing
    weeks = [MONDAY + timedelta(days=n) for n in range(12) if (MONDAY.weekday() + n) % 7 < 5]
    for day in weeks:
        for rep in (11, 12):
            world.edit(rep, sh, day, planned_at=JOINED, reviewed_at=JOINED)
    for day in weeks:  # 13 never checks in
        world.edit(13, sh, day, planned_at=JOINED)
    notices = deadlines(world, weeks)
    escalations = [n for n in notices if isinstance(n, Escalation)]
    assert [(n.rep.user_id, n.day, n.missed_days, n.since) for n in escalations] == [
        (13, date(2026, 11, 25), 3, MONDAY),
        (14, date(2026, 11, 25), 3, MONDAY),
        (13, date(2026, 11, 30), 6, MONDAY),
        (14, date(2026, 11, 30), 6, MONDAY),
        (13, date(2026, 12, 3), 9, MONDAY),
        (14, date(2026, 12, 3), 9, MONDAY),
    ]
    assert {(n.chat_id, n.user_id) for n in escalations} == {(10, 10)}
    group = [n for n in notices if n.chat_id == GROUP]
    assert group and all(isinstance(n, DailySummary) for n in group)


def test_leave_inside_a_run_of_misses_does_not_reset_it():
    world = World()
    sh = shanghai(world)
    days = [MONDAY + timedelta(days=n) for n in range(4)]
    for rep in (12, 13, 14):
        for day in days:
            world.edit(rep, sh, day, planned_at=JOINED, reviewed_at=JOINED)
    world.edit(11, sh, days[1], absence=Absence.LEAVE)  # Tuesday off
    notices = deadlines(world, days)
    escalations = [
        (n.rep.user_id, n.day, n.missed_days) for n in notices if isinstance(n, Escalation)
    ]
    assert escalations == [(11, days[3], 3)]


def test_a_run_longer_than_the_first_window_is_counted_in_full():
    world = World()
    team = world.team("Far", "UTC", None, reminders=Reminders(escalate_after_days=5))
    world.person(30, "Lead", team, Role.MANAGER)
    world.person(31, "Gone", team)
    earlier = WorkCalendar(country=None)
    with world.uow as uow:
        for back in range(1, 70):  # 69 working days missed before Monday (~14 weeks)
            day = earlier.add_working_days(MONDAY, -back)
            uow.misses.add(Miss(31, team.id, day, CheckIn.REVIEW, JOINED))
        uow.commit()
    notices = world.tick(datetime.combine(MONDAY, time(22), tzinfo=UTC))
    escalations = [n for n in notices if isinstance(n, Escalation)]
    assert [(n.missed_days, n.since) for n in escalations] == [
        (70, earlier.add_working_days(MONDAY, -69))
    ]


def test_escalation_goes_to_the_manager_when_there_is_no_group():
    world = World()
    ny = new_york(world, reminders=Reminders(escalate_after_days=1))
    notices = world.tick(at(NY, MONDAY, "22:00"))
    assert {(type(n).__name__, n.chat_id) for n in notices} == {
        ("DailySummary", 20),
        ("Escalation", 20),
    }
    assert ny.group_chat_id is None


# --- DST in New York ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "plan", "plan_utc", "nudge_utc"),
    [
        pytest.param(
            "2026-03-08",
            time(2, 30),
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            datetime(2026, 3, 8, 8, 30, tzinfo=UTC),
            id="spring forward: 02:30 does not exist",
        ),
        pytest.param(
            "2026-11-01",
            time(1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            id="fall back: 01:30 happens twice",
        ),
    ],
)
def test_dst_days_prompt_exactly_once(day: str, plan: time, plan_utc: datetime, nudge_utc):
    world = World()
    new_york(
        world,
        workdays=frozenset(range(1, 8)),
        plan_time=plan,
        reminders=Reminders(quiet_start=time(0), quiet_end=time(0)),
    )
    the_day = date.fromisoformat(day)
    start = at(NY, the_day, "00:00")
    world.run(start, start + timedelta(hours=25, minutes=59))
    seen = expect(world, the_day)
    assert seen[f"plan:21:{day}"] == plan_utc
    assert seen[f"nudge:plan:21:{day}"] == nudge_utc
    assert seen[f"review:21:{day}"] == at(NY, the_day, "19:00")
    assert seen[f"summary:1:{day}:20"] == at(NY, the_day, "22:00")


# --- week end ----------------------------------------------------------------------------------


def test_friday_evening_brings_each_rep_the_weekly_checklist():
    world = World()
    sh = shanghai(world)
    friday = MONDAY + timedelta(days=4)
    for day in (MONDAY + timedelta(days=n) for n in range(5)):
        world.edit(13, sh, day, absence=Absence.TRAVEL)  # away all week: nothing to sum up
        world.edit(
            11, sh, day, planned_at=JOINED, reviewed_at=JOINED, actual={Kpi.DEALS: Decimal(1)}
        )
    notices = world.tick(at(SH, friday, "21:00"))
    weekly = {n.user_id: n for n in notices if isinstance(n, WeeklySummary)}
    assert set(weekly) == {11, 12}
    lina = weekly[11].checklist
    assert (lina.week_start, lina.through, lina.streak) == (MONDAY, friday, 5)
    deals = next(line for line in lina.lines if line.kpi is Kpi.DEALS)
    assert (deals.actual, deals.percent) == (5, 250)
    assert weekly[11].key == f"week:11:{MONDAY}"
    assert world.tick(at(SH, friday, "21:10")) == []


def test_the_week_end_comes_on_a_holiday_friday_too():
    world = World()
    shanghai(world)
    notices = world.tick(at(SH, "2026-10-02", "21:00"))  # National Day holiday
    summaries = [n for n in notices if isinstance(n, WeeklySummary)]
    assert {n.user_id for n in summaries} == {11, 12, 13}
    assert all(n.checklist.working_days == 3 for n in summaries)
    # and the managers' coaching brief (with its chart): the rest of the tick's notices
    assert {n.kind for n in notices} - {"weekly_summary"} <= {
        "coaching_brief",
        "coaching_brief_chart",
    }
    assert any(n.kind == "coaching_brief" for n in notices)


# --- what a tick loads -------------------------------------------------------------------------


class Counting:
    """Wraps a fake repository and logs each call's name."""

    def __init__(self, inner: object, name: str, calls: list[str]) -> None:
        self._inner, self._name, self._calls = inner, name, calls

    def __getattr__(self, attr: str) -> Callable[..., object]:
        method = getattr(self._inner, attr)

        def call(*args: object, **kwargs: object) -> object:
            self._calls.append(f"{self._name}.{attr}")
            return method(*args, **kwargs)

        return call


def counted(uow: FakeUnitOfWork, calls: list[str]) -> None:
    for name in ("people", "teams", "members", "days", "misses", "targets", "outbox"):
        setattr(uow, name, Counting(getattr(uow, name), name, calls))


def test_teams_with_nothing_due_cost_no_query():
    world = World()
    shanghai(world)
    new_york(world)
    calls: list[str] = []
    with world.uow as uow:
        counted(uow, calls)
        assert decide(uow, at(SH, MONDAY, "12:00"), GRACE) == []
    assert calls == ["teams.all"]


def test_a_repeated_tick_within_grace_stops_at_the_outbox():
    world = World()
    shanghai(world)
    world.tick(at(SH, MONDAY, "08:30"))
    calls: list[str] = []
    with world.uow as uow:
        counted(uow, calls)
        assert decide(uow, at(SH, MONDAY, "08:31"), GRACE) == []
    # The blocked rep never got a prompt, so only they are looked up again; no day is loaded.
    assert calls == ["teams.all", "members.of_team", "outbox.existing", "people.many"]


def big_world(teams: int, reps: int) -> World:
    world = World()
    with world.uow as uow:
        for t in range(teams):
            zone = "Asia/Shanghai" if t % 2 == 0 else "America/New_York"
            team = uow.teams.add(
                NewTeam(f"team {t}", None, zone, Lang.EN, Schedule(country=None)), JOINED
            )
            for r in range(reps):
                uid = 1000 * (t + 1) + r
                uow.people.save(Person(uid, f"rep {uid}", None, Lang.EN), JOINED)
                uow.members.add(Membership(uid, team.id, Role.REP, JOINED))
        uow.commit()
    return world


def test_two_hundred_teams_of_fifty_reps_tick_quickly():
    world = big_world(200, 50)
    timings = {}
    for label, now in (("idle", at(SH, MONDAY, "12:00")), ("plan", at(SH, MONDAY, "08:30"))):
        with world.uow as uow:
            started = wallclock.perf_counter()
            notices = decide(uow, now, GRACE)
            timings[label] = wallclock.perf_counter() - started
            uow.outbox.add(map(to_message, notices), now)
            uow.commit()
        if label == "plan":
            assert len(notices) == 100 * 50  # the Shanghai half
    assert timings["idle"] < 0.5, timings
    assert timings["plan"] < 5, timings


def test_refuses_a_naive_instant_or_no_grace():
    world = World()
    with world.uow as uow, pytest.raises(ValueError):
        decide(uow, datetime(2026, 11, 23, 8, 30), GRACE)  # noqa: DTZ001 - the point
    with world.uow as uow, pytest.raises(ValueError):
        decide(uow, at(SH, MONDAY, "08:30"), timedelta(0))


def test_notices_carry_what_the_outbox_needs():
    world = World()
    shanghai(world)
    world.tick(at(SH, MONDAY, "08:30"))
    nudge = world.tick(at(SH, MONDAY, "09:30"))[0]
    review = world.tick(at(SH, MONDAY, "19:00"))[0]
    assert isinstance(review, ReviewPrompt) and review.record is None
    assert (review.kind, review.budgeted, review.key) == ("review", False, f"review:11:{MONDAY}")
    assert isinstance(nudge, Nudge)
    assert (nudge.kind, nudge.budgeted, nudge.left_today) == ("nudge", True, 1)
