"""Fault injection: scheduled and random failures reach PTB as its exceptions, with no effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.standin import StandIn


async def test_fail_next_429_is_retry_after_and_sends_nothing(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    standin.faults.fail_next("sendMessage", error_code=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "first try")
    assert caught.value.retry_after == timedelta(seconds=3)
    assert alice.inbox == []
    failed = standin.calls[-1]
    assert (failed.method, failed.ok, failed.error_code) == ("sendMessage", False, 429)
    assert failed.description == "Too Many Requests: retry after 3"

    await bot.send_message(alice.id, "second try")
    assert [m.text for m in alice.inbox] == ["second try"]


async def test_fail_next_other_codes_and_counts(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    standin.faults.fail_next("*", error_code=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_chat_action(alice.id, "typing")
    assert standin.chat_actions == []
    standin.faults.fail_next(
        "sendmessage", error_code=403, description="Forbidden: user is deactivated"
    )
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(alice.id, "x")
    assert await bot.send_chat_action(alice.id, "typing") is True
    assert standin.faults.injected == [
        ("sendChatAction", 502),
        ("sendChatAction", 502),
        ("sendMessage", 403),
    ]


async def run_burst(seed: int) -> list[bool]:
    async with StandIn() as standin:
        standin.faults.random_429(rate=0.3, retry_after=1, seed=seed)
        alice = standin.add_user("Alice")
        alice.send("hi")
        outcomes: list[bool] = []
        async with Bot(standin.token, base_url=standin.base_url) as bot:
            for i in range(30):
                try:
                    await bot.send_message(alice.id, f"m{i}")
                    outcomes.append(True)
                except RetryAfter as error:
                    assert error.retry_after == timedelta(seconds=1)
                    outcomes.append(False)
            assert await bot.get_me()  # not in the default method list: never fails
        assert len(alice.inbox) == outcomes.count(True)
        return outcomes


async def test_random_429_is_seeded_and_has_no_effect() -> None:
    first = await run_burst(seed=7)
    second = await run_burst(seed=7)
    assert first == second
    assert 0 < first.count(False) < len(first)


async def test_clear_removes_faults(standin: StandIn, bot: Bot) -> None:
    standin.faults.random_429(rate=1.0, methods=("getMe",))
    standin.faults.fail_next("getChat")
    with pytest.raises(RetryAfter):
        await bot.get_me()
    standin.faults.clear()
    assert (await bot.get_me()).username == "SalesCoachBot"
