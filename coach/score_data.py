"""The loader behind every board and report: each rep's period, read from the window only.

:func:`team_scores` reads, for one team and one date range, the day records, misses, drills,
quiz answers and teamwork **of that range** (plus the targets and the members), one query per
kind for the whole team and one for each rep's own target overrides. Its cost therefore follows
the reps and the window, never the length of the team's history: the review streak it reports
is the run *within the window* (see :func:`window_streak`), not the rep's all-time streak.

Definitions (stated in ``/help`` and the README):

* **On time.** A plan is on time when it was (last) saved before the day's review time; a
  review when it was saved before the day's review deadline (``coach.rhythm.deadline_instant``,
  which also closes the day). A check-in saved later is *late*. A day of absence counts
  neither way.
* **Owed check-ins** are the on-time, the late and the missed ones (misses are recorded at each
  working day's deadline), so a day still open is owed nothing yet.
* **Targets** are the rep's weekly ones (defaults, team, rep) scaled to the rep's working days
  in the window (leave excluded, and only from the day the rep joined), as ``coach.pace`` does.
* **Reps** are the team's current members with the rep role; managers are not scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coach.calendar import WorkCalendar
from coach.days import CheckIn, DayRecord, Miss
from coach.kpis import Kpi
from coach.models import Role, Team
from coach.pace import round_up, scaled_target, team_weekly_targets
from coach.ports import UnitOfWork
from coach.practice import DrillRecord, QuizAnswer
from coach.repdays import (
    month_bounds,
    rep_calendar,
    sum_actuals,
    team_calendar,
    team_zone,
    working_count,
)
from coach.rhythm import deadline_instant, local_instant
from coach.scores import (
    RepPeriod,
    RepScore,
    drill_tally,
    ranked,
    score,
)
from coach.sharing_records import Teamwork
from coach.streaks import run_back

__all__ = [
    "RepScore",
    "check_ins",
    "data_through",
    "team_periods",
    "team_revenue_target",
    "team_scores",
    "window_instants",
    "window_streak",
]

_ONE_DAY = timedelta(days=1)


def team_scores(uow: UnitOfWork, team: Team, start: date, end: date) -> list[RepScore]:
    """Every rep of the team, best composite first.

    Args:
        uow: an open unit of work (only read).
        team: the team.
        start, end: the team-local days of the window, both included.
    """
    weights = uow.settings.get(team.id).weights
    return ranked(score(period, weights) for period in team_periods(uow, team, start, end))


def team_periods(uow: UnitOfWork, team: Team, start: date, end: date) -> list[RepPeriod]:
    """What each current rep of the team did from ``start`` to ``end`` (by user id)."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    reps = sorted(uow.members.of_team(team.id, Role.REP), key=lambda m: m.user_id)
    if not reps:
        return []
    ids = {m.user_id for m in reps}
    people = uow.people.many(ids)
    zone = team_zone(team)
    since, until = window_instants(zone, start, end)

    records: dict[int, list[DayRecord]] = defaultdict(list)
    for record in uow.days.of_team(team.id, start, end):
        if record.user_id in ids:
            records[record.user_id].append(record)
    misses: dict[int, list[Miss]] = defaultdict(list)
    for miss in uow.misses.of_team(team.id, start, end):
        if miss.user_id in ids:
            misses[miss.user_id].append(miss)
    drills: dict[int, list[DrillRecord]] = defaultdict(list)
    for drill in uow.practice.team_drills(team.id, since):
        if drill.finished_at < until and drill.user_id in ids:
            drills[drill.user_id].append(drill)
    answers: dict[int, list[QuizAnswer]] = defaultdict(list)
    for answer in uow.practice.answers(team.id, since):
        if answer.answered_at < until and answer.user_id in ids:
            answers[answer.user_id].append(answer)
    teamwork = uow.sharing.teamwork(team.id, start, end)
    targets = team_weekly_targets(uow, team.id, ids)

    team_cal = team_calendar(team)
    as_of = data_through(records.values(), misses.values(), start, end)
    periods = []
    for membership in reps:
        uid = membership.user_id
        own = records.get(uid, [])
        cal = rep_calendar(team_cal, own)
        joined = membership.joined_at.astimezone(zone).date()
        weekly = targets[uid]
        plans, reviews, late = check_ins(own, team, zone)
        drill_count, drill_won, drill_max, full_steps = drill_tally(
            d.points for d in drills.get(uid, [])
        )
        rep_answers = answers.get(uid, [])
        work = teamwork.get(uid, Teamwork())
        person = people.get(uid)
        periods.append(
            RepPeriod(
                user_id=uid,
                name=person.first_name if person else str(uid),
                targets=period_targets(weekly, cal, max(start, joined), end),
                actuals=sum_actuals(own, start, end),
                plans_on_time=plans,
                reviews_on_time=reviews,
                late=late,
                missed=len(misses.get(uid, [])),
                streak=window_streak(own, misses.get(uid, []), cal, start, as_of),
                drills=drill_count,
                drill_points=drill_won,
                drill_max=drill_max,
                drill_full_steps=full_steps,
                quiz_answered=len(rep_answers),
                quiz_right=sum(1 for a in rep_answers if a.correct),
                shares=work.shares,
                kudos_received=work.kudos_received,
                kudos_given=work.kudos_given,
                weeks=Decimal(working_count(team_cal, start, end)) / len(team_cal.workdays),
            )
        )
    return periods


def team_revenue_target(
    team: Team, monthly: Decimal | None, start: date, end: date
) -> Decimal | None:
    """The team's revenue target for the window from a monthly one (``TeamSettings.
    monthly_revenue``): each month's share by the team's working days of it in the window.
    ``None`` without a monthly target (the reps' targets add up instead)."""
    if monthly is None or end < start:
        return None
    cal = team_calendar(team)
    total = Decimal(0)
    first = start
    while first <= end:
        month_first, month_last = month_bounds(first)
        last = min(end, month_last)
        in_month = working_count(cal, month_first, month_last)
        if in_month:
            total += monthly * working_count(cal, first, last) / in_month
        first = month_last + _ONE_DAY
    return round_up(Kpi.REVENUE, total)


def window_instants(zone: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    """The window as instants: team-local midnight of ``start`` up to (not including) the
    midnight after ``end``."""
    return local_instant(start, time(0), zone), local_instant(end + _ONE_DAY, time(0), zone)


def period_targets(
    weekly: Mapping[Kpi, Decimal], calendar: WorkCalendar, start: date, end: date
) -> dict[Kpi, Decimal]:
    """The rep's weekly targets scaled to their working days from ``start`` to ``end``
    (rounded up, as ``coach.pace``); KPIs without a positive target are left out, and so is
    everything when the rep has no working day in the window."""
    if end < start:
        return {}
    working = working_count(calendar, start, end)
    if not working:
        return {}
    return {
        kpi: scaled_target(kpi, value, working, len(calendar.workdays))
        for kpi, value in weekly.items()
        if value > 0
    }


def check_ins(records: Iterable[DayRecord], team: Team, zone: ZoneInfo) -> tuple[int, int, int]:
    """``(plans on time, reviews on time, late check-ins)`` of one rep's records.

    A plan is on time before the day's review time, a review before the day's deadline (see
    the module docstring); records of absence days are not counted.
    """
    plans = reviews = late = 0
    schedule = team.schedule
    for record in records:
        if record.absence is not None:
            continue
        if record.planned_at is not None:
            if record.planned_at < local_instant(record.day, schedule.review_time, zone):
                plans += 1
            else:
                late += 1
        if record.reviewed_at is not None:
            if record.reviewed_at <= deadline_instant(record.day, zone, schedule):
                reviews += 1
            else:
                late += 1
    return plans, reviews, late


def data_through(
    records: Iterable[Sequence[DayRecord]],
    misses: Iterable[Sequence[Miss]],
    start: date,
    end: date,
) -> date:
    """The last day of the window the team has anything for: a check-in or a recorded miss.

    A window may reach into the future (this week, Monday to Sunday); the streak is counted as
    of this day instead, so days that have not happened yet do not break it. With nothing in
    the window, ``end``.
    """
    days = [r.day for group in records for r in group if r.has_plan or r.has_review]
    days += [m.day for group in misses for m in group]
    inside = [day for day in days if start <= day <= end]
    return max(inside) if inside else end


def window_streak(
    records: Iterable[DayRecord],
    misses: Iterable[Miss],
    calendar: WorkCalendar,
    start: date,
    as_of: date,
) -> int:
    """Reviews in a row within the window, ending at ``as_of``.

    Like ``coach.streaks.streak``: the run ends at ``as_of`` when it was reviewed; when
    ``as_of`` has a recorded review miss the streak is 0; otherwise (the day is still open, or
    not a working day) it ends at the working day before. Leave, weekends and holidays neither
    count nor break it. Days before ``start`` are not read, so the streak is at most the
    window's working days.
    """
    reviewed = frozenset(
        r.day for r in records if r.has_review and r.absence is None and r.day >= start
    )
    if as_of in reviewed and calendar.is_working_day(as_of):
        last = as_of
    elif any(m.day == as_of and m.kind is CheckIn.REVIEW for m in misses):
        return 0
    else:
        last = calendar.add_working_days(as_of, -1)
    return run_back(reviewed, calendar, last).length
