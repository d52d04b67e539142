"""End to end: a real PTB Application (polling and webhook) against the stand-in."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.standin import StandIn

GUARD = 10.0
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Log a call", callback_data="log:call")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Welcome!</b> Ready for today?", reply_markup=KEYBOARD
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Logged")
    await query.edit_message_text(f"Logged: {query.data}")


def build(standin: StandIn) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def conversation(standin: StandIn) -> None:
    alice = standin.add_user("Alice", username="alice")
    mark = standin.last_seq
    update = alice.send("/start")
    assert update is not None
    welcome = await standin.wait_for_message(chat_id=alice.id, after_seq=mark, timeout=GUARD)
    assert welcome.text == "Welcome! Ready for today?"
    assert welcome.html == "<b>Welcome!</b> Ready for today?"
    await standin.wait_acknowledged(update["update_id"], GUARD)

    mark = standin.last_seq
    alice.press(welcome, "Log a call")
    edit = await standin.wait_for(
        lambda call: call.method == "editMessageText", timeout=GUARD, after_seq=mark
    )
    assert edit.ok
    assert alice.last_message is not None
    assert alice.last_message.text == "Logged: log:call"
    assert alice.last_message.buttons == []
    assert [a.text for a in standin.callback_answers] == ["Logged"]


async def test_polling_application(standin: StandIn) -> None:
    app = build(standin)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            await conversation(standin)
        finally:
            await app.updater.stop()
            await app.stop()
    failed = [call for call in standin.calls if not call.ok]
    assert failed == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_app(standin: StandIn) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = build(standin)
    async with app:
        await app.start()
        assert app.updater is not None
        port = free_port()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="sales-coach-secret",
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_webhook_application(standin: StandIn, webhook_app: Application) -> None:  # type: ignore[type-arg]
    await conversation(standin)
    assert {d.status for d in standin.webhook_deliveries} == {200}
