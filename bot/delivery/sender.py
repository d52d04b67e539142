"""``OutboxSender``: drains the durable outbox to Telegram within Telegram's limits.

How a message goes out:

1. **Claim.** A short transaction takes a batch of due pending messages, oldest first
   (``outbox.claim``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and commits at once: nothing
   is held open while sending. Messages to people known to have blocked the bot are closed as
   ``BLOCKED`` in that same transaction, unsent.
2. **Pace.** A message leaves the batch only when its chat is free: one send per chat at a
   time, at most one message per private chat every ``per_chat_seconds`` and one per group
   every ``60 / group_messages_per_minute`` seconds (counted from Telegram's answer to the
   previous one). At most ``max_in_flight`` sends are under way, each paced to
   ``messages_per_second`` overall. The messages whose turn has come go together: their
   requests are made (PTB's defaults and rate limiter, the JSON, the HTTP bytes, a connection)
   and wait at a ``SendGate`` (``bot.delivery.wire``); then they are marked ``SENDING`` in one
   transaction (``outbox.start_sending``), and the gate writes them all right after the commit,
   in the same step of the event loop. A failed mark closes the gate: nothing is written and
   the messages stay pending. (With a transport other than ``WireRequest`` the requests are
   made after the mark.) The Application's ``AIORateLimiter`` (``bot.delivery.wiring``)
   additionally holds the bot as a whole to Telegram's caps, handler replies included; since
   the sender never has more than ``max_in_flight`` requests in front of it, a reply to a user
   waits behind a handful of outbox messages, never behind a push.
3. **Send** ``sendMessage`` through ``bot.do_api_request`` (so through the Application's rate
   limiter and transport, with its errors), passing the bot's default parse mode and link
   preview options and ``allow_paid_broadcast=True`` when configured. Only the message id of
   the answer is read: ``send_message`` would build a full ``telegram.Message`` from it, which
   cost a tenth of the sender's CPU at 1000 msg/s.
4. **Record** each answer in a transaction as soon as it arrives (results that arrive while
   one is being written go into the next one): ``mark_sent`` with Telegram's message id,
   ``retry_later``, or a final ``BLOCKED`` / ``FAILED`` (see ``bot.delivery.outcomes``). A 429
   also pauses the whole sender for ``retry_after``.

Crash safety: ``sendMessage`` cannot be made idempotent, so a process that dies (SIGKILL,
power loss) while messages are on their way cannot know which of them arrived. Those are
exactly the rows left ``SENDING``. The send journal (``bot.delivery.journal``, a memory-mapped
file that outlives the process but not the boot) tells part of them apart: each message is
armed there before its mark commits and passed right before its request is written. A sender
that starts makes the ``SENDING`` rows still armed pending again (``outbox.requeue_unwritten``:
never written, so sent once now) and the others ``UNKNOWN`` -- a final state, never sent again
(``outbox.settle_interrupted``, logged with their number) -- because a duplicate push is the
noise reps complain about most, while a missed prompt is followed by its nudge. Everything else
is exact: a message not yet marked stays pending and is sent after the restart; one recorded is
never sent again. The uncertain ones are never more than ``2 * max_in_flight`` (at most
``max_in_flight`` under way, the rest answered and waiting for their transaction, and those did
arrive). A message is lost only if the crash falls between its journal store and its write
call (about a microsecond), or, without a journal (``delivery.journal_dir = "off"``, no boot id,
another boot), anywhere between its mark's commit and its write: the gate writes every marked
request in the step that commits the mark, so that is the writes themselves and, on
PostgreSQL, the commit's round trip: in the kills measured in the README before the journal, 3
of 38 with lost messages. A request with files is passed when the gate opens, before aiohttp
builds and writes it (the old window, for photos only).
A timed-out request is retried (it may have been carried out: at-least-once, as with any HTTP
API); a stop (``stop``) finishes and records what is under way, so it leaves nothing uncertain.

Two senders on one database: claimed rows are protected only by this process's own memory
(it never claims a row it already holds). The claim's row lock lasts only for the claim
transaction, so a second sender (another process) could take the same rows in the meantime and
send them twice: run one sender per database until ``outbox.claim`` takes a lease (a
``claimed_until`` the claim sets and skips while it is in the future).

Time: decisions (due, per-chat slots, pauses, retries) use the injected clock; the overall
pace uses the event loop's clock, as Telegram's own limits do.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.journal import SendJournal
from bot.delivery.outcomes import Outcome, RetryPolicy, Verdict, judge
from bot.delivery.wire import BEFORE_WRITE, SEND_GATE, SendGate, WireRequest
from bot.settings import DeliverySettings
from coach.outbox import Button, Delivery, OutgoingMessage, QueuedMessage
from coach.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

STOP_CHECK_SECONDS = 0.2
"""How often a resting sender checks whether it should stop."""

WRITE_RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits between attempts to record results when the database fails."""

MAX_BATCH = 500
WRITE_REST_SHARE = 0.5
"""After each transaction the writer rests this share of the time it took, so that during a
push it holds the database's write lock at most two thirds of the time."""
MAX_WRITE_REST = 0.5
"""The longest the writer rests between two transactions (seconds)."""
MARK_RETRY_SECONDS = (0.5, 30.0)
"""After a failed ``SENDING`` mark the sender takes nothing new for the first wait, doubled at
each further failure up to the second: a database outage costs a log line per wait, not one per
paced message."""
SEND_MESSAGE = "sendmessage"
"""Bot API method names are case-insensitive. Spelled in lower case the name is not a ``Bot``
attribute, so ``do_api_request`` does not build (and the filters then drop) a warning that
suggests ``send_message`` on every call: 3.6% of the sender's CPU at 1000 msg/s."""


@dataclass
class SenderStats:
    """Counters since the sender was made (for logs, tests and the benchmark)."""

    sent: int = 0
    rate_limited: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    skipped_blocked: int = 0
    interrupted: int = 0
    requeued: int = 0
    claims: int = 0
    marks: int = 0
    writes: int = 0
    paused_seconds: float = 0.0


class OutboxSender:
    """Sends what the outbox holds; one per process (see the module doc for the why)."""

    def __init__(
        self,
        bot: Bot,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        settings: DeliverySettings,
        *,
        rng: random.Random | None = None,
        poll_seconds: float = 1.0,
        journal: SendJournal | None = None,
    ) -> None:
        self._bot = bot
        self._uow = unit_of_work
        self._clock = clock
        self._settings = settings
        self._rng = rng or random.Random()
        self._poll_seconds = poll_seconds
        self._policy = RetryPolicy(
            max_attempts=settings.max_attempts, first=timedelta(seconds=settings.retry_seconds)
        )
        rate = settings.messages_per_second
        self._pace = AsyncLimiter(rate, 1) if rate >= 1 else AsyncLimiter(1, 1 / rate)
        self._gated = isinstance(getattr(bot, "request", None), WireRequest)
        self._journal = journal if self._gated else None  # without the gate, nothing to pass
        self._journaling: SendJournal | None = None  # the journal, once ``recover`` reset it
        self._private_gap = timedelta(seconds=settings.per_chat_seconds)
        self._group_gap = timedelta(seconds=60 / settings.group_messages_per_minute)
        self._in_flight = settings.max_in_flight
        self._batch = min(MAX_BATCH, max(2 * self._in_flight, math.ceil(rate)))
        self._extra: dict[str, Any] = (
            {"allow_paid_broadcast": True} if settings.allow_paid_broadcast else {}
        )
        defaults = getattr(bot, "defaults", None)  # an ExtBot's, as for send_message
        if defaults is not None:
            if defaults.parse_mode is not None:
                self._extra["parse_mode"] = defaults.parse_mode
            if defaults.link_preview_options is not None:
                self._extra["link_preview_options"] = defaults.link_preview_options.to_dict()

        self._held: dict[int, QueuedMessage] = {}  # claimed, not yet sent; oldest first
        self._starting: list[QueuedMessage] = []  # their turn has come: pace, mark, send
        self._starter: asyncio.Task[list[QueuedMessage]] | None = None
        self._sending: dict[asyncio.Task[Outcome | None], QueuedMessage] = {}
        self._busy: set[int] = set()  # chats with a send under way
        self._unrecorded: list[Outcome] = []
        self._recording: list[Outcome] = []
        self._claimer: asyncio.Task[tuple[list[QueuedMessage], bool]] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._db = asyncio.Lock()
        self._exhausted = False
        self._next_slot: dict[int, datetime] = {}
        self._closed: set[int] = set()  # chats that answered 403, until that is recorded
        self._paused_until: datetime | None = None
        self._marks_failed = 0  # failed SENDING marks in a row
        self._marks_resume: datetime | None = None  # no new marks before this
        self._wake = asyncio.Event()
        self._done: deque[asyncio.Task[Any]] = deque()
        self._changed = asyncio.Event()
        self._stopping = False
        self._recovered = False
        self._task: asyncio.Task[None] | None = None
        self._halt: Callable[[], bool] = lambda: self._stopping
        self.stats = SenderStats()

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        """Run in the background until ``stop``."""
        if self._task is not None:
            raise RuntimeError("the outbox sender is already running")
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="salescoach:outbox-sender")

    async def stop(self) -> None:
        """Stop taking messages, let the sends under way finish and record them, then return.

        Messages claimed but not yet sent stay pending in the database.
        """
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task

    def wake(self) -> None:
        """Look for due messages now (e.g. right after enqueueing some), not at the next poll."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        """Messages picked, under way, or answered but not yet recorded: at most what a crash
        now could leave ``SENDING`` (``UNKNOWN`` after the restart).

        Never more than ``2 * max_in_flight``.
        """
        return (
            len(self._starting) + len(self._sending) + len(self._unrecorded) + len(self._recording)
        )

    async def recover(self) -> int:
        """Settle what a stopped process left ``SENDING``; return how many became ``UNKNOWN``.

        Those the journal shows were never written go back to pending (sent once, later); the
        others may have arrived and become ``UNKNOWN``. Then the journal starts afresh. ``run``
        calls it once before sending anything; only one sender may use the database.
        """
        async with self._db:
            count, requeued = await asyncio.to_thread(self._recover_now)
        self._recovered = True
        self.stats.interrupted += count
        self.stats.requeued += requeued
        if requeued:
            log.warning(
                "%d outbox messages were marked but not yet written when the bot last stopped; "
                "they are pending again",
                requeued,
            )
        if count:
            log.warning(
                "%d outbox messages were on their way when the bot last stopped; they may have "
                "arrived, so they are recorded as unknown and not sent again",
                count,
            )
        return count

    def _recover_now(self) -> tuple[int, int]:
        unwritten = self._journal.unwritten() if self._journal is not None else frozenset()
        with self._uow() as uow:
            requeued = uow.outbox.requeue_unwritten(unwritten) if unwritten else 0
            count = uow.outbox.settle_interrupted(self._clock.now())
            uow.commit()
        if self._journal is not None:
            try:
                self._journal.reset()
            except OSError as error:
                log.warning(
                    "the send journal %s cannot be used (%s); sending without it: a crash "
                    "leaves every message marked as being sent 'unknown'",
                    self._journal.path, error.strerror or type(error).__name__,
                )  # fmt: skip
                self._journaling = None
            else:
                self._journaling = self._journal
        return count, requeued

    async def run(self, stop: Callable[[], bool] | None = None) -> None:
        """Send until ``stop()`` is true or ``stop`` is called, resting when nothing is due."""

        def halt() -> bool:
            return self._stopping or (stop is not None and stop())

        self._halt = halt
        while not halt():
            self._wake.clear()
            try:
                if not self._recovered:
                    await self.recover()
                await self.drain()
            except Exception:
                log.exception("outbox sender failed; trying again shortly")
                await self._rest(self._poll_seconds)
                continue
            if not halt():
                await self._rest(self._rest_seconds())
        log.info("outbox sender stopped")

    # ----------------------------------------------------------------- the work
    async def drain(self) -> SenderStats:
        """Send everything that may go now; return once nothing more can go yet.

        Returns when the outbox has nothing due that is not waiting for its chat's turn or for
        a 429 pause, and every answer is recorded. Tests call it directly with a fixed clock.
        """
        self._exhausted = False
        while True:
            while self._done:
                self._settle(self._done.popleft())
            now = self._clock.now()
            halted = self._halt() or self._paused(now) or self._marks_resting(now)
            if not halted:
                if (
                    self._claimer is None
                    and not self._exhausted
                    and len(self._held) < self._batch // 2 + 1
                ):
                    self._claimer = self._spawn(self._claim())
                self._dispatch(now)
            if self._starter is None and self._starting:
                self._starter = self._spawn(self._start())
            if self._writer is None and self._unrecorded:
                self._writer = self._spawn(self._write())
            if not (self._sending or self._starter or self._claimer or self._writer):
                break
            await self._changed.wait()
            self._changed.clear()
        if self._halt():
            self._held.clear()  # still pending in the database
            self._starting.clear()
        return self.stats

    def _spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work``; its end wakes ``drain`` (one wake-up per task, whatever their number)."""
        task = asyncio.create_task(work)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._done.append(task)
        self._changed.set()

    def _paused(self, now: datetime) -> bool:
        if self._paused_until is None:
            return False
        if now >= self._paused_until:
            self._paused_until = None
            return False
        return True

    def _marks_resting(self, now: datetime) -> bool:
        if self._marks_resume is None:
            return False
        if now >= self._marks_resume:
            self._marks_resume = None
            return False
        return True

    def _dispatch(self, now: datetime) -> None:
        # At most max_in_flight sends under way, and at most 2 * max_in_flight messages sent
        # but not yet recorded (under way or answered): what a crash could send twice.
        starting = len(self._starting)
        free = min(
            self._in_flight - len(self._sending) - starting,
            2 * self._in_flight - self.in_flight,
        )
        if free <= 0 or not self._held:
            return
        picked: list[QueuedMessage] = []
        dropped: list[int] = []
        chats: set[int] = set()
        for queued in self._held.values():
            chat_id = queued.message.chat_id
            if chat_id in self._closed:
                dropped.append(queued.id)  # made BLOCKED by block_chat when the 403 is recorded
                continue
            if chat_id in self._busy or chat_id in chats:
                continue
            slot = self._next_slot.get(chat_id)
            if slot is not None and slot > now:
                continue
            picked.append(queued)
            chats.add(chat_id)
            if len(picked) == free:
                break
        for message_id in dropped:
            del self._held[message_id]
        for queued in picked:
            del self._held[queued.id]
            self._busy.add(queued.message.chat_id)
            self._starting.append(queued)

    async def _start(self) -> list[QueuedMessage]:
        """Pace the next messages, get their requests ready, mark them ``SENDING``, send them.

        Takes the first message in its turn and, with it, every next one the overall pace lets
        go at once. Their requests are built and wait at a ``SendGate`` with a connection in
        hand; the mark is committed, and the gate then writes them all in one synchronous pass.
        Returns those called off before their requests were made (a pause, a stop), still
        pending; requests called off at the gate (a failed mark) come back through ``_settle``.
        """
        await self._pace.acquire()
        group = [self._starting.pop(0)]
        while self._starting and self._pace.has_capacity():
            await self._pace.acquire()
            group.append(self._starting.pop(0))
        now = self._clock.now()
        if self._halt() or self._paused(now):
            return group
        gate = SendGate(len(group))
        if self._gated:
            self._send_all(group, gate)
            await gate.assembled()
        try:
            if self._journaling is not None:
                self._journaling.arm(q.id for q in group)
            async with self._db:
                await self._mark(gate, [q.id for q in group], now)
            self.stats.marks += 1
        except Exception:
            gate.close()
            self._marks_failed += 1
            first, longest = MARK_RETRY_SECONDS
            wait = min(first * 2 ** (self._marks_failed - 1), longest)
            self._marks_resume = now + timedelta(seconds=wait)
            log.warning(
                "marking %d outbox messages as being sent failed (%d in a row); "
                "they stay pending, next try in %.1fs",
                len(group), self._marks_failed, wait,
                exc_info=self._marks_failed == 1,
            )  # fmt: skip
            called_off = [] if self._gated else group
            called_off.extend(self._starting)  # their turn comes again after the wait
            self._starting.clear()
            return called_off
        self._marks_failed = 0
        if not self._gated:  # another transport: the requests are made after the mark
            self._send_all(group, gate)
        return []

    def _send_all(self, group: list[QueuedMessage], gate: SendGate) -> None:
        for queued in group:
            self._sending[self._spawn(self._send(queued, gate))] = queued

    async def _mark(self, gate: SendGate, message_ids: list[int], now: datetime) -> None:
        """Mark the messages ``SENDING`` and open the gate with nothing in between.

        A worker thread opens the unit of work (on SQLite it waits there for this process's
        turn and for the write lock) and runs the ``UPDATE``, then holds the unit of work open.
        The commit, which then waits for no one, runs here on the event loop, and the gate
        opens in the same step: no other callback runs between the commit and the writes, so a
        crash can only fall in the microseconds between them. (With the commit in the thread,
        the event loop took up to a few ms to come back to the gate, and kills lost messages
        in that gap.) The thread closes the unit of work once the loop is done with it.
        """
        loop = asyncio.get_running_loop()
        marked: asyncio.Future[UnitOfWork] = loop.create_future()
        released = threading.Event()

        def mark_and_hold() -> None:
            with self._uow() as uow:
                uow.outbox.start_sending(message_ids, now)
                loop.call_soon_threadsafe(_settle_future, marked, uow)
                released.wait()

        worker = asyncio.ensure_future(asyncio.to_thread(mark_and_hold))
        try:
            await asyncio.wait((marked, worker), return_when=asyncio.FIRST_COMPLETED)
            if not marked.done():  # the statement failed: the worker's error says why
                marked.cancel()
                await worker
            uow = marked.result()
            uow.commit()
            gate.open()
        finally:
            released.set()
            await asyncio.wait((worker,))
        worker.result()

    async def _send(self, queued: QueuedMessage, gate: SendGate) -> Outcome | None:
        """One attempt, through ``gate``; ``None`` if the gate called it off (still pending)."""
        SEND_GATE.set(gate)
        if self._journaling is not None:
            BEFORE_WRITE.set(self._journaling.passing(queued.id))
        message = queued.message
        try:
            if message.chart is not None:
                sent = {"message_id": await self._send_chart(message)}
            else:
                sent = await self._bot.do_api_request(SEND_MESSAGE, self.parameters(message))
        except Exception as error:
            gate.passed_by()
            if gate.opened is False:
                return None
            outcome = judge(queued, error, self._clock.now(), self._policy, self._rng)
            if outcome.verdict is Verdict.RETRY and type(error).__module__ != "telegram.error":
                log.error("outbox message %s: unexpected %s", queued.id, outcome.error)
            return outcome
        return Outcome(
            queued, Verdict.SENT, self._clock.now(), telegram_message_id=sent["message_id"]
        )

    async def _send_chart(self, message: OutgoingMessage) -> int:
        """A message with a chart: the PNG (drawn in a worker thread, off the event loop) as a
        photo with the text as its caption; returns Telegram's message id."""
        from bot.charts import render_chart  # matplotlib only loads when a chart is sent

        assert message.chart is not None
        png = await asyncio.to_thread(render_chart, message.chart)
        extra = {k: v for k, v in self._extra.items() if k != "link_preview_options"}
        sent = await self._bot.send_photo(
            chat_id=message.chat_id,
            photo=png,
            caption=message.text or None,
            reply_markup=_keyboard(message.buttons) if message.buttons else None,
            **extra,
        )
        return sent.message_id

    def parameters(self, message: OutgoingMessage) -> dict[str, Any]:
        """What ``sendMessage`` gets for ``message`` (the bot's defaults and paid broadcast)."""
        parameters = {"chat_id": message.chat_id, "text": message.text, **self._extra}
        if message.buttons:
            parameters["reply_markup"] = _markup(message.buttons)
        return parameters

    def _settle(self, task: asyncio.Task[Any]) -> None:
        if task is self._claimer:
            self._claimer = None
            fresh, exhausted = task.result()
            known = self._known()
            for queued in fresh:
                if queued.id not in known:
                    self._held[queued.id] = queued
            self._exhausted = exhausted
            self._forget_old_slots(self._clock.now())
            return
        if task is self._writer:
            self._writer = None
            task.result()
            return
        if task is self._starter:
            self._starter = None
            for queued in task.result():  # called off: pending, waiting for its turn again
                self._busy.discard(queued.message.chat_id)
                self._held[queued.id] = queued
            return
        queued = self._sending.pop(task)
        self._busy.discard(queued.message.chat_id)
        outcome: Outcome | None = task.result()
        if outcome is None:  # called off at the gate: pending, waiting for its turn again
            self._held[queued.id] = queued
            return
        gap = self._private_gap if outcome.chat_id > 0 else self._group_gap
        self._next_slot[outcome.chat_id] = outcome.at + gap
        self._unrecorded.append(outcome)
        self._note(outcome)

    def _note(self, outcome: Outcome) -> None:
        stats = self.stats
        match outcome.verdict:
            case Verdict.SENT:
                stats.sent += 1
            case Verdict.RATE_LIMITED:
                stats.rate_limited += 1
                assert outcome.retry_at is not None
                if self._paused_until is None or outcome.retry_at > self._paused_until:
                    self._paused_until = outcome.retry_at
                seconds = (outcome.retry_at - outcome.at).total_seconds()
                stats.paused_seconds += seconds
                log.warning("Telegram asked to wait %.1fs (429); outbox sender paused", seconds)
            case Verdict.RETRY:
                stats.retried += 1
                log.info("outbox message %s: %s, will retry", outcome.id, outcome.error)
            case Verdict.BLOCKED:
                stats.blocked += 1
                self._closed.add(outcome.chat_id)
                log.info("chat %s refused the bot (%s); no more pushes to it", outcome.chat_id,
                         outcome.error)  # fmt: skip
            case Verdict.FAILED:
                stats.failed += 1
                log.warning("outbox message %s failed: %s", outcome.id, outcome.error)

    def _known(self) -> set[int]:
        known = set(self._held)
        known.update(q.id for q in self._starting)
        known.update(q.id for q in self._sending.values())
        known.update(o.id for o in self._unrecorded)
        known.update(o.id for o in self._recording)
        return known

    # ----------------------------------------------------------------- database
    async def _claim(self) -> tuple[list[QueuedMessage], bool]:
        known = frozenset(self._known())
        limit = self._batch + len(known)
        try:
            async with self._db:
                return await asyncio.to_thread(self._claim_now, limit, known)
        except Exception:
            log.exception("claiming outbox messages failed")
            return [], True

    def _claim_now(self, limit: int, known: frozenset[int]) -> tuple[list[QueuedMessage], bool]:
        with self._uow() as uow:
            now = self._clock.now()
            self.stats.skipped_blocked += uow.outbox.close_blocked(now)
            rows = uow.outbox.claim(now, limit)
            uow.commit()
        self.stats.claims += 1
        return [q for q in rows if q.id not in known], len(rows) < limit

    async def _write(self) -> None:
        """Record the answers gathered so far in one transaction.

        The writer then rests half as long as the transaction took, so it holds the database's
        write lock at most two thirds of the time (SQLite has one writer: handlers must get their
        turn during a push). Answers arriving meanwhile go into the next transaction.
        """
        self._recording, self._unrecorded = self._unrecorded, []
        started = time.monotonic()
        for attempt, wait in enumerate((*WRITE_RETRY_SECONDS, None)):
            try:
                async with self._db:
                    await asyncio.to_thread(self._write_now, self._recording)
            except Exception:
                if wait is None or self._halt():
                    log.exception(
                        "recording %d outbox results failed; they stay 'sending' and will be "
                        "recorded as unknown when a sender starts",
                        len(self._recording),
                    )
                    break
                log.warning("recording outbox results failed (attempt %d)", attempt + 1,
                            exc_info=True)  # fmt: skip
                await asyncio.sleep(wait)
                continue
            self.stats.writes += 1
            break
        for outcome in self._recording:
            if outcome.verdict is Verdict.BLOCKED:
                self._closed.discard(outcome.chat_id)
        self._recording = []
        if not self._halt():
            rest = (time.monotonic() - started) * WRITE_REST_SHARE
            await asyncio.sleep(min(rest, MAX_WRITE_REST))

    def _write_now(self, outcomes: Iterable[Outcome]) -> None:
        with self._uow() as uow:
            outbox = uow.outbox
            outcomes = list(outcomes)
            # The common case in one statement: most of a push's write cost is per statement.
            outbox.mark_sent_many(
                (o.id, o.at, o.telegram_message_id) for o in outcomes if o.verdict is Verdict.SENT
            )
            for o in outcomes:
                match o.verdict:
                    case Verdict.SENT:
                        pass
                    case Verdict.RATE_LIMITED | Verdict.RETRY:
                        assert o.retry_at is not None and o.error is not None
                        outbox.retry_later(o.id, o.retry_at, o.error)
                    case Verdict.FAILED:
                        outbox.give_up(o.id, Delivery.FAILED, o.at, o.error or "")
                    case Verdict.BLOCKED:
                        outbox.give_up(o.id, Delivery.BLOCKED, o.at, o.error or "")
                        outbox.block_chat(o.chat_id, o.at)
                        user_id = o.queued.message.user_id
                        if user_id is not None:
                            uow.people.set_blocked(user_id, True, o.at)
            uow.commit()

    # ----------------------------------------------------------------- resting
    def _rest_seconds(self) -> float:
        """Until the next thing may become possible: a pause ends, a chat's turn, or a poll."""
        now = self._clock.now()
        moments = [m for m in (self._paused_until, self._marks_resume) if m is not None]
        moments.extend(
            slot
            for q in self._held.values()
            if (slot := self._next_slot.get(q.message.chat_id)) is not None
        )
        wait = self._poll_seconds
        for moment in moments:
            wait = min(wait, max((moment - now).total_seconds(), 0.0))
        return wait

    def _forget_old_slots(self, now: datetime) -> None:
        if len(self._next_slot) > 4096:
            self._next_slot = {c: s for c, s in self._next_slot.items() if s > now}

    async def _rest(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._halt():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), min(remaining, STOP_CHECK_SECONDS))
            except TimeoutError:
                continue
            return


def _settle_future(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """An inline keyboard as PTB's object (for ``send_photo``)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


def _markup(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    """An inline keyboard as the Bot API's JSON object."""
    return {
        "inline_keyboard": [
            [{"text": b.label, "callback_data": b.data} for b in row] for row in rows
        ]
    }
