"""The quiz battle job: starts the week's battles, sends their questions, posts their boards.

Every ``STEP_SECONDS`` a loop asks the database what is due (``coach.battles``): weekly
battles whose time has come are started and the due steps of running battles are taken, in one
transaction committed before anything is sent, so a crash may lose a question but never sends
one twice. Each question then goes to its group as a quiz poll open ``open_seconds`` and is
recorded in a second transaction, so its answers can be scored; a finished battle gets its
board. A send that fails is logged and the battle goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot, Message
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.handlers.quiz import send_quiz_poll
from bot.render import render
from bot.services import Services
from bot.settings import PracticeSettings
from coach import battles
from coach.battles import AskQuestion, BattleRules, PostBoard
from coach.ports import UnitOfWork
from coach.practice import Battle

log = logging.getLogger(__name__)

BATTLE_JOB = "battle-steps"
STEP_SECONDS = 2
"""How often battles are looked at: how late a question or a board may come."""
STOP_CHECK_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class BattleReport:
    """What one run did: battles started by the schedule, questions and boards sent, failures."""

    at: datetime
    started: int
    asked: int
    boards: int
    failed: int


@dataclass(frozen=True, slots=True)
class _Due:
    started: list[Battle]
    steps: list[AskQuestion | PostBoard]


def battle_rules(practice: PracticeSettings) -> BattleRules:
    """The battle rules the ``[practice]`` settings give."""
    return BattleRules(
        weekday=practice.battle_weekday,
        at=practice.battle_time,
        questions=practice.battle_questions,
        open_seconds=practice.battle_open_seconds,
    )


def _take_due(uow: UnitOfWork, now: datetime, rules: BattleRules, grace: timedelta) -> _Due:
    started = battles.schedule_weekly(uow, now, rules, grace)
    return _Due(started, battles.due_steps(uow, now))


async def run_battles(bot: Bot, services: Services, now: datetime | None = None) -> BattleReport:
    """One run at ``now`` (default: the services' clock): start, ask and post what is due."""
    at = now or services.clock.now()
    rules = battle_rules(services.settings.practice)
    grace = timedelta(minutes=services.settings.rhythm.grace_minutes)
    due = await services.run(_take_due, at, rules, grace)
    failed = asked = boards = 0
    for battle in due.started:
        text = render(battle.language, "battle/started", battle=battle, by=None)
        if await _send(bot.send_message(battle.chat_id, text), battle, "announcement") is None:
            failed += 1
    for step in due.steps:
        if isinstance(step, AskQuestion):
            ok = await _ask(bot, services, step, at)
            asked += ok
        else:
            ok = await _post(bot, step)
            boards += ok
        failed += not ok
    if due.started or due.steps:
        log.info(
            "battles at %s: %s started, %s questions and %s boards sent, %s failed",
            at.isoformat(timespec="seconds"),
            len(due.started),
            asked,
            boards,
            failed,
        )
    return BattleReport(at, len(due.started), asked, boards, failed)


async def _ask(bot: Bot, services: Services, step: AskQuestion, at: datetime) -> bool:
    battle = step.battle
    sending = send_quiz_poll(bot, battle.chat_id, step.question.question, battle.open_seconds)
    message = await _send(sending, battle, f"question {step.index + 1}")
    if message is None or message.poll is None:
        return False
    poll = battles.battle_poll(step, message.poll.id, message.message_id, at)
    await services.run(battles.record_poll, poll)
    return True


async def _post(bot: Bot, board: PostBoard) -> bool:
    text = render(board.battle.language, "battle/board", board=board)
    sent = await _send(bot.send_message(board.battle.chat_id, text), board.battle, "board")
    return sent is not None


async def _send(sending: Awaitable[Message], battle: Battle, what: str) -> Message | None:
    """Await a send; on failure log it (ids only, never text) and return ``None``."""
    try:
        return await sending
    except TelegramError as exc:
        log.warning(
            "battle %s of team %s: %s not sent to chat %s: %s",
            battle.id,
            battle.team_id,
            what,
            battle.chat_id,
            type(exc).__name__,
        )
        return None


async def _battle_loop(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the battles every ``STEP_SECONDS`` while the application runs.

    One loop rather than a repeating job: a run slowed by group rate limits never overlaps the
    next (two runs at once could take the same step twice).
    """
    application = context.application
    services: Services = application.bot_data.services  # type: ignore[attr-defined]
    while application.running:
        try:
            await run_battles(context.bot, services)
        except Exception as exc:  # a database outage: the next run tries again
            log.error("battle run failed: %s", type(exc).__name__, exc_info=exc)
        await _rest(application)


async def _rest(application: Application) -> None:  # type: ignore[type-arg]
    """Wait ``STEP_SECONDS``, or less once the application stops (its stop waits for us)."""
    for _ in range(round(STEP_SECONDS / STOP_CHECK_SECONDS)):
        if not application.running:
            return
        await asyncio.sleep(STOP_CHECK_SECONDS)


def schedule_battles(application: Application) -> None:  # type: ignore[type-arg]
    """Start the battle loop a second after the application starts (PTB's JobQueue)."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is needed for the scheduler")
    queue.run_once(
        _battle_loop,
        when=1,
        name=BATTLE_JOB,
        job_kwargs={"misfire_grace_time": None},  # however late the application starts
    )
