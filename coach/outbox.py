"""Messages the bot sends on its own, kept in a durable outbox until Telegram has them.

A scheduled message is written to the outbox in the same transaction as the decision to send
it, under a ``key`` that is unique forever (``plan:42:2026-11-23``): deciding twice stores it
once, so it is sent once. A sender drains the outbox within Telegram's limits and records
each message's final state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

CAPTION_LIMIT = 1024
"""Telegram's longest photo caption; a message with a chart carries its text as the caption."""


class Delivery(StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"
    SENDING = "sending"  # handed to Telegram, its answer not yet recorded
    SENT = "sent"
    BLOCKED = "blocked"  # the recipient blocked the bot (or the chat is gone): never retried
    FAILED = "failed"  # a permanent error, or retries exhausted
    UNKNOWN = "unknown"  # the sender died while SENDING: it may have arrived; never resent


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: its label and the callback data the adapter made for it."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A rendered message for one chat.

    Attributes:
        key: unique forever; a second message with the same key is not stored.
        chat_id: where it goes (a rep's private chat, or a team's group).
        text: HTML, already escaped.
        kind: what it is (``plan``, ``nudge``, ``daily_summary``…), for logs and counts.
        buttons: rows of inline buttons.
        user_id: the person it is for, when it is a private message.
        team_id: the team it is about.
        day: the team-local day it belongs to; with ``budgeted`` it counts to that day's
            reminder budget.
        budgeted: whether it spends the rep's reminder budget (nudges; not the daily prompts).
        not_before: do not send earlier than this.
        chart: a JSON-able chart spec (``kind`` and ``rows``, see ``bot.charts``); the message
            then goes out as a photo of the chart with ``text`` as its caption (at most
            :data:`CAPTION_LIMIT` characters).
    """

    key: str
    chat_id: int
    text: str
    kind: str
    not_before: datetime
    buttons: tuple[tuple[Button, ...], ...] = ()
    user_id: int | None = None
    team_id: int | None = None
    day: date | None = None
    budgeted: bool = False
    chart: Mapping[str, Any] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        if self.chart is not None and len(self.text) > CAPTION_LIMIT:
            raise ValueError(f"a chart's caption is at most {CAPTION_LIMIT} characters")


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """An outbox row as the sender sees it."""

    id: int
    message: OutgoingMessage
    attempts: int
    created_at: datetime
