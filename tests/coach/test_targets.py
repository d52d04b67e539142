"""Weekly targets: reading ``kpi=value`` words, setting them per team and per rep."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coach import errors, onboarding
from coach.kpis import Kpi
from coach.models import Contact, Lang, Schedule
from coach.targets import (
    BadTarget,
    NoSuchTeam,
    effective_targets,
    parse_target_args,
    set_weekly_targets,
)
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_reading_targets():
    assert parse_target_args(["new_visits=12", "revenue=150,000.50", "demos=-"]) == {
        Kpi.NEW_VISITS: Decimal(12),
        Kpi.REVENUE: Decimal("150000.50"),
        Kpi.DEMOS: None,
    }


@pytest.mark.parametrize(
    "word",
    [
        "visits=3",
        "new_visits",
        "new_visits=",
        "calls=-5",
        "calls=2.5",
        "calls=abc",
        "calls=NaN",
        "revenue=1e12",
    ],
)
def test_bad_targets_are_named(word):
    with pytest.raises(BadTarget) as refused:
        parse_target_args([word])
    assert refused.value.value == word


def test_team_and_rep_levels_overlay_the_seed_defaults():
    uow = FakeUnitOfWork()
    with uow:
        manager = onboarding.meet(uow, Contact(1, "m"), NOW, Lang.ZH)
        rep = onboarding.meet(uow, Contact(2, "r"), NOW, Lang.ZH)
        defaults = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), None)
        created = onboarding.new_team_command(uow, manager, NOW, "A", defaults)
        onboarding.join(uow, rep, NOW, created.invite.token)
        team = created.team.id
        team_level = set_weekly_targets(uow, team, None, {Kpi.NEW_VISITS: Decimal(12)})
        assert team_level[Kpi.NEW_VISITS] == 12 and team_level[Kpi.FOLLOW_UPS] == 15
        rep_level = set_weekly_targets(uow, team, 2, {Kpi.DEALS: Decimal(4)})
        assert (rep_level[Kpi.NEW_VISITS], rep_level[Kpi.DEALS]) == (12, 4)
        assert effective_targets(uow, team, None)[Kpi.DEALS] == 2
        cleared = set_weekly_targets(uow, team, 2, {Kpi.DEALS: None})
        assert cleared[Kpi.DEALS] == 2
        with pytest.raises(errors.NotInTeam):
            set_weekly_targets(uow, team, 99, {Kpi.DEALS: Decimal(1)})
        with pytest.raises(NoSuchTeam):
            effective_targets(uow, 42, None)
