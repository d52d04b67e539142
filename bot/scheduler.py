"""The scheduler: one periodic tick asks the database what is due and fills the outbox.

Nothing is kept in memory. Each tick runs ``coach.tick.decide`` and stores the rendered
messages in the outbox in the same transaction; the outbox key (rep, day, kind) makes a
second tick at the same moment, a restart or a second process store nothing new. The sender
(``bot.delivery``) drains the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.battle_jobs import schedule_battles
from bot.notices import compose
from bot.services import Services
from coach.ports import UnitOfWork
from coach.sharing import SESSION_LENGTH
from coach.tick import backfill_misses, decide

log = logging.getLogger(__name__)

TICK_JOB = "rhythm-tick"


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did: notices decided (new ones only) and messages stored."""

    at: datetime
    decided: int
    stored: int
    kinds: dict[str, int]


def tick(
    uow: UnitOfWork, now: datetime, grace: timedelta, sharing_length: timedelta = SESSION_LENGTH
) -> TickReport:
    """Decide what is due at ``now`` and queue it; the caller commits."""
    notices = decide(uow, now, grace, sharing_length)
    messages = [compose(notice) for notice in notices]
    stored = uow.outbox.add(messages, now) if messages else 0
    kinds: dict[str, int] = {}
    for message in messages:
        kinds[message.kind] = kinds.get(message.kind, 0) + 1
    return TickReport(now, len(notices), stored, kinds)


async def run_tick(services: Services, now: datetime | None = None) -> TickReport:
    """One tick at ``now`` (default: the services' clock), in its own transaction."""
    at = now or services.clock.now()
    grace = timedelta(minutes=services.settings.rhythm.grace_minutes)
    sharing_length = timedelta(minutes=services.settings.sharing.duration_minutes)
    report = await services.run(tick, at, grace, sharing_length)
    if report.stored:
        log.info("tick at %s queued %s", at.isoformat(timespec="seconds"), report.kinds)
    return report


async def run_backfill(services: Services) -> int:
    """Record the misses of deadlines passed while the bot was down (once, at start)."""
    recorded = await services.run(backfill_misses, services.clock.now())
    if recorded:
        log.info("recorded %s missed check-in(s) of deadlines passed while down", recorded)
    return recorded


async def _backfill_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_backfill(context.application.bot_data.services)  # type: ignore[attr-defined]


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.delivery import sender_of

    services: Services = context.application.bot_data.services  # type: ignore[attr-defined]
    report = await run_tick(services)
    if report.stored:
        sender_of(context.application).wake()  # send now, not at the sender's next poll


def schedule_ticks(application: Application) -> None:  # type: ignore[type-arg]
    """Tick every ``rhythm.tick_seconds`` through PTB's JobQueue (APScheduler underneath)."""
    services: Services = application.bot_data.services  # type: ignore[attr-defined]
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is needed for the scheduler")
    interval = services.settings.rhythm.tick_seconds
    queue.run_once(_backfill_job, when=0, name="rhythm-backfill")
    queue.run_repeating(_tick_job, interval=interval, first=1, name=TICK_JOB)
    # Battles step every few seconds (a question is open only seconds), apart from the tick.
    schedule_battles(application)
