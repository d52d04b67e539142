"""The one Jinja2 environment. Messages are Telegram HTML, so autoescape is always on."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from coach.kpis import Kpi
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
        auto_reload=False,  # templates ship with the code: no file check on every message
    )
    env.filters["hm"] = _hm
    env.filters["date"] = _date
    env.filters["day"] = _day
    env.filters["num"] = _num
    env.filters["when"] = _when
    return env


def render(lang: Lang | str, name: str, **context: object) -> str:
    """Render ``templates/<name>.html.j2`` for ``lang``; surrounding blank lines are dropped."""
    template = environment().get_template(f"{name}.html.j2")
    return template.render(lang=str(lang), **context).strip()


def plain_text(html: str) -> str:
    """A rendered message for a terminal: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))


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


_WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


@pass_context
def _day(context: Context, value: date) -> str:
    """``11月23日 周一`` or ``Mon 23 Nov``."""
    lang = context.get("lang", "en")
    weekday = _WEEKDAYS.get(lang, _WEEKDAYS["en"])[value.weekday()]
    if lang == "zh":
        return f"{value.month}月{value.day}日 {weekday}"
    return f"{weekday} {value.day} {value.strftime('%b')}"


@pass_context
def _when(context: Context, value: datetime, zone: str) -> str:
    """An instant in ``zone``: ``11月24日 周二 09:00`` or ``Tue 24 Nov 09:00``."""
    local = value.astimezone(ZoneInfo(zone))
    return f"{_day(context, local.date())} {local.strftime('%H:%M')}"


def _num(value: Decimal | int | None, kpi: Kpi | None = None) -> str:
    """A KPI figure: counts as whole numbers, money with thousands separators and cents if any."""
    if value is None:
        return "—"
    number = Decimal(value)
    if kpi is not None and kpi.is_money:
        text = f"{number:,.2f}"
        return text.removesuffix(".00")
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():f}"
