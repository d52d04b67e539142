"""Team settings on the fake and both SQL backends: defaults until saved, then what was saved."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coach.kpis import Kpi
from coach.models import Lang, NewTeam
from coach.team_settings import DEFAULT_SETTINGS, TeamSettings, Theme, Weights

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_a_team_reads_the_defaults_until_it_saves_its_own(uow_factory) -> None:
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        other = uow.teams.add(NewTeam("B", None, "UTC", Lang.EN), NOW)
        assert uow.settings.get(team.id) == DEFAULT_SETTINGS
        relay = dict(DEFAULT_SETTINGS.relay) | {1: Kpi.REVENUE}
        mine = TeamSettings(
            weights=Weights(50, 30, 10, 10),
            relay=relay,
            themes=(Theme.SUCCESS, Theme.VENTING),
            monthly_revenue=Decimal("450000.50"),
        )
        uow.settings.save(team.id, mine)
        uow.commit()
    with uow_factory() as uow:
        got = uow.settings.get(team.id)
        assert got.weights == Weights(50, 30, 10, 10)
        assert dict(got.relay) == relay
        assert got.themes == (Theme.SUCCESS, Theme.VENTING)
        assert got.monthly_revenue == Decimal("450000.50")
        assert uow.settings.get(other.id) == DEFAULT_SETTINGS
        uow.settings.save(team.id, DEFAULT_SETTINGS)  # saving again replaces
        uow.commit()
    with uow_factory() as uow:
        assert uow.settings.get(team.id).monthly_revenue is None
        assert uow.settings.get(team.id).weights == Weights()


@pytest.mark.parametrize(
    "bad",
    [
        {"themes": ()},
        {"relay": {1: Kpi.CALLS}},
        {"monthly_revenue": Decimal(0)},
    ],
)
def test_settings_that_make_no_sense_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        TeamSettings(**bad)


def test_weights_must_add_up_to_a_hundred() -> None:
    with pytest.raises(ValueError):
        Weights(60, 20, 10, 20)
    with pytest.raises(ValueError):
        Weights(110, -10, 0, 0)
