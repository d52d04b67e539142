"""An outbox sender in a process of its own, for the SIGKILL test of the send journal.

``python -m tests.bot.sender_process DATABASE_URL API_BASE_URL JOURNAL_DIR [--die-before N]``
builds the Application the way production does, runs an ``OutboxSender`` with the configured
journal until nothing is pending and prints its counters as one JSON line. With ``--die-before
N`` the process SIGKILLs itself right before the N-th request is written: after the ``SENDING``
mark of its group committed, with the group's earlier requests written and the later ones not,
which is where a crash used to lose messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from collections.abc import Callable
from dataclasses import asdict

from bot.app import build_application
from bot.delivery import OutboxSender
from bot.delivery.journal import SendJournal
from bot.delivery.wiring import journal_for
from bot.services import Services, SystemClock
from bot.settings import load_settings
from coach.outbox import Delivery
from storage.db import make_engine
from storage.uow import Database
from tests.bot.conftest import TOKEN


def die_before(count: int) -> None:
    """SIGKILL this process right before its ``count``-th request is written."""
    passing = SendJournal.passing
    calls = 0

    def dying(journal: SendJournal, message_id: int) -> Callable[[], None]:
        passed = passing(journal, message_id)

        def before_write() -> None:
            nonlocal calls
            calls += 1
            if calls == count:
                os.kill(os.getpid(), signal.SIGKILL)
            passed()

        return before_write

    SendJournal.passing = dying  # type: ignore[method-assign]


def pending(database: Database) -> int:
    with database.unit_of_work() as uow:
        return uow.outbox.counts().get(Delivery.PENDING, 0)


async def main(args: argparse.Namespace) -> None:
    settings = load_settings(
        None,
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": args.api,
            "DATABASE_URL": args.database,
            "SALESCOACH_JOURNAL_DIR": args.journal_dir,
        },
    )
    delivery = settings.delivery.model_copy(
        update={"messages_per_second": 200, "max_in_flight": 16}
    )
    settings = settings.model_copy(update={"delivery": delivery})
    database = Database(make_engine(args.database))
    clock = SystemClock()
    if args.die_before:
        die_before(args.die_before)
    application = build_application(Services(settings, database, clock))
    async with application:
        journal = journal_for(delivery, database.engine.url)
        sender = OutboxSender(
            application.bot, database.unit_of_work, clock, delivery, journal=journal
        )
        sender.start()
        while await asyncio.to_thread(pending, database):  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.05)
        await sender.stop()
    database.dispose()
    print(json.dumps(asdict(sender.stats)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("api")
    parser.add_argument("journal_dir")
    parser.add_argument("--die-before", type=int, default=0)
    asyncio.run(main(parser.parse_args()))
