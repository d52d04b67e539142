"""Receiving updates so that each one is handled once, and confirmed only after it was handled.

PTB's own ``Updater`` confirms a ``getUpdates`` batch (by asking for the next offset) before the
handlers have run, and its webhook server answers 200 before processing; a crash then loses
updates. Here:

- ``IntakeApplication`` (the ``Application`` class the bot is built with) makes the update being
  processed known to ``Services`` (``CURRENT_UPDATE``), so its first transaction records the id
  with its effects and a redelivered update is dropped (see ``bot.services``). It also notes the
  first exception a handler raised, so a transport can tell "handled" from "crashed".
- ``Intake`` runs updates through the application: in order within a chat, up to
  ``concurrency`` chats at once.
- ``Poller``: long polling that asks for the next offset only after the whole batch was
  processed, so a process killed mid-batch gets the batch again; what was already committed is
  dropped by the update log.
- ``WebhookServer``: answers Telegram 200 only after the update was processed, 500 when it
  crashed before anything was committed (Telegram retries it), 403 without the right
  ``X-Telegram-Bot-Api-Secret-Token``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, Job

from bot.keyboards import BadCallbackData
from bot.services import CURRENT_UPDATE, Handling, Refusal

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Errors that are the update's answer, or that a retry cannot fix.
_NOT_RETRIED: tuple[type[BaseException], ...] = (
    Refusal,
    BadCallbackData,
    Forbidden,
    BadRequest,
    InvalidToken,
)


def should_retry(handling: Handling) -> bool:
    """Whether processing crashed before anything of it was committed (a retry may succeed)."""
    return (
        handling.error is not None
        and not handling.marked
        and not handling.duplicate
        and not isinstance(handling.error, _NOT_RETRIED)
    )


class IntakeApplication(Application):  # type: ignore[type-arg]
    """The PTB ``Application`` that tells ``Services`` which update it is processing."""

    __slots__ = ()

    async def process_update(self, update: object) -> None:
        await self.handle(update)

    async def handle(self, update: object) -> Handling | None:
        """Process one update like ``process_update``; return what became of it."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return None
        handling = Handling(update.update_id)
        token = CURRENT_UPDATE.set(handling)
        try:
            await super().process_update(update)
        finally:
            handling.active = False
            CURRENT_UPDATE.reset(token)
        return handling

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Job[Any] | None = None,
        coroutine: Any = None,
    ) -> bool:
        handling = CURRENT_UPDATE.get()
        if (
            handling is not None
            and handling.active
            and handling.error is None
            and job is None
            and isinstance(update, Update)
            and update.update_id == handling.update_id
        ):
            handling.error = error
        return await super().process_error(update, error, job, coroutine)


def chat_key(update: Update) -> Hashable:
    """What orders updates: the chat (a private chat's id is the user's), else the sender."""
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    if user is not None:
        return user.id
    return ("update", update.update_id)


@dataclass
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class Intake:
    """Runs updates through the application: in order per chat, ``concurrency`` chats at once.

    With ``seen`` (``Services.seen``), some updates are looked up in the update log before any
    handler runs, and dropped if a committed transaction recorded them: button presses always
    (handlers answer the press, or edit its message, before their transaction, and a second
    answer would fail), and any update the caller marks ``suspect`` (the first polling batch
    after a start). Every other redelivery is caught by the update's own transaction.
    """

    def __init__(
        self,
        application: IntakeApplication,
        concurrency: int = 16,
        seen: Callable[[int], Awaitable[bool]] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.application = application
        self.seen = seen
        self._slots = asyncio.Semaphore(concurrency)
        self._chats: dict[Hashable, _ChatLock] = {}

    async def handle(self, update: Update, suspect: bool = False) -> Handling:
        """Process the update once it is its chat's turn and a slot is free."""
        async with self._chat(chat_key(update)), self._slots:
            check = suspect or update.callback_query is not None
            if check and self.seen is not None and await self.seen(update.update_id):
                log.info("update %s was handled before; dropped", update.update_id)
                return Handling(update.update_id, active=False, duplicate=True)
            handling = await self.application.handle(update)
        assert handling is not None
        return handling

    @contextlib.asynccontextmanager
    async def _chat(self, key: Hashable) -> AsyncIterator[None]:
        entry = self._chats.get(key)
        if entry is None:
            entry = self._chats[key] = _ChatLock()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chats[key]


@dataclass
class Backoff:
    """Delays after consecutive failures: ``first`` doubling up to ``longest``."""

    first: float = 1.0
    longest: float = 30.0
    _failures: int = 0

    def next(self) -> float:
        delay = min(self.first * 2**self._failures, self.longest)
        self._failures += 1
        return delay

    def reset(self) -> None:
        self._failures = 0


class _Stopped(Exception):
    pass


class Poller:
    """Long polling that confirms a batch only after every update of it was processed.

    ``getUpdates`` confirms every update below the offset it is called with. The poller asks
    for ``last id + 1`` only once the batch is done, so a process killed mid-batch gets the
    whole batch again after a restart; updates whose transaction had committed are then dropped
    by the update log. The first batch after a start may hold such updates: it is checked
    against the update log before any handler runs (with the intake's ``seen``), so even a
    handler that answers before its transaction does not answer twice.

    An update whose processing crashed before anything was committed is tried again, up to
    ``attempts`` times in all, then given up (logged). Network errors and 5xx answers back off
    (``backoff``), 429 waits ``retry_after``, 409 (another instance polling, or a webhook set)
    is logged and retried; an invalid token ends ``run`` with the error.
    """

    def __init__(
        self,
        intake: Intake,
        allowed_updates: Sequence[str],
        *,
        timeout: timedelta = timedelta(seconds=30),
        limit: int = 100,
        attempts: int = 3,
        retry_delay: float = 0.5,
        backoff: Backoff | None = None,
    ) -> None:
        self.intake = intake
        self.bot = intake.application.bot
        self.allowed_updates = list(allowed_updates)
        self.timeout = timeout
        self.limit = limit
        self.attempts = max(attempts, 1)
        self.retry_delay = retry_delay
        self.backoff = backoff or Backoff()
        self.offset: int | None = None
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Stop fetching; the batch being processed is finished first (``run`` then returns)."""
        self._stopping.set()

    async def run(self) -> None:
        """Fetch and process batches until ``stop()``; then confirm the last processed batch."""
        suspect = True  # the first batch may hold updates a killed process already committed
        try:
            await self._retrying(self._delete_webhook)
            while not self._stopping.is_set():
                try:
                    updates = await self._until_stopped(self._fetch())
                except _Stopped:
                    break
                if updates is None:
                    continue
                if updates:
                    await self._process(updates, suspect)
                    self.offset = updates[-1].update_id + 1
                suspect = False
        except _Stopped:
            pass
        finally:
            await self._confirm()

    async def _fetch(self) -> tuple[Update, ...] | None:
        """One getUpdates; ``None`` after an error that was waited out."""
        try:
            updates = await self.bot.get_updates(
                offset=self.offset,
                limit=self.limit,
                timeout=self.timeout,
                allowed_updates=self.allowed_updates,
            )
        except RetryAfter as exc:
            await self._pause(_seconds(exc.retry_after))
            return None
        except Conflict as exc:
            log.warning("getUpdates conflict (another instance polling, or a webhook set): %s", exc)
            await self._pause(self.backoff.next())
            return None
        except (InvalidToken, Forbidden, EndPointNotFound):
            raise
        except TelegramError as exc:
            log.warning("getUpdates failed: %s: %s", type(exc).__name__, exc)
            await self._pause(self.backoff.next())
            return None
        self.backoff.reset()
        return updates

    async def _process(self, updates: Sequence[Update], suspect: bool) -> None:
        by_chat: dict[Hashable, list[Update]] = {}
        for update in updates:
            by_chat.setdefault(chat_key(update), []).append(update)
        await asyncio.gather(*(self._process_chat(batch, suspect) for batch in by_chat.values()))

    async def _process_chat(self, updates: list[Update], suspect: bool) -> None:
        for update in updates:
            try:
                await self._process_one(update, suspect)
            except Exception:
                # process_update handles handler errors; this is a bug of ours around it.
                log.exception("update %s could not be processed", update.update_id)

    async def _process_one(self, update: Update, suspect: bool) -> None:
        for attempt in range(1, self.attempts + 1):
            handling = await self.intake.handle(update, suspect)
            if not should_retry(handling):
                return
            if attempt < self.attempts:
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        log.error("update %s failed %s times; giving up on it", update.update_id, self.attempts)

    async def _confirm(self) -> None:
        """Confirm the processed batches to Telegram now rather than at the next start."""
        if self.offset is None:
            return
        try:
            await self.bot.get_updates(offset=self.offset, limit=1, timeout=0)
        except TelegramError as exc:
            log.info("could not confirm the last batch (%s); it is dropped after a restart", exc)

    async def _delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def _retrying(self, call: Callable[[], Awaitable[object]]) -> None:
        """Run ``call`` until it succeeds, backing off on network errors (until stopped)."""
        while True:
            try:
                await self._until_stopped(call())
            except (InvalidToken, Forbidden, EndPointNotFound):
                raise
            except RetryAfter as exc:
                await self._pause(_seconds(exc.retry_after))
            except TelegramError as exc:
                log.warning("%s failed: %s: %s", call.__name__, type(exc).__name__, exc)
                await self._pause(self.backoff.next())
            else:
                self.backoff.reset()
                return

    async def _until_stopped(self, awaitable: Awaitable[Any]) -> Any:
        """Await ``awaitable`` unless ``stop()`` comes first (then raise ``_Stopped``)."""
        task = asyncio.ensure_future(awaitable)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await task
            raise _Stopped
        return task.result()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        if self._stopping.is_set():
            raise _Stopped


class WebhookServer:
    """Telegram's webhook, acknowledged only after processing.

    Serves ``POST /<path>`` on ``listen:port`` and registers ``url`` with ``setWebhook``
    (``secret_token``, ``allowed_updates``, ``max_connections``). Answers: 403 without the
    right secret header; 400 for a body that is not an update; 200 once the update was
    processed (or dropped as a duplicate); 500 when processing crashed before anything of it
    was committed, so Telegram delivers it again. Stopping waits up to ``shutdown_timeout``
    for requests in progress.
    """

    def __init__(
        self,
        intake: Intake,
        allowed_updates: Sequence[str],
        *,
        url: str,
        secret_token: str,
        listen: str = "0.0.0.0",
        port: int = 8443,
        path: str = "",
        max_connections: int = 40,
        shutdown_timeout: float = 30.0,
        backoff: Backoff | None = None,
    ) -> None:
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        self.intake = intake
        self.bot = intake.application.bot
        self.allowed_updates = list(allowed_updates)
        self.url = url
        self.listen = listen
        self.port = port
        self.path = "/" + path.strip("/")
        self.max_connections = max_connections
        self.shutdown_timeout = shutdown_timeout
        self.backoff = backoff or Backoff()
        self._secret = secret_token.encode()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def stop(self) -> None:
        """Stop serving (``run`` then returns once requests in progress are answered)."""
        self._stopping.set()

    async def run(self) -> None:
        """Serve, register the webhook, and wait until ``stop()``."""
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_timeout)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
            self._runner = runner
            log.info("webhook server listening on %s:%s", self.listen, self.port)
            await self._set_webhook()
            await self._stopping.wait()
        finally:
            self._runner = None
            await runner.cleanup()

    async def _set_webhook(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.bot.set_webhook(
                    url=self.url,
                    secret_token=self._secret.decode(),
                    allowed_updates=self.allowed_updates,
                    max_connections=self.max_connections,
                )
            except (InvalidToken, Forbidden, EndPointNotFound, BadRequest):
                raise
            except RetryAfter as exc:
                await _wait(self._stopping, _seconds(exc.retry_after))
            except TelegramError as exc:
                log.warning("setWebhook failed: %s: %s", type(exc).__name__, exc)
                await _wait(self._stopping, self.backoff.next())
            else:
                return

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return web.Response(status=400)
        handling = await self.intake.handle(update)
        if should_retry(handling):
            log.warning("update %s failed; answered 500 so Telegram retries it", update.update_id)
            return web.Response(status=500)
        return web.Response(status=200)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
