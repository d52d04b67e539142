"""Contract tests: the SQL repositories behave like the in-memory fakes, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coach import onboarding
from coach.models import Contact, Dialog, Lang, Membership, NewTeam, Person, Role, Schedule
from storage.models import PersonRow
from storage.uow import Database, SqlUnitOfWork

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_people_round_trip(uow_factory):
    with uow_factory() as uow:
        uow.people.save(Person(7, "李娜", "lina", Lang.ZH), NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.get(7) == Person(7, "李娜", "lina", Lang.ZH)
        assert uow.people.get(8) is None


def test_uncommitted_work_is_rolled_back(uow_factory):
    with uow_factory() as uow:
        uow.people.save(Person(7, "x", None, Lang.EN), NOW)
    with uow_factory() as uow:
        assert uow.people.get(7) is None


def test_team_round_trip_keeps_schedule_and_zone(uow_factory):
    schedule = Schedule(time(9, 0), time(18, 30), time(21, 0), frozenset({1, 2, 3, 4, 5, 6}))
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("华东一组", "华东", "Asia/Shanghai", Lang.ZH, schedule), NOW)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.teams.get(team.id)
    assert loaded == team
    assert loaded.schedule == schedule
    assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None


def test_group_binding_lookup(uow_factory):
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        uow.teams.set_group(team.id, -1001, "Group")
        uow.commit()
    with uow_factory() as uow:
        assert uow.teams.by_group(-1001).id == team.id
        uow.teams.set_group(team.id, None, None)
        uow.commit()
    with uow_factory() as uow:
        assert uow.teams.by_group(-1001) is None


def test_members_invites_and_dialogs(uow_factory):
    with uow_factory() as uow:
        for user_id in (1, 2, 3):
            uow.people.save(Person(user_id, f"p{user_id}", None, Lang.ZH), NOW)
        team = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        uow.members.add(Membership(1, team.id, Role.MANAGER, NOW))
        uow.members.add(Membership(2, team.id, Role.REP, NOW + timedelta(seconds=1)))
        expires = NOW + timedelta(days=3)
        invite = uow.invites.add(team.id, Role.REP, "h" * 64, 1, NOW, expires)
        uow.invites.add(team.id, Role.MANAGER, "m" * 64, 1, NOW, None)
        uow.dialogs.save(Dialog(3, "newteam", "region", {"name": "B"}, expires))
        uow.commit()
    with uow_factory() as uow:
        assert [m.user_id for m in uow.members.of_team(team.id)] == [1, 2]
        assert [m.user_id for m in uow.members.of_team(team.id, Role.REP)] == [2]
        assert uow.invites.by_token_hash("h" * 64) == invite
        assert uow.invites.revoke_active(team.id, Role.REP, NOW) == 1
        assert uow.invites.revoke_active(team.id, Role.REP, NOW) == 0
        assert uow.dialogs.get(3).data == {"name": "B"}
        assert uow.dialogs.clear(3) is True and uow.dialogs.clear(3) is False
        uow.members.remove(2)
        uow.commit()
    with uow_factory() as uow:
        assert uow.invites.by_token_hash("h" * 64).revoked_at == NOW
        assert uow.invites.by_token_hash("m" * 64).revoked_at is None
        assert uow.members.get(2) is None and uow.dialogs.get(3) is None


def test_a_dialog_saved_again_reads_back_new_within_and_after_the_transaction(uow_factory):
    expires = NOW + timedelta(hours=1)
    with uow_factory() as uow:
        uow.people.save(Person(3, "p3", None, Lang.EN), NOW)
        uow.dialogs.save(Dialog(3, "review", "tasks", {"n": 1}, expires))
        uow.commit()
    with uow_factory() as uow:
        if isinstance(uow, SqlUnitOfWork):
            uow.load_person(3)  # the dialog row is now kept in the session
        assert uow.dialogs.get(3).step == "tasks"
        uow.dialogs.save(Dialog(3, "review", "win", {"n": 2}, expires))
        assert uow.dialogs.get(3) == Dialog(3, "review", "win", {"n": 2}, expires)
        assert uow.dialogs.clear(3) is True
        assert uow.dialogs.get(3) is None
        uow.dialogs.save(Dialog(3, "plan", "tasks", {}, expires))
        assert uow.dialogs.get(3) == Dialog(3, "plan", "tasks", {}, expires)
        uow.commit()
    with uow_factory() as uow:
        assert uow.dialogs.get(3) == Dialog(3, "plan", "tasks", {}, expires)


def test_whole_onboarding_flow_on_sql(database: Database):
    """The same use cases as the coach tests, on the real database."""
    defaults = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), 30)
    with database.unit_of_work() as uow:
        manager = onboarding.meet(uow, Contact(1, "王", None, "zh"), NOW, Lang.ZH)
        rep = onboarding.meet(uow, Contact(2, "Tom", None, "en"), NOW, Lang.ZH)
        created = onboarding.new_team_command(uow, manager, NOW, "华东一组 | 华东", defaults)
        uow.commit()
    with database.unit_of_work() as uow:
        joined = onboarding.join(uow, rep, NOW, created.invite.token)
        uow.commit()
    assert joined.team.name == "华东一组"
    with database.unit_of_work() as uow:
        profile = onboarding.profile(uow, rep, NOW)
    assert profile.role is Role.REP and profile.team.region == "华东"


def test_one_team_per_person_is_enforced_by_the_database(database: Database):
    with database.unit_of_work() as uow:
        uow.people.save(Person(1, "a", None, Lang.ZH), NOW)
        a = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        b = uow.teams.add(NewTeam("B", None, "UTC", Lang.EN), NOW)
        uow.members.add(Membership(1, a.id, Role.REP, NOW))
        with pytest.raises(IntegrityError):
            uow.members.add(Membership(1, b.id, Role.REP, NOW))


def test_a_group_belongs_to_one_team_in_the_database(database: Database):
    with database.unit_of_work() as uow:
        a = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        b = uow.teams.add(NewTeam("B", None, "UTC", Lang.EN), NOW)
        uow.teams.set_group(a.id, -5, "G")
        with pytest.raises(IntegrityError):
            uow.teams.set_group(b.id, -5, "G")


def test_times_are_stored_in_utc_and_read_back_aware(database: Database):
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2026, 11, 23, 9, 0, tzinfo=shanghai)
    with database.unit_of_work() as uow:
        uow.people.save(Person(1, "a", None, Lang.ZH), local)
        team = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), local)
        uow.commit()
    with database.unit_of_work() as uow:
        created = uow.teams.get(team.id).created_at
    assert created == local and created.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(database: Database):
    with database.unit_of_work() as uow, pytest.raises(Exception, match="naive"):
        uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), datetime(2026, 1, 1))  # noqa: DTZ001
        uow.commit()


def test_sql_errors_do_not_carry_what_people_wrote(database: Database):
    with database.unit_of_work() as uow:
        uow.people.save(Person(1, "first", None, Lang.ZH), NOW)
        uow.commit()
    duplicate = PersonRow(
        user_id=1,
        first_name="secret deal with ACME",
        language="zh",
        language_chosen=False,
        created_at=NOW,
        updated_at=NOW,
    )
    with Session(database.engine) as session, pytest.raises(IntegrityError) as caught:
        session.add(duplicate)
        session.flush()
    assert "ACME" not in str(caught.value)
    assert "hide_parameters" in str(caught.value)
