"""The real transports: long polling and a webhook with Telegram's secret-token header."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import CoachApplication
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
            if app.updater and app.updater.running:
                await app.updater.stop()
            await app.stop()
    finally:
        database.dispose()


def reply_to(user_id: int):
    return lambda call: (
        call.method == "sendMessage" and call.ok and call.params["chat_id"] == user_id
    )


async def test_long_polling_gets_and_acknowledges_updates(live: StandIn, application):
    await application.updater.start_polling(
        poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
    )
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
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url=url,
        secret_token="s3cret-header",
        allowed_updates=ALLOWED_UPDATES,
    )
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
