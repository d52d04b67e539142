"""Fan-out: 10,000 reps in 200 teams due at the same minute, drained through the stand-in.

    .venv/bin/python -m bench.fanout                      # everything, SQLite (and PostgreSQL
                                                          # when TEST_POSTGRES_URL or --postgres)
    .venv/bin/python -m bench.fanout --reps 2000 --runs cap30,kill --databases sqlite
    make bench                                            # all of bench/, PostgreSQL included

Three processes share the machine: this driver (setup and counting), the Bot API stand-in
(``bench._standin``) and the bot's sender (``bench._sender``: ``build_application`` and an
``OutboxSender`` on the real clock), so the stand-in and the bot each get a core.

The push is made the way production makes it: teams, people and memberships are stored, then
one scheduler tick (``bot.scheduler.tick``, i.e. ``coach.tick.decide`` + ``compose``) at a
working Monday's plan time queues the morning plan for every rep in the outbox
(``--source direct`` inserts the rows through ``outbox.add`` instead).

Runs (``--runs``):

- ``cap30``: the default cap, 30 msg/s, no faults: the sustained rate as a fraction of the cap;
- ``cap1000``: paid broadcast at 1000 msg/s, no faults: the rate this machine reaches;
- ``bare1000``: the same ``sendMessage`` requests from a loop that records nothing: the
  ceiling the sender is measured against; ``-httpx`` variants use PTB's default transport
  instead of the Application's ``WireRequest``, ``-aiohttp`` variants ``AiohttpRequest``
  (which the bot used before ``WireRequest``: no send gate, the mark comes first);
- ``faults``: 30 msg/s with 5% of sendMessage calls answered 429 (retry_after 1 s); every 429
  pauses the whole sender for 1 s, as Telegram asks, so the rate falls well below the cap:
  this run counts losses and duplicates;
- ``kill``: 1000 msg/s, the sender process SIGKILLed once half the push is out, then started
  again: what was marked ``sending`` at the kill and, by the send journal, never written is
  pending again and sent once; the rest becomes ``unknown`` and is not resent. Duplicates
  should be 0; losses are marked messages passed in the journal that had not reached the
  stand-in (the kill fell between the journal's store and the write call).

``BENCH_SENDER_WRAP`` (e.g. ``".venv/bin/py-spy record -o prof.txt -f raw --"``) prefixes the
sender's command line, to profile the bot's side of a run.

Counting: the stand-in records every message it accepted (chat, time). Duplicates are extra
messages to a chat, losses are reps with none; the outbox's final states are read back too.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._common import fresh_database, machine, table
from bot.scheduler import tick
from coach.models import Lang, Membership, NewTeam, Person, Role
from coach.outbox import Button, Delivery, OutgoingMessage
from storage.db import make_engine
from storage.uow import Database


@dataclass(frozen=True)
class Run:
    name: str
    rate: float
    paid: bool
    in_flight: int
    fault_rate: float = 0.0
    kill: bool = False
    transport: str = "app"  # as build_application builds it, "httpx" (PTB's default), "aiohttp"
    bare: bool = False
    journal: bool = True  # the send journal, as in production ("off": as before it)


RUNS = {
    "cap30": Run("cap30", 30, paid=False, in_flight=8),
    "bare1000": Run("bare1000", 1000, paid=True, in_flight=32, bare=True),
    "cap1000": Run("cap1000", 1000, paid=True, in_flight=128),
    "cap1000-nojournal": Run("cap1000-nojournal", 1000, paid=True, in_flight=128, journal=False),
    "bare1000-httpx": Run(
        "bare1000-httpx", 1000, paid=True, in_flight=8, transport="httpx", bare=True
    ),
    "cap1000-httpx": Run("cap1000-httpx", 1000, paid=True, in_flight=8, transport="httpx"),
    "bare1000-aiohttp": Run(
        "bare1000-aiohttp", 1000, paid=True, in_flight=32, transport="aiohttp", bare=True
    ),
    "cap1000-aiohttp": Run("cap1000-aiohttp", 1000, paid=True, in_flight=32, transport="aiohttp"),
    "kill-aiohttp": Run(
        "kill-aiohttp", 1000, paid=True, in_flight=32, kill=True, transport="aiohttp"
    ),
    "faults": Run("faults", 30, paid=False, in_flight=8, fault_rate=0.05),
    "kill": Run("kill", 1000, paid=True, in_flight=128, kill=True),
}

STALL_SECONDS = 120


# ---------------------------------------------------------------------- processes
def on_cpu(cpu: int | None) -> Callable[[], None] | None:
    """What a child process runs first to stay on ``cpu`` (``None``: wherever the OS puts it)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class StandInProcess:
    def __init__(self, cpu: int | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._standin"],
            preexec_fn=on_cpu(cpu),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ports = json.loads(self.process.stdout.readline())
        self.api: str = ports["api"]
        self.control: str = ports["control"]

    def call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.control + path, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_sender(url: str, api: str, run: Run, cpu: int | None) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "bench._sender", "--database", url, "--api", api,
        "--rate", str(run.rate), "--in-flight", str(run.in_flight), "--transport", run.transport,
    ]  # fmt: skip
    if run.paid:
        command.append("--paid")
    if run.bare:
        command.append("--bare")
    if not run.journal:
        command.append("--no-journal")
    wrap = os.environ.get("BENCH_SENDER_WRAP")
    if wrap:
        command = [*wrap.split(), *command]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=on_cpu(cpu))


# ---------------------------------------------------------------------- the push
def push_instant(now: datetime, weeks_back: int) -> datetime:
    """Monday 08:30 in Shanghai (00:30 UTC), ``weeks_back`` weeks before the last one."""
    monday = now.date() - timedelta(days=now.weekday() or 7)
    day = monday - timedelta(weeks=weeks_back)
    return datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)


def populate(url: str, user_ids: list[int], teams: int, source: str) -> tuple[int, float]:
    """Store the teams and reps, then queue one message per rep; return (stored, seconds)."""
    database = Database(make_engine(url))
    now = datetime.now(UTC)
    joined = now - timedelta(days=90)
    per_team = math.ceil(len(user_ids) / teams)
    with database.unit_of_work() as uow:
        for user_id in user_ids:
            uow.people.save(Person(user_id, f"销售{user_id}", None, Lang.ZH), joined)
        uow.commit()
    with database.unit_of_work() as uow:
        for t in range(teams):
            team = uow.teams.add(NewTeam(f"华东{t + 1}组", None, "Asia/Shanghai", Lang.ZH), joined)
            for user_id in user_ids[t * per_team : (t + 1) * per_team]:
                uow.members.add(Membership(user_id, team.id, Role.REP, joined))
        uow.commit()
    started = time.monotonic()
    stored = 0
    try:
        if source == "direct":
            at = now - timedelta(minutes=1)
            with database.unit_of_work() as uow:
                stored = uow.outbox.add(direct_messages(user_ids, at), at)
                uow.commit()
        else:
            for weeks_back in range(8):  # a public holiday has no plan: take an earlier week
                with database.unit_of_work() as uow:
                    report = tick(uow, push_instant(now, weeks_back), timedelta(minutes=60))
                    if report.stored >= len(user_ids):
                        uow.commit()
                        stored = report.stored
                        break
    finally:
        database.dispose()
    return stored, time.monotonic() - started


def direct_messages(user_ids: list[int], at: datetime) -> list[OutgoingMessage]:
    day = at.date()
    button = ((Button("📝 写计划", "plan:start"),),)
    return [
        OutgoingMessage(
            key=f"plan:{user_id}:{day}",
            chat_id=user_id,
            text=f"<b>早上好！</b> 今天的 3+2 计划？（{i}）",
            kind="plan",
            not_before=at,
            buttons=button,
            user_id=user_id,
            day=day,
        )
        for i, user_id in enumerate(user_ids)
    ]


def outbox_counts(url: str) -> dict[Delivery, int]:
    database = Database(make_engine(url))
    try:
        with database.unit_of_work() as uow:
            return uow.outbox.counts()
    finally:
        database.dispose()


# ---------------------------------------------------------------------- one run
@dataclass
class Result:
    backend: str
    run: Run
    reps: int
    stored: int
    tick_seconds: float
    received: list[tuple[int, float]]
    refused: dict[str, int]
    states: dict[Delivery, int]
    sender: dict[str, Any]
    unrecorded_at_kill: int | None = None
    sending_at_kill: int | None = None

    @property
    def rate(self) -> float:
        times = sorted(t for _, t in self.received)
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    @property
    def middle_rate(self) -> float:
        """From the 10% to the 90% message: the steady state, without start and finish."""
        times = sorted(t for _, t in self.received)
        lo, hi = len(times) // 10, len(times) * 9 // 10
        if hi - lo < 2:
            return self.rate
        return (hi - lo) / (times[hi] - times[lo])

    @property
    def duration(self) -> float:
        times = sorted(t for _, t in self.received)
        return times[-1] - times[0] if times else 0.0

    def duplicates_and_losses(self, user_ids: list[int]) -> tuple[int, int]:
        per_chat = Counter(chat for chat, _ in self.received)
        duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
        lost = sum(1 for user_id in user_ids if per_chat[user_id] == 0)
        return duplicates, lost


def run_once(
    backend: str, url: str, run: Run, reps: int, teams: int, source: str, pin: bool
) -> Result:
    sender_cpu, standin_cpu = (0, 1) if pin else (None, None)
    standin = StandInProcess(standin_cpu)
    try:
        user_ids: list[int] = standin.call("POST", f"/users?count={reps}")["ids"]
        stored, tick_seconds = populate(url, user_ids, teams, source)
        if stored != reps:
            raise SystemExit(f"the push queued {stored} messages, expected {reps}")
        if run.fault_rate:
            standin.call("POST", f"/faults?rate={run.fault_rate}&retry_after=1&seed=42")
        sender = start_sender(url, standin.api, run, sender_cpu)
        unrecorded = sending = None
        progress, last_change = -1, time.monotonic()
        while sender.poll() is None:
            time.sleep(0.2)
            delivered = standin.call("GET", "/summary")["delivered"]
            if delivered != progress:
                progress, last_change = delivered, time.monotonic()
            elif time.monotonic() - last_change > STALL_SECONDS:
                sender.kill()
                raise SystemExit(f"{run.name}: no progress for {STALL_SECONDS}s")
            if run.kill and unrecorded is None and delivered >= reps // 2:
                os.kill(sender.pid, signal.SIGKILL)
                sender.wait()
                time.sleep(1.0)  # let the stand-in finish requests already on the wire
                accepted = standin.call("GET", "/summary")["delivered"]
                recorded = outbox_counts(url).get(Delivery.SENT, 0)
                unrecorded = accepted - recorded  # accepted by Telegram, not recorded sent
                sending = outbox_counts(url).get(Delivery.SENDING, 0)  # marked, on their way
                sender = start_sender(url, standin.api, run, sender_cpu)
        assert sender.stdout is not None
        stats = json.loads(sender.stdout.read() or "{}")
        if sender.returncode != 0:
            raise SystemExit(f"{run.name}: the sender exited with {sender.returncode}")
        summary = standin.call("GET", "/summary")
        received = [tuple(r) for r in standin.call("GET", "/received")["received"]]
        return Result(
            backend, run, reps, stored, tick_seconds, received,  # type: ignore[arg-type]
            summary["refused"], outbox_counts(url), stats, unrecorded, sending,
        )  # fmt: skip
    finally:
        standin.close()


def describe(result: Result, user_ids_count: int, per_second: bool = False) -> list[object]:
    run = result.run
    per_chat = Counter(chat for chat, _ in result.received)
    duplicates = sum(c - 1 for c in per_chat.values() if c > 1)
    lost = user_ids_count - len(per_chat)
    states = ", ".join(f"{s.value} {n}" for s, n in sorted(result.states.items()))
    refused = sum(result.refused.values())
    notes = []
    if run.kill:
        requeued = result.sender.get("requeued", 0)
        notes.append(
            f"killed at {result.reps // 2}: {result.sending_at_kill} 'sending', of which "
            f"Telegram had accepted {result.unrecorded_at_kill}; at the restart {requeued} "
            "never written (journal) went again, the rest 'unknown'"
        )
        rate = "—"
        fraction = "—"
        middle = "—"
    else:
        rate = f"{result.rate:.1f}"
        fraction = f"{result.rate / run.rate:.3f}"
        middle = f"{result.middle_rate:.1f} ({result.middle_rate / run.rate:.3f})"
    if per_second:
        times = sorted(t for _, t in result.received)
        per = Counter(int(t - times[0]) for t in times)
        notes.append("per second: " + " ".join(str(per[k]) for k in sorted(per)))
    if run.bare:
        notes.append("bare sendMessage loop, no outbox (the ceiling)")
        states = "(not recorded)"
    elif "marks" in result.sender:
        stats = result.sender
        notes.append(f"transactions: {stats['claims']} claims, {stats['marks']} marks, "
                     f"{stats['writes']} writes")  # fmt: skip
    if refused:
        paused = result.sender.get("paused_seconds", 0.0)
        notes.append(f"sender paused {paused:.0f}s in all for 429s")
    return [
        result.backend, run.name, result.reps, f"{run.rate:g}" + (" paid" if run.paid else ""),
        run.in_flight, f"{result.duration:.1f}", rate, fraction, middle, refused, duplicates,
        lost, states, "; ".join(notes),
    ]  # fmt: skip


HEADERS = [
    "database", "run", "reps", "cap msg/s", "in flight", "seconds", "msg/s", "of cap",
    "10–90% msg/s (of cap)", "429s", "duplicates", "lost", "outbox states", "notes",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--runs", default="cap30,bare1000,cap1000,faults,kill")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--source", choices=("tick", "direct"), default="tick")
    parser.add_argument(
        "--per-second", action="store_true", help="note the messages received in each second"
    )
    parser.add_argument("--repeat", type=int, default=1, help="measure each run this many times")
    parser.add_argument(
        "--in-flight", type=int, help="max_in_flight for every run (default: each run's own)"
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=len(os.sched_getaffinity(0)) >= 2,
        help="sender on CPU 0, stand-in on CPU 1 (default with two CPUs or more)",
    )
    args = parser.parse_args(argv)
    runs = [RUNS[name] for name in args.runs.split(",")]
    if args.in_flight:
        runs = [dataclasses.replace(run, in_flight=args.in_flight) for run in runs]
    backends = [b for b in args.databases.split(",") if b != "postgresql" or args.postgres]
    if "postgresql" in args.databases and not args.postgres:
        print("fanout: no PostgreSQL URL (--postgres or TEST_POSTGRES_URL): SQLite only",
              file=sys.stderr)  # fmt: skip

    rows = []
    tick_seconds = []
    for backend in backends:
        for run in [run for run in runs for _ in range(args.repeat)]:
            with fresh_database(backend, args.postgres) as url:
                print(f"fanout: {backend} {run.name} ({args.reps} reps)…", file=sys.stderr)
                result = run_once(backend, url, run, args.reps, args.teams, args.source, args.pin)
            tick_seconds.append(f"{backend} {result.tick_seconds:.1f}s")
            rows.append(describe(result, args.reps, args.per_second))
            print(table(HEADERS, rows[-1:]), file=sys.stderr)

    print(f"### Fan-out: {args.reps} reps in {args.teams} teams, one message each\n")
    print(machine(args.postgres if "postgresql" in backends else None) + "\n")
    print(table(HEADERS, rows))
    queued = "one scheduler tick" if args.source == "tick" else "outbox.add"
    print(f"\nQueued by {queued} ({', '.join(tick_seconds)}); "
          f"stand-in and sender in separate processes"
          + (", the sender on CPU 0 and the stand-in on CPU 1." if args.pin else "."))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
