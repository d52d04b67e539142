"""Bot API methods for receiving updates: getUpdates (long polling) and the webhook methods.

Unlike Telegram, plain ``http://`` webhook URLs on any port are accepted (tests run local
servers without TLS); the certificate and ip_address parameters are ignored.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.standin.errors import bad_request, conflict
from bot.standin.jsondata import clone
from bot.standin.params import Params
from bot.standin.registry import Reply, api_method
from bot.standin.updates import UPDATE_TYPES
from bot.standin.world import World

MAX_POLL_TIMEOUT = 50
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


def _allowed_updates(world: World, p: Params) -> None:
    allowed = p.json_value("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed updates JSON object")
    world.updates.allowed_updates = [kind for kind in allowed if kind in UPDATE_TYPES]


@api_method("getUpdates")
async def get_updates(world: World, p: Params) -> list[dict[str, Any]]:
    """Return pending updates, waiting up to ``timeout`` seconds for the first one."""
    if world.webhook_url:
        raise conflict(WEBHOOK_ACTIVE)
    queue = world.updates
    offset = p.integer("offset")
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = min(max(p.integer("timeout") or 0, 0), MAX_POLL_TIMEOUT)
    _allowed_updates(world, p)
    if offset is not None:
        queue.apply_offset(offset)
    generation = queue.begin_poll()

    def state() -> str | None:
        if queue.closing:
            return "closed"
        if queue.poll_generation != generation:
            return "terminated"
        if world.webhook_url:
            return "webhook"
        return "ready" if queue.pending else None

    outcome = state()
    if outcome is None and timeout > 0:
        queue.waiting_polls += 1
        world.notifier.notify()
        try:
            outcome = await world.notifier.wait_until(state, timeout)
        except TimeoutError:
            outcome = None
        finally:
            queue.waiting_polls -= 1
    if outcome == "terminated":
        raise conflict(TERMINATED)
    if outcome == "webhook":
        raise conflict(WEBHOOK_ACTIVE)
    if outcome == "closed":
        return []
    return clone(queue.pending[:limit])


@api_method("setWebhook")
def set_webhook(world: World, p: Params) -> Reply:
    """Set (or with an empty url, remove) the webhook the stand-in pushes updates to."""
    url = p.string("url") or ""
    if not url:
        return delete_webhook(world, p)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = p.string("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.integer("max_connections")
    if max_connections is not None and not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    _allowed_updates(world, p)
    if p.boolean("drop_pending_updates"):
        world.updates.drop_pending()
    already = world.webhook_url == url and world.webhook_secret == secret
    world.webhook_url = url
    world.webhook_secret = secret
    world.webhook_max_connections = max_connections or 40
    world.webhook_last_error = None
    world.notifier.notify()
    return Reply(True, "Webhook is already set" if already else "Webhook was set")


@api_method("deleteWebhook")
def delete_webhook(world: World, p: Params) -> Reply:
    """Remove the webhook (optionally dropping pending updates)."""
    if p.boolean("drop_pending_updates"):
        world.updates.drop_pending()
    had_webhook = bool(world.webhook_url)
    world.webhook_url = ""
    world.webhook_secret = None
    world.webhook_max_connections = None
    world.webhook_last_error = None
    world.notifier.notify()
    return Reply(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@api_method("getWebhookInfo")
def get_webhook_info(world: World, p: Params) -> dict[str, Any]:
    """Return the WebhookInfo (url, pending_update_count, last error ...)."""
    info: dict[str, Any] = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }
    if world.webhook_last_error is not None:
        info["last_error_date"], info["last_error_message"] = world.webhook_last_error
    if world.webhook_url:
        info["max_connections"] = world.webhook_max_connections or 40
        if world.updates.allowed_updates:
            info["allowed_updates"] = list(world.updates.allowed_updates)
    return info
