"""Checks for the short free-text fields people type (team names, regions)."""

from __future__ import annotations

import unicodedata

from coach.errors import InvalidText


def clean_line(text: str | None, *, field: str, limit: int) -> str:
    """Return ``text`` trimmed and with inner whitespace folded, or raise ``InvalidText``.

    Args:
        text: what the person typed.
        field: the field's name, for the message (``team_name``, ``region``).
        limit: the longest accepted length in characters.
    """
    folded = " ".join((text or "").split())
    if not folded:
        raise InvalidText(field=field, reason="empty", limit=limit)
    if len(folded) > limit:
        raise InvalidText(field=field, reason="too_long", limit=limit)
    if any(_is_hidden(ch) for ch in folded):
        raise InvalidText(field=field, reason="not_plain", limit=limit)
    return folded


_JOINERS = frozenset("\u200c\u200d")  # kept: emoji sequences and some scripts need them


def _is_hidden(ch: str) -> bool:
    """Control, format, surrogate and private-use characters have no place in a name."""
    return ch not in _JOINERS and unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"}
