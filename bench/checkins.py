"""Check-in throughput: updates per second end to end through the stand-in, Sales Coach against a
bare python-telegram-bot echo bot, measured in the same run.

    .venv/bin/python -m bench.checkins          # plan and lang workloads, SQLite (and PostgreSQL
                                                # when TEST_POSTGRES_URL or --postgres is given)
    .venv/bin/python -m bench.checkins --workloads plan --users 200 --rounds 5 \
        --databases sqlite --caps 1000
    make bench                                  # every benchmark, PostgreSQL included

Two processes share the machine's two cores: this one runs the Bot API stand-in and the
simulated users, the bot runs in a subprocess of its own. Sales Coach runs exactly as in
production: ``python -m bot.cli run`` (``bot.intake``'s long polling, which confirms a batch only
after it was handled, and the update log) on a fresh migrated database, with a config file that
only sets ``delivery.messages_per_second`` (``--caps``: PTB's ``AIORateLimiter`` counts every Bot
API call against it, so the default 30 caps the interactive throughput too; 1000 shows what the
process itself can do). The echo bot is PTB's plain example: an ``Application`` with default
settings, ``run_polling`` and one ``MessageHandler`` that echoes the text.

Every user is a closed loop: they send an update, wait for the bot's answer, then send the next.
A ``Workload`` gives each user's update sequence for a round (``steps(user, round)``), and a
``Step`` says which bot message (new or edited) completes it; the echo bot gets as many plain
texts per round instead, so both bots handle the same number of updates from the same users.
``--warmup`` rounds run first and are not measured. ``BENCH_DB_THREADS=N`` in the environment
sets Sales Coach's ``database.threads`` (default 2), to compare pool sizes. Per workload, a
Markdown table: updates, seconds, updates/s, step latency (p50/p95), the CPU the bot process
and this process used during the measured part, and the ratio of the rates. The echo bot is
measured ``--echo-runs`` times (its runs are short and vary); the median run is shown and used
for the ratio. ``--pairs N`` repeats echo-then-Sales-Coach N times and reports the median of the
N ratios (this shared VM's speed drifts between minutes, so a ratio is only fair against an echo
run measured right before it).

Workloads: ``plan`` (a morning check-in in one message, ``/plan tasks figures``; users join one
team first), ``lang`` (``/lang`` and a language button: a write and four Bot API calls). To
measure the evening review, write ``review_round(user, round) -> list[Step]`` (and a
``prepare`` that gets each user a plan for the day) and add
``"review": Workload("review", "evening review", review_round, prepare=...)`` to ``WORKLOADS``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench._common import fresh_database, machine, table
from bot.standin import FakeUser, MessageEdited, SentMessage, StandIn
from bot.standin.records import StandInEvent

TOKEN = "424242:BENCH-token-never-logged"
BOT_USERNAME = "SalesCoachBot"
REPO = Path(__file__).resolve().parents[1]
STEP_TIMEOUT = 60.0
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


# ------------------------------------------------------------------------------ workloads


def _any_message(message: SentMessage) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One update a user sends, and what completes it: a new bot message in the user's chat
    that ``sent`` accepts, or an edited one (its new state) that ``edited`` accepts."""

    send: Callable[[FakeUser], dict[str, Any]]
    sent: Callable[[SentMessage], bool] | None = _any_message
    edited: Callable[[SentMessage], bool] | None = None


@dataclass(frozen=True)
class Workload:
    """Each user's update sequence per round; ``prepare`` runs once before (not measured)."""

    name: str
    description: str
    steps: Callable[[FakeUser, int], Sequence[Step]]
    prepare: Callable[[Driver, Sequence[FakeUser]], Awaitable[None]] | None = None


def _has_buttons(message: SentMessage) -> bool:
    return bool(message.buttons)


def lang_round(user: FakeUser, number: int) -> list[Step]:
    """``/lang``, then a press on the other language: two updates, one write each."""
    choice = "English" if number % 2 else "中文"
    return [
        Step(lambda u: u.send("/lang"), sent=_has_buttons),
        # The bot takes the buttons away (an edit), then confirms in a new message.
        Step(lambda u: u.press(u.last_message, choice)),  # type: ignore[arg-type]
    ]


def plan_round(user: FakeUser, number: int) -> list[Step]:
    """A morning check-in in one message (``/plan tasks figures``): one update, one write."""
    text = f"/plan\n1. Call Acme\n2. Quote for Globex\nvisits {number % 7 + 1} calls 12"
    return [Step(lambda u: u.send(text), sent=lambda m: "Plan" in (m.text or ""))]


async def join_one_team(driver: Driver, users: Sequence[FakeUser]) -> None:
    """A manager creates a team (where it is midday now) and every user joins it."""
    manager = driver.standin.add_user(first_name="Wang", username="wang", language_code="en")
    created = await driver.do(manager, Step(lambda u: u.send(f"/newteam Bench | {_noon_zone()}")))
    match = LINK.search(created.text or "")
    if match is None:
        raise SystemExit(f"no invite link in the answer to /newteam: {created.text!r}")
    join = Step(lambda u: u.send(f"/start {match.group(1)}"))
    await asyncio.gather(*(driver.do(user, join) for user in users))


def _says(fragment: str) -> Callable[[SentMessage], bool]:
    return lambda message: fragment in (message.text or "")


def review_round(user: FakeUser, number: int) -> list[Step]:
    """One whole evening review, as a rep does it: 8 updates, the day record written once.

    ``/review``, a tick on the first task (an edit), Next (an edit), the figures, a win, a
    lesson, the objection met and tomorrow's first priority. Each round reviews the same day
    again (an edit before the deadline), so every round is a full review.
    """
    return [
        Step(lambda u: u.send("/review"), sent=_has_buttons),
        Step(lambda u: u.press(u.last_message, (0, 0)), sent=None, edited=_has_buttons),  # type: ignore[arg-type]
        # Next turns the task list into the figures question (an edit, no new message).
        Step(
            lambda u: u.press(u.last_message, "Next ▶"),  # type: ignore[arg-type]
            sent=None,
            edited=_says("actual figures"),
        ),
        Step(lambda u: u.send(f"calls {20 + number % 9} visits 2"), sent=_says("One win")),
        Step(lambda u: u.send("Globex signed the pilot"), sent=_says("One problem")),
        Step(lambda u: u.send("Quotes take too long"), sent=_says("objection")),
        Step(lambda u: u.send("Your price is higher than X"), sent=_says("first priority")),
        Step(lambda u: u.send("Call Acme back"), sent=_says("Review")),
    ]


async def join_and_plan(driver: Driver, users: Sequence[FakeUser]) -> None:
    """Everyone joins one team and plans the day (two tasks), so the review has a plan."""
    await join_one_team(driver, users)
    await asyncio.gather(*(driver.do(user, plan_round(user, 0)[0]) for user in users))


WORKLOADS = {
    "lang": Workload("lang", "/lang + language button", lang_round),
    "plan": Workload("plan", "/plan in one message", plan_round, prepare=join_one_team),
    "review": Workload("review", "evening review (8 updates)", review_round, prepare=join_and_plan),
}


def echo_steps(workload: Workload) -> Callable[[FakeUser, int], list[Step]]:
    """As many plain texts per round as the workload has updates, for the echo bot."""

    def steps(user: FakeUser, number: int) -> list[Step]:
        count = len(workload.steps(user, number))
        return [Step(lambda u, i=i: u.send(f"echo {number}.{i}")) for i in range(count)]

    return steps


def _noon_zone() -> str:
    """A fixed-offset zone where it is about midday now, so the day is open for check-ins."""
    offset = 12 - datetime.now(UTC).hour
    if offset > 12:
        offset -= 24
    if offset < -11:
        offset += 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX sign: GMT-8 is UTC+8


# -------------------------------------------------------------------------------- driving


class Driver:
    """Plays the users: one step at a time per user, completed by the bot's answer."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        self._waiting: dict[int, tuple[Step, asyncio.Future[SentMessage]]] = {}
        standin.subscribe(self._on_event)

    def _on_event(self, event: StandInEvent) -> None:
        if isinstance(event, SentMessage):
            message, edited = event, False
        elif isinstance(event, MessageEdited):
            message, edited = event.message, True
        else:
            return
        waiting = self._waiting.get(message.chat_id)
        if waiting is None or waiting[1].done():
            return
        step = waiting[0]
        accept = step.edited if edited else step.sent
        if accept is not None and accept(message):
            waiting[1].set_result(message)

    async def do(self, user: FakeUser, step: Step) -> SentMessage:
        future: asyncio.Future[SentMessage] = asyncio.get_running_loop().create_future()
        self._waiting[user.id] = (step, future)
        try:
            step.send(user)
            return await asyncio.wait_for(future, STEP_TIMEOUT)
        finally:
            del self._waiting[user.id]

    async def rounds(
        self,
        user: FakeUser,
        steps: Callable[[FakeUser, int], Sequence[Step]],
        numbers: range,
    ) -> list[float]:
        """Run the user's rounds; return each step's latency in seconds."""
        latencies = []
        for number in numbers:
            for step in steps(user, number):
                started = time.perf_counter()
                await self.do(user, step)
                latencies.append(time.perf_counter() - started)
        return latencies


# ------------------------------------------------------------------------------ the bots


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``); 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_bot(
    kind: str, standin: StandIn, database_url: str, workdir: Path, cap: float | None = None
) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "DATABASE_URL": database_url,
        "SALESCOACH_LOG_LEVEL": "WARNING",
    }
    if kind == "echo":
        command = ["-m", "bench.checkins", "echo-bot", "--base-url", standin.base_url]
    else:
        config = workdir / "bench-config.toml"
        text = "" if cap is None else f"[delivery]\nmessages_per_second = {cap}\n"
        if os.environ.get("BENCH_DB_THREADS"):  # database.threads, for comparing pool sizes
            text += f"[database]\nthreads = {int(os.environ['BENCH_DB_THREADS'])}\n"
        config.write_text(text)
        command = ["-m", "bot.cli", "--config", str(config), "run"]
        if os.environ.get("BENCH_PROFILE"):  # cProfile of the bot's main thread, for digging
            command = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"], *command]
    return await asyncio.create_subprocess_exec(sys.executable, *command, cwd=REPO, env=env)


def echo_bot(base_url: str) -> None:
    """PTB's echo bot, default settings (the baseline)."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update: Update, _context: object) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await message.reply_text(message.text)

    application = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE], timeout=timedelta(seconds=10))


# ---------------------------------------------------------------------------- measuring


@dataclass
class Result:
    label: str
    database: str
    updates: int
    seconds: float
    latencies: list[float] = field(repr=False)
    bot_cpu: float
    driver_cpu: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def row(self) -> list[object]:
        ordered = sorted(self.latencies)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return [
            self.label,
            self.database,
            self.updates,
            f"{self.seconds:.1f}",
            f"**{self.rate:.0f}**",
            f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f}",
            f"{self.bot_cpu / self.seconds:.0%}",
            f"{self.driver_cpu / self.seconds:.0%}",
        ]


async def measure(
    kind: str,
    workload: Workload,
    database: str,
    database_url: str,
    users: int,
    rounds: int,
    warmup: int,
    cap: float | None = None,
) -> Result:
    with TemporaryDirectory(prefix="salescoach-bench-") as workdir:
        return await _measure(
            kind, workload, database, database_url, users, rounds, warmup, cap, Path(workdir)
        )


async def _measure(
    kind: str,
    workload: Workload,
    database: str,
    database_url: str,
    users: int,
    rounds: int,
    warmup: int,
    cap: float | None,
    workdir: Path,
) -> Result:
    async with StandIn(token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=True) as standin:
        people = [
            standin.add_user(first_name=f"Rep{i}", username=f"rep{i}", language_code="en")
            for i in range(users)
        ]
        driver = Driver(standin)
        process = await start_bot(kind, standin, database_url, workdir, cap)
        try:
            await standin.wait_for(lambda c: c.method == "getUpdates", timeout=60)
            steps = workload.steps if kind == "coach" else echo_steps(workload)
            if kind == "coach" and workload.prepare is not None:
                await workload.prepare(driver, people)
            await asyncio.gather(*(driver.rounds(u, steps, range(warmup)) for u in people))

            measured = range(warmup, warmup + rounds)
            bot_cpu, own_cpu = _cpu_seconds(process.pid), time.process_time()
            started = time.perf_counter()
            latencies = await asyncio.gather(*(driver.rounds(u, steps, measured) for u in people))
            seconds = time.perf_counter() - started
            bot_cpu, own_cpu = _cpu_seconds(process.pid) - bot_cpu, time.process_time() - own_cpu
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
                    await process.wait()
    flat = [latency for per_user in latencies for latency in per_user]
    if kind == "echo":
        label = "python-telegram-bot echo bot"
    else:
        limit = "30 (default)" if cap is None else f"{cap:g}"
        label = f"Sales Coach: {workload.name}, limiter {limit} calls/s"
    return Result(label, database, len(flat), seconds, flat, bot_cpu, own_cpu)


HEADERS = [
    "bot",
    "database",
    "updates",
    "seconds",
    "updates/s",
    "latency p50 / p95 ms",
    "bot CPU",
    "stand-in + users CPU",
]


async def run(args: argparse.Namespace) -> str:
    postgres = args.postgres or os.environ.get("TEST_POSTGRES_URL")
    databases = [d for d in args.databases.split(",") if d != "postgresql" or postgres]
    caps = [None if c in ("default", "30") else float(c) for c in args.caps.split(",")]
    sections = [machine(postgres if "postgresql" in databases else None)]
    for name in args.workloads.split(","):
        workload = WORKLOADS[name]
        rows: list[list[object]] = []
        ratios: list[list[object]] = []
        for database in databases:
            by_cap: dict[str, list[float]] = {}
            for _ in range(args.pairs):  # the VM's speed drifts: each coach run has its echo
                echoes = []
                for _ in range(args.echo_runs):  # short runs vary: the median of a few
                    with fresh_database("sqlite", None) as echo_url:
                        echoes.append(
                            await measure(
                                "echo",
                                workload,
                                "—",
                                echo_url,
                                args.users,
                                args.rounds,
                                args.warmup,
                            )
                        )
                echo = sorted(echoes, key=lambda r: r.rate)[len(echoes) // 2]
                rows.append(echo.row())
                print(f"{name}, {database}: echo {echo.rate:.0f}/s", file=sys.stderr)
                for cap in caps:
                    with fresh_database(database, postgres) as url:
                        coach = await measure(
                            "coach",
                            workload,
                            database,
                            url,
                            args.users,
                            args.rounds,
                            args.warmup,
                            cap,
                        )
                    rows.append(coach.row())
                    by_cap.setdefault(coach.label, []).append(coach.rate / echo.rate)
                    print(
                        f"{name}, {database}: {coach.label}: {coach.rate:.0f}/s "
                        f"(ratio {coach.rate / echo.rate:.2f})",
                        file=sys.stderr,
                    )
            for label, values in by_cap.items():
                ratio = f"**{statistics.median(values):.2f}**"
                if len(values) > 1:
                    each = ", ".join(f"{v:.2f}" for v in values)
                    ratio += f" (median of {len(values)} pairs: {each})"
                ratios.append([f"ratio: {label}, {database}", "", "", "", ratio, "", "", ""])
        sections += [
            f"#### {workload.description}: {args.users} users × {args.rounds} rounds "
            f"(+{args.warmup} warm-up)",
            table(HEADERS, rows + ratios),
        ]
    return "\n\n".join(sections)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkins", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    echo = commands.add_parser("echo-bot", help="(internal) run the baseline echo bot")
    echo.add_argument("--base-url", required=True)
    parser.add_argument(
        "--workloads",
        default="plan,lang",
        help=f"comma-separated, from: {', '.join(sorted(WORKLOADS))} (default plan,lang)",
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--echo-runs", type=int, default=3, help="echo runs; the median counts")
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="measure the echo bot then Sales Coach this many times in turn; the ratio shown "
        "is the median of the pairs' ratios (default 1)",
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL database to wipe and use")
    parser.add_argument(
        "--caps",
        default="30,1000",
        help="comma-separated delivery.messages_per_second values for Sales Coach's rate "
        "limiter, one run each (30 is the default configuration); default 30,1000",
    )
    args = parser.parse_args(argv)
    if args.command == "echo-bot":
        echo_bot(args.base_url)
        return 0
    import logging

    logging.basicConfig(level=logging.WARNING)
    print(asyncio.run(run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
