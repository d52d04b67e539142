"""The real transports: long polling and a webhook with Telegram's secret-token header."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import CoachApplication
from bot.intake import Intake, Poller, WebhookServer
from bot.services import Services
from bot.standin import StandIn
from storage.db import make_engine
from storage.uow import Database
from tests.bot.conftest import BOT_USERNAME, TOKEN, settings_for
from tests.fakes import FixedClock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def live() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=True) as server:
        yield server


@pytest.fixture
async def application(
    live: StandIn, database_url: str, clock: FixedClock
) -> AsyncIterator[CoachApplication]:
    database = Database(make_engine(database_url))
    app = build_application(Services(settings_for(live, database_url), database, clock))
    try:
        async with app:
            await app.start()
            yield app
            await app.stop()
    finally:
        database.dispose()


def reply_to(user_id: int):
    return lambda call: (
        call.method == "sendMessage" and call.ok and call.params["chat_id"] == user_id
    )


@contextlib.asynccontextmanager
async def running(transport: Poller | WebhookServer) -> AsyncIterator[None]:
    task = asyncio.create_task(transport.run())
    try:
        yield
    finally:
        transport.stop()
        await task


async def test_long_polling_gets_and_acknowledges_updates(live: StandIn, application):
    poller = Poller(Intake(application), ALLOWED_UPDATES, timeout=timedelta(seconds=1))
    async with running(poller):
        await polling_gets_and_acknowledges_updates(live)


async def polling_gets_and_acknowledges_updates(live: StandIn) -> None:
    user = live.add_user(first_name="Tom", username="tom", language_code="en")
    mark = len(live.calls)
    update = user.send("/start")
    call = await live.wait_for(reply_to(user.id), after_seq=mark, timeout=10)
    assert "I'm Sales Coach" in call.result["text"]
    await live.wait_acknowledged(update["update_id"], timeout=10)
    polls = [c for c in live.calls if c.method == "getUpdates"]
    assert polls and set(polls[-1].params["allowed_updates"]) == set(ALLOWED_UPDATES)


async def test_webhook_requires_the_secret_token(live: StandIn, application):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = WebhookServer(
        Intake(application),
        ALLOWED_UPDATES,
        url=url,
        secret_token="s3cret-header",
        listen="127.0.0.1",
        port=port,
        path="telegram",
    )
    async with running(webhook):
        await live.wait_until(lambda: live.world.webhook_url == url)
        await webhook_requires_the_secret_token(live, url)


async def webhook_requires_the_secret_token(live: StandIn, url: str) -> None:
    user = live.add_user(first_name="李娜", username="lina", language_code="zh")
    mark = len(live.calls)
    update = user.send("/start")
    call = await live.wait_for(reply_to(user.id), after_seq=mark, timeout=10)
    assert "我是销售教练" in call.result["text"]
    await live.wait_acknowledged(update["update_id"], timeout=10)

    forged = {"update_id": 999_999, "message": update["message"]}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=forged) as missing:
            assert missing.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with session.post(url, json=forged, headers=headers) as wrong:
            assert wrong.status == 403
    answered = [c for c in live.calls[mark:] if reply_to(user.id)(c)]
    assert len(answered) == 1  # the forged requests reached no handler
