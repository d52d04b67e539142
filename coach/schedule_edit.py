"""``/schedule``: a manager changes the team's rhythm with ``key=value`` words.

Example: ``plan=08:45 review=18:30 sharing=20:00 deadline=22:30 summary=fri 18:00 days=1-5
tz=Asia/Shanghai cap=2 nudge=45 quiet=21:30-08:00``. Text is the robust choice over buttons:
one message changes several things at once, and one answer lists *every* problem, so a
manager fixes them all in one go. Nothing is stored unless every word is valid and the
result still makes a day (plan before review; the deadline after the review, or after
midnight). The scheduler reads the schedule from the database on every tick, so the next
tick already uses the new times.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import ClassVar

from coach import errors
from coach.access import manager_of
from coach.models import Person, Schedule, Team
from coach.onboarding import is_zone
from coach.ports import UnitOfWork

CAP_LIMIT = 20
NUDGE_MINUTES_LIMIT = 720

# Each key and the words that name it (English first; Chinese for managers who type Chinese).
KEYS: dict[str, tuple[str, ...]] = {
    "plan": ("plan", "计划", "晨间计划"),
    "review": ("review", "复盘", "晚间复盘"),
    "sharing": ("sharing", "share", "分享", "晚分享"),
    "deadline": ("deadline", "截止"),
    "summary": ("summary", "week", "周结", "周总结"),
    "days": ("days", "workdays", "工作日"),
    "tz": ("tz", "timezone", "时区"),
    "cap": ("cap", "budget", "提醒次数"),
    "nudge": ("nudge", "提醒间隔"),
    "quiet": ("quiet", "免打扰"),
}
_ALIASES = {alias: key for key, names in KEYS.items() for alias in names}

_WEEKDAYS = {
    **{name: n for n, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)},
    **{
        name: n
        for n, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), 1
        )
    },
    **{f"周{c}": n for n, c in enumerate("一二三四五六日", 1)},
    "周天": 7,
    "星期日": 7,
    **{f"星期{c}": n for n, c in enumerate("一二三四五六", 1)},
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_OFF = {"off", "none", "no", "关", "无"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a ``/schedule`` message.

    Attributes:
        key: the key as typed (or the whole word when it is not ``key=value``).
        value: the value as typed ("" when there is none).
        reason: a stable code the template words: ``not_pair``, ``unknown_key``, ``twice``,
            ``bad_time``, ``bad_summary``, ``bad_days``, ``no_days``, ``bad_tz``, ``bad_cap``,
            ``bad_minutes``, ``bad_quiet``, ``review_before_plan``, ``deadline_in_day``.
    """

    key: str
    value: str
    reason: str


@dataclass(eq=False)
class ScheduleProblems(errors.CoachError):
    """Every problem of a ``/schedule`` message; nothing was changed."""

    code: ClassVar[str] = "schedule_problems"
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """The team before and after a change, and which keys changed (in :data:`KEYS` order)."""

    before: Team
    after: Team
    changed: tuple[str, ...]


def parse_schedule_words(text: str) -> dict[str, str]:
    """Split ``key=value`` words into raw values per canonical key, or raise every problem.

    A word without ``=`` continues the value before it, so ``summary=fri 18:00`` works.
    Full-width characters (``＝``, ``：``) are folded to ASCII first.
    """
    words = unicodedata.normalize("NFKC", text).split()
    pairs: list[list[str]] = []
    problems: list[Problem] = []
    for word in words:
        if "=" in word:
            name, _, value = word.partition("=")
            pairs.append([name, value])
        elif pairs:
            pairs[-1][1] = f"{pairs[-1][1]} {word}".strip()
        else:
            problems.append(Problem(word, "", "not_pair"))
    values: dict[str, str] = {}
    for name, value in pairs:
        key = _ALIASES.get(name.strip().lower())
        if key is None:
            problems.append(Problem(name, value, "unknown_key"))
        elif key in values:
            problems.append(Problem(name, value, "twice"))
        else:
            values[key] = value.strip()
    if problems:
        raise ScheduleProblems(problems=problems)
    return values


def apply_words(team: Team, values: dict[str, str]) -> tuple[Schedule, str]:
    """The team's schedule and time zone with ``values`` applied, or raise every problem."""
    schedule, reminders, zone = team.schedule, team.schedule.reminders, team.timezone
    problems: list[Problem] = []

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(key, values[key], reason))

    for key in ("plan", "review", "sharing", "deadline"):
        if key in values:
            at = parse_time(values[key])
            if at is None:
                bad(key, "bad_time")
                continue
            attr = {"plan": "plan_time", "review": "review_time", "sharing": "sharing_time"}
            schedule = replace(schedule, **{attr.get(key, "review_deadline"): at})
    if "summary" in values:
        summary = parse_summary(values["summary"])
        if summary is None:
            bad("summary", "bad_summary")
        else:
            schedule = replace(schedule, week_end_day=summary[0], week_end_time=summary[1])
    if "days" in values:
        days = parse_days(values["days"])
        if days is None:
            bad("days", "bad_days")
        elif not days:
            bad("days", "no_days")
        else:
            schedule = replace(schedule, workdays=days)
    if "tz" in values:
        if is_zone(values["tz"]):
            zone = values["tz"]
        else:
            bad("tz", "bad_tz")
    if "cap" in values:
        cap = _whole(values["cap"], 0, CAP_LIMIT)
        if cap is None:
            bad("cap", "bad_cap")
        else:
            reminders = replace(reminders, daily_cap=cap)
    if "nudge" in values:
        raw_minutes = values["nudge"].removesuffix("min").removesuffix("分钟")
        minutes = _whole(raw_minutes, 1, NUDGE_MINUTES_LIMIT)
        if minutes is None:
            bad("nudge", "bad_minutes")
        else:
            reminders = replace(reminders, nudge_after_minutes=minutes)
    if "quiet" in values:
        quiet = parse_quiet(values["quiet"])
        if quiet is None:
            bad("quiet", "bad_quiet")
        else:
            reminders = replace(reminders, quiet_start=quiet[0], quiet_end=quiet[1])
    schedule = replace(schedule, reminders=reminders)
    problems.extend(_order_problems(schedule, values))
    if problems:
        raise ScheduleProblems(problems=problems)
    return schedule, zone


def _order_problems(schedule: Schedule, values: dict[str, str]) -> list[Problem]:
    """The day must still run plan → review → deadline (the deadline may be after midnight)."""
    problems = []
    if not schedule.plan_time < schedule.review_time:
        key = "review" if "review" in values else "plan"
        problems.append(Problem(key, values.get(key, ""), "review_before_plan"))
    deadline = schedule.review_deadline
    if schedule.plan_time <= deadline <= schedule.review_time:
        problems.append(Problem("deadline", values.get("deadline", ""), "deadline_in_day"))
    return problems


def change_schedule(
    uow: UnitOfWork, person: Person, now: datetime, text: str, team_id: int | None = None
) -> ScheduleChange:
    """``/schedule key=value …`` by a manager: validate everything, then store it at once."""
    team = manager_of(uow, person.user_id, team_id)
    return change_team_schedule(uow, team, text)


def change_team_schedule(uow: UnitOfWork, team: Team, text: str) -> ScheduleChange:
    """Apply ``key=value`` words to ``team`` (no authorization: the caller checked it)."""
    values = parse_schedule_words(text)
    if not values:
        raise ScheduleProblems(problems=[Problem("", "", "not_pair")])
    schedule, zone = apply_words(team, values)
    uow.teams.update_schedule(team.id, schedule, zone)
    after = replace(team, schedule=schedule, timezone=zone)
    return ScheduleChange(team, after, changed_keys(team, after))


def show_schedule(
    uow: UnitOfWork, person: Person, now: datetime, team_id: int | None = None
) -> Team:
    """``/schedule`` alone: the team as it is (its schedule and time zone)."""
    return manager_of(uow, person.user_id, team_id)


def changed_keys(before: Team, after: Team) -> tuple[str, ...]:
    """Which :data:`KEYS` differ between two versions of a team."""
    a, b = before.schedule, after.schedule
    ra, rb = a.reminders, b.reminders
    differs = {
        "plan": a.plan_time != b.plan_time,
        "review": a.review_time != b.review_time,
        "sharing": a.sharing_time != b.sharing_time,
        "deadline": a.review_deadline != b.review_deadline,
        "summary": (a.week_end_day, a.week_end_time) != (b.week_end_day, b.week_end_time),
        "days": a.workdays != b.workdays,
        "tz": before.timezone != after.timezone,
        "cap": ra.daily_cap != rb.daily_cap,
        "nudge": ra.nudge_after_minutes != rb.nudge_after_minutes,
        "quiet": (ra.quiet_start, ra.quiet_end) != (rb.quiet_start, rb.quiet_end),
    }
    return tuple(key for key in KEYS if differs[key])


# --- values ------------------------------------------------------------------------------------


def parse_time(raw: str) -> time | None:
    """``08:45`` or ``8:45`` (24-hour clock) → a time; anything else → ``None``."""
    match = _TIME.match(raw.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_weekday(raw: str) -> int | None:
    """``1``…``7``, ``mon``…``sun``, ``monday``…, ``周一``…``周日`` → an ISO weekday."""
    word = raw.strip().lower()
    if word.isdigit():
        number = int(word)
        return number if 1 <= number <= 7 else None
    return _WEEKDAYS.get(word)


def parse_summary(raw: str) -> tuple[int, time] | None:
    """``fri 18:00`` (weekday and time of the weekly summary) → ``(5, 18:00)``."""
    parts = raw.split()
    if len(parts) != 2:
        return None
    day, at = parse_weekday(parts[0]), parse_time(parts[1])
    if day is None or at is None:
        return None
    return day, at


def parse_days(raw: str) -> frozenset[int] | None:
    """``1-5``, ``1,2,3,4,5,6``, ``mon-fri``, ``1-5,7`` → ISO weekdays; ``None`` if unreadable.

    An empty or ``none`` value gives the empty set, which the caller refuses by name.
    """
    text = raw.strip().lower()
    if text in _OFF or not text:
        return frozenset()
    days: set[int] = set()
    for part in re.split(r"[,，、]", text):
        first, dash, last = part.strip().partition("-")
        start = parse_weekday(first)
        end = parse_weekday(last) if dash else start
        if start is None or end is None or end < start:
            return None
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_quiet(raw: str) -> tuple[time, time] | None:
    """``21:30-08:00`` → start and end of quiet hours; ``off`` → none (start = end)."""
    text = raw.strip().lower()
    if text in _OFF:
        return time(0), time(0)
    start, dash, end = text.partition("-")
    first, last = parse_time(start), parse_time(end)
    if not dash or first is None or last is None:
        return None
    return first, last


def _whole(raw: str, low: int, high: int) -> int | None:
    text = raw.strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None
