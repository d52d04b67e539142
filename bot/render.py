"""The one Jinja2 environment. Messages are Telegram HTML, so autoescape is always on."""

from __future__ import annotations

from datetime import datetime, time
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from coach.models import Lang

TEMPLATES = Path(__file__).with_name("templates")
MESSAGE_LIMIT = 4096  # Telegram's limit for one text message, in characters after parsing


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["hm"] = _hm
    env.filters["date"] = _date
    return env


def render(lang: Lang | str, name: str, **context: object) -> str:
    """Render ``templates/<name>.html.j2`` for ``lang``; surrounding blank lines are dropped."""
    template = environment().get_template(f"{name}.html.j2")
    return template.render(lang=str(lang), **context).strip()


def split_message(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut an over-long message at line breaks into parts Telegram accepts.

    Parts break only between lines, so no tag is cut in two; a single line over the limit
    (never produced by our templates) is cut hard.
    """
    parts: list[str] = []
    current = ""
    for line in html.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        current = line
    if current:
        parts.append(current)
    return parts


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")
