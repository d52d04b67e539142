"""Public, read-only snapshot types returned to tests and the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.standin.jsondata import clone


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SentFile:
    """A photo or document the bot sent (with the uploaded bytes)."""

    file_id: str
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)
    file_unique_id: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """Return the file size in bytes."""
        return len(self.content)


@dataclass(frozen=True)
class SentPoll:
    """The current state of a poll the bot sent."""

    poll_id: str
    question: str
    options: list[str]
    voter_counts: list[int]
    type: str
    is_anonymous: bool
    allows_multiple_answers: bool
    correct_option_ids: list[int]
    explanation: str | None
    is_closed: bool
    total_voter_count: int


@dataclass(frozen=True)
class SentMessage:
    """A bot message currently in a chat (edits applied). ``text`` is the caption for media."""

    message_id: int
    chat_id: int
    text: str | None
    html: str | None
    parse_mode: str | None
    buttons: list[list[Button]]
    date: datetime
    edit_date: datetime | None = None
    caption: str | None = None
    photo: SentFile | None = None
    document: SentFile | None = None
    poll: SentPoll | None = None
    reply_to_message_id: int | None = None
    keyboard: dict[str, Any] | None = None
    message: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Return the Telegram Message dict of this message."""
        return clone(self.message)

    @property
    def button_texts(self) -> list[str]:
        """Return the visible texts of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request made by the bot (successful or not)."""

    seq: int
    method: str
    params: dict[str, Any]
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class BotCommand:
    """A command registered with setMyCommands."""

    command: str
    description: str

    def as_dict(self) -> dict[str, str]:
        """Return the Telegram BotCommand dict."""
        return {"command": self.command, "description": self.description}


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    status: int | None
    error: str | None
    at: datetime


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for one button press."""

    callback_query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class MessageEdited:
    """Subscriber event: the bot edited one of its messages."""

    message: SentMessage
    previous: SentMessage


@dataclass(frozen=True)
class MessageDeleted:
    """Subscriber event: a message was deleted by the bot."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class ChatActionSent:
    """Subscriber event: the bot sent a chat action (``typing`` ...)."""

    chat_id: int
    action: str


StandInEvent = SentMessage | MessageEdited | MessageDeleted | ChatActionSent | CallbackAnswer
