"""Validation of ``reply_markup`` (inline and reply keyboards) and button lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.standin.errors import PlayerError, bad_request
from bot.standin.records import Button

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100

_INLINE_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


@dataclass(frozen=True)
class Markup:
    """A validated reply_markup: ``inline`` goes into the Message, ``keyboard`` does not."""

    inline: dict[str, Any] | None = None
    keyboard: dict[str, Any] | None = None


def _check_url(url: Any) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https", "tg")
        or not (parts.netloc or parts.scheme == "tg")
    ):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        _check_url(button["url"])
    return dict(button)


def validate_markup(markup: Any) -> Markup:
    """Validate a decoded reply_markup; raise Telegram's errors for bad keyboards."""
    if markup is None:
        return Markup()
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        checked = [[_check_inline_button(button) for button in row] for row in rows]
        if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        checked = [row for row in checked if row]
        return Markup(inline={"inline_keyboard": checked} if checked else None)
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = (
                    button
                    if isinstance(button, str)
                    else (button.get("text") if isinstance(button, dict) else None)
                )
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return Markup(keyboard=dict(markup))
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return Markup(keyboard=dict(markup))
    raise bad_request("can't parse reply keyboard markup JSON object")


def buttons_of(inline: dict[str, Any] | None) -> list[list[Button]]:
    """Return the inline keyboard as rows of Button."""
    if not inline:
        return []
    return [
        [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
        for row in inline["inline_keyboard"]
    ]


def find_button(rows: list[list[Button]], button: str | tuple[int, int] | Button) -> Button:
    """Find a button by visible text, (row, col) or callback_data; raise PlayerError if absent."""
    if isinstance(button, Button):
        if any(button in row for row in rows):
            return button
    elif isinstance(button, tuple):
        row_index, col_index = button
        if 0 <= row_index < len(rows) and 0 <= col_index < len(rows[row_index]):
            return rows[row_index][col_index]
    else:
        for key in ("text", "callback_data"):
            for row in rows:
                for candidate in row:
                    if getattr(candidate, key) == button:
                        return candidate
    available = [b.text for row in rows for b in row]
    raise PlayerError(f"no button {button!r} on this message (buttons: {available})")
