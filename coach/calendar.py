"""The one work calendar: which days a rep is expected to work.

Prompts, nudges, streaks, month → week → day target pacing and spaced repetition all ask
this module, so they agree on what a "working day" is:

* the team's normal week (``Schedule.workdays``, ISO weekdays, 1 = Monday);
* the country's public holidays, which are days off even on a normal workday;
* make-up workdays (China's 调休), which are working days even on a weekend;
* the rep's own leave (leave, sick, training, travel), which is a day off.

Holiday data comes from the ``holidays`` package (python-holidays); it is looked up once
per (country, subdivision, language, year) and cached. Nothing here reads the clock: callers
pass dates, or an aware ``now`` and a time zone to :func:`local_date`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from coach.models import Schedule

ISO_WEEKDAYS = frozenset(range(1, 8))
SEARCH_LIMIT_DAYS = 3660  # about ten years; beyond that a calendar with no working day is broken
_ONE_DAY = timedelta(days=1)


class DayKind(StrEnum):
    """What a date is for one rep; only WORKDAY and MAKEUP_WORKDAY are working days."""

    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"
    LEAVE = "leave"

    @property
    def is_working(self) -> bool:
        """Whether a day of this kind is a working day."""
        return self in {DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY}


@dataclass(frozen=True, slots=True)
class HolidayYear:
    """One country's public holidays and make-up workdays in one calendar year."""

    holidays: Mapping[date, str]
    makeup_workdays: frozenset[date]


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """A team's working week and country, plus (optionally) one rep's leave days.

    Build the team calendar once (:meth:`from_schedule`), then add a rep's leave with
    :meth:`with_leave`.

    Attributes:
        country: ISO 3166-1 alpha-2 code the ``holidays`` package knows (``"CN"``, ``"US"``),
            or ``None`` for no public holidays at all.
        workdays: ISO weekdays (1 = Monday … 7 = Sunday) of the team's normal week.
        leave: the rep's own days off.
        subdivision: a state or province code for countries whose holidays differ by region
            (``"BY"`` for Bavaria in ``"DE"``); ``None`` for nationwide holidays only.
        language: language of holiday names (``"zh_CN"``, ``"en_US"``); ``None`` for the
            country's own language. Never taken from the process locale.
    """

    country: str | None
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    leave: frozenset[date] = frozenset()
    subdivision: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if not self.workdays or not self.workdays <= ISO_WEEKDAYS:
            raise ValueError(f"workdays must be ISO weekdays 1..7, got {sorted(self.workdays)}")
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError(f"subdivision {self.subdivision!r} given without a country")
            return
        supported = _supported_countries()
        if self.country not in supported:
            raise ValueError(f"unknown country code {self.country!r} for public holidays")
        if self.subdivision is not None and self.subdivision not in supported[self.country]:
            raise ValueError(
                f"unknown subdivision {self.subdivision!r} of country {self.country!r}"
            )
        if self.language is not None and self.language not in _languages(self.country):
            raise ValueError(
                f"holiday names for {self.country!r} are not available in {self.language!r}"
            )

    @classmethod
    def from_schedule(
        cls,
        schedule: Schedule,
        country: str | None,
        *,
        subdivision: str | None = None,
        language: str | None = None,
    ) -> WorkCalendar:
        """Return the team calendar for a team's schedule and country.

        Args:
            schedule: the team's daily rhythm; only its ``workdays`` matter here.
            country: ISO country code, or ``None`` for no public holidays.
            subdivision: optional state or province code.
            language: optional language for holiday names.
        """
        return cls(
            country=country,
            workdays=schedule.workdays,
            subdivision=subdivision,
            language=language,
        )

    def with_leave(self, days: Iterable[date]) -> WorkCalendar:
        """Return this calendar with ``days`` added to the rep's leave."""
        return replace(self, leave=self.leave | frozenset(days))

    def day_kind(self, day: date) -> DayKind:
        """Classify ``day`` for this rep.

        Public holidays win over the normal week; make-up workdays turn a day the team
        normally has off into a working day; leave only counts on a day that would otherwise
        be worked, so a leave spanning a weekend still reports WEEKEND for the Saturday.

        Only the dates the ``holidays`` package lists are holidays: the Saturday and Sunday
        inside China's golden week are not listed (they are rest days anyway for a Mon–Fri
        team), so a team that normally works Saturdays works that Saturday too.

        Args:
            day: the local date to classify.
        """
        kind = self._team_day_kind(day)
        if kind.is_working and day in self.leave:
            return DayKind.LEAVE
        return kind

    def is_working_day(self, day: date) -> bool:
        """Return whether the rep is expected to work on ``day``."""
        return self.day_kind(day).is_working

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's name on ``day`` (``"国庆节"``), or ``None``.

        Substituted days off of China's 调休 are named too (``"休息日（由 2025-10-11 调休）"``).
        """
        return self._year(day.year).holidays.get(day)

    def next_working_day(self, after: date) -> date:
        """Return the first working day strictly after ``after``."""
        return self.add_working_days(after, 1)

    def add_working_days(self, day: date, n: int) -> date:
        """Return the date ``n`` working days after ``day`` (before it when ``n`` < 0).

        ``day`` itself is never counted, so ``n == 0`` returns ``day`` unchanged even when it
        is a day off.

        Args:
            day: the date to count from.
            n: how many working days to move.

        Raises:
            ValueError: no working day within about ten years (for example endless leave).
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        current = day
        idle = 0
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > SEARCH_LIMIT_DAYS:
                    raise ValueError(f"no working day within {SEARCH_LIMIT_DAYS} days of {day}")
        return current

    def working_days_between(self, start: date, end: date) -> list[date]:
        """Return the working days from ``start`` to ``end``, both included, in order.

        An ``end`` before ``start`` gives an empty list.
        """
        days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
        return [day for day in days if self.is_working_day(day)]

    def _team_day_kind(self, day: date) -> DayKind:
        year = self._year(day.year)
        if day in year.holidays:
            return DayKind.HOLIDAY
        if day.isoweekday() in self.workdays:
            return DayKind.WORKDAY
        if day in year.makeup_workdays:
            return DayKind.MAKEUP_WORKDAY
        return DayKind.WEEKEND

    def _year(self, year: int) -> HolidayYear:
        if self.country is None:
            return _NO_HOLIDAYS
        return holiday_year(self.country, self.subdivision, self.language, year)


_NO_HOLIDAYS = HolidayYear(holidays=MappingProxyType({}), makeup_workdays=frozenset())


@lru_cache(maxsize=512)
def holiday_year(
    country: str, subdivision: str | None, language: str | None, year: int
) -> HolidayYear:
    """Return a country's public holidays and make-up workdays for one year (cached).

    The neighbouring years are loaded too and then cut to ``year``, because an arrangement
    published for one year may move days at the turn of the year (a Saturday in late
    December worked for the New Year holiday).

    Args:
        country: ISO code the ``holidays`` package supports.
        subdivision: state or province code, or ``None``.
        language: language of the names, or ``None`` for the country's own language.
        year: the calendar year.
    """
    table = holidays.country_holidays(
        country,
        subdiv=subdivision,
        years=range(year - 1, year + 2),
        language=language or _default_language(country),
    )
    return HolidayYear(
        holidays=MappingProxyType(
            {day: name for day, name in sorted(table.items()) if day.year == year}
        ),
        makeup_workdays=frozenset(day for day in table.weekend_workdays if day.year == year),
    )


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """Return the date it is in ``tz`` at the instant ``now``.

    Args:
        now: an aware datetime (any offset; UTC is usual).
        tz: the team's time zone.

    Raises:
        ValueError: ``now`` is naive, so the instant is unknown.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


@lru_cache(maxsize=1)
def _supported_countries() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


@cache
def _entity(country: str) -> type[holidays.HolidayBase]:
    return type(holidays.country_holidays(country, years=()))


def _languages(country: str) -> tuple[str, ...]:
    return tuple(_entity(country).supported_languages)


def _default_language(country: str) -> str | None:
    # Passing language=None would let the package guess from LANG/LC_ALL; never do that.
    return _entity(country).default_language
