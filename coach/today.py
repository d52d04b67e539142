"""``/team``: the manager's view of the team's day so far.

The same facts as the daily summary after the deadline (``coach.tick``), but at any moment:
who planned, who reviewed, who is away, who is missing a check-in *whose time has come*
(a plan is not missing before the plan time), and the team's totals against the day's pace.
It is built from the same pure parts as that summary (``coach.team_day``), so the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from coach.access import manager_of
from coach.days import CheckIn, DayRecord
from coach.kpis import Kpi
from coach.models import Membership, Person, Role, Team
from coach.notices import KpiTotal, RepLine
from coach.pace import team_weekly_targets
from coach.ports import UnitOfWork
from coach.repdays import month_bounds, team_calendar, team_zone, week_bounds
from coach.rhythm import PromptKind, deadline_instant, event_instant
from coach.team_day import missed_check_ins, owed_check_ins, rep_lines, team_totals


@dataclass(frozen=True, slots=True)
class TeamToday:
    """The team's day at ``at``.

    Attributes:
        team: the team.
        day: the team-local day.
        at: the instant asked about.
        working: whether ``day`` is a working day of the team calendar.
        plan_open, review_open: whether the plan / review time has come.
        closed: whether the day's deadline has passed (misses are then final).
        lines: every rep, by first name; ``missed`` holds the check-ins due by ``at`` and not
            made (empty on a day off).
        totals: the team's actuals of the day per KPI against the sum of the reps' paces.
    """

    team: Team
    day: date
    at: datetime
    working: bool
    plan_open: bool
    review_open: bool
    closed: bool
    lines: tuple[RepLine, ...]
    totals: tuple[KpiTotal, ...]

    @property
    def local_time(self) -> time:
        """``at`` on the team's clock (hours and minutes)."""
        local = self.at.astimezone(team_zone(self.team))
        return time(local.hour, local.minute)

    @property
    def planned(self) -> int:
        return sum(1 for line in self.lines if line.planned)

    @property
    def reviewed(self) -> int:
        return sum(1 for line in self.lines if line.reviewed)


def team_today(
    uow: UnitOfWork, person: Person, now: datetime, team_id: int | None = None
) -> TeamToday:
    """``/team``: the asker's team today (managers only)."""
    return today_of_team(uow, manager_of(uow, person.user_id, team_id), now)


def today_of_team(uow: UnitOfWork, team: Team, now: datetime) -> TeamToday:
    """The team's day at ``now`` (no authorization: the caller checked it, or is the CLI)."""
    zone, cal = team_zone(team), team_calendar(team)
    day = now.astimezone(zone).date()
    schedule = team.schedule
    plan_at = event_instant(PromptKind.PLAN, day, zone, schedule)
    review_at = event_instant(PromptKind.REVIEW, day, zone, schedule)
    reps = current_reps(uow, team, now)
    people = uow.people.many(reps)
    people = {uid: people[uid] for uid in reps if uid in people}
    month_first, month_last = month_bounds(day)
    monday, sunday = week_bounds(day)
    all_records = uow.days.of_team(team.id, min(month_first, monday), max(month_last, sunday))
    records = {r.user_id: r for r in all_records if r.day == day and r.user_id in people}
    working = cal.is_working_day(day)
    missed: dict[int, tuple[CheckIn, ...]] = {}
    if working:
        for uid in people:
            owed = owed_check_ins(reps[uid], records.get(uid), plan_at, review_at)
            due = tuple(
                kind for kind in owed if now >= (plan_at if kind is CheckIn.PLAN else review_at)
            )
            kinds = missed_check_ins(due, records.get(uid))
            if kinds:
                missed[uid] = kinds
    targets = team_weekly_targets(uow, team.id, people)
    mine = [r for r in all_records if r.user_id in people]
    return TeamToday(
        team=team,
        day=day,
        at=now,
        working=working,
        plan_open=now >= plan_at,
        review_open=now >= review_at,
        closed=now >= deadline_instant(day, zone, schedule),
        lines=rep_lines(people, records, missed),
        totals=team_totals(day, mine, targets, cal) if working else _actuals_only(day, mine),
    )


def current_reps(uow: UnitOfWork, team: Team, now: datetime) -> dict[int, Membership]:
    """The team's reps who had joined by ``now``, by user id."""
    members = uow.members.of_team(team.id, Role.REP)
    return {m.user_id: m for m in sorted(members, key=lambda m: m.user_id) if m.joined_at <= now}


def _actuals_only(day: date, records: list[DayRecord]) -> tuple[KpiTotal, ...]:
    """On a day off nobody has a pace; figures reported anyway are still shown."""
    totals: dict[Kpi, Decimal] = {}
    for record in records:
        if record.day == day:
            for kpi, value in record.actual.items():
                totals[kpi] = totals.get(kpi, Decimal(0)) + value
    return tuple(KpiTotal(kpi, totals[kpi], None) for kpi in Kpi if kpi in totals)
