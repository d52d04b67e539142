"""A team's own choices beyond its schedule: score weights, relay focus, sharing themes.

Every team has settings: a team that never changed them reads :data:`DEFAULT_SETTINGS`
(the seeds' weights and relay focus, the four sharing themes in turn).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from coach.days import RELAY_FOCUS
from coach.kpis import Kpi


class Theme(StrEnum):
    """A theme of the evening sharing (晚分享), and the type of a share."""

    PROBLEMS = "problems"  # 问题与解决
    SUCCESS = "success"  # 成功案例
    EXPERIENCE = "experience"  # 经验心得
    VENTING = "venting"  # 倒垃圾: posted without a name


@dataclass(frozen=True, slots=True)
class Weights:
    """The composite score's parts in percent (seeds: results 60, process 20, capability 10,
    teamwork 10). They always add up to 100."""

    results: int = 60
    process: int = 20
    capability: int = 10
    teamwork: int = 10

    def __post_init__(self) -> None:
        parts = (self.results, self.process, self.capability, self.teamwork)
        if any(p < 0 for p in parts) or sum(parts) != 100:
            raise ValueError("weights are whole percentages that add up to 100")


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """What a manager can change about scoring, the relay race and the sharing.

    Attributes:
        weights: the composite score's weights.
        relay: ISO weekday (1 = Monday) → that day's relay-race focus KPI (every weekday set).
        themes: the sharing themes in the order they rotate, one per sharing day.
        monthly_revenue: the team's monthly revenue target; ``None``: derived from the weekly
            targets (``coach.pace``).
    """

    weights: Weights = field(default_factory=Weights)
    relay: Mapping[int, Kpi] = field(default_factory=lambda: dict(RELAY_FOCUS))
    themes: tuple[Theme, ...] = tuple(Theme)
    monthly_revenue: Decimal | None = None

    def __post_init__(self) -> None:
        if set(self.relay) != set(range(1, 8)):
            raise ValueError("the relay needs a focus KPI for every weekday 1..7")
        if not self.themes:
            raise ValueError("the sharing needs at least one theme")
        if self.monthly_revenue is not None and self.monthly_revenue <= 0:
            raise ValueError("a monthly revenue target is positive")
        object.__setattr__(self, "relay", MappingProxyType(dict(self.relay)))

    def __deepcopy__(self, memo: dict[int, object]) -> TeamSettings:
        return self  # immutable all the way down (the relay is a read-only mapping)


DEFAULT_SETTINGS = TeamSettings()
