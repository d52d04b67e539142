"""All implemented Bot API methods, looked up case-insensitively like Telegram does."""

from __future__ import annotations

from bot.standin import api_bot, api_chats, api_media, api_messages, api_polls, api_updates
from bot.standin.registry import METHODS, MethodSpec

_MODULES = (api_bot, api_chats, api_media, api_messages, api_polls, api_updates)


def lookup(name: str) -> MethodSpec | None:
    """Return the method registered under ``name`` (any letter case), or None."""
    return METHODS.get(name.lower())


def implemented_methods() -> list[str]:
    """Return the canonical names of every implemented method."""
    return sorted(spec.name for spec in METHODS.values())
