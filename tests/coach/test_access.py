"""Who may use the manager views: the matrix of askers × views, on team A's data.

Rows: a rep of team A, a manager of team A, a manager of team B asking about team A, someone
in no team. Columns: /report, /export, /targets (show and set), /schedule (show and change),
/team. Only team A's manager is let through; a refused use case writes nothing before it refuses.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coach import errors
from coach.access import manager_of
from coach.export import export_for
from coach.models import Person
from coach.schedule_edit import change_schedule, show_schedule
from coach.team_targets import set_targets, show_targets
from coach.today import team_today
from coach.week_report import team_report
from tests.coach.manager_seed import AFTER_WEEK, BOB, EVE, TOM, WANG, World, make_world

VIEWS: dict[str, Callable[..., object]] = {
    "report": lambda uow, who, team_id: team_report(uow, who, AFTER_WEEK, ["last"], team_id),
    "export": lambda uow, who, team_id: export_for(
        uow, who, AFTER_WEEK, ["2026-11-16", "2026-11-22"], team_id
    ),
    "targets": lambda uow, who, team_id: show_targets(uow, who, AFTER_WEEK, team_id),
    "set targets": lambda uow, who, team_id: set_targets(
        uow, who, AFTER_WEEK, ["deals=4", "month=450000"], team_id
    ),
    "schedule": lambda uow, who, team_id: show_schedule(uow, who, AFTER_WEEK, team_id),
    "change schedule": lambda uow, who, team_id: change_schedule(
        uow, who, AFTER_WEEK, "plan=07:45 tz=Europe/Berlin", team_id
    ),
    "team": lambda uow, who, team_id: team_today(uow, who, AFTER_WEEK, team_id),
}

ASKERS: dict[str, tuple[Person, type[errors.CoachError] | None]] = {
    "rep of A": (TOM, errors.NotAManager),
    "manager of A": (WANG, None),
    "manager of B": (BOB, errors.NotAManager),
    "outsider": (EVE, errors.NotInTeam),
}


@pytest.fixture(scope="module")
def seeded() -> World:
    return make_world()


def _state(world: World) -> tuple[object, ...]:
    committed = world.uow.committed
    return (committed.teams, committed.targets, committed.team_settings)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("asker", ASKERS)
def test_only_the_team_s_managers_see_and_change_its_views(asker: str, view: str) -> None:
    world = make_world()
    person, refusal = ASKERS[asker]
    before = _state(world)
    with world.uow as uow:
        if refusal is None:
            result = VIEWS[view](uow, person, world.a.id)
            assert result is not None
            uow.commit()
            return
        with pytest.raises(refusal) as raised:
            VIEWS[view](uow, person, world.a.id)
        uow.commit()  # even committed, the refused use case wrote nothing before refusing
    if refusal is errors.NotAManager:
        assert raised.value.team_name == world.a.name  # names whose managers may
    assert _state(world) == before  # a refusal changes nothing


def test_without_a_team_id_a_manager_gets_their_own_team(seeded: World) -> None:
    with seeded.uow as uow:
        assert manager_of(uow, BOB.user_id) == seeded.b
        assert manager_of(uow, WANG.user_id) == seeded.a
        assert manager_of(uow, WANG.user_id, seeded.a.id) == seeded.a
        with pytest.raises(errors.NotAManager):
            manager_of(uow, TOM.user_id)
        with pytest.raises(errors.NotAManager):
            manager_of(uow, WANG.user_id, seeded.b.id)
        with pytest.raises(errors.NotInTeam):
            manager_of(uow, EVE.user_id)
        report = team_report(uow, BOB, AFTER_WEEK, ["last"])
    assert report.team == seeded.b
    assert [rep.person.first_name for rep in report.reps] == ["Ann"]  # nothing of team A


def test_a_manager_s_change_is_stored(seeded: World) -> None:
    world = make_world(seed_week=False)
    with world.uow as uow:
        VIEWS["change schedule"](uow, WANG, None)
        VIEWS["set targets"](uow, WANG, None)
        uow.commit()
    with world.uow as uow:
        team = uow.teams.get(world.a.id)
        assert team is not None and team.timezone == "Europe/Berlin"
        assert str(uow.settings.get(world.a.id).monthly_revenue) == "450000.00"
        assert uow.teams.get(world.b.id) == world.b
