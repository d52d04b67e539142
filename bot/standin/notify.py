"""A tiny change notifier: coroutines wait until a condition over the world state holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    """Wakes every waiter whenever ``notify()`` is called (from the event loop thread)."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """Wake all current waiters so they re-check their conditions."""
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def next_change(self) -> None:
        """Wait for the next ``notify()``."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await waiter
        finally:
            self._waiters.discard(waiter)

    async def wait_until(self, condition: Callable[[], T], timeout: float | None) -> T:  # noqa: ASYNC109 - public API takes a timeout
        """Return the first truthy value of ``condition()``; raise TimeoutError after timeout."""
        async with asyncio.timeout(timeout):
            while True:
                value = condition()
                if value:
                    return value
                await self.next_change()
