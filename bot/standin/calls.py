"""The log of every Bot API call the bot made, with race-free waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.standin.notify import Notifier
from bot.standin.records import ApiCall

CallPredicate = Callable[[ApiCall], bool]


class CallLog:
    """Append-only list of ApiCall with sequence numbers starting at 1."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier
        self.calls: list[ApiCall] = []

    @property
    def last_seq(self) -> int:
        """Return the seq of the latest call (0 if none)."""
        return self.calls[-1].seq if self.calls else 0

    def record(
        self,
        method: str,
        params: dict[str, Any],
        at: datetime,
        *,
        result: Any = None,
        error: tuple[int, str] | None = None,
    ) -> ApiCall:
        """Append one call and wake waiters."""
        call = ApiCall(
            seq=self.last_seq + 1,
            method=method,
            params=params,
            ok=error is None,
            result=result,
            error_code=error[0] if error else None,
            description=error[1] if error else None,
            at=at,
        )
        self.calls.append(call)
        self._notifier.notify()
        return call

    def since(self, seq: int) -> list[ApiCall]:
        """Return the calls with a sequence number greater than ``seq``."""
        return [call for call in self.calls if call.seq > seq]

    def first_match(self, predicate: CallPredicate, after_seq: int) -> ApiCall | None:
        """Return the first call after ``after_seq`` matching ``predicate``."""
        return next((call for call in self.since(after_seq) if predicate(call)), None)

    async def wait_for(self, predicate: CallPredicate, timeout: float, after_seq: int) -> ApiCall:  # noqa: ASYNC109 - public API takes a timeout
        """Wait for a matching call; raise TimeoutError listing recent calls."""
        try:
            return await self._notifier.wait_until(
                lambda: self.first_match(predicate, after_seq), timeout
            )
        except TimeoutError:
            recent = "\n".join(
                f"  #{c.seq} {c.method} {'ok' if c.ok else c.error_code} {_brief(c.params)}"
                for c in self.since(after_seq)[-15:]
            )
            raise TimeoutError(
                f"no matching Bot API call within {timeout}s after seq {after_seq}; "
                f"calls since then:\n{recent or '  (none)'}"
            ) from None


def _brief(params: dict[str, Any]) -> str:
    text = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return text if len(text) <= 160 else text[:157] + "..."
