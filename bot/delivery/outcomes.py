"""What became of one send attempt, and what the outbox records for it.

Telegram's answers fall into five kinds:

- accepted: ``SENT`` with Telegram's message id;
- 429 flood control (``RetryAfter``): ``RATE_LIMITED``, due again after ``retry_after``; the
  whole sender pauses that long too. It never makes a message fail on its own;
- 403 (the user blocked the bot or was deactivated, the bot was kicked from the group):
  ``BLOCKED``, final, for this message and every pending one to that chat;
- 400 (chat not found, a group that became a supergroup, a malformed message): ``FAILED``,
  final, since sending the same request again gives the same answer;
- anything else (timeouts, network errors, 5xx, an unexpected exception): ``RETRY`` after an
  exponential backoff with jitter, until ``max_attempts`` is reached, then ``FAILED``.

Errors are recorded by class name (``RetryAfter``, ``Forbidden``, ``BadRequest``…), never by
Telegram's description or anything from the message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from coach.outbox import QueuedMessage

LONGEST_BACKOFF = timedelta(hours=1)


class Verdict(StrEnum):
    SENT = "sent"
    RATE_LIMITED = "rate_limited"
    RETRY = "retry"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's result, waiting to be recorded in the outbox."""

    queued: QueuedMessage
    verdict: Verdict
    at: datetime
    telegram_message_id: int | None = None
    retry_at: datetime | None = None
    error: str | None = None

    @property
    def id(self) -> int:
        return self.queued.id

    @property
    def chat_id(self) -> int:
        return self.queued.message.chat_id


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits ``first * 2**(n-1)``, times 0.5-1.0."""

    max_attempts: int
    first: timedelta
    longest: timedelta = LONGEST_BACKOFF

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt (1 for the first)."""
        base = min(self.first * 2 ** max(attempts - 1, 0), self.longest)
        return base * rng.uniform(0.5, 1.0)


def retry_after_of(error: RetryAfter) -> timedelta:
    """Telegram's ``retry_after`` as a duration (PTB gives seconds or a timedelta)."""
    value = error.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def judge(
    queued: QueuedMessage,
    error: BaseException,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Outcome:
    """The outcome of an attempt that raised ``error``."""
    name = type(error).__name__
    if isinstance(error, RetryAfter):
        return Outcome(
            queued, Verdict.RATE_LIMITED, now, retry_at=now + retry_after_of(error), error=name
        )
    if isinstance(error, Forbidden):
        return Outcome(queued, Verdict.BLOCKED, now, error=name)
    # BadRequest is a NetworkError subclass in PTB: it must be told apart before retries.
    if isinstance(error, BadRequest | ChatMigrated):
        return Outcome(queued, Verdict.FAILED, now, error=name)
    attempts = queued.attempts + 1
    if attempts >= policy.max_attempts:
        return Outcome(queued, Verdict.FAILED, now, error=name)
    retry_at = now + policy.delay(attempts, rng)
    return Outcome(queued, Verdict.RETRY, now, retry_at=retry_at, error=name)
