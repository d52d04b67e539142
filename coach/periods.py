"""Which days a manager asks about: ``/report last``, ``/report 2026-11-16``, ``/export A B``.

Dates are ISO (``2026-11-16``; ``2026/11/16`` and ``2026.11.16`` are read too) and team-local.
Every refusal names the word that was wrong, so the manager can fix it at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from coach import errors
from coach.repdays import month_bounds, week_bounds

EXPORT_DAYS_LIMIT = 366
"""The longest export, in days (both ends included): a year, leap day included."""

LAST_WEEK_WORDS = frozenset({"last", "prev", "previous", "上周", "上一周"})
THIS_WEEK_WORDS = frozenset({"this", "now", "本周", "这周"})

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


@dataclass(eq=False)
class BadDate(errors.CoachError):
    """A word that should be a date (or ``last``) and is not."""

    code: ClassVar[str] = "bad_date"
    value: str


@dataclass(eq=False)
class ReversedRange(errors.CoachError):
    code: ClassVar[str] = "reversed_range"
    start: date
    end: date


@dataclass(eq=False)
class RangeTooLong(errors.CoachError):
    code: ClassVar[str] = "range_too_long"
    days: int
    limit: int


@dataclass(eq=False)
class FutureWeek(errors.CoachError):
    """A week that has not started yet has nothing to report."""

    code: ClassVar[str] = "future_week"
    week_start: date


@dataclass(frozen=True, slots=True)
class Week:
    """A week asked about: its Monday and the last day that counts (today, in this week)."""

    monday: date
    through: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def complete(self) -> bool:
        return self.through == self.sunday


def parse_date(word: str) -> date:
    """``2026-11-16`` (or with ``/`` or ``.``) → a date; anything else is a :class:`BadDate`."""
    text = unicodedata.normalize("NFKC", word).strip()
    match = _DATE.match(text)
    if match is None:
        raise BadDate(value=word)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise BadDate(value=word) from None


def week_asked(words: list[str], today: date) -> Week:
    """The week ``/report [last | DATE]`` is about, counted through today at the latest.

    Raises:
        BadDate: more than one word, or one that is neither ``last`` nor a date.
        FutureWeek: the date is in a week after this one.
    """
    this_monday = week_bounds(today)[0]
    if len(words) > 1:
        raise BadDate(value=" ".join(words))
    if not words or words[0].strip().lower() in THIS_WEEK_WORDS:
        monday = this_monday
    elif words[0].strip().lower() in LAST_WEEK_WORDS:
        monday = this_monday - timedelta(days=7)
    else:
        monday = week_bounds(parse_date(words[0]))[0]
    if monday > this_monday:
        raise FutureWeek(week_start=monday)
    return Week(monday, min(monday + timedelta(days=6), today))


def export_range(words: list[str], today: date) -> tuple[date, date]:
    """The days ``/export [FROM [TO] | YYYY-MM]`` covers, both included.

    No word: this month so far. ``2026-11``: that month. One date: that day alone. Two
    dates: from the first to the second.

    Raises:
        BadDate: a word is no date, or there are more than two.
        ReversedRange: the second date is before the first.
        RangeTooLong: more than :data:`EXPORT_DAYS_LIMIT` days.
    """
    if not words:
        return today.replace(day=1), today
    if len(words) > 2:
        raise BadDate(value=" ".join(words[2:]))
    if len(words) == 1:
        month = _MONTH.match(unicodedata.normalize("NFKC", words[0]).strip())
        if month is not None:
            try:
                first = date(int(month.group(1)), int(month.group(2)), 1)
            except ValueError:
                raise BadDate(value=words[0]) from None
            return month_bounds(first)
        day = parse_date(words[0])
        return day, day
    start, end = parse_date(words[0]), parse_date(words[1])
    check_range(start, end)
    return start, end


def check_range(start: date, end: date) -> None:
    """Refuse a reversed range or one longer than :data:`EXPORT_DAYS_LIMIT` days."""
    if end < start:
        raise ReversedRange(start=start, end=end)
    days = (end - start).days + 1
    if days > EXPORT_DAYS_LIMIT:
        raise RangeTooLong(days=days, limit=EXPORT_DAYS_LIMIT)
