"""Registry of implemented Bot API methods (filled by the ``api_*`` modules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.standin.params import Params
from bot.standin.world import World

Handler = Callable[[World, Params], Any]


@dataclass(frozen=True)
class Reply:
    """A successful result with the optional ``description`` Telegram adds (setWebhook ...)."""

    result: Any
    description: str | None = None


@dataclass(frozen=True)
class MethodSpec:
    """An implemented method: canonical name and handler (sync or async)."""

    name: str
    handler: Handler


METHODS: dict[str, MethodSpec] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the implementation of Bot API method ``name``."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = MethodSpec(name, handler)
        return handler

    return register
