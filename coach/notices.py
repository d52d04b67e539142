"""What the scheduler's tick decides to send: plain data, rendered by the adapter.

Every notice has the same envelope, as attributes (some are properties):

* ``key``: unique forever; the outbox stores one message per key, so deciding twice sends
  once. The rendered :class:`~coach.outbox.OutgoingMessage` must carry this key.
* ``chat_id``: where it goes (a private chat is the person's user id; or a team group).
* ``user_id``: the person it is for when private, else ``None``.
* ``team_id``: the team it is about.
* ``day``: the team-local day it belongs to (for a weekly summary, the week-end day).
* ``kind``: ``plan``, ``review``, ``nudge``, ``daily_summary``, ``escalation``,
  ``weekly_summary``, ``practice``; the evening sharing's ``sharing_open``, ``share`` and
  ``sharing_digest`` (to the team's group).
* ``budgeted``: whether it spends the rep's reminder budget for ``day`` (nudges only). The
  outgoing message must carry ``budgeted`` and ``day`` so ``OutboxRepository.budget_spent``
  counts it.
* ``due_at``: the instant it fell due (a fine ``not_before``).

The rest is what to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from coach.brief import Brief
from coach.days import Absence, CheckIn, DayRecord, Task
from coach.kpis import Kpi
from coach.models import Person, Reminders, Team
from coach.pace import KpiPace
from coach.sharing import Digest
from coach.sharing_records import Share, SharingSession
from coach.weekly import WeekChecklist, percent


class _ToRep:
    """The envelope of a notice sent privately to ``person`` about ``team``."""

    __slots__ = ()
    person: Person
    team: Team

    @property
    def chat_id(self) -> int:
        return self.person.user_id

    @property
    def user_id(self) -> int:
        return self.person.user_id

    @property
    def team_id(self) -> int:
        return self.team.id


@dataclass(frozen=True, slots=True)
class PlanPrompt(_ToRep):
    """The morning plan prompt to one rep.

    Attributes:
        person: the rep.
        team: the rep's team.
        day: the day to plan.
        due_at: the plan time's instant.
        pace: the month → week → day breakdown per targeted KPI (:class:`KpiPace`).
        focus: the day's relay-race focus metric.
        carry_over: unfinished tasks of the rep's last active day, if it was reviewed; offer
            them as plan items.
        reminders: the team's reminder budget, to state to the rep.
    """

    kind: ClassVar[str] = "plan"
    budgeted: ClassVar[bool] = False

    person: Person
    team: Team
    day: date
    due_at: datetime
    pace: tuple[KpiPace, ...]
    focus: Kpi
    carry_over: tuple[Task, ...]
    reminders: Reminders

    @property
    def key(self) -> str:
        return plan_key(self.person.user_id, self.day)


@dataclass(frozen=True, slots=True)
class ReviewPrompt(_ToRep):
    """The evening review prompt to one rep; ``record`` is the day so far (the plan), if any."""

    kind: ClassVar[str] = "review"
    budgeted: ClassVar[bool] = False

    person: Person
    team: Team
    day: date
    due_at: datetime
    record: DayRecord | None

    @property
    def key(self) -> str:
        return review_key(self.person.user_id, self.day)


@dataclass(frozen=True, slots=True)
class Nudge(_ToRep):
    """One reminder that today's plan or review is still missing.

    Attributes:
        check_in: which one is missing.
        left_today: reminders left in the rep's budget for ``day`` after this one.
        reminders: the budget itself (cap, quiet hours), to state to the rep.
    """

    kind: ClassVar[str] = "nudge"
    budgeted: ClassVar[bool] = True

    person: Person
    team: Team
    day: date
    due_at: datetime
    check_in: CheckIn
    left_today: int
    reminders: Reminders

    @property
    def key(self) -> str:
        return nudge_key(self.check_in, self.person.user_id, self.day)


@dataclass(frozen=True, slots=True)
class RepLine:
    """One rep's day in the manager's summary.

    Attributes:
        person: the rep.
        planned, reviewed: whether the rep did.
        absence: why the rep was away that day, or ``None``.
        missed: the check-ins recorded as missed that day (in :class:`CheckIn` order).
    """

    person: Person
    planned: bool
    reviewed: bool
    absence: Absence | None
    missed: tuple[CheckIn, ...]


@dataclass(frozen=True, slots=True)
class KpiTotal:
    """The team's total of one KPI for the day against the team's daily pace.

    ``pace`` is the sum of the day's pace (``KpiPace.per_day``) of the reps working that day;
    ``None`` when no rep has a target for the KPI.
    """

    kpi: Kpi
    actual: Decimal
    pace: Decimal | None

    @property
    def percent(self) -> int | None:
        """``actual`` as a whole percentage of ``pace`` (uncapped), or ``None``."""
        return percent(self.actual, self.pace)


@dataclass(frozen=True, slots=True)
class DailySummary:
    """The team's day for the managers, after the review deadline.

    Attributes:
        chat_id: the team group, or a manager's private chat when no group is bound.
        recipient: that manager when private, ``None`` for the group.
        lines: every current rep, by first name then user id.
        totals: per KPI with a pace or a reported figure, in :class:`Kpi` order.
    """

    kind: ClassVar[str] = "daily_summary"
    budgeted: ClassVar[bool] = False

    team: Team
    day: date
    due_at: datetime
    chat_id: int
    recipient: Person | None
    lines: tuple[RepLine, ...]
    totals: tuple[KpiTotal, ...]

    @property
    def key(self) -> str:
        return summary_key(self.team.id, self.day, self.chat_id)

    @property
    def user_id(self) -> int | None:
        return self.recipient.user_id if self.recipient else None

    @property
    def team_id(self) -> int:
        return self.team.id


@dataclass(frozen=True, slots=True)
class Escalation:
    """A private note to one manager: a rep has missed the review ``missed_days`` in a row.

    ``since`` is the first missed working day of the run; ``day`` the latest one.
    """

    kind: ClassVar[str] = "escalation"
    budgeted: ClassVar[bool] = False

    manager: Person
    team: Team
    rep: Person
    day: date
    due_at: datetime
    missed_days: int
    since: date

    @property
    def key(self) -> str:
        return (
            f"escalation:{self.team.id}:{self.rep.user_id}:{self.day.isoformat()}"
            f":{self.manager.user_id}"
        )

    @property
    def chat_id(self) -> int:
        return self.manager.user_id

    @property
    def user_id(self) -> int:
        return self.manager.user_id

    @property
    def team_id(self) -> int:
        return self.team.id


@dataclass(frozen=True, slots=True)
class WeeklySummary(_ToRep):
    """The weekly checklist (周结) pushed to one rep at the team's week-end time."""

    kind: ClassVar[str] = "weekly_summary"
    budgeted: ClassVar[bool] = False

    person: Person
    team: Team
    day: date
    due_at: datetime
    checklist: WeekChecklist

    @property
    def key(self) -> str:
        return week_key(self.person.user_id, self.checklist.week_start)


@dataclass(frozen=True, slots=True)
class PracticePrompt(_ToRep):
    """The day's practice push: quiz questions due and whether a drill is owed this week.

    Sent within the reminder budget (it counts as one of the day's pushes) and only when it
    leaves one push for the review nudge.
    """

    kind: ClassVar[str] = "practice"
    budgeted: ClassVar[bool] = True

    person: Person
    team: Team
    day: date
    due_at: datetime
    questions_due: int
    drilled_this_week: int
    left_today: int
    reminders: Reminders

    @property
    def key(self) -> str:
        return practice_key(self.person.user_id, self.day)


# --- the evening sharing (晚分享), in the team's group --------------------------------------------


class _ToGroup:
    """The envelope of a notice to a team's group, in the team's language."""

    __slots__ = ()
    team: Team
    session: SharingSession

    @property
    def user_id(self) -> None:
        return None

    @property
    def team_id(self) -> int:
        return self.team.id

    @property
    def day(self) -> date:
        return self.session.day


@dataclass(frozen=True, slots=True)
class SharingOpened(_ToGroup):
    """The session opens in the group: the day's theme, until when, how to share."""

    kind: ClassVar[str] = "sharing_open"
    budgeted: ClassVar[bool] = False

    team: Team
    session: SharingSession
    chat_id: int

    @property
    def key(self) -> str:
        return sharing_key("open", self.team.id, self.session.day)

    @property
    def due_at(self) -> datetime:
        return self.session.opened_at


@dataclass(frozen=True, slots=True)
class SharePost(_ToGroup):
    """A rep's share posted in the group with a 👍 button; ``author`` is ``None`` for venting
    (the name is never shown, managers included)."""

    kind: ClassVar[str] = "share"
    budgeted: ClassVar[bool] = False

    team: Team
    session: SharingSession
    chat_id: int
    share: Share
    author: Person | None

    @property
    def key(self) -> str:
        return f"share:{self.share.id}"

    @property
    def due_at(self) -> datetime:
        return self.share.created_at


@dataclass(frozen=True, slots=True)
class SharingDigest(_ToGroup):
    """The session closes: how many shared, the most-kudos share, the types present.

    ``top_author`` is the top share's author, ``None`` when it is a venting share or there is
    no top share.
    """

    kind: ClassVar[str] = "sharing_digest"
    budgeted: ClassVar[bool] = False

    team: Team
    session: SharingSession
    chat_id: int
    digest: Digest
    top_author: Person | None
    due_at: datetime

    @property
    def key(self) -> str:
        return sharing_key("digest", self.team.id, self.session.day)


@dataclass(frozen=True, slots=True)
class CoachingBrief:
    """The week's coaching brief (``coach.brief``) for the team's group or one manager.

    ``recipient`` is the manager for a private brief, which alone carries the 1:1 topics;
    ``None`` for the group. ``chart`` asks for a second message: the team totals as a chart.
    """

    kind: ClassVar[str] = "coaching_brief"
    budgeted: ClassVar[bool] = False

    team: Team
    day: date
    due_at: datetime
    chat_id: int
    recipient: Person | None
    brief: Brief

    @property
    def key(self) -> str:
        return brief_key(self.team.id, self.brief.week_start, self.chat_id)

    @property
    def user_id(self) -> int | None:
        return self.recipient.user_id if self.recipient else None

    @property
    def team_id(self) -> int:
        return self.team.id


@dataclass(frozen=True, slots=True)
class BriefChart(CoachingBrief):
    """The coaching brief's chart (team totals against targets), sent after its text."""

    kind: ClassVar[str] = "coaching_brief_chart"

    @property
    def key(self) -> str:
        return "chart:" + brief_key(self.team.id, self.brief.week_start, self.chat_id)


Notice = (
    PlanPrompt
    | ReviewPrompt
    | Nudge
    | DailySummary
    | Escalation
    | WeeklySummary
    | PracticePrompt
    | SharingOpened
    | SharePost
    | SharingDigest
    | CoachingBrief
    | BriefChart
)
"""Anything the tick decides to send."""


def plan_key(user_id: int, day: date) -> str:
    """The outbox key of a rep's plan prompt for ``day``."""
    return f"plan:{user_id}:{day.isoformat()}"


def review_key(user_id: int, day: date) -> str:
    """The outbox key of a rep's review prompt for ``day``."""
    return f"review:{user_id}:{day.isoformat()}"


def practice_key(user_id: int, day: date) -> str:
    """The outbox key of a rep's practice push for ``day``."""
    return f"practice:{user_id}:{day.isoformat()}"


def nudge_key(check_in: CheckIn, user_id: int, day: date) -> str:
    """The outbox key of the one nudge about ``check_in`` for a rep and ``day``."""
    return f"nudge:{check_in.value}:{user_id}:{day.isoformat()}"


def week_key(user_id: int, week_start: date) -> str:
    """The outbox key of a rep's weekly summary for the week starting ``week_start``."""
    return f"week:{user_id}:{week_start.isoformat()}"


def summary_key(team_id: int, day: date, chat_id: int) -> str:
    """The outbox key of a team's daily summary for ``day`` sent to ``chat_id``."""
    return f"summary:{team_id}:{day.isoformat()}:{chat_id}"


def sharing_key(what: str, team_id: int, day: date) -> str:
    """The outbox key of a team's sharing notice ``what`` (``open``, ``digest``) for ``day``."""
    return f"sharing:{what}:{team_id}:{day.isoformat()}"


def brief_key(team_id: int, week_start: date, chat_id: int) -> str:
    return f"brief:{team_id}:{week_start.isoformat()}:{chat_id}"
