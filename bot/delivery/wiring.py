"""Wiring delivery into the PTB Application: the rate limiter and the sender's life cycle.

**Why the Application gets PTB's ``AIORateLimiter``.** Telegram's caps (about 30 messages a
second, 20 a minute per group) are per bot, not per code path: replies from handlers and
outbox pushes draw on the same budget. The limiter sits in the bot's request path, so every
request with a ``chat_id`` -- replies, edits, pushes -- is held to the overall cap and the
per-group cap. It queues waiting requests first come, first served (aiolimiter), and the
outbox sender never has more than ``delivery.max_in_flight`` requests out, so a reply to a
user waits behind at most that many pushes, not behind a push of thousands.

What it lacks, and ``OutboxSender`` adds: spacing per private chat (it has none), a strict
per-group spacing (its per-group bucket allows a burst of 20 and then 20 more over the next
minute), durable state (a queue in memory is lost on a crash), and a 429 answer recorded in
the outbox. Its own 429 retries stay off (``max_retries=0``): PTB cannot switch them off per
call (``rate_limit_args=0`` falls back to the default), and a retry inside the limiter would
hide the 429 from the outbox and sleep outside the injected clock. A handler reply that meets
a 429 fails like any error of that update (``bot.intake`` decides whether it is retried).

With ``allow_paid_broadcast`` the outbox passes ``allow_paid_broadcast=True``; PTB then routes
those requests through its paid-broadcast bucket (1000/s) instead of the overall one, and the
sender paces them at ``messages_per_second``. Handler replies stay on the free cap (at most
30/s).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import URL
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter, Application, CallbackContext

from bot.delivery.journal import SendJournal
from bot.delivery.sender import OutboxSender
from bot.services import Services
from bot.settings import DeliverySettings

_ATTRIBUTE = "outbox_sender"
JOB_NAME = "outbox-sender"
START_DELAY_SECONDS = 1.0
"""The sender starts this long after the application, like the scheduler's first tick."""


class _Handled429(logging.Filter):
    """Drops the limiter's ERROR traceback for a 429 it passes on without retrying.

    The caller handles it: the outbox records the 429 and logs one warning; a handler's
    error goes to the error handler. A push with flood control would otherwise log a
    traceback per message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum of")


_LIMITER_LOG = logging.getLogger("telegram.ext.AIORateLimiter")


def rate_limiter(settings: DeliverySettings) -> AIORateLimiter:
    """The limiter for ``ApplicationBuilder().rate_limiter(...)``."""
    if not any(isinstance(f, _Handled429) for f in _LIMITER_LOG.filters):
        _LIMITER_LOG.addFilter(_Handled429())
    overall = settings.messages_per_second
    if settings.allow_paid_broadcast:
        overall = min(overall, FloodLimit.MESSAGES_PER_SECOND)
    rate, period = (overall, 1.0) if overall >= 1 else (1.0, 1 / overall)
    return AIORateLimiter(
        overall_max_rate=rate,
        overall_time_period=period,
        group_max_rate=settings.group_messages_per_minute,
        group_time_period=60,
        max_retries=0,
    )


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def attach_sender(application: AnyApplication, services: Services) -> OutboxSender:
    """Give the application an outbox sender that runs while the application runs.

    The sender starts a second after ``application.start()`` (as a JobQueue job, so it needs
    PTB's ``job-queue`` extra) and stops when ``application.stop()`` is called: ``stop`` waits for
    running jobs, and the sender ends once the application is no longer running, after
    recording the sends under way. An application that is only initialized (as in the
    end-to-end test harness) never runs it.
    """
    sender = OutboxSender(
        application.bot,
        services.database.unit_of_work,
        services.clock,
        services.settings.delivery,
        journal=journal_for(services.settings.delivery, services.database.engine.url),
    )
    setattr(application.bot_data, _ATTRIBUTE, sender)
    if application.job_queue is None:
        raise RuntimeError("the outbox sender needs python-telegram-bot[job-queue]")
    application.job_queue.run_once(
        _run_sender,
        when=START_DELAY_SECONDS,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None},  # however late the application starts
    )
    return sender


def journal_for(settings: DeliverySettings, database: URL) -> SendJournal | None:
    """The send journal of the sender of ``database`` (``None`` when off or unsupported).

    A relative SQLite path is made absolute first: two bots started from two folders with the
    default ``sqlite:///salescoach.db`` have two databases, so they must have two journals.
    """
    if settings.journal_dir == "off":
        return None
    if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
        database = database.set(database=str(Path(database.database).resolve()))
    directory = None if settings.journal_dir == "auto" else Path(settings.journal_dir)
    return SendJournal.for_database(database.render_as_string(hide_password=True), directory)


def sender_of(application: AnyApplication) -> OutboxSender:
    """The sender ``attach_sender`` gave this application (e.g. to ``wake()`` it)."""
    sender = getattr(application.bot_data, _ATTRIBUTE, None)
    if not isinstance(sender, OutboxSender):
        raise LookupError("no outbox sender attached to this application")
    return sender


async def _run_sender(context: CallbackContext[Any, Any, Any, Any]) -> None:
    application = context.application
    await sender_of(application).run(stop=lambda: not application.running)
