"""A team layer's worth of history for benchmarks: teams, reps and months of daily records.

:func:`populate` stores the teams, reps and memberships; :func:`add_history` then writes every
rep's working days of a date range as production leaves them — the day (plan and review
times, a win and a lesson), its tasks, planned and actual KPI figures, misses for the days a
rep did not review, and the practice and sharing around them (drills, quiz polls and answers,
sharing sessions with shares and kudos). History is added backwards from the measured week, so
a benchmark can measure, add older months, and measure again.

Rows go in through SQLAlchemy Core in large ``executemany`` batches (the type processors,
e.g. ``UTCDateTime``, still apply). The figures are random but seeded: the same arguments give
the same database.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table

from coach.calendar import WorkCalendar
from coach.content import read_pack
from coach.content_import import import_pack
from coach.kpis import Kpi
from coach.models import Lang, Membership, NewTeam, Person, Role
from coach.team_content import BUILT_IN
from storage.db import make_engine
from storage.models import (
    DayKpiRow,
    DayRow,
    DayTaskRow,
    DrillRow,
    KudosRow,
    MissRow,
    QuizAnswerRow,
    QuizPollRow,
    ShareRow,
    SharingSessionRow,
)
from storage.uow import Database

ZONE = "Asia/Shanghai"
TZ = ZoneInfo(ZONE)
PACK = Path(__file__).resolve().parents[1] / "coach" / "packs" / "default.zh.yaml"
REGIONS = ("华东", "华南", "华北", "西南")
BATCH = 20_000
FIRST_USER = 500_000_000

REVIEW_RATE = 0.93  # share of a rep's working days reviewed
PLAN_RATE = 0.95
DRILLS_PER_WEEK = 1.5
QUIZ_ANSWERS_PER_DAY = 1.2
SHARES_PER_SESSION = 3
KUDOS_PER_SHARE = 2


@dataclass(frozen=True, slots=True)
class Roster:
    """Who is in the benchmark database: team ids and, per team, its reps' user ids."""

    teams: tuple[int, ...]
    reps: dict[int, tuple[int, ...]]
    objections: tuple[int, ...]
    questions: tuple[int, ...]

    @property
    def rep_count(self) -> int:
        return sum(len(r) for r in self.reps.values())


def populate(database: Database, teams: int, reps: int, joined: datetime) -> Roster:
    """Store ``teams`` teams (regions in turn) with ``reps`` reps and a manager each."""
    per_team = -(-reps // teams)
    plan: list[tuple[int, list[int]]] = []  # (manager, reps) per team
    next_user = FIRST_USER
    for t in range(teams):
        count = max(0, min(per_team, reps - t * per_team))
        plan.append((next_user, list(range(next_user + 1, next_user + 1 + count))))
        next_user += 1 + count
    with database.unit_of_work() as uow:
        for t, (manager, ids) in enumerate(plan):
            uow.people.save(Person(manager, f"主管{t + 1}", None, Lang.ZH), joined)
            for uid in ids:
                uow.people.save(Person(uid, f"销售{uid - FIRST_USER}", None, Lang.ZH), joined)
        uow.commit()
    team_reps: dict[int, tuple[int, ...]] = {}
    with database.unit_of_work() as uow:
        import_pack(uow, BUILT_IN, read_pack(PACK.read_bytes()), joined)
        objections = tuple(o.key for o in uow.content.objections([BUILT_IN], "zh"))
        questions = tuple(q.key for q in uow.content.questions([BUILT_IN], "zh"))
        for t, (manager, ids) in enumerate(plan):
            region = REGIONS[t % len(REGIONS)]
            team = uow.teams.add(NewTeam(f"{region}{t + 1}组", region, ZONE, Lang.ZH), joined)
            uow.members.add(Membership(manager, team.id, Role.MANAGER, joined))
            for uid in ids:
                uow.members.add(Membership(uid, team.id, Role.REP, joined))
            team_reps[team.id] = tuple(ids)
        uow.commit()
    return Roster(tuple(team_reps), team_reps, objections, questions)


def add_history(url: str, roster: Roster, first: date, last: date, seed: int = 7) -> dict[str, int]:
    """Write every rep's records for the working days ``first..last``; return rows per table."""
    rng = random.Random(f"{seed}:{first}:{last}")
    calendar = WorkCalendar(country="CN")
    days = [d for d in _dates(first, last) if calendar.is_working_day(d)]
    engine = make_engine(url)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as connection:
            writer = _Writer(connection, counts)
            for team_id, reps in roster.reps.items():
                for day in days:
                    _rep_days(writer, rng, team_id, reps, day, roster)
                _sharing(writer, rng, team_id, reps, days)
            writer.flush()
    finally:
        engine.dispose()
    return counts


def _dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ).astimezone(UTC)


class _Writer:
    """Buffers rows per table and inserts them in batches of ``BATCH``."""

    def __init__(self, connection: Connection, counts: dict[str, int]) -> None:
        self._connection = connection
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._tables: dict[str, Table] = {}
        self._counts = counts
        self._next_ids: dict[str, int] = {}

    def add(self, table: Table, **row: Any) -> None:
        rows = self._rows.setdefault(table.name, [])
        self._tables[table.name] = table
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def next_id(self, table: Table) -> int:
        """Ids for tables whose rows others point at, so no round trip is needed."""
        if table.name not in self._next_ids:
            current = self._connection.execute(table.select().with_only_columns(table.c.id))
            self._next_ids[table.name] = max((r[0] for r in current), default=0)
        self._next_ids[table.name] += 1
        return self._next_ids[table.name]

    def flush(self) -> None:
        """Insert everything buffered, parents before the rows that point at them."""
        for name in sorted(self._rows, key=_PARENTS_FIRST.index):
            self._insert(name)

    def _insert(self, name: str) -> None:
        rows = self._rows.get(name)
        if not rows:
            return
        self._connection.execute(self._tables[name].insert(), rows)
        self._counts[name] = self._counts.get(name, 0) + len(rows)
        self._rows[name] = []


DAYS: Table = DayRow.__table__  # type: ignore[assignment]
TASKS: Table = DayTaskRow.__table__  # type: ignore[assignment]
KPIS: Table = DayKpiRow.__table__  # type: ignore[assignment]
MISSES: Table = MissRow.__table__  # type: ignore[assignment]
DRILLS: Table = DrillRow.__table__  # type: ignore[assignment]
POLLS: Table = QuizPollRow.__table__  # type: ignore[assignment]
ANSWERS: Table = QuizAnswerRow.__table__  # type: ignore[assignment]
SESSIONS: Table = SharingSessionRow.__table__  # type: ignore[assignment]
SHARES: Table = ShareRow.__table__  # type: ignore[assignment]
KUDOS: Table = KudosRow.__table__  # type: ignore[assignment]

_PARENTS_FIRST = [
    t.name for t in (DAYS, TASKS, KPIS, MISSES, DRILLS, POLLS, ANSWERS, SESSIONS, SHARES, KUDOS)
]

PLANNED = (Kpi.CALLS, Kpi.NEW_VISITS, Kpi.FOLLOW_UPS)
REPORTED = (Kpi.CALLS, Kpi.NEW_VISITS, Kpi.FOLLOW_UPS, Kpi.PROPOSALS, Kpi.DEMOS, Kpi.DEALS)


def _rep_days(
    w: _Writer, rng: random.Random, team_id: int, reps: Sequence[int], day: date, roster: Roster
) -> None:
    for uid in reps:
        planned = rng.random() < PLAN_RATE
        reviewed = rng.random() < REVIEW_RATE
        if not planned and not reviewed:
            w.add(
                MISSES, user_id=uid, day=day, kind="plan", team_id=team_id, recorded_at=_at(day, 22)
            )
            w.add(
                MISSES,
                user_id=uid,
                day=day,
                kind="review",
                team_id=team_id,
                recorded_at=_at(day, 22),
            )
            continue
        w.add(
            DAYS,
            user_id=uid,
            day=day,
            team_id=team_id,
            planned_at=_at(day, 8, 40) if planned else None,
            reviewed_at=_at(day, 19, 20) if reviewed else None,
            win="签下一个试点" if reviewed else None,
            lesson="报价前先确认预算" if reviewed else None,
            objection=None,
            tomorrow_first="回访王总" if reviewed else None,
            absence=None,
        )
        if planned:
            for position in range(3):
                w.add(
                    TASKS,
                    user_id=uid,
                    day=day,
                    position=position,
                    text=f"任务{position + 1}",
                    must=True,
                    done=reviewed and rng.random() < 0.8,
                )
            for kpi in PLANNED:
                w.add(
                    KPIS,
                    user_id=uid,
                    day=day,
                    source="plan",
                    kpi=kpi.value,
                    team_id=team_id,
                    value=Decimal(rng.randint(2, 20)),
                )
        else:
            w.add(
                MISSES, user_id=uid, day=day, kind="plan", team_id=team_id, recorded_at=_at(day, 22)
            )
        if reviewed:
            for kpi in REPORTED:
                w.add(
                    KPIS,
                    user_id=uid,
                    day=day,
                    source="actual",
                    kpi=kpi.value,
                    team_id=team_id,
                    value=Decimal(_figure(rng, kpi)),
                )
            if rng.random() < 0.2:
                w.add(
                    KPIS,
                    user_id=uid,
                    day=day,
                    source="actual",
                    kpi=Kpi.REVENUE.value,
                    team_id=team_id,
                    value=Decimal(rng.randint(5, 80) * 1000),
                )
        else:
            w.add(
                MISSES,
                user_id=uid,
                day=day,
                kind="review",
                team_id=team_id,
                recorded_at=_at(day, 22),
            )
        if rng.random() < DRILLS_PER_WEEK / 5:
            points = [rng.randint(0, 2) for _ in range(4)]
            w.add(
                DRILLS,
                team_id=team_id,
                user_id=uid,
                objection_key=rng.choice(roster.objections),
                category="price",
                mode="steps",
                source="command",
                listen=points[0],
                acknowledge=points[1],
                explore=points[2],
                respond=points[3],
                started_at=_at(day, 13, 40),
                finished_at=_at(day, 13, 45),
            )
        if rng.random() < QUIZ_ANSWERS_PER_DAY / 2:
            for n in range(2):
                question = rng.choice(roster.questions)
                poll_id = f"b{uid}-{day:%Y%m%d}-{n}"
                sent = _at(day, 12, 30 + n)
                correct = rng.random() < 0.7
                w.add(
                    POLLS,
                    poll_id=poll_id,
                    kind="quiz",
                    chat_id=uid,
                    message_id=1,
                    team_id=team_id,
                    question_key=question,
                    correct=0,
                    sent_at=sent,
                    user_id=uid,
                    battle_id=None,
                    position=n,
                )
                w.add(
                    ANSWERS,
                    poll_id=poll_id,
                    user_id=uid,
                    team_id=team_id,
                    question_key=question,
                    option=0 if correct else 1,
                    correct=correct,
                    seconds=8.0,
                    answered_at=sent + timedelta(seconds=8),
                    battle_id=None,
                )


def _figure(rng: random.Random, kpi: Kpi) -> int:
    return {
        Kpi.CALLS: rng.randint(5, 30),
        Kpi.NEW_VISITS: rng.randint(0, 4),
        Kpi.FOLLOW_UPS: rng.randint(0, 5),
        Kpi.PROPOSALS: rng.randint(0, 2),
        Kpi.DEMOS: rng.randint(0, 1),
        Kpi.DEALS: int(rng.random() < 0.3),
    }[kpi]


def _sharing(
    w: _Writer, rng: random.Random, team_id: int, reps: Sequence[int], days: Sequence[date]
) -> None:
    kinds = ("problems", "success", "experience", "venting")
    for day in days:
        session_id = w.next_id(SESSIONS)
        opened = _at(day, 20, 30)
        kind = kinds[day.toordinal() % len(kinds)]
        w.add(
            SESSIONS,
            id=session_id,
            team_id=team_id,
            day=day,
            theme=kind,
            chat_id=-team_id,
            opened_at=opened,
            closes_at=opened + timedelta(hours=1),
            state="closed",
        )
        authors = rng.sample(list(reps), min(SHARES_PER_SESSION, len(reps)))
        for author in authors:
            share_id = w.next_id(SHARES)
            w.add(
                SHARES,
                id=share_id,
                session_id=session_id,
                team_id=team_id,
                user_id=author,
                kind=kind,
                text="先问清楚预算再报价",
                created_at=opened + timedelta(minutes=5),
                kept_at=None,
                kept_by=None,
            )
            fans = rng.sample([r for r in reps if r != author], min(KUDOS_PER_SHARE, len(reps) - 1))
            for fan in fans:
                w.add(
                    KUDOS,
                    share_id=share_id,
                    user_id=fan,
                    session_id=session_id,
                    created_at=opened + timedelta(minutes=10),
                )
