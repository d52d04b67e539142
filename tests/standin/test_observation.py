"""The observation API: call log, waiting, subscriptions, clock, method list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

import bot.standin as standin_package
from bot.standin import (
    CallbackAnswer,
    ChatActionSent,
    MessageEdited,
    SentMessage,
    StandIn,
)

GUARD = 5.0


async def test_wait_for_past_and_future_calls(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    await bot.send_message(alice.id, "first")
    past = await standin.wait_for(lambda c: c.method == "sendMessage", timeout=GUARD)
    assert past.result["text"] == "first"

    mark = standin.last_seq
    waiter = asyncio.create_task(
        standin.wait_for(lambda c: c.method == "sendMessage", timeout=GUARD, after_seq=mark)
    )
    await bot.send_message(alice.id, "second")
    future = await waiter
    assert future.result["text"] == "second"
    assert future.seq > mark
    assert [c.method for c in standin.calls_since(mark)] == ["sendMessage"]
    assert standin.calls_since(mark)[0].params == {"chat_id": alice.id, "text": "second"}


async def test_wait_for_timeout_lists_recent_calls(standin: StandIn, bot: Bot) -> None:
    with pytest.raises(TimeoutError, match=r"(?s)no matching Bot API call.*getMe ok"):
        await standin.wait_for(lambda c: c.method == "sendPoll", timeout=0)
    with pytest.raises(TimeoutError, match="was not acknowledged"):
        await standin.wait_acknowledged(12345, timeout=0)


async def test_wait_for_message(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    bob = standin.add_user("Bob")
    alice.send("hi")
    bob.send("hi")
    mark = standin.last_seq
    waiter = asyncio.create_task(
        standin.wait_for_message(
            lambda m: "report" in (m.text or ""), chat_id=bob.id, after_seq=mark, timeout=GUARD
        )
    )
    await bot.send_message(alice.id, "report for Alice")
    await bot.send_message(bob.id, "hello Bob")
    await bot.send_message(bob.id, "report for Bob")
    found = await waiter
    assert isinstance(found, SentMessage)
    assert (found.chat_id, found.text) == (bob.id, "report for Bob")
    assert [m.text for m in standin.sent_messages()] == [
        "report for Alice",
        "hello Bob",
        "report for Bob",
    ]
    assert [m.text for m in standin.sent_messages(bob.id)] == ["hello Bob", "report for Bob"]


async def test_subscribe_and_unsubscribe(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    events: list[object] = []
    unsubscribe = standin.subscribe(events.append)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(alice.id, "Start?", reply_markup=keyboard)
    await bot.send_chat_action(alice.id, "typing")
    assert alice.last_message is not None
    update = alice.press(alice.last_message, "Go")
    await bot.answer_callback_query(update["callback_query"]["id"], "Going")
    await bot.edit_message_text("Started", chat_id=alice.id, message_id=sent.message_id)
    unsubscribe()
    await bot.send_message(alice.id, "not seen by the subscriber")
    assert [type(e) for e in events] == [SentMessage, ChatActionSent, CallbackAnswer, MessageEdited]


async def test_injected_clock_sets_dates() -> None:
    moment = datetime(2025, 1, 6, 8, 30, tzinfo=UTC)
    now = [moment]
    async with StandIn(clock=lambda: now[0]) as standin:
        alice = standin.add_user("Alice")
        update = alice.send("hi")
        assert update is not None
        assert update["message"]["date"] == int(moment.timestamp())
        async with Bot(standin.token, base_url=standin.base_url) as bot:
            sent = await bot.send_message(alice.id, "hello")
            assert sent.date == moment
            now[0] += timedelta(minutes=5)
            edited = await bot.edit_message_text("edited", alice.id, sent.message_id)
            assert isinstance(edited, type(sent))
            assert edited.edit_date == moment + timedelta(minutes=5)
            assert standin.calls[-1].at == moment + timedelta(minutes=5)

            standin.callback_query_ttl = 15
            await bot.edit_message_reply_markup(
                alice.id,
                sent.message_id,
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("Ok", callback_data="ok")]]
                ),
            )
            press = alice.press(alice.last_message, "Ok")
            now[0] += timedelta(seconds=16)
            with pytest.raises(BadRequest, match="Query is too old"):
                await bot.answer_callback_query(press["callback_query"]["id"])


def test_naive_clock_is_rejected() -> None:
    standin = StandIn(clock=lambda: datetime(2025, 1, 1))  # noqa: DTZ001 - testing rejection
    alice = standin.add_user("Alice")
    with pytest.raises(ValueError, match="timezone-aware"):
        alice.send("hi")


def test_token_shape_and_repr() -> None:
    with pytest.raises(ValueError, match="digits"):
        StandIn(token="not-a-token")
    standin = StandIn(token="42:very-secret")
    assert standin.bot_id == 42
    assert "very-secret" not in repr(standin)


def test_documented_method_list_matches_implementation() -> None:
    doc = standin_package.__doc__ or ""
    section = doc.split('Implemented methods (anything else answers 404 "Not Found"):')[1]
    documented = section.split(".\n")[0].replace("\n", " ")
    names = sorted(name.strip() for name in documented.split(","))
    assert names == StandIn.implemented_methods()


async def test_in_process_call(standin: StandIn) -> None:
    assert (await standin.call("getMe"))["is_bot"] is True
    with pytest.raises(standin_package.ApiError) as caught:
        await standin.call("sendMessage", chat_id=1, text="x")
    assert caught.value.error_code == 400
    assert caught.value.description == "Bad Request: chat not found"
