"""Pushes pending updates to the bot's webhook, one at a time, in order, with retries."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aiohttp

from bot.standin.records import WebhookDelivery
from bot.standin.world import World

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer:
    """Background task POSTing ``world.updates.pending`` to ``world.webhook_url``.

    A non-2xx answer or a connection error keeps the update pending; it is retried with a
    doubling delay (``retry_delay`` .. ``max_retry_delay``) and dropped after ``max_attempts``
    (logged, and visible in getWebhookInfo's last_error_message). URLs are never logged because
    bots often put their token in the webhook path.
    """

    def __init__(
        self,
        world: World,
        *,
        max_attempts: int = 5,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.deliveries: list[WebhookDelivery] = []
        self.dropped: list[int] = []
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the delivery task (call from the running event loop)."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.request_timeout)
        )
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering and close the HTTP session."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> dict[str, Any] | None:
        world = self.world
        if world.webhook_url and world.updates.pending and not world.updates.closing:
            return world.updates.pending[0]
        return None

    async def _run(self) -> None:
        failures: dict[int, int] = {}
        while True:
            update = await self.world.notifier.wait_until(self._next, None)
            update_id = int(update["update_id"])
            status, error = await self._post(update)
            self.deliveries.append(WebhookDelivery(update_id, status, error, self.world.now()))
            if error is None:
                failures.pop(update_id, None)
                self.world.updates.acknowledge(update_id)
                continue
            self.world.webhook_last_error = (self.world.timestamp(), error)
            failures[update_id] = failures.get(update_id, 0) + 1
            self.world.notifier.notify()
            if failures[update_id] >= self.max_attempts:
                logger.warning(
                    "webhook: giving up on update %s after %s attempts",
                    update_id,
                    failures[update_id],
                )
                self.dropped.append(update_id)
                self.world.updates.discard(update_id)
                continue
            delay = min(self.retry_delay * 2 ** (failures[update_id] - 1), self.max_retry_delay)
            await asyncio.sleep(delay)

    async def _post(self, update: dict[str, Any]) -> tuple[int | None, str | None]:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.world.webhook_secret:
            headers[SECRET_HEADER] = self.world.webhook_secret
        try:
            async with self._session.post(
                self.world.webhook_url, data=json.dumps(update), headers=headers
            ) as response:
                await response.read()
                status = response.status
                if 200 <= status < 300:
                    logger.debug("webhook: update %s delivered (%s)", update["update_id"], status)
                    return status, None
                logger.debug("webhook: update %s answered %s", update["update_id"], status)
                return status, f"Wrong response from the webhook: {status} {response.reason}"
        except aiohttp.ClientConnectorError:
            message = "Connection refused"
        except TimeoutError:
            message = "Read timeout expired"
        except aiohttp.ClientError as error:
            message = f"Connection error: {type(error).__name__}"
        logger.debug("webhook: update %s not delivered: %s", update["update_id"], message)
        return None, message
