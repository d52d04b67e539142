"""Running against Telegram: the schema check, then long polling or a webhook (``bot.intake``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from telegram.error import EndPointNotFound, Forbidden, InvalidToken, TelegramError

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import CoachContext
from bot.intake import Backoff, Intake, IntakeApplication, Poller, WebhookServer
from bot.services import Services, SystemClock
from bot.settings import Settings
from storage.db import make_engine
from storage.migrate import schema_state
from storage.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookOptions:
    url: str
    listen: str
    port: int
    secret_token: str

    @property
    def path(self) -> str:
        """The local path to serve: the path part of the public URL."""
        return urlsplit(self.url).path.strip("/")


def webhook_options(
    settings: Settings,
    url: str | None,
    listen: str | None,
    port: int | None,
    fallback_secret: str,
) -> WebhookOptions | None:
    """Webhook settings from the command line over the config; ``None`` means long polling.

    Telegram's secret-token header is always required: without a configured secret, a random
    one is made for this run (the bot registers it itself with setWebhook).
    """
    cfg = settings.webhook
    url = url or cfg.url
    if not url:
        return None
    secret = cfg.secret_token.get_secret_value() if cfg.secret_token else fallback_secret
    return WebhookOptions(
        url=url,
        listen=listen or cfg.listen,
        port=port or cfg.port,
        secret_token=secret,
    )


class SchemaOutOfDate(RuntimeError):
    pass


def open_database(url: str) -> Database:
    """The database, after checking that its schema is the newest one."""
    engine = make_engine(url)
    state = schema_state(engine)
    if not state.up_to_date:
        engine.dispose()
        raise SchemaOutOfDate(
            f"the database schema is at {state.current or 'nothing'}, the code needs "
            f"{state.head}. Run: salescoach db upgrade"
        )
    return Database(engine)


UPDATE_LOG_KEEP = timedelta(days=7)  # Telegram keeps an unconfirmed update for 24 hours
PRUNE_EVERY = timedelta(hours=6)
SHUTDOWN_GRACE = 30.0  # seconds the updates in progress get to finish after a stop signal


class Transport(Protocol):
    """Long polling or a webhook: receives until ``stop()``, then ``run`` returns."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


def run_bot(settings: Settings, webhook: WebhookOptions | None) -> int:
    """Run until SIGINT or SIGTERM; returns the exit code."""
    try:
        database = open_database(settings.database.url)
    except SchemaOutOfDate as exc:
        print(f"salescoach: {exc}", file=sys.stderr)
        return 3
    threads = ThreadPoolExecutor(settings.database.threads, thread_name_prefix="salescoach-db")
    services = Services(settings, database, SystemClock(), executor=threads)
    application = build_application(services)
    intake = Intake(application, seen=services.seen)
    transport: Transport
    if webhook is None:
        log.info("starting with long polling")
        transport = Poller(intake, ALLOWED_UPDATES)
    else:
        log.info("starting webhook server on %s:%s", webhook.listen, webhook.port)
        transport = WebhookServer(
            intake,
            ALLOWED_UPDATES,
            url=webhook.url,
            secret_token=webhook.secret_token,
            listen=webhook.listen,
            port=webhook.port,
            path=webhook.path,
        )
    try:
        asyncio.run(serve(application, transport))
    except (InvalidToken, Forbidden, EndPointNotFound) as exc:
        print(f"salescoach: Telegram refused the bot: {exc}", file=sys.stderr)
        return 1
    finally:
        threads.shutdown(wait=True)
        database.dispose()
    return 0


async def serve(
    application: IntakeApplication,
    transport: Transport,
    *,
    stop_signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
    stop: asyncio.Event | None = None,
    grace: float = SHUTDOWN_GRACE,
) -> None:
    """Run the application with ``transport`` until a stop signal (or ``stop`` is set).

    The same life cycle as PTB's ``run_polling``: initialize, ``post_init``, start, …, stop,
    ``post_stop``, shutdown, ``post_shutdown``. On a stop signal the transport stops taking
    updates and those in progress get ``grace`` seconds to finish; anything cut off is
    delivered again after a restart (it was not confirmed).
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await _initialize(application, stop)
        if stop.is_set():
            return
        try:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            await _prune(application)
            _schedule_pruning(application)
            receiving = asyncio.create_task(transport.run(), name="salescoach:transport")
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            transport.stop()
            try:
                await asyncio.wait_for(asyncio.shield(receiving), grace)
            except TimeoutError:
                log.warning("updates still in progress after %ss; cut off", grace)
                receiving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receiving
            receiving.result()  # a fatal transport error (e.g. an invalid token) ends here
        finally:
            if application.running:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)


async def _initialize(application: IntakeApplication, stop: asyncio.Event) -> None:
    """``application.initialize()`` (getMe), retried on network errors until stopped."""
    backoff = Backoff()
    while not stop.is_set():
        try:
            await application.initialize()
            return
        except (InvalidToken, Forbidden, EndPointNotFound):
            raise
        except TelegramError as exc:
            delay = backoff.next()
            log.warning("cannot reach Telegram (%s); retrying in %ss", type(exc).__name__, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)


async def _prune(application: IntakeApplication) -> None:
    services: Services = application.bot_data.services
    removed = await services.prune_update_log(UPDATE_LOG_KEEP)
    log.info("update log pruned: %s old ids", removed)


def _schedule_pruning(application: IntakeApplication) -> None:
    """Forget old update ids every ``PRUNE_EVERY`` (and once at start, see ``serve``)."""
    if application.job_queue is None:
        return

    async def prune(context: CoachContext) -> None:
        await _prune(context.application)  # type: ignore[arg-type]

    application.job_queue.run_repeating(
        prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name="prune-update-log"
    )
