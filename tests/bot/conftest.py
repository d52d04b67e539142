"""End-to-end fixtures: the stand-in, the real Application on a real database, a harness."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.standin import StandIn
from storage.db import make_engine
from storage.uow import Database
from tests.fakes import FixedClock
from tests.harness import Harness

TOKEN = "424242:TEST-token-never-logged"
BOT_USERNAME = "SalesCoachBot"
TEST_JOURNALS = Path(tempfile.gettempdir()) / "salescoach-test-journals"
"""Send journals of the tests' senders (one small file per test database), not in /dev/shm."""


def settings_for(standin: StandIn, database_url: str) -> Settings:
    settings = load_settings(
        None,
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "DATABASE_URL": database_url,
            "SALESCOACH_JOURNAL_DIR": str(TEST_JOURNALS),
        },
    )
    telegram = settings.telegram.model_copy(update={"api_base_file_url": standin.base_file_url})
    return settings.model_copy(update={"telegram": telegram})


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=False) as server:
        yield server


@pytest.fixture
async def harness(standin: StandIn, database_url: str, clock: FixedClock) -> AsyncIterator[Harness]:
    database = Database(make_engine(database_url))
    services = Services(settings_for(standin, database_url), database, clock)
    application = build_application(services)
    try:
        async with application:
            assert application.post_init is not None
            await application.post_init(application)
            yield Harness(standin, application)
    finally:
        database.dispose()
