"""Text helpers: UTF-16 offsets (as Telegram counts them), trimming, command detection."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Return the substring covered by a (UTF-16 offset, UTF-16 length) entity range."""
    data = text.encode("utf-16-le")
    return data[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Sort entities the way Telegram returns them: by offset, longer first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim leading/trailing whitespace like Telegram and clip entities to the kept text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def find_bot_commands(text: str) -> list[Entity]:
    """Return ``bot_command`` entities for every ``/command`` (optionally ``@bot``) in ``text``."""
    entities: list[Entity] = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
                "type": "bot_command",
            }
        )
    return entities


def command_target(text: str, entity: Entity) -> str | None:
    """Return the ``@username`` a bot_command entity is addressed to, or None."""
    command = utf16_slice(text, entity["offset"], entity["length"])
    _, _, target = command.partition("@")
    return target or None
