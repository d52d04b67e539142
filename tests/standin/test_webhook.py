"""Webhook delivery: POSTs in order with the secret header, retries, getWebhookInfo."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Update, WebhookInfo
from telegram.error import BadRequest

from bot.standin import StandIn
from tests.standin.conftest import assert_clean

GUARD = 5.0


@dataclass
class Receiver:
    """A tiny webhook endpoint answering 500 for the first ``failures`` requests."""

    failures: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if len(self.bodies) <= self.failures:
            return web.Response(status=500)
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver(failures=1)
    app = web.Application()
    app.router.add_post("/hook/path", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    target.url = f"http://{host}:{port}/hook/path"
    try:
        yield target
    finally:
        await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_updates_are_posted_with_secret_and_retried(
    standin: StandIn, bot: Bot, receiver: Receiver
) -> None:
    alice = standin.add_user("Alice")
    early = alice.send("sent before the webhook existed")
    assert early is not None
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-Token_1") is True
    later = alice.send("/start")
    assert later is not None

    await standin.wait_acknowledged(later["update_id"], GUARD)
    assert [b["update_id"] for b in receiver.bodies] == [
        early["update_id"],  # answered 500 ...
        early["update_id"],  # ... and retried
        later["update_id"],
    ]
    assert receiver.bodies[-1] == later
    assert set(receiver.secrets) == {"s3cr3t-Token_1"}
    assert [(d.update_id, d.status) for d in standin.webhook_deliveries] == [
        (early["update_id"], 500),
        (early["update_id"], 200),
        (later["update_id"], 200),
    ]
    for body in receiver.bodies:
        assert_clean(Update.de_json(body, bot))

    info = await bot.get_webhook_info()
    assert isinstance(info, WebhookInfo)
    assert_clean(info)
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None


async def test_no_secret_header_without_secret(
    standin: StandIn, bot: Bot, receiver: Receiver
) -> None:
    receiver.failures = 0
    await bot.set_webhook(receiver.url)
    update = standin.add_user("Alice").send("hi")
    assert update is not None
    await standin.wait_acknowledged(update["update_id"], GUARD)
    assert receiver.secrets == [None]


async def test_unreachable_webhook_keeps_update_pending_then_gives_up() -> None:
    standin = StandIn(webhook_max_attempts=3, webhook_retry_delay=0.01)
    async with standin, Bot(standin.token, base_url=standin.base_url) as local_bot:
        await local_bot.set_webhook(f"http://127.0.0.1:{closed_port()}/hook")
        update = standin.add_user("Alice").send("hi")
        assert update is not None
        await standin.wait_until(lambda: len(standin.webhook_deliveries) >= 1, GUARD)
        info = await local_bot.get_webhook_info()
        assert info.last_error_message == "Connection refused"
        await standin.wait_until(lambda: not standin.pending_updates, GUARD)
        assert [d.status for d in standin.webhook_deliveries] == [None, None, None]
        assert not standin.update_acknowledged(update["update_id"])
        assert (await local_bot.get_webhook_info()).pending_update_count == 0


async def test_set_webhook_validation_and_info(standin: StandIn, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces")
    with pytest.raises(BadRequest, match="Bad webhook: an https url must be provided"):
        await bot.set_webhook("ftp://example.com/hook")
    info = await bot.get_webhook_info()
    assert_clean(info)
    assert (info.url, info.pending_update_count) == ("", 0)
    await bot.set_webhook(
        "http://127.0.0.1:9/hook", allowed_updates=["message"], drop_pending_updates=True
    )
    info = await bot.get_webhook_info()
    assert_clean(info)
    assert info.allowed_updates == ("message",)
    assert info.max_connections == 40
