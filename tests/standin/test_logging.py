"""The bot token never appears in the stand-in's (or its aiohttp server's) log output."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, RetryAfter

from bot.standin import StandIn

TOKEN = "987654:SECRET-token-value"


async def test_token_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with StandIn(token=TOKEN) as standin:
        alice = standin.add_user("Alice")
        async with Bot(
            TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url
        ) as bot:
            alice.send("/start")
            await bot.get_updates()
            await bot.send_message(alice.id, "hi")
            with pytest.raises(BadRequest):
                await bot.send_message(alice.id, "<oops>", parse_mode="HTML")
            standin.faults.fail_next("sendMessage")
            with pytest.raises(RetryAfter):
                await bot.send_message(alice.id, "x")
            # A webhook URL containing the token (a common pattern) must not leak either.
            await bot.set_webhook(f"http://127.0.0.1:9/{TOKEN}")
            update = alice.send("hello")
            assert update is not None
            await standin.wait_until(lambda: len(standin.webhook_deliveries) >= 1, 5.0)
            await bot.delete_webhook()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{standin.base_url}{TOKEN}/nope") as response:
                assert response.status == 404
            async with http.get(f"{standin.base_url}wrong/getMe") as response:
                assert response.status == 401

    ours = [
        record for record in caplog.records if record.name.startswith(("bot.standin", "aiohttp"))
    ]
    assert any(record.name.startswith("bot.standin") for record in ours)
    for record in ours:
        assert TOKEN not in record.getMessage(), record.name
        assert "SECRET" not in record.getMessage(), record.name
