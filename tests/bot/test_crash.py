"""SIGKILL mid-traffic: the real bot (``salescoach run``) as a subprocess against a stand-in that
runs in this process. Users keep writing while it is dead; after a restart nothing confirmed to a
user is lost and nothing is processed twice.

The traffic is a ``Workload``: what must exist before the burst (``prepare``, answered in full),
the one state-changing update each user sends (``act``), how its confirmation looks and whether
its effect is stored. To run the test on another check-in, add a workload class and list it in
``WORKLOADS`` (one line).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import func, select

from bot.standin import FakeUser, SentMessage, StandIn
from storage.db import make_engine
from storage.models import DayRow, MembershipRow
from storage.uow import Database
from tests.bot.conftest import BOT_USERNAME, TOKEN

REPO = Path(__file__).resolve().parents[2]
USERS = 120  # half write before the kill, half while the bot is dead
KILL_AFTER = 20  # confirmations seen before the SIGKILL
PATIENCE = 60.0  # seconds for the whole traffic to be answered
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


class Workload(Protocol):
    """The traffic of the crash test."""

    name: str

    async def prepare(self, standin: StandIn, users: list[FakeUser]) -> None:
        """Bring the users to where ``act`` makes sense (the bot is running and answers)."""

    def act(self, user: FakeUser) -> dict[str, Any]:
        """Send the user's one state-changing update; return it."""

    def confirms(self, text: str) -> bool:
        """Whether a bot message with this text confirms that the act was stored."""

    def stored(self, database: Database, user: FakeUser) -> int:
        """How many times the act's effect is stored for the user (1 when all went well)."""


async def ask(standin: StandIn, user: FakeUser, text: str) -> SentMessage:
    """Send ``text`` and wait for the bot's answer in the user's chat."""
    mark = standin.last_seq
    user.send(text)
    return await standin.wait_for_message(chat_id=user.id, after_seq=mark, timeout=PATIENCE)


def count(database: Database, query: Any) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(query) or 0)


class NewTeams:
    """Each user creates a team (``/newteam``); a second processing would be refused visibly."""

    name = "newteam"

    async def prepare(self, standin: StandIn, users: list[FakeUser]) -> None:
        return None

    def act(self, user: FakeUser) -> dict[str, Any]:
        # At about midday in the team's zone nothing is due, so the scheduler sends nothing.
        return user.send(f"/newteam Crash team {user.id} | {_zone_at_noon()}")

    def confirms(self, text: str) -> bool:
        return "created" in text

    def stored(self, database: Database, user: FakeUser) -> int:
        managers = select(func.count()).select_from(MembershipRow)
        return count(database, managers.where(MembershipRow.user_id == user.id))


class MorningPlans:
    """Reps of one team check in a plan in one message (``/plan tasks figures``)."""

    name = "plan"

    async def prepare(self, standin: StandIn, users: list[FakeUser]) -> None:
        manager = standin.add_user(first_name="Wang", username="wang", language_code="en")
        created = await ask(standin, manager, f"/newteam Crash team | {_zone_at_noon()}")
        match = LINK.search(created.text or "")
        assert match, created.text
        await asyncio.gather(*(ask(standin, rep, f"/start {match.group(1)}") for rep in users))

    def act(self, user: FakeUser) -> dict[str, Any]:
        return user.send("/plan\n1. Call Acme\n2. Quote for Globex\nvisits 3 calls 12")

    def confirms(self, text: str) -> bool:
        return "Plan saved" in text

    def stored(self, database: Database, user: FakeUser) -> int:
        planned = select(func.count()).select_from(DayRow)
        return count(
            database, planned.where(DayRow.user_id == user.id, DayRow.planned_at.is_not(None))
        )


WORKLOADS: list[Workload] = [NewTeams(), MorningPlans()]


def _zone_at_noon() -> str:
    """A fixed-offset zone where it is about midday now, so the day is open for check-ins."""
    offset = 12 - datetime.now(UTC).hour
    if offset > 12:
        offset -= 24
    if offset < -11:
        offset += 24
    # POSIX sign: Etc/GMT-8 is UTC+8.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


class Bot:
    """``salescoach run`` in a subprocess, logging to a file."""

    def __init__(self, standin: StandIn, database_url: str, workdir: Path) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "DATABASE_URL": database_url,
            "SALESCOACH_LOG_LEVEL": "INFO",
        }
        self.workdir = workdir
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.runs += 1
        log = (self.workdir / f"bot-{self.runs}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "--config",
            str(self.workdir / "absent.toml"),
            "run",
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        log.close()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), PATIENCE)

    def log(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.workdir.glob("bot-*.log"))
        )


def delivered_ids(standin: StandIn, after_seq: int = 0) -> Counter[int]:
    """How often each update was handed to the bot by getUpdates."""
    counts: Counter[int] = Counter()
    for call in standin.calls_since(after_seq):
        if call.method == "getUpdates" and call.ok:
            counts.update(int(u["update_id"]) for u in call.result)
    return counts


@pytest.fixture
async def live() -> Any:
    async with StandIn(token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=True) as server:
        yield server


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
async def test_sigkill_mid_traffic_loses_nothing_confirmed_and_repeats_nothing(
    live: StandIn, database_url: str, tmp_path: Path, workload: Workload
):
    bot = Bot(live, database_url, tmp_path)
    users = [
        live.add_user(first_name=f"Rep{i}", username=f"rep{i}", language_code="en")
        for i in range(USERS)
    ]
    database = Database(make_engine(database_url))
    try:
        await bot.start()
        await workload.prepare(live, users)
        mark = live.last_seq

        def answers() -> list[tuple[int, str]]:
            """(chat, text) of every message the bot sent since the traffic began."""
            return [
                (c.result["chat"]["id"], c.result.get("text", ""))
                for c in live.calls_since(mark)
                if c.ok and c.method == "sendMessage"
            ]

        def confirmations() -> list[int]:
            return [chat for chat, text in answers() if workload.confirms(text)]

        before, during = users[: USERS // 2], users[USERS // 2 :]
        acts = [workload.act(user) for user in before]
        await live.wait_until(lambda: len(confirmations()) >= KILL_AFTER, timeout=PATIENCE)
        await bot.kill()
        at_kill = set(confirmations())
        acts += [workload.act(user) for user in during]  # written while the bot is dead

        await bot.start()
        for update in acts:
            await live.wait_acknowledged(update["update_id"], timeout=PATIENCE)
        assert await bot.terminate() == 0, bot.log()

        confirmed = Counter(confirmations())
        answered = Counter(chat for chat, _ in answers())
        for user in users:
            assert workload.stored(database, user) == 1, f"{user.id}: not stored exactly once"
            assert confirmed[user.id] <= 1, f"{user.id}: confirmed twice"
            assert answered[user.id] <= 1, [t for c, t in answers() if c == user.id]  # twice
        redelivered = [i for i, n in delivered_ids(live, mark).items() if n > 1]
        assert redelivered, "the kill came mid-batch: some updates were delivered again"
        # Stored before the kill but not yet confirmed: dropped when delivered again, so that
        # user gets no answer (the check-in is stored; nothing was confirmed and lost).
        unanswered = [u.id for u in users if answered[u.id] == 0]
        assert len(unanswered) <= bot.log().count("was handled before"), bot.log()
        print(
            f"\n{workload.name}: {len(acts)} acts, {len(at_kill)} confirmed before the kill, "
            f"{len(redelivered)} delivered again, {len(unanswered)} stored but unanswered"
        )
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        database.dispose()
