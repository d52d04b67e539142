"""Copies of JSON-shaped data (what the Bot API sends and receives)."""

from __future__ import annotations

from typing import Any


def clone(value: Any) -> Any:
    """A deep copy of dicts, lists and tuples of scalars, as ``copy.deepcopy`` makes one.

    The stand-in copies every message it stores or returns, so that callers cannot change its
    state; ``copy.deepcopy`` spends most of its time on memo bookkeeping JSON data never needs
    (it has no cycles and no shared mutable parts worth keeping shared).
    """
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clone(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clone(item) for item in value)
    return value
