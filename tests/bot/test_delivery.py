"""The outbox sender, end to end: the real PTB Application, the stand-in over HTTP, SQL storage.

Pacing is checked with a fixed clock that the tests move (``drain`` sends what may go now and
returns), and promptness by counting messages, never by timing.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TimedOut,
)

from bot.app import build_application
from bot.context import CoachApplication
from bot.delivery import OutboxSender, RetryPolicy, Verdict, judge, sender_of
from bot.delivery.journal import SendJournal, boot_id
from bot.services import Services
from bot.settings import Settings
from bot.standin import ApiCall, FakeGroup, FakeUser, StandIn
from coach.outbox import Button, Delivery, OutgoingMessage, QueuedMessage
from storage.db import make_engine
from storage.uow import Database
from tests.bot.conftest import settings_for
from tests.fakes import FixedClock

SECOND = timedelta(seconds=1)


@dataclass
class Rig:
    """The stand-in, an initialized Application on a real database, and a way to fill the outbox."""

    standin: StandIn
    app: CoachApplication
    database: Database
    clock: FixedClock
    settings: Settings
    senders: list[OutboxSender] = field(default_factory=list)

    def sender(self, journal: SendJournal | None = None) -> OutboxSender:
        sender = OutboxSender(
            self.app.bot,
            self.database.unit_of_work,
            self.clock,
            self.settings.delivery,
            rng=random.Random(7),
            poll_seconds=0.05,
            journal=journal,
        )
        self.senders.append(sender)
        return sender

    def user(self, name: str = "Rep", *, started: bool = True) -> FakeUser:
        user = self.standin.add_user(first_name=name)
        if started:
            user.send("/start")  # opens the private chat; the update itself is not processed
        return user

    def group(self, by: FakeUser) -> FakeGroup:
        group = self.standin.add_group("Team", members={by: "creator"})
        group.add_bot(by=by)
        return group

    async def meet(self, user: FakeUser) -> None:
        """Have the bot handle the user's /start, so the database knows the person."""
        update = user.send("/start")
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def enqueue(self, *messages: OutgoingMessage) -> None:
        with self.database.unit_of_work() as uow:
            uow.outbox.add(messages, self.clock.now())
            uow.commit()

    def counts(self) -> dict[Delivery, int]:
        with self.database.unit_of_work() as uow:
            return uow.outbox.counts()

    def due(self, after: timedelta = timedelta(0)) -> list[QueuedMessage]:
        """Pending messages due by now + ``after`` (looked at, not taken: rolled back)."""
        with self.database.unit_of_work() as uow:
            return uow.outbox.claim(self.clock.now() + after, 100_000)

    def rows(self) -> dict[str, dict[str, Any]]:
        with self.database.engine.connect() as connection:
            result = connection.execute(
                text("SELECT key, state, attempts, last_error, telegram_message_id FROM outbox")
            )
            return {row.key: row._asdict() for row in result}

    def sends(self, after_seq: int = 0) -> list[ApiCall]:
        return [c for c in self.standin.calls_since(after_seq) if c.method == "sendMessage"]

    def delivered(self, after_seq: int = 0) -> list[ApiCall]:
        return [c for c in self.sends(after_seq) if c.ok]

    def advance(self, delta: timedelta) -> None:
        self.clock.set(self.clock.now() + delta)


def message(
    key: str,
    chat_id: int,
    rig: Rig,
    *,
    user_id: int | None = None,
    buttons: tuple[tuple[Button, ...], ...] = (),
) -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        chat_id=chat_id,
        text=f"<b>Plan</b> for today: {key}",
        kind="plan",
        not_before=rig.clock.now(),
        buttons=buttons,
        user_id=user_id if user_id is not None else (chat_id if chat_id > 0 else None),
    )


def to(user: FakeUser, key: str, rig: Rig) -> OutgoingMessage:
    return message(key, user.id, rig)


def keys_sent(calls: list[ApiCall]) -> list[str]:
    return [c.params["text"].rsplit(": ", 1)[1] for c in calls if c.ok]


MakeRig = Callable[..., Any]


@pytest.fixture
async def make_rig(database_url: str, clock: FixedClock) -> AsyncIterator[MakeRig]:
    """``await make_rig(**delivery_settings)``: a rig whose Application has those settings."""
    async with AsyncExitStack() as stack:

        async def make(**delivery: Any) -> Rig:
            standin = StandIn(token="424242:TEST-token-never-logged", auto_deliver=False)
            await standin.start()
            stack.push_async_callback(standin.stop)
            settings = settings_for(standin, database_url)
            settings = settings.model_copy(
                update={"delivery": settings.delivery.model_copy(update=delivery)}
            )
            database = Database(make_engine(database_url))
            stack.callback(database.dispose)
            app = build_application(Services(settings, database, clock))
            await stack.enter_async_context(app)
            rig = Rig(standin, app, database, clock, settings)

            async def stop_senders() -> None:
                for sender in rig.senders:
                    await sender.stop()

            stack.push_async_callback(stop_senders)
            return rig

        yield make


async def test_drains_the_queue_and_records_telegrams_ids(make_rig: MakeRig):
    rig = await make_rig()
    alice, bob = rig.user("Alice"), rig.user("Bob")
    done = Button("✅ Done", "t:1")
    rig.enqueue(
        message("plan:alice", alice.id, rig, buttons=((done, Button("Skip", "t:2")),)),
        to(bob, "plan:bob", rig),
    )
    mark = rig.standin.last_seq

    await rig.sender().drain()

    assert rig.counts() == {Delivery.SENT: 2}
    (to_alice,) = rig.standin.sent_messages(alice.id)
    assert to_alice.text == "Plan for today: plan:alice"  # HTML parsed: the default parse mode
    assert to_alice.button_texts == ["✅ Done", "Skip"]
    (to_bob,) = rig.standin.sent_messages(bob.id)
    rows = rig.rows()
    assert rows["plan:alice"]["telegram_message_id"] == to_alice.message_id
    assert rows["plan:bob"]["telegram_message_id"] == to_bob.message_id
    assert {r["attempts"] for r in rows.values()} == {1}
    assert len(rig.sends(mark)) == 2


async def test_a_message_with_a_chart_arrives_as_a_photo_with_its_caption(make_rig: MakeRig):
    rig = await make_rig()
    manager = rig.user("王经理")
    group = rig.group(manager)
    chart = {
        "kind": "bars",
        "title": "销售英雄榜 · 本周",
        "rows": [{"label": "李娜", "value": 81.5, "mark": False}, {"label": "王芳", "value": 60}],
        "more": 0,
    }
    again = Button("本月", "bd:hero:month")
    rig.enqueue(
        OutgoingMessage(
            "board:1:w", group.id, "<b>销售英雄榜</b> 1. 李娜 81.5", "board", rig.clock.now(),
            buttons=((again,),), team_id=1, chart=chart,
        ),
        to(manager, "plan:manager", rig),
    )  # fmt: skip
    mark = rig.standin.last_seq

    await rig.sender().drain()

    assert rig.counts() == {Delivery.SENT: 2}
    (photo,) = rig.standin.sent_messages(group.id)
    assert photo.photo is not None and photo.photo.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.caption == "销售英雄榜 1. 李娜 81.5"  # HTML parsed
    assert photo.button_texts == ["本月"]
    assert rig.rows()["board:1:w"]["telegram_message_id"] == photo.message_id
    methods = [c.method for c in rig.standin.calls_since(mark) if c.ok]
    assert sorted(methods) == ["sendMessage", "sendPhoto"]  # the text message kept its path


async def test_a_429_pauses_the_sender_for_retry_after_and_loses_nothing(make_rig: MakeRig):
    rig = await make_rig(max_in_flight=1)
    users = [rig.user(f"Rep {i}") for i in range(5)]
    rig.enqueue(*(to(u, f"m{i}", rig) for i, u in enumerate(users)))
    rig.standin.faults.fail_next("sendMessage", error_code=429, retry_after=7)
    sender = rig.sender()
    mark = rig.standin.last_seq

    await sender.drain()

    # The first attempt was refused: nothing else goes out during the pause.
    assert [c.error_code for c in rig.sends(mark)] == [429]
    assert rig.counts() == {Delivery.PENDING: 5}
    assert rig.rows()["m0"]["last_error"] == "RetryAfter"
    assert "m0" not in {q.message.key for q in rig.due()}
    rig.advance(6 * SECOND)
    await sender.drain()
    assert rig.delivered(mark) == []

    rig.advance(SECOND)
    await sender.drain()

    assert rig.counts() == {Delivery.SENT: 5}
    assert sorted(keys_sent(rig.sends(mark))) == [f"m{i}" for i in range(5)]
    assert len(rig.standin.sent_messages()) == 5
    assert rig.rows()["m0"]["attempts"] == 2


async def test_random_429s_neither_lose_nor_duplicate(make_rig: MakeRig):
    rig = await make_rig()
    users = [rig.user(f"Rep {i}") for i in range(40)]
    rig.enqueue(*(to(u, f"m{i}", rig) for i, u in enumerate(users)))
    rig.standin.faults.random_429(rate=0.3, retry_after=2, seed=3)
    sender = rig.sender()

    for _ in range(100):
        await sender.drain()
        if rig.counts() == {Delivery.SENT: 40}:
            break
        rig.advance(2 * SECOND)

    assert rig.counts() == {Delivery.SENT: 40}
    refused = [c for c in rig.sends() if c.error_code == 429]
    assert refused, "the stand-in should have refused some calls"
    assert sender.stats.rate_limited == len(refused)
    delivered = keys_sent(rig.delivered())
    assert sorted(delivered) == sorted(f"m{i}" for i in range(40))  # each exactly once
    assert len(rig.standin.sent_messages()) == 40


async def test_a_transient_error_is_retried_after_a_backoff(make_rig: MakeRig):
    rig = await make_rig(retry_seconds=10)
    alice = rig.user("Alice")
    rig.enqueue(to(alice, "m", rig))
    rig.standin.faults.fail_next("sendMessage", error_code=502)
    sender = rig.sender()

    await sender.drain()

    assert rig.counts() == {Delivery.PENDING: 1}
    assert rig.rows()["m"]["last_error"] == "NetworkError"
    assert rig.due(4 * SECOND) == []  # the backoff is 5 to 10 s (jitter)
    assert [q.message.key for q in rig.due(10 * SECOND)] == ["m"]
    rig.advance(10 * SECOND)
    await sender.drain()
    assert rig.counts() == {Delivery.SENT: 1}
    assert [m.text for m in rig.standin.sent_messages(alice.id)] == ["Plan for today: m"]


async def test_retries_end_with_failed(make_rig: MakeRig):
    rig = await make_rig(max_attempts=3, retry_seconds=1)
    alice = rig.user("Alice")
    rig.enqueue(to(alice, "m", rig))
    rig.standin.faults.fail_next("sendMessage", error_code=500, count=5)
    sender = rig.sender()

    for _ in range(5):
        await sender.drain()
        rig.advance(timedelta(minutes=5))

    assert rig.counts() == {Delivery.FAILED: 1}
    row = rig.rows()["m"]
    assert (row["attempts"], row["last_error"]) == (3, "NetworkError")
    assert [c.error_code for c in rig.sends()] == [500, 500, 500]


async def test_chat_not_found_fails_at_once(make_rig: MakeRig):
    rig = await make_rig()
    rig.enqueue(message("gone", -4_999_999_999, rig))

    await rig.sender().drain()

    assert rig.counts() == {Delivery.FAILED: 1}
    assert rig.rows()["gone"]["last_error"] == "BadRequest"
    assert [c.error_code for c in rig.sends()] == [400]


async def test_a_user_who_blocked_the_bot_gets_nothing_more(make_rig: MakeRig):
    rig = await make_rig()
    alice, bob = rig.user("Alice"), rig.user("Bob")
    await rig.meet(alice)
    alice.block_bot()
    rig.enqueue(to(alice, "a1", rig), to(alice, "a2", rig), to(alice, "a3", rig), to(bob, "b", rig))
    sender = rig.sender()
    mark = rig.standin.last_seq

    await sender.drain()

    to_alice = [c for c in rig.sends(mark) if c.params["chat_id"] == alice.id]
    assert [c.error_code for c in to_alice] == [403]  # tried once, the rest never
    assert rig.counts() == {Delivery.BLOCKED: 3, Delivery.SENT: 1}
    assert rig.rows()["a1"]["last_error"] == "Forbidden"
    with rig.database.unit_of_work() as uow:
        person = uow.people.get(alice.id)
    assert person is not None and person.blocked

    # Messages queued later for her are closed without a call to Telegram.
    rig.advance(timedelta(hours=1))
    rig.enqueue(to(alice, "a4", rig))
    await sender.drain()
    assert [c for c in rig.sends(mark) if c.params["chat_id"] == alice.id] == to_alice
    assert rig.counts() == {Delivery.BLOCKED: 4, Delivery.SENT: 1}
    assert sender.stats.skipped_blocked == 1


async def test_one_message_per_private_chat_per_second(make_rig: MakeRig):
    rig = await make_rig(per_chat_seconds=1.0)
    alice, bob = rig.user("Alice"), rig.user("Bob")
    rig.enqueue(
        to(alice, "a1", rig), to(alice, "a2", rig), to(alice, "a3", rig), to(bob, "b1", rig)
    )
    sender = rig.sender()

    await sender.drain()
    assert keys_sent(rig.sends()) == ["a1", "b1"]

    rig.advance(SECOND / 2)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["a1", "b1"]

    rig.advance(SECOND / 2)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["a1", "b1", "a2"]

    rig.advance(SECOND)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["a1", "b1", "a2", "a3"]
    assert rig.counts() == {Delivery.SENT: 4}


async def test_a_group_gets_at_most_its_per_minute_share(make_rig: MakeRig):
    rig = await make_rig(group_messages_per_minute=20)  # one every 3 s
    manager = rig.user("Manager")
    group = rig.group(by=manager)
    rig.enqueue(*(message(f"g{i}", group.id, rig) for i in range(3)))
    sender = rig.sender()

    await sender.drain()
    assert keys_sent(rig.sends()) == ["g0"]

    rig.advance(2 * SECOND)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["g0"]

    rig.advance(SECOND)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["g0", "g1"]

    rig.advance(3 * SECOND)
    await sender.drain()
    assert keys_sent(rig.sends()) == ["g0", "g1", "g2"]
    assert [m.chat_id for m in rig.standin.sent_messages(group.id)] == [group.id] * 3


async def test_a_reply_to_a_user_is_not_stuck_behind_a_push(make_rig: MakeRig):
    # The Application's rate limiter holds handler replies and pushes to the same overall cap;
    # the sender keeps at most max_in_flight pushes in front of a reply.
    push = 10_000
    rig = await make_rig(messages_per_second=200, max_in_flight=8)
    reps = [rig.user(f"Rep {i}") for i in range(push)]
    rig.enqueue(*(to(u, f"p{i}", rig) for i, u in enumerate(reps)))
    asker = rig.user("Asker")
    sender = rig.sender()
    sender.start()
    await rig.standin.wait_until(lambda: len(rig.delivered()) >= 100, timeout=30)

    mark = rig.standin.last_seq
    await rig.app.process_update(Update.de_json(asker.send("/help"), rig.app.bot))

    reply = next(c for c in rig.delivered(mark) if c.params["chat_id"] == asker.id)
    pushed_before = [c for c in rig.delivered(mark) if c.seq < reply.seq]
    await sender.stop()
    assert len(pushed_before) <= 40, f"{len(pushed_before)} pushes went before the reply"
    assert sender.stats.sent < push / 2  # the push was still under way


async def test_a_restart_after_a_stop_mid_push_sends_the_rest_exactly_once(make_rig: MakeRig):
    rig = await make_rig(messages_per_second=100)
    reps = [rig.user(f"Rep {i}") for i in range(300)]
    rig.enqueue(*(to(u, f"p{i}", rig) for i, u in enumerate(reps)))

    first = rig.sender()
    first.start()
    await rig.standin.wait_until(lambda: len(rig.delivered()) >= 50, timeout=30)
    await first.stop()
    sent_before = len(rig.delivered())
    assert 50 <= sent_before < 300
    assert rig.counts() == {Delivery.SENT: sent_before, Delivery.PENDING: 300 - sent_before}

    second = rig.sender()
    second.start()
    await rig.standin.wait_until(lambda: len(rig.delivered()) >= 300, timeout=30)
    await second.stop()

    assert rig.counts() == {Delivery.SENT: 300}
    assert sorted(keys_sent(rig.delivered())) == sorted(f"p{i}" for i in range(300))


def kill(sender: OutboxSender) -> None:
    """Stop ``sender`` dead, like a SIGKILL: every task of it is cancelled where it stands."""
    for task in asyncio.all_tasks():
        frame = getattr(task.get_coro(), "cr_frame", None)
        if frame is not None and frame.f_locals.get("self") is sender:
            task.cancel()


async def test_a_sender_that_dies_mid_push_causes_no_duplicate(make_rig: MakeRig):
    """What a dead sender left ``SENDING`` may have arrived: recorded ``UNKNOWN``, never resent."""
    rig = await make_rig(messages_per_second=100)
    reps = [rig.user(f"Rep {i}") for i in range(300)]
    rig.enqueue(*(to(u, f"p{i}", rig) for i, u in enumerate(reps)))

    first = rig.sender()
    first.start()
    await rig.standin.wait_until(lambda: len(rig.delivered()) >= 50, timeout=30)
    kill(first)
    rig.senders.remove(first)  # nothing left to stop
    left = rig.counts()
    uncertain = left.get(Delivery.SENDING, 0)
    assert uncertain >= 1, left  # a push at 100/s always has some under way or unrecorded

    second = rig.sender()
    assert await second.recover() == uncertain
    await second.drain()

    assert second.stats.interrupted == uncertain
    assert rig.counts() == {Delivery.SENT: 300 - uncertain, Delivery.UNKNOWN: uncertain}
    rows = rig.rows()
    received = Counter(keys_sent(rig.delivered()))
    assert max(received.values()) == 1  # nobody got a message twice
    assert all(received[k] == 1 for k, r in rows.items() if r["state"] == "sent")
    unknown = [k for k, r in rows.items() if r["state"] == "unknown"]
    assert {rows[k]["last_error"] for k in unknown} == {"interrupted while sending"}
    # Lost: marked but not yet on the wire when it died (at most the sends under way).
    assert sum(1 for k in unknown if received[k] == 0) <= rig.settings.delivery.max_in_flight


@pytest.mark.skipif(boot_id() is None, reason="the journal needs Linux's boot id")
async def test_with_its_journal_a_sender_that_dies_mid_push_resends_nothing_written(
    make_rig: MakeRig, tmp_path: Path
):
    """Every request written is passed in the journal first: none of them is sent again."""
    rig = await make_rig(messages_per_second=100)
    reps = [rig.user(f"Rep {i}") for i in range(300)]
    rig.enqueue(*(to(u, f"p{i}", rig) for i, u in enumerate(reps)))
    url = rig.database.engine.url.render_as_string(hide_password=True)

    first = rig.sender(SendJournal(tmp_path / "send.journal", url))
    first.start()
    await rig.standin.wait_until(lambda: len(rig.delivered()) >= 50, timeout=30)
    kill(first)
    rig.senders.remove(first)
    uncertain = rig.counts().get(Delivery.SENDING, 0)
    assert uncertain >= 1

    second = rig.sender(SendJournal(tmp_path / "send.journal", url))
    unknown = await second.recover()
    await second.drain()

    # Cancelled tasks stop at an await, never between a commit and its writes: whatever is
    # SENDING was written (its journal slot passed), so nothing comes back (the SIGKILL between
    # them is in test_send_crash).
    assert (unknown, second.stats.requeued) == (uncertain, 0)
    assert rig.counts() == {
        state: count
        for state, count in {Delivery.SENT: 300 - unknown, Delivery.UNKNOWN: unknown}.items()
        if count
    }
    received = Counter(keys_sent(rig.delivered()))
    assert sorted(received) == sorted(f"p{i}" for i in range(300))  # nobody missed
    assert set(received.values()) == {1}  # nobody got it twice


async def test_a_journal_that_cannot_be_written_leaves_the_sender_sending_without_it(
    make_rig: MakeRig, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    rig = await make_rig(messages_per_second=100)
    alice = rig.user("Alice")
    rig.enqueue(to(alice, "m", rig))
    (tmp_path / "not-a-directory").write_text("")
    journal = SendJournal(tmp_path / "not-a-directory" / "send.journal", "db")

    sender = rig.sender(journal)
    await sender.recover()
    await sender.drain()

    assert rig.counts() == {Delivery.SENT: 1}
    (warning,) = [r for r in caplog.records if "send journal" in r.getMessage()]
    assert "sending without it" in warning.getMessage()


REFUSE_SENDING = {
    "sqlite": [
        "CREATE TRIGGER refuse_sending BEFORE UPDATE OF state ON outbox "
        "WHEN NEW.state = 'sending' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_sending() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse_sending BEFORE UPDATE OF state ON outbox FOR EACH ROW "
        "WHEN (NEW.state = 'sending') EXECUTE FUNCTION refuse_sending()",
    ],
}
ALLOW_SENDING = {
    "sqlite": ["DROP TRIGGER refuse_sending"],
    "postgresql": ["DROP TRIGGER refuse_sending ON outbox", "DROP FUNCTION refuse_sending()"],
}


def run_sql(rig: Rig, statements: dict[str, list[str]]) -> None:
    with rig.database.engine.begin() as connection:
        for statement in statements[connection.dialect.name]:
            connection.execute(text(statement))


async def test_a_database_that_refuses_the_sending_mark_is_retried_with_backoff(
    make_rig: MakeRig, caplog: pytest.LogCaptureFixture
):
    """A failed mark sends nothing, keeps the messages pending and waits longer at each try."""
    rig = await make_rig(messages_per_second=100)
    reps = [rig.user(f"Rep {i}") for i in range(5)]
    rig.enqueue(*(to(u, f"p{i}", rig) for i, u in enumerate(reps)))
    run_sql(rig, REFUSE_SENDING)
    sender = rig.sender()

    def failures() -> list[float]:
        """The wait each logged failure announced."""
        return [r.args[-1] for r in caplog.records if r.getMessage().startswith("marking")]

    for tries in range(1, 5):
        await sender.drain()  # one try, then nothing may go until the wait is over
        assert len(failures()) == tries
        rig.advance(timedelta(seconds=failures()[-1]) - timedelta(milliseconds=1))
        await sender.drain()  # not quite time yet: no new try
        assert len(failures()) == tries
        rig.advance(timedelta(milliseconds=1))
    assert failures() == [0.5, 1.0, 2.0, 4.0]
    assert sum(bool(r.exc_info) for r in caplog.records) == 1  # one traceback, not four
    assert rig.sends() == []
    assert rig.counts() == {Delivery.PENDING: 5}

    run_sql(rig, ALLOW_SENDING)
    await sender.drain()
    assert rig.counts() == {Delivery.SENT: 5}
    assert sorted(keys_sent(rig.delivered())) == [f"p{i}" for i in range(5)]


async def test_the_application_runs_its_sender_while_it_runs(make_rig: MakeRig):
    rig = await make_rig()
    alice = rig.user("Alice")
    sender = sender_of(rig.app)  # bot.app.build_application attached it

    await rig.app.start()
    rig.enqueue(to(alice, "m", rig))
    sender.wake()
    await rig.standin.wait_for_message(chat_id=alice.id, timeout=10)
    await rig.app.stop()

    assert rig.counts() == {Delivery.SENT: 1}
    assert not rig.app.running


@pytest.mark.parametrize(
    ("error", "attempts", "verdict", "name"),
    [
        (RetryAfter(timedelta(seconds=3)), 9, Verdict.RATE_LIMITED, "RetryAfter"),
        (Forbidden("Forbidden: user is deactivated"), 0, Verdict.BLOCKED, "Forbidden"),
        (BadRequest("Bad Request: chat not found"), 0, Verdict.FAILED, "BadRequest"),
        (ChatMigrated(-100123), 0, Verdict.FAILED, "ChatMigrated"),
        (TimedOut(), 0, Verdict.RETRY, "TimedOut"),
        (TimedOut(), 2, Verdict.FAILED, "TimedOut"),
        (ValueError("a bug"), 0, Verdict.RETRY, "ValueError"),
    ],
)
def test_what_each_answer_becomes(clock: FixedClock, error, attempts, verdict, name):
    message = OutgoingMessage("k", 5, "hi", "plan", clock.now())
    queued = QueuedMessage(1, message, attempts, clock.now())
    policy = RetryPolicy(max_attempts=3, first=timedelta(seconds=10))

    outcome = judge(queued, error, clock.now(), policy, random.Random(1))

    assert (outcome.verdict, outcome.error) == (verdict, name)
    if verdict is Verdict.RATE_LIMITED:
        assert outcome.retry_at == clock.now() + 3 * SECOND  # retry_after, however many attempts
    if verdict is Verdict.RETRY:
        wait = outcome.retry_at - clock.now()
        assert 5 * SECOND <= wait <= 10 * SECOND  # the first backoff, halved at most by jitter


def test_backoff_doubles_up_to_an_hour():
    policy = RetryPolicy(max_attempts=50, first=timedelta(seconds=10))
    always_full = random.Random(0)
    always_full.uniform = lambda a, b: b  # type: ignore[method-assign]
    waits = [policy.delay(n, always_full) for n in (1, 2, 3, 20)]
    assert waits == [10 * SECOND, 20 * SECOND, 40 * SECOND, timedelta(hours=1)]
