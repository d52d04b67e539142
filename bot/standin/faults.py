"""Fault injection: make chosen Bot API calls fail (without any effect) for tests/benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from bot.standin.errors import ApiError, api_error

SENDING_METHODS = (
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument",
    "sendPoll", "answerCallbackQuery", "sendChatAction", "deleteMessage",
)  # fmt: skip


@dataclass
class _Rule:
    method: str
    error_code: int
    description: str | None
    retry_after: int | None
    remaining: int


class Faults:
    """Scheduled failures (``fail_next``) and random flood-control errors (``random_429``)."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._random = random.Random(0)
        self._rate = 0.0
        self._random_retry_after = 1
        self._random_methods: frozenset[str] = frozenset()
        self.injected: list[tuple[str, int]] = []

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any method) fail."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._rules.append(_Rule(method.lower(), error_code, description, retry_after, count))

    def random_429(
        self,
        rate: float = 0.05,
        retry_after: int = 1,
        seed: int | None = None,
        methods: Iterable[str] = SENDING_METHODS,
    ) -> None:
        """Fail a random fraction ``rate`` of calls to ``methods`` with 429 (rate 0 disables)."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self._rate = rate
        self._random = random.Random(seed)
        self._random_retry_after = retry_after
        self._random_methods = frozenset(m.lower() for m in methods)

    def clear(self) -> None:
        """Remove every scheduled and random fault."""
        self._rules.clear()
        self._rate = 0.0
        self._random_methods = frozenset()

    def take(self, method: str) -> ApiError | None:
        """Return (and consume) the error to inject for this call, if any."""
        name = method.lower()
        for rule in self._rules:
            if rule.method in (name, "*"):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                self.injected.append((method, rule.error_code))
                return api_error(rule.error_code, rule.description, rule.retry_after)
        if name in self._random_methods and self._random.random() < self._rate:
            self.injected.append((method, 429))
            return api_error(429, retry_after=self._random_retry_after)
        return None
