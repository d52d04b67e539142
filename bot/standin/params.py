"""Decoding and typed access to Bot API request parameters.

Clients send parameters as query strings, url-encoded or multipart forms (every value a string,
complex values JSON-encoded, as python-telegram-bot does) or as a JSON body (native types).
``decode_params`` turns both into one canonical dict; ``Params`` gives typed, validated access.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.standin.errors import bad_request

JSON_PARAMS = frozenset(
    {
        "reply_markup", "reply_parameters", "entities", "caption_entities", "commands", "scope",
        "options", "allowed_updates", "explanation_entities", "question_entities",
        "link_preview_options", "correct_option_ids", "description_entities", "media",
    }
)  # fmt: skip

INT_PARAMS = frozenset(
    {
        "message_id", "user_id", "offset", "limit", "timeout", "open_period", "close_date",
        "correct_option_id", "cache_time", "max_connections", "reply_to_message_id",
        "message_thread_id",
    }
)  # fmt: skip

BOOL_PARAMS = frozenset(
    {
        "is_anonymous", "allows_multiple_answers", "is_closed", "show_alert",
        "drop_pending_updates", "disable_notification", "protect_content",
        "disable_web_page_preview", "allow_sending_without_reply", "allows_revoting",
    }
)  # fmt: skip

_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse caption entities JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
}


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded in a multipart request."""

    filename: str
    mime_type: str
    content: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.mime_type!r}, {len(self.content)} bytes)"


def _decode_bool(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    return value


def _decode_int(value: str) -> int | str:
    try:
        return int(value.strip())
    except ValueError:
        return value


def decode_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode string-typed form values into JSON/int/bool values by parameter name."""
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            decoded[name] = value
        elif name in JSON_PARAMS:
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                decoded[name] = _Undecodable(value)
        elif name in INT_PARAMS or name == "chat_id":
            decoded[name] = _decode_int(value)
        elif name in BOOL_PARAMS:
            decoded[name] = _decode_bool(value)
        else:
            decoded[name] = value
    return decoded


@dataclass(frozen=True)
class _Undecodable:
    """A JSON parameter whose text could not be parsed (reported when the method reads it)."""

    text: str


class Params:
    """Typed access to the decoded parameters of one call, raising Telegram-like errors."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        """Return the decoded value or None."""
        return self.values.get(name)

    def string(self, name: str, missing: str | None = None) -> str | None:
        """Return a string parameter; raise ``Bad Request: <missing>`` if absent and required."""
        value = self.values.get(name)
        if value is None:
            if missing is not None:
                raise bad_request(missing)
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def integer(self, name: str, missing: str | None = None) -> int | None:
        """Return an integer parameter; raise if absent (when required) or not a number."""
        value = self.values.get(name)
        if value is None or value == "":
            if missing is not None:
                raise bad_request(missing)
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def boolean(self, name: str, default: bool = False) -> bool:
        """Return a boolean parameter (``true``/``false``/``1``/``0``)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        decoded = _decode_bool(str(value))
        if isinstance(decoded, bool):
            return decoded
        raise bad_request(f'field "{name}" must be of type Boolean')

    def json_value(self, name: str) -> Any:
        """Return a JSON parameter (already decoded) or None; raise if it was unparsable."""
        value = self.values.get(name)
        if isinstance(value, _Undecodable):
            raise bad_request(_JSON_ERRORS.get(name, f"can't parse {name} JSON object"))
        if isinstance(value, str) and name in JSON_PARAMS:
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(
                    _JSON_ERRORS.get(name, f"can't parse {name} JSON object")
                ) from None
        return value

    def chat_id(self) -> int | str:
        """Return ``chat_id`` as int (or ``@username`` string); raise if missing."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            if text.startswith("@"):
                return text
            raise bad_request("chat not found") from None

    def file(self, name: str) -> UploadedFile | str | None:
        """Return an uploaded file, a file_id/URL string, or None."""
        value = self.values.get(name)
        if value is None or isinstance(value, UploadedFile):
            return value
        return str(value)


def recordable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of decoded params suitable for ApiCall.params."""
    return {
        name: (value.text if isinstance(value, _Undecodable) else value)
        for name, value in values.items()
    }
