"""Every update handled once: the update log, long polling that confirms after processing, and a
webhook that answers after processing. The real Application against the stand-in over HTTP, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import CoachApplication
from bot.intake import Backoff, Intake, Poller, WebhookServer
from bot.runner import serve
from bot.services import CURRENT_UPDATE, AlreadyHandled, Handling, Refusal, Services
from bot.settings import Settings, load_settings
from bot.standin import StandIn
from coach.errors import CoachError
from coach.models import Contact
from storage.db import make_engine
from storage.models import ProcessedUpdateRow, TeamRow
from storage.uow import Database
from tests.bot.conftest import BOT_USERNAME, TOKEN, settings_for
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.bot.test_transports import free_port, running
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

OLD_ID = 999_000_001
FAST = Backoff(first=0.01, longest=0.05)


class ClockDown(Exception):
    """The injected clock's failure: a crash inside a transaction, before anything commits."""


class FlakyClock:
    """A fixed clock that can be told to fail its next reads made while processing an update
    (the application's jobs, which also read the clock, are left alone)."""

    def __init__(self, inner: FixedClock) -> None:
        self.inner = inner
        self.failures = 0

    def fail_next(self, times: int = 1) -> None:
        self.failures = times

    def now(self) -> datetime:
        if self.failures and CURRENT_UPDATE.get() is not None:
            self.failures -= 1
            raise ClockDown("no time")
        return self.inner.now()


class Gate:
    """Holds chosen updates in a handler that runs before all others, until released."""

    def __init__(self, application: CoachApplication) -> None:
        self._held: dict[int, asyncio.Event] = {}
        self._entered: dict[int, asyncio.Event] = {}
        application.add_handler(TypeHandler(Update, self._hold), group=-1)

    def hold(self, update: dict[str, Any]) -> int:
        update_id = int(update["update_id"])
        self._held[update_id] = asyncio.Event()
        self._entered[update_id] = asyncio.Event()
        return update_id

    async def entered(self, update_id: int) -> None:
        await asyncio.wait_for(self._entered[update_id].wait(), 10)

    def release(self, update_id: int) -> None:
        self._held[update_id].set()

    async def _hold(self, update: Update, _context: object) -> None:
        if update.update_id in self._held:
            self._entered[update.update_id].set()
            await self._held[update.update_id].wait()


def count(services: Services, model: type) -> int:
    with services.database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def texts_to(standin: StandIn, user_id: int) -> list[str]:
    return [m.text or "" for m in standin.sent_messages(user_id)]


@pytest.fixture
def flaky(clock: FixedClock) -> FlakyClock:
    return FlakyClock(clock)


@pytest.fixture
async def live() -> AsyncIterator[StandIn]:
    async with StandIn(
        token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=True, webhook_retry_delay=0.01
    ) as server:
        yield server


@pytest.fixture
async def app(
    live: StandIn, database_url: str, flaky: FlakyClock
) -> AsyncIterator[CoachApplication]:
    database = Database(make_engine(database_url))
    application = build_application(Services(settings_for(live, database_url), database, flaky))
    try:
        async with application:
            await application.start()
            yield application
            await application.stop()
    finally:
        database.dispose()


def services_of(application: CoachApplication) -> Services:
    return application.bot_data.services


def poller_for(application: CoachApplication, seen: Any = None, **options: Any) -> Poller:
    options.setdefault("timeout", timedelta(seconds=1))
    options.setdefault("backoff", FAST)
    options.setdefault("retry_delay", 0.01)
    intake = Intake(application, seen=seen)  # type: ignore[arg-type]
    return Poller(intake, ALLOWED_UPDATES, **options)


def webhook_for(application: CoachApplication, seen: Any = None) -> tuple[WebhookServer, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    server = WebhookServer(
        Intake(application, seen=seen),  # type: ignore[arg-type]
        ALLOWED_UPDATES,
        url=url,
        secret_token="hook-secret",
        listen="127.0.0.1",
        port=port,
        path="hook",
        backoff=FAST,
    )
    return server, url


def redeliver(standin: StandIn, update: dict[str, Any]) -> None:
    """What Telegram does after a crash before the confirmation: the update comes again."""
    standin.world.updates.pending.append(copy.deepcopy(update))
    standin.world.notifier.notify()


# ---------------------------------------------------------------- through the Application


async def test_a_redelivered_update_changes_state_once_and_is_answered_once(harness: Harness):
    people = Team(harness.standin)
    update = people.manager.send("/newteam 华东一组")
    first = await harness.feed(update)
    assert "已创建" in text_of(first)

    again = await harness.feed(update)

    services = services_of(harness.app)
    assert again == []
    assert count(services, TeamRow) == 1
    assert count(services, ProcessedUpdateRow) == 1


async def test_a_redelivered_refusal_is_answered_once(harness: Harness):
    people = Team(harness.standin)
    update = people.tom.send("/invite")  # not a manager
    refused = await harness.feed(update)
    assert refused and refused[0].chat_id == people.tom.id

    assert await harness.feed(update) == []


async def test_an_update_with_two_transactions_is_recorded_once(harness: Harness):
    people = Team(harness.standin)
    token = await make_team(harness, people)
    await harness.send(people.tom, f"/start {token}")
    update = people.tom.send("/plan")  # the step-by-step plan: two transactions

    asked = await harness.feed(update)
    assert asked, "the second transaction must not be taken for a redelivery"

    assert await harness.feed(update) == []


async def test_a_dropped_duplicate_is_logged_without_the_users_words(
    harness: Harness, caplog: pytest.LogCaptureFixture
):
    people = Team(harness.standin)
    update = people.manager.send("/newteam Secret Squirrel Unit")
    await harness.feed(update)
    with caplog.at_level(logging.INFO, logger="bot"):
        await harness.feed(update)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot")]
    assert f"update {update['update_id']} was handled before; dropped" in lines
    assert not any("Squirrel" in line for line in caplog.text.splitlines())


# ------------------------------------------------------------------------- the services


@pytest.mark.parametrize("own_threads", [False, True])
async def test_later_transactions_of_an_update_do_not_record_it_again(
    database: Database, clock, own_threads: bool
):
    pool = ThreadPoolExecutor(1, thread_name_prefix="test-db") if own_threads else None
    services = Services(_settings(), database, clock, executor=pool)
    handling = Handling(update_id=7)
    token = CURRENT_UPDATE.set(handling)
    try:
        where = await services.run(lambda uow: threading.current_thread().name)
        assert where.startswith("test-db") == own_threads
        assert handling.marked  # the update (a context variable) reached the pool's thread
        await services.run(lambda uow: uow.teams.all())  # no AlreadyHandled

        CURRENT_UPDATE.set(Handling(update_id=7))  # the same update, processed again
        with pytest.raises(AlreadyHandled):
            await services.run(lambda uow: uow.teams.all())
    finally:
        CURRENT_UPDATE.reset(token)
    try:
        assert await services.seen(7)
        assert not await services.seen(8)
        assert not await services.seen(8), "seen() writes nothing"
    finally:
        if pool is not None:
            pool.shutdown()


async def test_a_refused_update_is_recorded_without_its_effects(database: Database, clock):
    services = Services(settings=_settings(), database=database, clock=clock)
    contact_id = 4242

    def refuse(uow, person, now):  # type: ignore[no-untyped-def]
        raise CoachError()

    handling = Handling(update_id=11)
    token = CURRENT_UPDATE.set(handling)
    try:
        with pytest.raises(Refusal):
            await services.as_person(_contact(contact_id), refuse)
    finally:
        CURRENT_UPDATE.reset(token)
    assert handling.marked
    assert await services.seen(11)
    with database.unit_of_work() as uow:
        assert uow.people.get(contact_id) is None  # the person met in it was rolled back


async def test_old_update_ids_are_pruned(database: Database, clock: FixedClock):
    services = Services(settings=_settings(), database=database, clock=clock)
    start = clock.now()
    with database.unit_of_work() as uow:
        uow.updates.mark(1, start - timedelta(days=8))
        uow.updates.mark(2, start - timedelta(days=1))
        uow.commit()
    assert await services.prune_update_log(timedelta(days=7)) == 1
    assert not await services.seen(1)
    assert await services.seen(2)


async def test_work_outside_an_update_records_nothing(database: Database, clock):
    services = Services(settings=_settings(), database=database, clock=clock)
    await services.run(lambda uow: uow.teams.all())
    assert count(services, ProcessedUpdateRow) == 0


# ------------------------------------------------------------------------- long polling


async def test_polling_confirms_a_batch_only_after_all_of_it_was_processed(
    live: StandIn, app: CoachApplication
):
    gate = Gate(app)
    people = Team(live)
    async with running(poller_for(app)):
        # One batch: two updates of the manager's chat, one of Tom's.
        first = gate.hold(people.manager.send("/newteam 华东一组"))
        second = people.manager.send("/help")["update_id"]
        other = people.tom.send("/help")["update_id"]

        await gate.entered(first)
        await live.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=10)
        assert texts_to(live, people.tom.id), "another chat is not held up"
        assert texts_to(live, people.manager.id) == [], "in order within a chat"
        for update_id in (first, second, other):
            assert not live.update_acknowledged(update_id)
        offsets = [c.params.get("offset") or 0 for c in live.calls if c.method == "getUpdates"]
        assert max(offsets) <= first

        gate.release(first)
        await live.wait_acknowledged(second, timeout=10)
    created, helped = texts_to(live, people.manager.id)
    assert "已创建" in created and "/plan" in helped


async def test_polling_drops_updates_a_killed_process_had_committed(
    live: StandIn, app: CoachApplication
):
    services = services_of(app)
    people = Team(live)
    async with running(poller_for(app, seen=services.seen)):
        update = people.manager.send("/newteam 华东一组")
        await live.wait_acknowledged(update["update_id"], timeout=10)
    assert len(texts_to(live, people.manager.id)) == 1

    for seen in (services.seen, None):  # skipped before the handlers, or by the transaction
        redeliver(live, update)
        async with running(poller_for(app, seen=seen)):
            marker = people.tom.send("/help")
            await live.wait_acknowledged(marker["update_id"], timeout=10)
        assert live.update_acknowledged(update["update_id"])
        assert len(texts_to(live, people.manager.id)) == 1
        assert count(services, TeamRow) == 1


async def test_stopping_finishes_the_batch_and_then_confirms_it(
    live: StandIn, app: CoachApplication
):
    gate = Gate(app)
    people = Team(live)
    poller = poller_for(app)
    task = asyncio.create_task(poller.run())
    held = gate.hold(people.manager.send("/newteam 华东一组"))
    await gate.entered(held)

    poller.stop()
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done(), "the update in progress is finished first"
    gate.release(held)
    await asyncio.wait_for(task, 10)

    assert live.update_acknowledged(held)
    assert "已创建" in texts_to(live, people.manager.id)[0]


async def test_polling_rides_out_conflicts_and_server_errors(live: StandIn, app: CoachApplication):
    live.faults.fail_next("getUpdates", error_code=409, description="Conflict: terminated")
    live.faults.fail_next("getUpdates", error_code=502, description="Bad Gateway")
    live.faults.fail_next("getUpdates", error_code=429, retry_after=1)
    people = Team(live)
    async with running(poller_for(app)):
        update = people.tom.send("/help")
        await live.wait_acknowledged(update["update_id"], timeout=10)
    failed = [c.error_code for c in live.calls if c.method == "getUpdates" and not c.ok]
    assert failed == [409, 502, 429]
    assert len(texts_to(live, people.tom.id)) == 1


async def test_polling_tries_again_an_update_that_crashed_before_committing(
    live: StandIn, app: CoachApplication, flaky: FlakyClock
):
    people = Team(live)
    flaky.fail_next()
    async with running(poller_for(app)):
        update = people.manager.send("/newteam 华东一组")
        await live.wait_acknowledged(update["update_id"], timeout=10)
    apology, created = texts_to(live, people.manager.id)
    assert "出了点问题" in apology
    assert "已创建" in created
    assert count(services_of(app), TeamRow) == 1


# ------------------------------------------------------------------------------ webhook


async def test_the_webhook_answers_only_after_the_update_was_processed(
    live: StandIn, app: CoachApplication
):
    gate = Gate(app)
    people = Team(live)
    server, url = webhook_for(app)
    async with running(server):
        await live.wait_until(lambda: live.world.webhook_url == url)
        held = gate.hold(people.manager.send("/newteam 华东一组"))
        await gate.entered(held)
        assert not live.update_acknowledged(held)
        assert [d for d in live.webhook_deliveries if d.update_id == held] == []

        gate.release(held)
        await live.wait_acknowledged(held, timeout=10)
    statuses = [d.status for d in live.webhook_deliveries if d.update_id == held]
    assert statuses == [200]
    assert "已创建" in texts_to(live, people.manager.id)[0]


async def test_a_crash_is_answered_500_and_the_retry_is_processed_once(
    live: StandIn, app: CoachApplication, flaky: FlakyClock
):
    people = Team(live)
    server, url = webhook_for(app)
    async with running(server):
        await live.wait_until(lambda: live.world.webhook_url == url)
        flaky.fail_next()
        update_id = people.manager.send("/newteam 华东一组")["update_id"]
        await live.wait_acknowledged(update_id, timeout=10)
    statuses = [d.status for d in live.webhook_deliveries if d.update_id == update_id]
    assert statuses == [500, 200]
    _apology, created = texts_to(live, people.manager.id)
    assert "已创建" in created
    assert count(services_of(app), TeamRow) == 1


async def test_a_crash_after_the_commit_is_not_retried(live: StandIn, app: CoachApplication):
    people = Team(live)
    server, url = webhook_for(app)
    async with running(server):
        await live.wait_until(lambda: live.world.webhook_url == url)
        live.faults.fail_next("sendMessage", error_code=500, description="Internal Server Error")
        update_id = people.manager.send("/newteam 华东一组")["update_id"]
        await live.wait_acknowledged(update_id, timeout=10)
    statuses = [d.status for d in live.webhook_deliveries if d.update_id == update_id]
    assert statuses == [200], "the team is stored: a retry would only be dropped"
    assert count(services_of(app), TeamRow) == 1


async def test_the_webhook_drops_an_update_delivered_again(live: StandIn, app: CoachApplication):
    people = Team(live)
    server, url = webhook_for(app)
    async with running(server):
        await live.wait_until(lambda: live.world.webhook_url == url)
        update = people.manager.send("/newteam 华东一组")
        await live.wait_acknowledged(update["update_id"], timeout=10)
        deliveries = len(live.webhook_deliveries)
        redeliver(live, update)
        await live.wait_until(lambda: len(live.webhook_deliveries) > deliveries, timeout=10)
    assert live.webhook_deliveries[-1].status == 200
    assert len(texts_to(live, people.manager.id)) == 1
    assert count(services_of(app), TeamRow) == 1


async def test_a_button_press_delivered_again_touches_nothing(live: StandIn, app: CoachApplication):
    user = live.add_user(first_name="Tom", language_code="en")
    server, url = webhook_for(app, seen=services_of(app).seen)
    async with running(server):
        await live.wait_until(lambda: live.world.webhook_url == url)
        asked = user.send("/lang")
        await live.wait_acknowledged(asked["update_id"], timeout=10)
        press = user.press(user.last_message, "中文")  # type: ignore[arg-type]
        await live.wait_acknowledged(press["update_id"], timeout=10)
        mark, deliveries = live.last_seq, len(live.webhook_deliveries)
        redeliver(live, press)
        await live.wait_until(lambda: len(live.webhook_deliveries) > deliveries, timeout=10)
    assert live.webhook_deliveries[-1].status == 200
    touched = {"answerCallbackQuery", "editMessageReplyMarkup", "sendMessage", "setMyCommands"}
    assert touched.isdisjoint(c.method for c in live.calls_since(mark))


# ------------------------------------------------------------------------------ serve()


async def test_serve_runs_the_whole_life_cycle_and_stops_on_request(
    live: StandIn, database_url: str, clock: FixedClock
):
    database = Database(make_engine(database_url))
    services = Services(settings_for(live, database_url), database, clock)
    with database.unit_of_work() as uow:
        uow.updates.mark(OLD_ID, clock.now() - timedelta(days=30))
        uow.commit()
    application = build_application(services)
    seen: list[str] = []
    post_init = application.post_init
    assert post_init is not None

    async def on_init(app: Any) -> None:
        await post_init(app)
        seen.append("post_init")

    async def on_stop(app: Any) -> None:
        seen.append("post_stop")

    async def on_shutdown(app: Any) -> None:
        seen.append("post_shutdown")

    application.post_init, application.post_stop = on_init, on_stop
    application.post_shutdown = on_shutdown
    stop = asyncio.Event()
    poller = poller_for(application)
    user = live.add_user(first_name="Tom", language_code="en")
    try:
        serving = asyncio.create_task(serve(application, poller, stop_signals=(), stop=stop))
        update = user.send("/start")
        await live.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=10)
        stop.set()
        await asyncio.wait_for(serving, 10)
        pruned = not await services.seen(OLD_ID)
    finally:
        database.dispose()
    assert seen == ["post_init", "post_stop", "post_shutdown"]
    assert live.commands("all_private_chats"), "post_init published the menus"
    assert live.update_acknowledged(update["update_id"]), "confirmed on the way out"
    assert pruned, "old ids were pruned on start"


# ------------------------------------------------------------------------------ helpers


def _settings() -> Settings:
    return load_settings(None, {"TELEGRAM_BOT_TOKEN": TOKEN})


def _contact(user_id: int) -> Contact:
    return Contact(user_id=user_id, first_name="Eve", username=None, language_code="en")
