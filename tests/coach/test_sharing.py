"""The evening sharing's pure rules: theme rotation, the next session, share text, kudos, digest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from coach.calendar import WorkCalendar
from coach.errors import InvalidText
from coach.models import Schedule
from coach.sharing import (
    SHARE_LIMIT,
    KudosVerdict,
    clean_share,
    digest,
    excerpt,
    is_open,
    kudos_verdict,
    next_session,
    split_tag,
    theme_of_day,
)
from coach.sharing_records import SessionState, Share, SharingSession
from coach.team_settings import Theme

SH = ZoneInfo("Asia/Shanghai")
WEEKDAYS = WorkCalendar(workdays=frozenset({1, 2, 3, 4, 5}), country=None)
CHINA = WorkCalendar(workdays=frozenset({1, 2, 3, 4, 5}), country="CN")
MONDAY = date(2026, 11, 23)
THEMES = tuple(Theme)


def local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=SH)


# --- the theme -------------------------------------------------------------------------------


def test_themes_rotate_by_working_day_and_skip_the_weekend():
    week = [MONDAY + timedelta(days=i) for i in range(8)]  # Monday .. next Monday
    themes = [theme_of_day(THEMES, WEEKDAYS, MONDAY, day) for day in week if day.weekday() < 5]
    assert themes == [
        Theme.PROBLEMS,
        Theme.SUCCESS,
        Theme.EXPERIENCE,
        Theme.VENTING,
        Theme.PROBLEMS,  # Friday
        Theme.SUCCESS,  # next Monday: the weekend does not count
    ]


def test_consecutive_sessions_never_repeat_a_theme_across_holidays():
    # Around National Day 2026 in China: holidays and make-up Saturdays.
    since = date(2026, 9, 1)
    days = CHINA.working_days_between(date(2026, 9, 20), date(2026, 10, 20))
    themes = [theme_of_day(THEMES, CHINA, since, day) for day in days]
    assert all(a != b for a, b in pairwise(themes))
    assert date(2026, 10, 1) not in days and date(2026, 10, 10) in days  # 调休 Saturday


def test_a_team_chooses_its_themes_and_their_order():
    mine = (Theme.SUCCESS, Theme.VENTING)
    got = [theme_of_day(mine, WEEKDAYS, MONDAY, MONDAY + timedelta(days=i)) for i in range(3)]
    assert got == [Theme.SUCCESS, Theme.VENTING, Theme.SUCCESS]
    assert theme_of_day(mine, WEEKDAYS, MONDAY, MONDAY - timedelta(days=3)) == Theme.SUCCESS
    with pytest.raises(ValueError):
        theme_of_day((), WEEKDAYS, MONDAY, MONDAY)


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        (local(MONDAY, "09:00"), local(MONDAY, "20:30")),  # later today
        (local(MONDAY, "20:30"), local(MONDAY + timedelta(days=1), "20:30")),  # just opened
        (local(MONDAY + timedelta(days=4), "21:00"), local(MONDAY + timedelta(days=7), "20:30")),
    ],
    ids=["later-today", "at-the-time-means-tomorrow", "friday-night-means-monday"],
)
def test_the_next_session_is_the_next_sharing_time_on_a_working_day(now, opens):
    upcoming = next_session(now, SH, Schedule(), WEEKDAYS, THEMES, MONDAY)
    assert upcoming.at == opens
    assert upcoming.theme == theme_of_day(THEMES, WEEKDAYS, MONDAY, opens.date())


def test_the_next_session_skips_a_holiday():
    before_holiday = local(date(2026, 9, 30), "21:00")
    upcoming = next_session(before_holiday, SH, Schedule(), CHINA, THEMES, date(2026, 9, 1))
    assert upcoming.at == local(date(2026, 10, 8), "20:30")  # first working day after 国庆


def test_a_session_takes_shares_only_until_it_closes():
    session = SharingSession(
        1, MONDAY, Theme.SUCCESS, -5, local(MONDAY, "20:30"), local(MONDAY, "21:30")
    )
    assert not is_open(None, local(MONDAY, "20:45"))
    assert not is_open(session, local(MONDAY, "20:29"))
    assert is_open(session, local(MONDAY, "20:30"))
    assert not is_open(session, local(MONDAY, "21:30"))  # not closed by a tick yet, still shut
    closed = SharingSession(
        1, MONDAY, Theme.SUCCESS, -5, session.opened_at, session.closes_at, SessionState.CLOSED
    )
    assert not is_open(closed, local(MONDAY, "20:45"))


# --- the text --------------------------------------------------------------------------------


def test_a_share_is_trimmed_and_keeps_its_lines():
    text = "  今天拜访了王总 \n\n\n\t1. 先问预算\n  2. 再讲案例  \n"
    assert clean_share(text) == "今天拜访了王总\n\n1. 先问预算\n2. 再讲案例"
    assert clean_share("<b>bold</b> {{ 7*7 }}") == "<b>bold</b> {{ 7*7 }}"  # escaped when shown
    assert (
        clean_share("👨\u200d👩\u200d👧 家庭套餐卖出去了") == "👨\u200d👩\u200d👧 家庭套餐卖出去了"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (None, "empty"),
        ("  \n\t \n", "empty"),
        ("字" * (SHARE_LIMIT + 1), "too_long"),
        ("bell\x07", "not_plain"),
        ("hidden\u200bspace", "not_plain"),
    ],
    ids=["empty", "none", "blank", "too-long", "control", "zero-width-space"],
)
def test_a_bad_share_is_refused_with_the_reason(text, reason):
    with pytest.raises(InvalidText) as refused:
        clean_share(text)
    assert (refused.value.field, refused.value.reason, refused.value.limit) == (
        "share",
        reason,
        SHARE_LIMIT,
    )


def test_a_share_of_exactly_the_limit_is_fine():
    assert len(clean_share("a" * SHARE_LIMIT)) == SHARE_LIMIT


@pytest.mark.parametrize(
    ("text", "theme", "rest"),
    [
        ("#倒垃圾 今天被放鸽子了", Theme.VENTING, " 今天被放鸽子了"),
        ("#Success: closed Acme", Theme.SUCCESS, " closed Acme"),
        ("＃经验，先问预算", Theme.EXPERIENCE, "先问预算"),
        ("  #vent\nugh", Theme.VENTING, "\nugh"),
        ("#问题", Theme.PROBLEMS, ""),
        ("#周五 复盘", None, "#周五 复盘"),  # not a type: the hashtag stays in the text
        ("no tag #success", None, "no tag #success"),
    ],
)
def test_a_leading_tag_picks_the_type(text, theme, rest):
    assert split_tag(text) == (theme, rest)


def test_excerpt_cuts_long_text():
    assert excerpt("short") == "short"
    cut = excerpt("x" * 500, limit=300)
    assert len(cut) == 300 and cut.endswith("…")


# --- kudos -----------------------------------------------------------------------------------


SHARE = Share(
    1, team_id=7, user_id=11, kind=Theme.SUCCESS, text="t", created_at=local(MONDAY, "20:40"), id=5
)


@pytest.mark.parametrize(
    ("share", "giver", "team", "already", "verdict"),
    [
        (SHARE, 12, 7, False, KudosVerdict.THANKS),
        (SHARE, 12, 7, True, KudosVerdict.ALREADY),
        (SHARE, 11, 7, False, KudosVerdict.OWN),
        (SHARE, 12, 8, False, KudosVerdict.NOT_MEMBER),
        (SHARE, 12, None, False, KudosVerdict.NOT_MEMBER),
        (None, 12, 7, False, KudosVerdict.GONE),
    ],
)
def test_kudos_once_per_person_never_to_oneself_members_only(share, giver, team, already, verdict):
    assert kudos_verdict(share, giver, team, already) is verdict


# --- the digest ------------------------------------------------------------------------------


def shares(*kinds: Theme) -> list[Share]:
    return [
        Share(
            1,
            7,
            100 + i,
            kind,
            f"share {i}",
            local(MONDAY, "20:40") + timedelta(minutes=i),
            id=i + 1,
        )
        for i, kind in enumerate(kinds)
    ]


def test_the_digest_counts_names_the_most_kudos_share_and_the_types():
    made = shares(Theme.SUCCESS, Theme.VENTING, Theme.SUCCESS, Theme.PROBLEMS)
    summary = digest(made, {1: 1, 2: 3, 3: 2})
    assert (summary.shares, summary.kudos) == (4, 6)
    assert summary.kinds == ((Theme.PROBLEMS, 1), (Theme.SUCCESS, 2), (Theme.VENTING, 1))
    assert summary.top == made[1] and summary.top_kudos == 3  # venting may win
    assert summary.top.anonymous


def test_a_tie_goes_to_the_earlier_share_and_no_kudos_means_no_top():
    made = shares(Theme.SUCCESS, Theme.EXPERIENCE)
    assert digest(list(reversed(made)), {1: 2, 2: 2}).top == made[0]
    quiet = digest(made, {})
    assert quiet.top is None and quiet.top_kudos == 0 and quiet.kudos == 0
    empty = digest([], {})
    assert (empty.shares, empty.kinds, empty.top) == (0, (), None)
