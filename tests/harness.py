"""Drives the real PTB Application through the stand-in, one update at a time.

Each update is fed to ``application.process_update`` and awaited, so when a step returns,
every handler has finished and every message the bot sent is recorded by the stand-in. The
bot's requests go over real HTTP to the stand-in. No sleeping, no polling races.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import CoachApplication
from bot.standin import FakeGroup, FakeUser, SentMessage, StandIn


class Harness:
    def __init__(self, standin: StandIn, application: CoachApplication) -> None:
        self.standin = standin
        self.app = application

    async def feed(self, update: dict[str, Any]) -> list[SentMessage]:
        """Process one update; return the messages the bot sent or edited meanwhile."""
        mark = len(self.standin.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.replies_since(mark)

    async def send(
        self, user: FakeUser, text: str, chat: FakeGroup | None = None
    ) -> list[SentMessage]:
        return await self.feed(user.send(text, chat=chat))

    async def press(self, user: FakeUser, message: SentMessage, button: str) -> list[SentMessage]:
        return await self.feed(user.press(message, button))

    def replies_since(self, mark: int) -> list[SentMessage]:
        """Messages touched by successful calls after ``mark``, as they look now."""
        touched: list[tuple[int, int]] = []
        for call in self.standin.calls[mark:]:
            result = call.result if call.ok else None
            if isinstance(result, dict) and "message_id" in result:
                key = (result["chat"]["id"], result["message_id"])
                if key not in touched:
                    touched.append(key)
        now = {(m.chat_id, m.message_id): m for m in self.standin.sent_messages()}
        return [now[key] for key in touched if key in now]

    def methods_since(self, mark: int) -> list[str]:
        return [call.method for call in self.standin.calls[mark:]]


def text_of(replies: list[SentMessage]) -> str:
    """All reply texts joined, for ``in`` checks."""
    return "\n".join(m.text or "" for m in replies)
