"""getUpdates long polling: waking, offsets, limits, allowed_updates, conflicts, shutdown."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict

from bot.standin import StandIn
from tests.standin.conftest import assert_clean

GUARD = 5.0  # failure guard only: every wait below ends as soon as its event happens


async def test_long_poll_wakes_when_an_update_arrives(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await standin.wait_until(lambda: standin.polls_waiting == 1, GUARD)
    assert not poll.done()
    alice.send("good morning")
    updates = await asyncio.wait_for(poll, GUARD)
    assert len(updates) == 1
    assert_clean(updates[0])
    assert updates[0].message is not None
    assert updates[0].message.text == "good morning"


async def test_offset_confirms_updates(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    ids = [alice.send(f"m{i}")["update_id"] for i in range(3)]  # type: ignore[index]
    assert ids == sorted(ids)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == ids
    assert not standin.update_acknowledged(ids[0])
    again = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in again] == ids[1:]
    assert standin.update_acknowledged(ids[0])
    assert not standin.update_acknowledged(ids[1])
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    await standin.wait_acknowledged(ids[2], GUARD)
    assert standin.pending_updates == []


async def test_negative_offset_and_limit(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    ids = [alice.send(f"m{i}")["update_id"] for i in range(5)]  # type: ignore[index]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    last_two = await bot.get_updates(offset=-2)
    assert [u.update_id for u in last_two] == ids[3:]
    assert standin.update_acknowledged(ids[0])
    assert [u["update_id"] for u in standin.pending_updates] == ids[3:]


async def test_allowed_updates_are_remembered(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    await bot.get_updates(offset=-1)
    await bot.send_message(alice.id, "Quota?", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="yes")]]
    ))  # fmt: skip
    await bot.get_updates(
        offset=standin.updates[-1]["update_id"] + 1, allowed_updates=["callback_query"]
    )
    assert alice.send("ignored by the filter") is not None  # produced, but not queued
    assert alice.last_message is not None
    alice.press(alice.last_message, "Yes")
    updates = await bot.get_updates()  # no allowed_updates: the previous setting stays
    assert [u.callback_query.data for u in updates if u.callback_query] == ["yes"]
    assert len(updates) == 1


async def test_timeout_zero_returns_at_once(standin: StandIn, bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()
    assert standin.calls[-1].method == "getUpdates"
    assert standin.calls[-1].result == []


async def test_stop_releases_waiting_polls() -> None:
    standin = StandIn()
    await standin.start()
    async with Bot(standin.token, base_url=standin.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=50))
        await standin.wait_until(lambda: standin.polls_waiting == 1, GUARD)
        await asyncio.wait_for(standin.stop(), GUARD)
        assert await asyncio.wait_for(poll, GUARD) == ()


async def test_second_poller_terminates_the_first(standin: StandIn) -> None:
    url = f"{standin.base_url}{standin.token}/getUpdates"
    async with aiohttp.ClientSession() as http:

        async def poll(seconds: int) -> tuple[int, dict[str, object]]:
            async with http.post(url, json={"timeout": seconds}) as response:
                return response.status, await response.json()

        first = asyncio.create_task(poll(30))
        await standin.wait_until(lambda: standin.polls_waiting == 1, GUARD)
        second = await poll(0)
        status, body = await asyncio.wait_for(first, GUARD)
    assert second == (200, {"ok": True, "result": []})
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
        "is running"
    )


async def test_webhook_blocks_get_updates(standin: StandIn, bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook") is True
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook() is True
    assert await bot.get_updates() == ()


async def test_drop_pending_updates(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("old")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert len(standin.updates) == 1


async def test_auto_deliver_off_only_returns_updates() -> None:
    async with StandIn(auto_deliver=False) as standin:
        alice = standin.add_user("Alice")
        update = alice.send("/start")
        assert update is not None
        assert standin.pending_updates == []
        assert standin.updates == [update]
        parsed = Update.de_json(update, None)
        assert parsed.message is not None
        assert parsed.message.text == "/start"
        result = await standin.call("getUpdates")
        assert result == []
