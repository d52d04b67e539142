from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from coach import calendar
from coach.calendar import DayKind, WorkCalendar, local_date
from coach.models import Schedule

MON_FRI = frozenset({1, 2, 3, 4, 5})
MON_SAT = frozenset({1, 2, 3, 4, 5, 6})
CN = WorkCalendar(country="CN", workdays=MON_FRI)
NOWHERE = WorkCalendar(country=None, workdays=MON_FRI)


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        pytest.param(
            "2025-01-26", DayKind.MAKEUP_WORKDAY, None, id="2025-01-26 Sunday makeup workday"
        ),
        pytest.param(
            "2025-02-08", DayKind.MAKEUP_WORKDAY, None, id="2025-02-08 Saturday makeup workday"
        ),
        pytest.param(
            "2025-01-28", DayKind.HOLIDAY, "农历除夕", id="2025-01-28 Tuesday Spring Festival eve"
        ),
        pytest.param(
            "2025-01-29", DayKind.HOLIDAY, "春节", id="2025-01-29 Wednesday Spring Festival"
        ),
        pytest.param(
            "2025-02-01", DayKind.WEEKEND, None, id="2025-02-01 Saturday inside Spring Festival"
        ),
        pytest.param(
            "2025-02-04",
            DayKind.HOLIDAY,
            "休息日（由 2025-02-08 调休）",
            id="2025-02-04 Tuesday swapped day off",
        ),
        pytest.param("2025-02-05", DayKind.WORKDAY, None, id="2025-02-05 Wednesday back to work"),
        pytest.param(
            "2025-09-28", DayKind.MAKEUP_WORKDAY, None, id="2025-09-28 Sunday makeup workday"
        ),
        pytest.param(
            "2025-10-01", DayKind.HOLIDAY, "国庆节", id="2025-10-01 Wednesday National Day"
        ),
        pytest.param("2025-10-06", DayKind.HOLIDAY, "中秋节", id="2025-10-06 Monday Mid-Autumn"),
        pytest.param(
            "2025-10-08",
            DayKind.HOLIDAY,
            "休息日（由 2025-10-11 调休）",
            id="2025-10-08 Wednesday swapped day off",
        ),
        pytest.param(
            "2025-10-11", DayKind.MAKEUP_WORKDAY, None, id="2025-10-11 Saturday makeup workday"
        ),
        pytest.param("2025-10-12", DayKind.WEEKEND, None, id="2025-10-12 Sunday plain weekend"),
        pytest.param(
            "2026-01-04", DayKind.MAKEUP_WORKDAY, None, id="2026-01-04 Sunday makeup workday"
        ),
        pytest.param(
            "2007-12-29",
            DayKind.MAKEUP_WORKDAY,
            None,
            id="2007-12-29 Saturday makeup workday declared for 2008 New Year",
        ),
        pytest.param(
            "2007-12-31",
            DayKind.HOLIDAY,
            "休息日（由 2007-12-29 调休）",
            id="2007-12-31 Monday swapped day off declared for 2008 New Year",
        ),
        pytest.param(
            "2026-02-14", DayKind.MAKEUP_WORKDAY, None, id="2026-02-14 Saturday makeup workday"
        ),
        pytest.param(
            "2026-02-17", DayKind.HOLIDAY, "春节", id="2026-02-17 Tuesday Spring Festival"
        ),
        pytest.param(
            "2026-10-10", DayKind.MAKEUP_WORKDAY, None, id="2026-10-10 Saturday makeup workday"
        ),
    ],
)
def test_china_public_holidays_and_makeup_workdays(day: str, kind: DayKind, name: str | None):
    assert CN.day_kind(d(day)) is kind
    assert CN.is_working_day(d(day)) is kind.is_working
    assert CN.holiday_name(d(day)) == name


def test_holiday_names_follow_the_chosen_language_not_the_locale():
    english = WorkCalendar(country="CN", language="en_US")
    assert english.holiday_name(d("2025-10-01")) == "National Day"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param("2025-03-10", True, id="2025-03-10 Monday"),
        pytest.param("2025-03-14", True, id="2025-03-14 Friday"),
        pytest.param("2025-03-15", False, id="2025-03-15 Saturday"),
        pytest.param("2025-03-16", False, id="2025-03-16 Sunday"),
        pytest.param("2025-10-01", True, id="2025-10-01 no country, no holiday"),
    ],
)
def test_plain_monday_to_friday(day: str, working: bool):
    assert NOWHERE.is_working_day(d(day)) is working
    assert NOWHERE.holiday_name(d(day)) is None


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        pytest.param("2025-03-15", DayKind.WORKDAY, id="2025-03-15 Saturday is a normal workday"),
        pytest.param("2025-03-16", DayKind.WEEKEND, id="2025-03-16 Sunday still off"),
        pytest.param(
            "2025-10-04",
            DayKind.WORKDAY,
            id="2025-10-04 golden-week Saturday is worked (only listed holidays are off)",
        ),
        pytest.param(
            "2025-05-31", DayKind.HOLIDAY, id="2025-05-31 Saturday Dragon Boat holiday is off"
        ),
        pytest.param(
            "2025-10-11", DayKind.WORKDAY, id="2025-10-11 makeup Saturday is just a workday"
        ),
    ],
)
def test_team_with_a_saturday_workday(day: str, kind: DayKind):
    team = WorkCalendar(country="CN", workdays=MON_SAT)
    assert team.day_kind(d(day)) is kind


@pytest.mark.parametrize(
    ("country", "subdivision", "day", "name"),
    [
        pytest.param("US", None, "2025-07-04", "Independence Day", id="US 2025-07-04 Friday"),
        pytest.param("US", None, "2025-11-27", "Thanksgiving Day", id="US 2025-11-27 Thursday"),
        pytest.param(
            "DE", None, "2025-10-03", "Tag der Deutschen Einheit", id="DE 2025-10-03 Friday"
        ),
        pytest.param("DE", "BY", "2025-01-06", "Heilige Drei Könige", id="DE-BY 2025-01-06 Monday"),
    ],
)
def test_other_countries_holidays(country: str, subdivision: str | None, day: str, name: str):
    team = WorkCalendar(country=country, subdivision=subdivision)
    assert team.day_kind(d(day)) is DayKind.HOLIDAY
    assert team.holiday_name(d(day)) == name
    assert team.next_working_day(d(day) - timedelta(days=1)) != d(day)


def test_german_regional_holiday_is_a_workday_nationwide():
    assert WorkCalendar(country="DE").day_kind(d("2025-01-06")) is DayKind.WORKDAY


def test_us_has_no_makeup_workdays():
    us = WorkCalendar(country="US")
    saturdays = [d("2025-01-04") + timedelta(weeks=n) for n in range(52)]
    assert not any(us.is_working_day(day) for day in saturdays)


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        pytest.param("2025-03-12", DayKind.LEAVE, id="2025-03-12 Wednesday on leave"),
        pytest.param("2025-10-11", DayKind.LEAVE, id="2025-10-11 leave on a makeup Saturday"),
        pytest.param(
            "2025-03-15", DayKind.WEEKEND, id="2025-03-15 leave over a weekend stays weekend"
        ),
        pytest.param(
            "2025-10-01", DayKind.HOLIDAY, id="2025-10-01 leave over a holiday stays holiday"
        ),
        pytest.param("2025-03-17", DayKind.WORKDAY, id="2025-03-17 Monday back"),
    ],
)
def test_leave_only_takes_working_days(day: str, kind: DayKind):
    rep = CN.with_leave({d("2025-03-12"), d("2025-03-15"), d("2025-10-01"), d("2025-10-11")})
    assert rep.day_kind(d(day)) is kind
    assert CN.is_working_day(d("2025-03-12"))  # the team calendar is untouched


def test_from_schedule_uses_the_team_week():
    team = WorkCalendar.from_schedule(Schedule(workdays=MON_SAT), "CN")
    assert team == WorkCalendar(country="CN", workdays=MON_SAT)


def test_working_days_across_2025_golden_week():
    october = CN.working_days_between(d("2025-10-01"), d("2025-10-31"))
    assert october[:3] == [d("2025-10-09"), d("2025-10-10"), d("2025-10-11")]
    assert len(october) == 18  # 23 weekdays - 6 holidays on weekdays + the makeup Saturday
    assert len(NOWHERE.working_days_between(d("2025-10-01"), d("2025-10-31"))) == 23


def test_working_days_left_in_a_month_counts_today():
    left = CN.working_days_between(d("2025-09-26"), d("2025-09-30"))
    assert left == [d("2025-09-26"), d("2025-09-28"), d("2025-09-29"), d("2025-09-30")]


def test_working_days_between_reversed_range_is_empty():
    assert CN.working_days_between(d("2025-10-31"), d("2025-10-01")) == []


def test_china_2025_has_248_working_days():
    assert len(CN.working_days_between(d("2025-01-01"), d("2025-12-31"))) == 248


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param("2025-09-30", "2025-10-09", id="2025-09-30 skips golden week"),
        pytest.param("2025-01-27", "2025-02-05", id="2025-01-27 skips Spring Festival"),
        pytest.param("2025-01-24", "2025-01-26", id="2025-01-24 Friday to makeup Sunday"),
        pytest.param("2025-03-14", "2025-03-17", id="2025-03-14 Friday to Monday"),
    ],
)
def test_next_working_day(after: str, expected: str):
    assert CN.next_working_day(d(after)) == d(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param("2025-09-29", 3, "2025-10-10", id="3 days from 2025-09-29 over golden week"),
        pytest.param(
            "2025-10-09", 3, "2025-10-13", id="3 days from 2025-10-09 via makeup Saturday"
        ),
        pytest.param(
            "2025-10-09", -2, "2025-09-29", id="-2 days from 2025-10-09 back over golden week"
        ),
        pytest.param("2025-10-04", 0, "2025-10-04", id="0 days keeps 2025-10-04"),
    ],
)
def test_add_working_days(start: str, n: int, expected: str):
    assert CN.add_working_days(d(start), n) == d(expected)


def test_add_working_days_skips_leave():
    rep = CN.with_leave({d("2025-10-10"), d("2025-10-13")})
    assert rep.add_working_days(d("2025-10-09"), 2) == d("2025-10-14")


def test_endless_leave_is_refused_not_looped_forever():
    start = d("2025-01-01")
    forever = frozenset(start + timedelta(days=n) for n in range(1, 4000))
    with pytest.raises(ValueError, match="no working day"):
        NOWHERE.with_leave(forever).next_working_day(start)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        pytest.param(
            datetime(2025, 9, 30, 15, 59, tzinfo=UTC),
            "Asia/Shanghai",
            "2025-09-30",
            id="23:59 Shanghai",
        ),
        pytest.param(
            datetime(2025, 9, 30, 16, 0, tzinfo=UTC),
            "Asia/Shanghai",
            "2025-10-01",
            id="00:00 Shanghai",
        ),
        pytest.param(datetime(2025, 9, 30, 16, 0, tzinfo=UTC), "UTC", "2025-09-30", id="16:00 UTC"),
        pytest.param(
            datetime(2025, 10, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
            "America/New_York",
            "2025-09-30",
            id="Shanghai 00:30 is New York noon before",
        ),
    ],
)
def test_local_date(now: datetime, tz: str, expected: str):
    assert local_date(now, ZoneInfo(tz)) == d(expected)


def test_local_date_refuses_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2025, 10, 1, 9, 0), ZoneInfo("Asia/Shanghai"))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"country": "XX"}, "unknown country code 'XX'", id="unknown country"),
        pytest.param({"country": "cn"}, "unknown country code 'cn'", id="lower-case country"),
        pytest.param(
            {"country": "DE", "subdivision": "ZZ"},
            "unknown subdivision 'ZZ'",
            id="unknown subdivision",
        ),
        pytest.param(
            {"country": None, "subdivision": "BY"}, "without a country", id="subdivision alone"
        ),
        pytest.param(
            {"country": "CN", "language": "fr"}, "not available in 'fr'", id="unknown language"
        ),
        pytest.param({"country": "CN", "workdays": frozenset()}, "workdays", id="no workdays"),
        pytest.param({"country": "CN", "workdays": frozenset({0, 1})}, "workdays", id="weekday 0"),
    ],
)
def test_bad_calendars_are_refused(kwargs: dict, message: str):
    with pytest.raises(ValueError, match=message):
        WorkCalendar(**kwargs)


def test_a_year_of_checks_loads_each_year_once(monkeypatch: pytest.MonkeyPatch):
    calls: list[str] = []
    real = holidays.country_holidays

    def counting(country: str, *args, **kwargs):
        calls.append(country)
        return real(country, *args, **kwargs)

    team = WorkCalendar(country="CN", language="zh_CN")
    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar.holiday_year.cache_clear()
    year = [d("2025-01-01") + timedelta(days=n) for n in range(365)]

    first = [team.day_kind(day) for day in year]
    second = [team.day_kind(day) for day in year]
    names = [team.holiday_name(day) for day in year]

    assert first == second
    assert names.count("国庆节") == 3
    assert calls == ["CN"]
    info = calendar.holiday_year.cache_info()
    assert (info.misses, info.hits) == (1, 3 * 365 - 1)
