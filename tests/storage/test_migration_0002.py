"""Migration 0002 keeps what a foundation-era database holds and gives it the new defaults."""

from __future__ import annotations

from datetime import UTC, datetime, time

from alembic import command
from sqlalchemy import Boolean, Time, column, inspect, table

from coach.models import Lang, Membership, Person, Role, Schedule
from storage.db import make_engine
from storage.migrate import alembic_config, schema_state, upgrade
from storage.types import UTCDateTime
from storage.uow import Database

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

PEOPLE = table(
    "people",
    column("user_id"),
    column("first_name"),
    column("username"),
    column("language"),
    column("language_chosen", Boolean()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)
TEAMS = table(
    "teams",
    column("id"),
    column("name"),
    column("region"),
    column("timezone"),
    column("language"),
    column("plan_time", Time()),
    column("review_time", Time()),
    column("sharing_time", Time()),
    column("workdays"),
    column("created_at", UTCDateTime()),
)
MEMBERSHIPS = table(
    "memberships",
    column("user_id"),
    column("team_id"),
    column("role"),
    column("joined_at", UTCDateTime()),
)
INVITES = table(
    "invites",
    column("team_id"),
    column("role"),
    column("token_hash"),
    column("created_by"),
    column("created_at", UTCDateTime()),
)


def test_upgrade_from_0001_keeps_rows_and_fills_in_the_defaults(database_url: str):
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    command.downgrade(config, "0001")  # the fixture's database is empty, at head
    try:
        assert "outbox" not in inspect(engine).get_table_names()
        with engine.begin() as connection:
            connection.execute(
                PEOPLE.insert().values(
                    user_id=7,
                    first_name="李娜",
                    username="lina",
                    language="zh",
                    language_chosen=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            connection.execute(
                TEAMS.insert().values(
                    id=3,
                    name="华东一组",
                    region="华东",
                    timezone="Asia/Shanghai",
                    language="zh",
                    plan_time=time(9, 0),
                    review_time=time(18, 30),
                    sharing_time=time(20, 0),
                    workdays="123456",
                    created_at=NOW,
                )
            )
            connection.execute(
                MEMBERSHIPS.insert().values(user_id=7, team_id=3, role="rep", joined_at=NOW)
            )
            connection.execute(
                INVITES.insert().values(
                    team_id=3, role="rep", token_hash="h" * 64, created_by=7, created_at=NOW
                )
            )
        upgrade(database_url)
        assert schema_state(engine).up_to_date
        database = Database(engine)
        with database.unit_of_work() as uow:
            person = uow.people.get(7)
            team = uow.teams.get(3)
            membership = uow.members.get(7)
            invite = uow.invites.by_token_hash("h" * 64)
            assert uow.teams.all() == [team]
    finally:
        upgrade(database_url)
        engine.dispose()
    assert person == Person(7, "李娜", "lina", Lang.ZH, language_chosen=True, blocked=False)
    assert team.name == "华东一组" and team.region == "华东" and team.created_at == NOW
    assert team.schedule == Schedule(
        plan_time=time(9, 0),
        review_time=time(18, 30),
        sharing_time=time(20, 0),
        workdays=frozenset({1, 2, 3, 4, 5, 6}),
    )
    assert team.schedule.country == "CN"
    assert membership == Membership(7, 3, Role.REP, NOW)  # not cascaded away by a table rebuild
    assert invite is not None and invite.team_id == 3
