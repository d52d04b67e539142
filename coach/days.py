"""What a rep's working day holds: the plan, the review, an absence, a miss, the week's answers.

These are plain values; storage keeps them, ``coach.checkins`` makes and changes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from coach.kpis import Kpi

MUST_TASKS = 3
SECONDARY_TASKS = 2


class Absence(StrEnum):
    """Why a rep is away for a day (``/skip``): no prompts, no nudges, the streak is kept."""

    LEAVE = "leave"
    SICK = "sick"
    TRAINING = "training"
    TRAVEL = "travel"


class CheckIn(StrEnum):
    """The two check-ins of a working day; a missed one is recorded as a :class:`Miss`."""

    PLAN = "plan"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class Task:
    """One item of the 3+2 plan: ``must`` for the three must-dos, else secondary."""

    text: str
    must: bool
    done: bool = False


def _frozen(values: Mapping[Kpi, Decimal]) -> Mapping[Kpi, Decimal]:
    return MappingProxyType({kpi: values[kpi] for kpi in Kpi if kpi in values})


@dataclass(frozen=True, slots=True)
class DayRecord:
    """One rep's one team-local day. A row exists once the rep planned, reviewed or skipped.

    ``planned`` and ``actual`` hold only the KPIs the rep gave (a missing KPI is not zero).
    ``team_id`` is the team the rep was in that day, so moving teams keeps history honest.
    """

    user_id: int
    team_id: int
    day: date
    tasks: tuple[Task, ...] = ()
    planned: Mapping[Kpi, Decimal] = field(default_factory=dict)
    actual: Mapping[Kpi, Decimal] = field(default_factory=dict)
    planned_at: datetime | None = None
    reviewed_at: datetime | None = None
    win: str | None = None
    lesson: str | None = None
    objection: str | None = None
    tomorrow_first: str | None = None
    absence: Absence | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "planned", _frozen(self.planned))
        object.__setattr__(self, "actual", _frozen(self.actual))

    def __hash__(self) -> int:
        return hash((self.user_id, self.day))

    def __deepcopy__(self, memo: dict[int, object]) -> DayRecord:
        return self  # immutable all the way down

    @property
    def has_plan(self) -> bool:
        return self.planned_at is not None

    @property
    def has_review(self) -> bool:
        return self.reviewed_at is not None

    @property
    def unfinished(self) -> tuple[Task, ...]:
        """Tasks not ticked off; after a review they roll over to the next working day."""
        return tuple(task for task in self.tasks if not task.done)


@dataclass(frozen=True, slots=True)
class Miss:
    """An explicit record that a rep did not plan or review on a working day."""

    user_id: int
    team_id: int
    day: date
    kind: CheckIn
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Reflection:
    """A rep's answers to the week's three questions (周结)."""

    user_id: int
    team_id: int
    week_start: date
    went_well: str
    to_improve: str
    next_actions: str
    answered_at: datetime


# Seeds' weekly self-check list (每周目标达成检查清单), per rep: the defaults for every team.
DEFAULT_WEEKLY_TARGETS: Mapping[Kpi, Decimal] = MappingProxyType(
    {
        Kpi.NEW_VISITS: Decimal(10),
        Kpi.FOLLOW_UPS: Decimal(15),
        Kpi.PROPOSALS: Decimal(5),
        Kpi.DEMOS: Decimal(3),
        Kpi.DEALS: Decimal(2),
        Kpi.REVENUE: Decimal(100_000),
    }
)

# 销售接力赛 (seeds): each weekday has its focus metric; Monday calls, Tuesday visits, …
RELAY_FOCUS: Mapping[int, Kpi] = MappingProxyType(
    {
        1: Kpi.CALLS,
        2: Kpi.NEW_VISITS,
        3: Kpi.PROPOSALS,
        4: Kpi.DEMOS,
        5: Kpi.DEALS,
        6: Kpi.FOLLOW_UPS,
        7: Kpi.FOLLOW_UPS,
    }
)
