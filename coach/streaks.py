"""Runs of days: the review streak, plan completion, and runs of missed check-ins.

Everything walks the rep's own work calendar (the team's working days and holidays, with the
rep's absences as leave), so a weekend, a holiday or a day of leave neither counts nor breaks
anything. These are pure functions over lists the caller loaded; a run can only be as long as
the history passed in, so callers load enough of it (see ``coach.weekly.rep_streak``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coach.calendar import WorkCalendar
from coach.days import CheckIn, DayRecord, Miss
from coach.repdays import rep_calendar


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive working days with some property.

    Attributes:
        length: how many working days (0 for no run).
        since: the first day of the run, or ``None`` when ``length`` is 0.
        last: the last day of the run, or ``None`` when ``length`` is 0.
    """

    length: int
    since: date | None = None
    last: date | None = None


def run_back(hit: frozenset[date], calendar: WorkCalendar, end: date) -> Run:
    """The run of working days in ``hit`` that ends at ``end`` (counting backwards).

    ``end`` itself must be a working day in ``hit`` for the run to be non-empty.
    """
    if end not in hit or not calendar.is_working_day(end):
        return Run(0)
    length, day = 0, end
    since = end
    while day in hit:
        length += 1
        since = day
        day = calendar.add_working_days(day, -1)
    return Run(length, since, end)


def streak_run(records: Iterable[DayRecord], calendar: WorkCalendar, today: date) -> Run:
    """The review streak as a :class:`Run`; see :func:`streak`."""
    records = list(records)
    cal = rep_calendar(calendar, records)
    reviewed = frozenset(r.day for r in records if r.has_review and r.absence is None)
    if today in reviewed and cal.is_working_day(today):
        end = today
    else:
        end = cal.add_working_days(today, -1)
    return run_back(reviewed, cal, end)


def streak(records: Iterable[DayRecord], calendar: WorkCalendar, today: date) -> int:
    """How many working days in a row the rep has reviewed, as of ``today``.

    The run ends at ``today`` if today is reviewed, else at the last working day before it
    (today is not over yet, so it does not break the streak). Absence days in ``records``
    are leave: they neither count nor break it; nor do weekends and holidays.

    Args:
        records: the rep's day records, reaching back at least as far as the streak.
        calendar: the team calendar (the rep's absences are added from ``records``).
        today: the rep's team-local today.
    """
    return streak_run(records, calendar, today).length


@dataclass(frozen=True, slots=True)
class PlanCompletion:
    """Plan items ticked off over a range of days."""

    done: int
    planned: int

    @property
    def rate(self) -> Decimal | None:
        """``done / planned`` (0 to 1, four decimals), or ``None`` with nothing planned."""
        if not self.planned:
            return None
        return (Decimal(self.done) / self.planned).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage (half up), or ``None`` with nothing planned."""
        if not self.planned:
            return None
        return int((Decimal(100 * self.done) / self.planned).quantize(Decimal(1), ROUND_HALF_UP))


def plan_completion(records: Iterable[DayRecord], start: date, end: date) -> PlanCompletion:
    """Tasks done over tasks planned, on the days ``start`` to ``end`` (both included).

    Absence days are left out: a day skipped after planning is not a day of unfinished work.
    Tasks of a day not (yet) reviewed count as planned and not done.
    """
    done = planned = 0
    for record in records:
        if start <= record.day <= end and record.absence is None:
            planned += len(record.tasks)
            done += sum(1 for task in record.tasks if task.done)
    return PlanCompletion(done, planned)


def missed_run(
    misses: Iterable[Miss],
    calendar: WorkCalendar,
    day: date,
    kind: CheckIn = CheckIn.REVIEW,
) -> Run:
    """The run of consecutive working days up to ``day`` with a recorded miss of ``kind``.

    Args:
        misses: the rep's misses, reaching back at least as far as the run.
        calendar: the rep's calendar with leave (:func:`coach.repdays.rep_calendar`), so a day
            of leave between two misses does not end the run.
        day: the last day of the run; no miss that day means no run.
        kind: which check-in's misses count.
    """
    missed = frozenset(miss.day for miss in misses if miss.kind is kind)
    return run_back(missed, calendar, day)


def should_escalate(run: Run, every: int) -> bool:
    """Whether a run of misses calls for telling the manager: at ``every`` days and each
    further multiple of it (never when ``every`` is not positive)."""
    return every > 0 and run.length >= every and run.length % every == 0
