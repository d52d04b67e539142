"""A seeded week for the manager views' tests: two teams, their people, and a week of work.

Team A (华东一组, Shanghai): manager 王经理 (1), reps Tom (2) and 李娜 (3). Team B (East):
manager Bob (4), rep Ann (5). Eve (6) is in no team. Everyone joined on Sunday 2026-11-15.

The week of Monday 2026-11-16 in team A:

* Tom plans and reviews every working day (Mon–Fri): 2 tasks a day, 1 done; 2 new-customer
  visits a day (10: the weekly target), 1 deal on Friday, 50,000 revenue on Wednesday. His
  Monday win starts with ``=`` (a formula, if a spreadsheet believed it). Two drills (6 and 7
  points of 8), four quiz answers (three right), a reflection.
* 李娜 plans and reviews Monday (1 visit), plans Tuesday only (review missed), is sick on
  Wednesday and misses both check-ins on Thursday and Friday.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coach.content import Category, LaerStep
from coach.days import Absence, CheckIn, DayRecord, Miss, Reflection, Task
from coach.kpis import Kpi
from coach.models import Lang, Membership, NewTeam, Person, Role, Team
from coach.ports import UnitOfWork
from coach.practice import DrillRecord, QuizAnswer
from tests.fakes import FakeUnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
JOINED = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 16)
SUNDAY = date(2026, 11, 22)
AFTER_WEEK = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 the week after

WANG = Person(1, "王经理", "wang", Lang.ZH)
TOM = Person(2, "Tom", "tom", Lang.EN)
LINA = Person(3, "李娜", "lina", Lang.ZH)
BOB = Person(4, "Bob", "bob", Lang.EN)
ANN = Person(5, "Ann", "ann", Lang.EN)
EVE = Person(6, "Eve", "eve", Lang.EN)

TOM_WIN = '=HYPERLINK("http://x")'


@dataclass
class World:
    uow: FakeUnitOfWork
    a: Team
    b: Team


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def make_world(seed_week: bool = True) -> World:
    """The two teams (and the week, unless ``seed_week`` is false) in an in-memory store."""
    uow = FakeUnitOfWork()
    a, b = populate(lambda: uow, seed_week)
    return World(uow, a, b)


def populate(
    open_uow: Callable[[], UnitOfWork], seed_week: bool = True, practice: bool = True
) -> tuple[Team, Team]:
    """Store the two teams (and the week) through any unit of work: fake, SQLite, PostgreSQL.

    ``practice=False`` leaves out the drills and quiz answers (in SQL they need content items
    and polls to point at).
    """
    with open_uow() as uow:
        a = uow.teams.add(NewTeam("华东一组", "华东", "Asia/Shanghai", Lang.ZH), JOINED)
        b = uow.teams.add(NewTeam("East", None, "America/New_York", Lang.EN), JOINED)
        for person in (WANG, TOM, LINA, BOB, ANN, EVE):
            uow.people.save(person, JOINED)
        uow.commit()
    with open_uow() as uow:  # people first: memberships point at them
        for person, team, role in (
            (WANG, a, Role.MANAGER),
            (TOM, a, Role.REP),
            (LINA, a, Role.REP),
            (BOB, b, Role.MANAGER),
            (ANN, b, Role.REP),
        ):
            uow.members.add(Membership(person.user_id, team.id, role, JOINED))
        uow.commit()
    if seed_week:
        seed(open_uow, a, practice)
    return a, b


def seed(open_uow: Callable[[], UnitOfWork], team: Team, practice: bool = True) -> None:
    with open_uow() as uow:
        for offset in range(5):
            day = MONDAY + timedelta(days=offset)
            actual = {Kpi.NEW_VISITS: Decimal(2)}
            if offset == 2:
                actual[Kpi.REVENUE] = Decimal(50000)
            if offset == 4:
                actual[Kpi.DEALS] = Decimal(1)
            uow.days.save(
                DayRecord(
                    TOM.user_id,
                    team.id,
                    day,
                    tasks=(Task("Visit a customer", True, True), Task("Send a quote", True)),
                    planned={Kpi.NEW_VISITS: Decimal(2)},
                    actual=actual,
                    planned_at=local(day, 8, 40),
                    reviewed_at=local(day, 19, 5),
                    win=TOM_WIN if offset == 0 else f"win {offset}",
                    lesson="-price talk first" if offset == 0 else None,
                    objection="@too expensive" if offset == 0 else None,
                    tomorrow_first="call back",
                )
            )
        uow.days.save(
            DayRecord(
                LINA.user_id,
                team.id,
                MONDAY,
                tasks=(Task("拜访客户", True, True),),
                planned={Kpi.NEW_VISITS: Decimal(1)},
                actual={Kpi.NEW_VISITS: Decimal(1)},
                planned_at=local(MONDAY, 9),
                reviewed_at=local(MONDAY, 20),
                win="签了一单",
            )
        )
        tuesday = MONDAY + timedelta(days=1)
        uow.days.save(
            DayRecord(
                LINA.user_id,
                team.id,
                tuesday,
                tasks=(Task("打电话", True),),
                planned_at=local(tuesday, 9),
            )
        )
        wednesday = MONDAY + timedelta(days=2)
        uow.days.save(DayRecord(LINA.user_id, team.id, wednesday, absence=Absence.SICK))
        misses = [(tuesday, CheckIn.REVIEW)]
        for offset in (3, 4):
            day = MONDAY + timedelta(days=offset)
            misses += [(day, CheckIn.PLAN), (day, CheckIn.REVIEW)]
        for day, kind in misses:
            uow.misses.add(Miss(LINA.user_id, team.id, day, kind, local(day, 22)))
        for n, total in enumerate((6, 7) if practice else ()):
            started = local(MONDAY + timedelta(days=n), 14)
            points = dict(zip(LaerStep, (2, 2, 1, total - 5), strict=True))
            uow.practice.add_drill(
                DrillRecord(
                    team.id, TOM.user_id, 1, Category.PRICE, "steps", started,
                    started + timedelta(minutes=5), points,
                )
            )  # fmt: skip
        for n, right in enumerate((True, True, False, True) if practice else ()):
            at = local(MONDAY + timedelta(days=n), 15)
            uow.practice.add_answer(
                QuizAnswer(f"poll{n}", TOM.user_id, team.id, n, 0, right, 3.0, at)
            )
        uow.reflections.save(
            Reflection(
                TOM.user_id, team.id, MONDAY, "<b>good</b> calls", "less talk", "3 demos",
                local(SUNDAY - timedelta(days=2), 21),
            )
        )  # fmt: skip
        uow.commit()
