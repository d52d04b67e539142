"""Mutable in-memory records of the simulated Telegram world (internal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.standin.text import Entity

PRIVATE, GROUP, SUPERGROUP = "private", "group", "supergroup"
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
PRESENT_STATUSES = ("creator", "administrator", "member", "restricted")


@dataclass
class UserState:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the Telegram User dict."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class StoredFile:
    """A file known to the world (uploaded by the bot or by a user)."""

    file_id: str
    file_unique_id: str
    kind: str
    file_path: str
    content: bytes
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None


@dataclass
class StoredMessage:
    """One message in one chat, from a user, the bot or the service."""

    chat_id: int
    message_id: int
    sender_id: int | None
    date: int
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    html: str | None = None
    parse_mode: str | None = None
    inline_markup: dict[str, Any] | None = None
    keyboard: dict[str, Any] | None = None
    reply_to: int | None = None
    photo: str | None = None
    document: str | None = None
    poll_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    sender_chat_id: int | None = None
    from_bot: bool = False


@dataclass
class ChatState:
    """A private chat with the bot, a basic group or a supergroup."""

    id: int
    type: str
    title: str | None = None
    user_id: int | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "left"
    started: bool = False
    blocked: bool = False
    migrated_to: int | None = None
    migrated_from: int | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        """Return True for basic groups and supergroups."""
        return self.type in (GROUP, SUPERGROUP)

    def allocate_message_id(self) -> int:
        """Return the next message id of this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class PollState:
    """A poll sent by the bot and the votes on it."""

    id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    type: str
    is_anonymous: bool
    allows_multiple_answers: bool
    allows_revoting: bool
    correct_option_ids: list[int]
    explanation: str | None = None
    explanation_entities: list[Entity] = field(default_factory=list)
    question_entities: list[Entity] = field(default_factory=list)
    open_period: int | None = None
    close_date: int | None = None
    is_closed: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)

    def counts(self) -> list[int]:
        """Return the number of votes per option."""
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for option in chosen:
                counts[option] += 1
        return counts

    def total_voters(self) -> int:
        """Return how many users currently have a vote."""
        return sum(1 for chosen in self.votes.values() if chosen)


@dataclass
class CallbackQueryState:
    """A button press waiting for (or having received) answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    created: datetime
    answered: bool = False
