"""The bot's update queue: ids, pending updates, confirmation by offset, allowed_updates."""

from __future__ import annotations

from typing import Any

from bot.standin.notify import Notifier

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post",
    "business_connection", "business_message", "edited_business_message",
    "deleted_business_messages", "message_reaction", "message_reaction_count", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)  # fmt: skip

NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Updates produced for the bot, pending until confirmed (getUpdates offset or webhook 2xx)."""

    def __init__(self, notifier: Notifier, first_update_id: int = 1) -> None:
        self._notifier = notifier
        self._next_id = first_update_id
        self.pending: list[dict[str, Any]] = []
        self.produced: list[dict[str, Any]] = []
        self.acknowledged: set[int] = set()
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0
        self.waiting_polls = 0
        self.closing = False

    def allows(self, kind: str) -> bool:
        """Return whether updates of this type are currently requested by the bot."""
        if not self.allowed_updates:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self.allowed_updates

    def produce(self, kind: str, body: dict[str, Any], deliver: bool) -> dict[str, Any]:
        """Create an update with the next update_id; queue it if ``deliver`` and allowed."""
        update = {"update_id": self._next_id, kind: body}
        self._next_id += 1
        self.produced.append(update)
        if deliver and self.allows(kind):
            self.pending.append(update)
        self._notifier.notify()
        return update

    def apply_offset(self, offset: int) -> None:
        """Confirm updates like getUpdates' ``offset`` (negative: keep only the last -offset)."""
        if offset > 0:
            confirmed = [u for u in self.pending if u["update_id"] < offset]
        elif offset < 0:
            confirmed = self.pending[: max(len(self.pending) + offset, 0)]
        else:
            return
        for update in confirmed:
            self.acknowledge(update["update_id"])

    def acknowledge(self, update_id: int) -> None:
        """Mark one update as received by the bot and drop it from the pending queue."""
        self.acknowledged.add(update_id)
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        self._notifier.notify()

    def discard(self, update_id: int) -> None:
        """Drop one pending update without acknowledging it (webhook gave up)."""
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        self._notifier.notify()

    def drop_pending(self) -> None:
        """Forget every pending update (``drop_pending_updates=True``)."""
        self.pending = []
        self._notifier.notify()

    def begin_poll(self) -> int:
        """Register a new getUpdates request; older waiting requests get a 409 conflict."""
        self.poll_generation += 1
        self._notifier.notify()
        return self.poll_generation
