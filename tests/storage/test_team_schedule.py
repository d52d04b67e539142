"""A team's schedule and time zone are replaced whole, on the fake and both SQL backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from coach.models import Lang, NewTeam, Reminders, Schedule

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_update_schedule_replaces_every_field_and_the_time_zone(uow_factory) -> None:
    changed = Schedule(
        plan_time=time(8, 45),
        review_time=time(18, 30),
        sharing_time=time(20, 0),
        workdays=frozenset({1, 2, 3, 4, 5, 6}),
        review_deadline=time(0, 30),
        week_end_day=6,
        week_end_time=time(18, 0),
        country=None,
        reminders=Reminders(
            daily_cap=1,
            nudge_after_minutes=45,
            quiet_start=time(22, 0),
            quiet_end=time(7, 30),
            escalate_after_days=5,
        ),
    )
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("A", "East", "Asia/Shanghai", Lang.ZH), NOW)
        other = uow.teams.add(NewTeam("B", None, "UTC", Lang.EN), NOW)
        uow.teams.update_schedule(team.id, changed, "Europe/Berlin")
        uow.commit()
    with uow_factory() as uow:
        got = uow.teams.get(team.id)
        assert got is not None
        assert got.schedule == changed
        assert got.timezone == "Europe/Berlin"
        assert (got.name, got.region, got.language) == ("A", "East", Lang.ZH)
        assert uow.teams.get(other.id) == other  # the other team is untouched
        # Changing back to the defaults works too (country back to CN).
        uow.teams.update_schedule(team.id, Schedule(), "Asia/Shanghai")
        uow.commit()
    with uow_factory() as uow:
        got = uow.teams.get(team.id)
        assert got is not None
        assert got == replace(team, schedule=Schedule(), timezone="Asia/Shanghai")


def test_an_uncommitted_schedule_change_is_not_kept(uow_factory) -> None:
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("A", None, "Asia/Shanghai", Lang.ZH), NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.teams.update_schedule(team.id, replace(team.schedule, plan_time=time(7)), "UTC")
        uow.rollback()
    with uow_factory() as uow:
        assert uow.teams.get(team.id) == team
