"""A sender process SIGKILLed between its ``SENDING`` mark and its writes, then started again:
with the send journal every message arrives exactly once.

The sender runs as a subprocess (``tests.bot.sender_process``) on the real clock against the
stand-in in this process; it kills itself right before one of its writes, the one moment the
journal exists for (a SIGKILL from outside lands there only by chance: see the fan-out bench).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.journal import boot_id
from bot.standin import StandIn
from coach.outbox import Delivery, OutgoingMessage
from storage.db import make_engine
from storage.uow import Database
from tests.bot.conftest import TOKEN

REPO = Path(__file__).resolve().parents[2]
REPS = 48
DIE_BEFORE = 20  # the 20th write: the second or a later group, some of it written
PATIENCE = 60.0

pytestmark = pytest.mark.skipif(boot_id() is None, reason="the journal needs Linux's boot id")


async def run_sender(database_url: str, api: str, journal_dir: Path, *extra: str) -> Any:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.bot.sender_process", database_url, api, str(journal_dir),
        *extra, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), PATIENCE)
    return process.returncode, out.decode(), err.decode()


def plan(chat_id: int, due: datetime) -> OutgoingMessage:
    return OutgoingMessage(
        key=f"plan:{chat_id}", chat_id=chat_id, text="<b>Plan</b> for today", kind="plan",
        not_before=due, user_id=chat_id,
    )  # fmt: skip


def delivered(standin: StandIn) -> Counter[int]:
    return Counter(
        int(call.params["chat_id"])
        for call in standin.calls_since(0)
        if call.method == "sendMessage" and call.ok
    )


async def test_a_sigkill_between_mark_and_write_loses_nothing_and_duplicates_nothing(
    database_url: str, tmp_path: Path
):
    async with StandIn(token=TOKEN, auto_deliver=False) as standin:
        users = [standin.add_user(first_name=f"Rep {i}") for i in range(REPS)]
        for user in users:
            user.send("/start")  # opens the private chat
        database = Database(make_engine(database_url))
        due = datetime.now(UTC) - timedelta(minutes=1)
        with database.unit_of_work() as uow:
            uow.outbox.add([plan(user.id, due) for user in users], due)
            uow.commit()
        journals = tmp_path / "journals"

        code, _, err = await run_sender(
            database_url, standin.base_url, journals, "--die-before", str(DIE_BEFORE)
        )
        assert code == -signal.SIGKILL, err
        # The requests written before the kill reach the stand-in all the same.
        await standin.wait_until(lambda: sum(delivered(standin).values()) >= DIE_BEFORE - 1)
        with database.unit_of_work() as uow:
            left = uow.outbox.counts()
        assert left.get(Delivery.SENDING, 0) >= 1, left  # the killed group, at least

        code, out, err = await run_sender(database_url, standin.base_url, journals)
        assert code == 0, err
        stats = json.loads(out)
        with database.unit_of_work() as uow:
            final = uow.outbox.counts()
        database.dispose()

    received = delivered(standin)
    assert sorted(received) == sorted(u.id for u in users)  # nobody missed
    assert set(received.values()) == {1}  # nobody got it twice
    assert stats["requeued"] >= 1  # the unwritten part of the killed group, sent now
    unknown = stats["interrupted"]  # written before the kill, answer not recorded: arrived
    expected = {Delivery.SENT: REPS - unknown, Delivery.UNKNOWN: unknown}
    assert final == {state: count for state, count in expected.items() if count}
