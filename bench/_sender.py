"""The bot's side of the fan-out benchmark, in a process of its own (so it can be SIGKILLed).

``python -m bench._sender --database URL --api URL [--rate 30] [--paid] [--in-flight 8]
[--transport app|httpx|aiohttp] [--bare] [--no-journal]``
builds the Application the way production does (``bot.app.build_application``: HTML default,
PTB's AIORateLimiter), runs an ``OutboxSender`` on the real clock until the outbox has nothing
pending, and prints its counters as one JSON line. ``--bare`` sends the same messages with
plain ``send_message`` calls from ``--in-flight`` workers and records nothing: the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import asdict

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bench._standin import TOKEN
from bot.app import build_application
from bot.delivery import OutboxSender
from bot.delivery.http import AiohttpRequest
from bot.delivery.wiring import journal_for
from bot.services import Services, SystemClock
from bot.settings import DeliverySettings, load_settings
from coach.outbox import Delivery
from storage.db import make_engine
from storage.uow import Database


def pending(database: Database) -> int:
    with database.unit_of_work() as uow:
        return uow.outbox.counts().get(Delivery.PENDING, 0)


def use_transport(name: str) -> None:
    """Build the Application on another transport than ``WireRequest``: PTB's default, httpx,
    or ``AiohttpRequest`` (the sender then marks before the requests are made: no gate)."""
    build = ApplicationBuilder.build

    def build_with(self: ApplicationBuilder) -> object:  # type: ignore[type-arg]
        if name == "httpx":
            self.request(HTTPXRequest(connection_pool_size=256))
            self.get_updates_request(HTTPXRequest())
        else:
            self.request(AiohttpRequest())
        return build(self)

    ApplicationBuilder.build = build_with  # type: ignore[method-assign,assignment]


async def send_bare(
    bot: Bot, database: Database, delivery: DeliverySettings, workers: int
) -> float:
    """The ceiling: the same messages with plain ``send_message`` calls, no outbox writes."""
    with database.unit_of_work() as uow:
        queue = deque(uow.outbox.claim(SystemClock().now(), 1_000_000))
    extra = {"allow_paid_broadcast": True} if delivery.allow_paid_broadcast else {}

    async def worker() -> None:
        while queue:
            message = queue.popleft().message
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                 for row in message.buttons]
            )  # fmt: skip
            await bot.send_message(message.chat_id, message.text, reply_markup=markup, **extra)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.monotonic() - started


async def main(args: argparse.Namespace) -> None:
    environment = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": args.api,
        "DATABASE_URL": args.database,
    }
    settings = load_settings(None, environment)
    delivery = settings.delivery.model_copy(
        update={
            "messages_per_second": args.rate,
            "allow_paid_broadcast": args.paid,
            "max_in_flight": args.in_flight,
        }
    )
    settings = settings.model_copy(update={"delivery": delivery})
    database = Database(make_engine(args.database))
    clock = SystemClock()
    if args.transport != "app":
        use_transport(args.transport)
    application = build_application(Services(settings, database, clock))
    async with application:
        if args.bare:
            seconds = await send_bare(application.bot, database, delivery, args.in_flight)
            print(json.dumps({"seconds": seconds, "bare": True}), flush=True)
            return
        journal = None if args.no_journal else journal_for(delivery, database.engine.url)
        sender = OutboxSender(
            application.bot, database.unit_of_work, clock, delivery, journal=journal
        )
        started = time.monotonic()
        sender.start()
        while await asyncio.to_thread(pending, database):  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.25)
        await sender.stop()
        seconds = time.monotonic() - started
    database.dispose()
    print(json.dumps({"seconds": seconds, **asdict(sender.stats)}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--transport", choices=("app", "httpx", "aiohttp"), default="app")
    parser.add_argument("--bare", action="store_true", help="send without the outbox sender")
    parser.add_argument("--no-journal", action="store_true", help="no send journal")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(parser.parse_args()))
