"""Typed callback data: one dataclass per button family, packed as ``prefix:field:field``.

Buttons are routed by prefix (``CallbackQueryHandler(pattern=Family.pattern())``) and decoded in
exactly one place (``Family.unpack``). Labels never take part in routing, so copy and language
can change freely. Telegram allows at most 64 bytes; ``pack`` refuses anything longer.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import ClassVar, Self, get_type_hints

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from coach.models import Lang

CALLBACK_DATA_LIMIT = 64


class BadCallbackData(ValueError):
    """Callback data that does not decode: a stale button, or forged data."""


@dataclasses.dataclass(frozen=True)
class CallbackData:
    prefix: ClassVar[str]

    def pack(self) -> str:
        values = [_encode(getattr(self, f.name)) for f in dataclasses.fields(self)]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.prefix}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(cls.prefix)}(:|$)")

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        parts = (data or "").split(":")
        fields = dataclasses.fields(cls)
        if parts[0] != cls.prefix or len(parts) != len(fields) + 1:
            raise BadCallbackData(data)
        hints = get_type_hints(cls)
        try:
            values = {
                f.name: _decode(hints[f.name], raw)
                for f, raw in zip(fields, parts[1:], strict=True)
            }
        except (ValueError, KeyError) as exc:
            raise BadCallbackData(data) from exc
        return cls(**values)

    def button(self, text: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=self.pack())


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    text = str(value)
    if ":" in text:
        raise ValueError("callback field may not hold ':'")
    return text


def _decode(kind: type, raw: str) -> object:
    if kind is bool:
        if raw not in {"0", "1"}:
            raise ValueError(raw)
        return raw == "1"
    if kind is int:
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is str:
        if not raw:
            raise ValueError("empty")
        return raw
    raise ValueError(f"unsupported field type {kind}")


@dataclasses.dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    prefix: ClassVar[str] = "lang"
    lang: Lang


@dataclasses.dataclass(frozen=True)
class ConfirmMove(CallbackData):
    """Yes or no to leaving one's team for the team behind an invite token."""

    prefix: ClassVar[str] = "move"
    token: str
    accept: bool


@dataclasses.dataclass(frozen=True)
class SkipRegion(CallbackData):
    prefix: ClassVar[str] = "ntskip"


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[ChooseLanguage(Lang.ZH).button("中文"), ChooseLanguage(Lang.EN).button("English")]]
    )


def move_keyboard(token: str, yes: str, no: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[ConfirmMove(token, True).button(yes), ConfirmMove(token, False).button(no)]]
    )


def skip_keyboard(label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[SkipRegion().button(label)]])
