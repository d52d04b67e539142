"""The player side: simulated users and groups that act like Telegram clients.

Every action builds the update exactly as Telegram would, records the user's message in the
chat history and returns the update dict (``None`` when the bot would not receive it, e.g.
a plain group message while the bot is in privacy mode or not in the group). Misuse that a
real client could not do (pressing a button that is not there, posting in a group one is not
a member of ...) raises PlayerError, a ValueError. Call actions on the event loop thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.standin.errors import PlayerError
from bot.standin.keyboards import buttons_of, find_button
from bot.standin.media import image_size, sample_voice, tiny_png
from bot.standin.records import Button, SentMessage
from bot.standin.state import (
    GROUP,
    MEMBER_STATUSES,
    PRESENT_STATUSES,
    PRIVATE,
    SUPERGROUP,
    CallbackQueryState,
    ChatState,
    StoredMessage,
    UserState,
)
from bot.standin.text import find_bot_commands
from bot.standin.world import GROUP_ANONYMOUS_BOT_ID, World, make_private_chat

# A SentMessage, a Message or Update dict, a message_id, or a telegram.Message object.
MessageRef = Any
ButtonRef = str | tuple[int, int] | Button


def post_message(
    world: World,
    chat: ChatState,
    sender_id: int,
    *,
    text: str | None = None,
    reply_to: int | None = None,
    sender_chat_id: int | None = None,
    **content: Any,
) -> dict[str, Any] | None:
    """Store a message from a user (or GroupAnonymousBot) and emit it if the bot receives it."""
    if text is not None and not text.strip():
        raise PlayerError("Telegram clients do not send empty messages")
    caption = content.get("caption")
    msg = StoredMessage(
        chat_id=chat.id,
        message_id=chat.allocate_message_id(),
        sender_id=sender_id,
        date=world.timestamp(),
        text=text,
        entities=find_bot_commands(text) if text else [],
        caption_entities=find_bot_commands(caption) if caption else [],
        reply_to=reply_to,
        sender_chat_id=sender_chat_id,
        **content,
    )
    chat.messages[msg.message_id] = msg
    if chat.type == PRIVATE:
        chat.started = True
    world.notifier.notify()
    if not world.bot_receives(chat, msg):
        return None
    return world.emit("message", world.message_dict(msg))


def _message_ref(message: MessageRef) -> tuple[int | None, int]:
    if isinstance(message, SentMessage):
        return message.chat_id, message.message_id
    if isinstance(message, int):
        return None, message
    if not isinstance(message, Mapping):
        # Duck-typed message objects, e.g. a telegram.Message returned by PTB.
        chat = getattr(message, "chat", None)
        message_id = getattr(message, "message_id", None)
        if isinstance(message_id, int) and isinstance(getattr(chat, "id", None), int):
            return int(chat.id), message_id  # type: ignore[union-attr]
        raise PlayerError("pass a SentMessage, a Message/Update dict or a message_id")
    body: Mapping[str, Any] = message
    if "callback_query" in body:
        body = body["callback_query"]["message"]
    for key in ("message", "edited_message", "channel_post"):
        if isinstance(body.get(key), Mapping):
            body = body[key]
            break
    if "message_id" not in body or "chat" not in body:
        raise PlayerError("pass a SentMessage, a Message/Update dict or a message_id")
    return int(body["chat"]["id"]), int(body["message_id"])


class _Handle:
    """A player's handle on the world: equal to any other handle of the same id and kind."""

    def __init__(self, world: World, entity_id: int) -> None:
        self._world = world
        self.id = entity_id

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.id == self.id  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))


class FakeUser(_Handle):
    """A simulated Telegram user who talks to the bot in private or in groups."""

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------ profile
    @property
    def _state(self) -> UserState:
        return self._world.users[self.id]

    @property
    def first_name(self) -> str:
        """Return the first name."""
        return self._state.first_name

    @property
    def last_name(self) -> str | None:
        """Return the last name."""
        return self._state.last_name

    @property
    def username(self) -> str | None:
        """Return the @username without the @."""
        return self._state.username

    @property
    def language_code(self) -> str | None:
        """Return the client language code."""
        return self._state.language_code

    @property
    def full_name(self) -> str:
        """Return first and last name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def chat_id(self) -> int:
        """Return the id of the private chat with the bot (equal to the user id)."""
        return self.id

    def as_dict(self) -> dict[str, Any]:
        """Return the Telegram User dict."""
        return self._state.as_dict()

    @property
    def started(self) -> bool:
        """Return whether the user has ever written to the bot (so the bot may message them)."""
        chat = self._world.chats.get(self.id)
        return bool(chat and chat.started)

    @property
    def blocked(self) -> bool:
        """Return whether the user currently blocks the bot."""
        chat = self._world.chats.get(self.id)
        return bool(chat and chat.blocked)

    # --------------------------------------------------------------- reading
    @property
    def inbox(self) -> list[SentMessage]:
        """Return the bot's messages in the private chat, oldest first."""
        return self._world.bot_messages(self.id)

    @property
    def last_message(self) -> SentMessage | None:
        """Return the bot's latest message in the private chat."""
        inbox = self.inbox
        return inbox[-1] if inbox else None

    @property
    def history(self) -> list[dict[str, Any]]:
        """Return every message (both sides) of the private chat as Telegram dicts."""
        chat = self._world.chats.get(self.id)
        if chat is None:
            return []
        return [self._world.message_dict(m) for m in sorted(chat.messages.values(), key=_by_id)]

    # --------------------------------------------------------------- helpers
    def _chat(self, chat: FakeGroup | None) -> ChatState:
        if chat is None:
            if self.blocked:
                raise PlayerError(f"{self.first_name} has blocked the bot; call unblock_bot()")
            return make_private_chat(self._world, self._state)
        state = self._world.chats[chat.id]
        if state.migrated_to is not None:
            raise PlayerError(f"{state.title!r} was upgraded; use group.migrated_to")
        if state.members.get(self.id) not in PRESENT_STATUSES:
            raise PlayerError(f"{self.first_name} is not a member of {state.title!r}")
        return state

    def _resolve(
        self, message: MessageRef, chat: FakeGroup | None
    ) -> tuple[ChatState, StoredMessage]:
        chat_id, message_id = _message_ref(message)
        if chat_id is None:
            chat_id = chat.id if chat is not None else self.id
        state = self._world.chats.get(chat_id)
        if state is None:
            raise PlayerError(f"chat {chat_id} does not exist")
        if state.type == PRIVATE and state.id != self.id:
            raise PlayerError(f"{self.first_name} cannot see another user's private chat")
        if state.is_group and state.members.get(self.id) not in PRESENT_STATUSES:
            raise PlayerError(f"{self.first_name} is not a member of {state.title!r}")
        msg = state.messages.get(message_id)
        if msg is None:
            raise PlayerError(f"message {message_id} is not in chat {chat_id} (deleted?)")
        return state, msg

    def _group(self, chat: FakeGroup | None, state: ChatState) -> FakeGroup | None:
        return (
            chat if chat is not None or state.type == PRIVATE else FakeGroup(self._world, state.id)
        )

    # --------------------------------------------------------------- actions
    def send(self, text: str, chat: FakeGroup | None = None) -> dict[str, Any] | None:
        """Send a text message (``/commands`` get bot_command entities) to the bot or a group."""
        return post_message(self._world, self._chat(chat), self.id, text=text)

    def reply(
        self, to_message: MessageRef, text: str, chat: FakeGroup | None = None
    ) -> dict[str, Any] | None:
        """Reply to a message (the bot's or anyone's) in its chat."""
        state, msg = self._resolve(to_message, chat)
        target = self._chat(self._group(chat, state))
        return post_message(self._world, target, self.id, text=text, reply_to=msg.message_id)

    def send_sticker(
        self, emoji: str = "👍", chat: FakeGroup | None = None
    ) -> dict[str, Any] | None:
        """Send a sticker."""
        state = self._chat(chat)
        file = self._world.add_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", width=512, height=512
        )
        sticker = {**self._world.file_dict(file), "emoji": emoji}
        return post_message(self._world, state, self.id, extra={"sticker": sticker})

    def send_photo(
        self,
        caption: str | None = None,
        content: bytes | None = None,
        chat: FakeGroup | None = None,
    ) -> dict[str, Any] | None:
        """Send a photo (a small PNG unless ``content`` is given) with an optional caption."""
        state = self._chat(chat)
        data = content if content is not None else tiny_png()
        width, height = image_size(data) or (1, 1)
        file = self._world.add_file(
            "photo", data, mime_type="image/jpeg", width=width, height=height
        )
        return post_message(self._world, state, self.id, photo=file.file_id, caption=caption)

    def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: FakeGroup | None = None,
    ) -> dict[str, Any] | None:
        """Send a file; the bot can download the bytes via getFile and the file URL."""
        state = self._chat(chat)
        file = self._world.add_file("document", content, filename=filename, mime_type=mime_type)
        return post_message(self._world, state, self.id, document=file.file_id, caption=caption)

    def send_voice(
        self, duration: int = 3, content: bytes | None = None, chat: FakeGroup | None = None
    ) -> dict[str, Any] | None:
        """Send a voice note."""
        state = self._chat(chat)
        file = self._world.add_file(
            "voice", content or sample_voice(), mime_type="audio/ogg", duration=duration
        )
        return post_message(
            self._world, state, self.id, extra={"voice": self._world.file_dict(file)}
        )

    def send_location(
        self, latitude: float, longitude: float, chat: FakeGroup | None = None
    ) -> dict[str, Any] | None:
        """Send a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return post_message(self._world, self._chat(chat), self.id, extra={"location": location})

    def edit(self, message: MessageRef, new_text: str) -> dict[str, Any] | None:
        """Edit one of the user's own text messages (edited_message update)."""
        state, msg = self._resolve(message, None)
        if msg.sender_id != self.id or msg.text is None:
            raise PlayerError("users can only edit their own text messages")
        if not new_text.strip():
            raise PlayerError("Telegram clients do not allow an empty text")
        msg.text = new_text
        msg.entities = find_bot_commands(new_text)
        msg.edit_date = self._world.timestamp()
        self._world.notifier.notify()
        if not self._world.bot_receives(state, msg):
            return None
        return self._world.emit("edited_message", self._world.message_dict(msg))

    def press(
        self, message: MessageRef, button: ButtonRef, chat: FakeGroup | None = None
    ) -> dict[str, Any]:
        """Press an inline button by visible text, (row, col) or callback_data."""
        state, msg = self._resolve(message, chat)
        found = find_button(buttons_of(msg.inline_markup), button)
        if found.callback_data is None:
            raise PlayerError(f"button {found.text!r} has no callback_data (url or other button)")
        return self._callback(state, msg, found.callback_data)

    def press_data(
        self, message: MessageRef, data: str, chat: FakeGroup | None = None
    ) -> dict[str, Any]:
        """Send a callback query with arbitrary (forged) data for a message."""
        state, msg = self._resolve(message, chat)
        return self._callback(state, msg, data)

    def _callback(self, state: ChatState, msg: StoredMessage, data: str) -> dict[str, Any]:
        world = self._world
        query_id = str(4_000_000_000_000_000_000 + world.next_number("callback"))
        world.callback_queries[query_id] = CallbackQueryState(
            query_id, self.id, state.id, msg.message_id, data, world.now()
        )
        body = {
            "id": query_id,
            "from": self.as_dict(),
            "message": world.message_dict(msg),
            "chat_instance": chat_instance(world, state.id),
            "data": data,
        }
        return world.emit("callback_query", body)

    def callback_answer(self, update: Mapping[str, Any]) -> Any:
        """Return the bot's answerCallbackQuery for a press update (or None if not answered)."""
        query_id = update["callback_query"]["id"]
        return next(
            (a for a in self._world.callback_answers if a.callback_query_id == query_id), None
        )

    def answer_poll(
        self,
        poll_message: MessageRef,
        option_ids: int | Sequence[int],
        chat: FakeGroup | None = None,
    ) -> dict[str, Any]:
        """Vote in a bot poll; returns poll_answer (non-anonymous) or poll (anonymous) update."""
        world = self._world
        _, msg = self._resolve(poll_message, chat)
        if msg.poll_id is None:
            raise PlayerError("that message has no poll")
        poll = world.polls[msg.poll_id]
        world.refresh_poll(poll)
        if poll.is_closed:
            raise PlayerError("the poll is closed")
        chosen = [option_ids] if isinstance(option_ids, int) else list(option_ids)
        if len(set(chosen)) != len(chosen) or not all(0 <= i < len(poll.options) for i in chosen):
            raise PlayerError(f"invalid option ids {chosen} for {len(poll.options)} options")
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise PlayerError("this poll allows only one answer")
        if self.id in poll.votes and not poll.allows_revoting:
            raise PlayerError("this poll does not allow changing the vote")
        if not chosen and self.id not in poll.votes:
            raise PlayerError("nothing to retract: the user has not voted")
        if chosen:
            poll.votes[self.id] = sorted(chosen)
        else:
            poll.votes.pop(self.id, None)
        answer = None
        if not poll.is_anonymous:
            answer = world.emit(
                "poll_answer",
                {
                    "poll_id": poll.id,
                    "user": self.as_dict(),
                    "option_ids": sorted(chosen),
                    "option_persistent_ids": [str(i) for i in sorted(chosen)],
                },
            )
        poll_update = world.emit("poll", world.poll_dict(poll))
        return answer or poll_update

    def block_bot(self) -> dict[str, Any]:
        """Block the bot (my_chat_member member -> kicked); later sends fail with 403."""
        chat = make_private_chat(self._world, self._state)
        if chat.blocked:
            raise PlayerError(f"{self.first_name} has already blocked the bot")
        chat.blocked = True
        return self._world.chat_member_update(chat, self.id, "member", "kicked")

    def unblock_bot(self) -> dict[str, Any]:
        """Unblock the bot (my_chat_member kicked -> member)."""
        chat = make_private_chat(self._world, self._state)
        if not chat.blocked:
            raise PlayerError(f"{self.first_name} has not blocked the bot")
        chat.blocked = False
        return self._world.chat_member_update(chat, self.id, "kicked", "member")


class FakeGroup(_Handle):
    """A simulated basic group or supergroup (negative id)."""

    def __repr__(self) -> str:
        return f"FakeGroup(id={self.id}, title={self.title!r}, type={self.type!r})"

    @property
    def _state(self) -> ChatState:
        return self._world.chats[self.id]

    @property
    def title(self) -> str:
        """Return the group title."""
        return self._state.title or ""

    @property
    def type(self) -> str:
        """Return ``group`` or ``supergroup``."""
        return self._state.type

    @property
    def members(self) -> dict[FakeUser, str]:
        """Return every known user with their status."""
        return {FakeUser(self._world, uid): status for uid, status in self._state.members.items()}

    @property
    def bot_status(self) -> str:
        """Return the bot's status: left, member, administrator or kicked."""
        return self._state.bot_status

    @property
    def migrated_to(self) -> FakeGroup | None:
        """Return the supergroup this group was upgraded to, if any."""
        new_id = self._state.migrated_to
        return FakeGroup(self._world, new_id) if new_id is not None else None

    @property
    def inbox(self) -> list[SentMessage]:
        """Return the bot's messages in this group, oldest first."""
        return self._world.bot_messages(self.id)

    @property
    def last_message(self) -> SentMessage | None:
        """Return the bot's latest message in this group."""
        inbox = self.inbox
        return inbox[-1] if inbox else None

    @property
    def history(self) -> list[dict[str, Any]]:
        """Return every message in the group as Telegram dicts."""
        return [
            self._world.message_dict(m) for m in sorted(self._state.messages.values(), key=_by_id)
        ]

    def _creator_id(self) -> int:
        for user_id, status in self._state.members.items():
            if status == "creator":
                return user_id
        raise PlayerError(f"{self.title!r} has no creator; pass by=...")

    def _actor(self, by: FakeUser | None) -> int:
        if by is None:
            return self._creator_id()
        if self._state.members.get(by.id) not in PRESENT_STATUSES:
            raise PlayerError(f"{by.first_name} is not a member of {self.title!r}")
        return by.id

    def set_status(self, user: FakeUser, status: str) -> None:
        """Set a user's status (creator, administrator, member, restricted, left, kicked)."""
        if status not in MEMBER_STATUSES:
            raise PlayerError(f"unknown status {status!r}; use one of {MEMBER_STATUSES}")
        self._state.members[user.id] = status
        self._world.notifier.notify()

    def add_member(self, user: FakeUser, by: FakeUser | None = None) -> dict[str, Any] | None:
        """Add a user (service message with new_chat_members, delivered if the bot is in)."""
        actor = self._actor(by) if by is not None else user.id
        self._state.members[user.id] = "member"
        return post_message(
            self._world, self._state, actor, extra={"new_chat_members": [user.as_dict()]}
        )

    def remove_member(self, user: FakeUser, by: FakeUser | None = None) -> dict[str, Any] | None:
        """Remove a user (or let them leave when ``by`` is None); emits left_chat_member."""
        actor = self._actor(by) if by is not None else user.id
        self._state.members[user.id] = "left" if by is None else "kicked"
        return post_message(
            self._world, self._state, actor, extra={"left_chat_member": user.as_dict()}
        )

    def add_bot(self, by: FakeUser, with_service_message: bool = False) -> dict[str, Any]:
        """Add the bot (my_chat_member left -> member, from ``by``); returns that update.

        With ``with_service_message`` the new_chat_members service message Telegram also
        sends is emitted afterwards (see ``standin.updates`` to retrieve it).
        """
        state = self._state
        if state.migrated_to is not None:
            raise PlayerError(f"{self.title!r} was upgraded; use group.migrated_to")
        if state.bot_status in PRESENT_STATUSES:
            raise PlayerError("the bot is already in the group")
        actor = self._actor(by)
        update = self._world.chat_member_update(state, actor, state.bot_status, "member")
        if with_service_message:
            post_message(
                self._world, state, actor, extra={"new_chat_members": [self._world.bot.as_dict()]}
            )
        return update

    def remove_bot(self, by: FakeUser | None = None, kicked: bool = True) -> dict[str, Any]:
        """Remove the bot (my_chat_member -> kicked, or left); later sends fail with 403."""
        state = self._state
        if state.bot_status not in PRESENT_STATUSES:
            raise PlayerError("the bot is not in the group")
        return self._world.chat_member_update(
            state, self._actor(by), state.bot_status, "kicked" if kicked else "left"
        )

    def promote_bot(self, by: FakeUser | None = None) -> dict[str, Any]:
        """Make the bot an administrator (my_chat_member member -> administrator)."""
        state = self._state
        if state.bot_status != "member":
            raise PlayerError("the bot must be a plain member to be promoted")
        return self._world.chat_member_update(state, self._actor(by), "member", "administrator")

    def demote_bot(self, by: FakeUser | None = None) -> dict[str, Any]:
        """Make the bot a plain member again (my_chat_member administrator -> member)."""
        state = self._state
        if state.bot_status != "administrator":
            raise PlayerError("the bot is not an administrator")
        return self._world.chat_member_update(state, self._actor(by), "administrator", "member")

    def migrate_to_supergroup(self, by: FakeUser | None = None) -> dict[str, Any] | None:
        """Upgrade to a supergroup with a new -100... id; returns the migrate_to_chat_id update.

        The new group is ``group.migrated_to``; it also receives the migrate_from_chat_id
        service message. Bot sends to the old id then fail with 400 and migrate_to_chat_id.
        """
        world, old = self._world, self._state
        if old.type != GROUP or old.migrated_to is not None:
            raise PlayerError("only a basic group can be upgraded, once")
        actor = self._actor(by)
        new_id = -(1_000_000_000_000 + world.next_number("supergroup", start=2_000_000_001))
        new = ChatState(
            id=new_id,
            type=SUPERGROUP,
            title=old.title,
            members=dict(old.members),
            bot_status=old.bot_status,
            migrated_from=old.id,
        )
        world.chats[new_id] = new
        update = post_message(world, old, actor, extra={"migrate_to_chat_id": new_id})
        old.migrated_to = new_id
        post_message(world, new, actor, extra={"migrate_from_chat_id": old.id})
        return update

    def send_as_anonymous_admin(self, text: str) -> dict[str, Any] | None:
        """Post as an anonymous administrator (from GroupAnonymousBot, sender_chat = group)."""
        state = self._state
        if state.migrated_to is not None:
            raise PlayerError(f"{self.title!r} was upgraded; use group.migrated_to")
        return post_message(
            self._world, state, GROUP_ANONYMOUS_BOT_ID, text=text, sender_chat_id=state.id
        )


def chat_instance(world: World, chat_id: int) -> str:
    """Return the stable chat_instance string of a chat (as in callback queries)."""
    return str((abs(chat_id) * 2654435761 + world.bot_id) % 9_000_000_000_000_000_000)


def _by_id(msg: StoredMessage) -> int:
    return msg.message_id
