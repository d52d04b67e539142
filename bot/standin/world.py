"""The simulated Telegram world: users, chats, messages, files, polls, commands and updates.

Everything here is plain in-memory state plus the helpers the Bot API methods (``api_*.py``)
and the players (``actors.py``) share. It knows nothing about HTTP. All mutation happens on
the event loop thread.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.standin.errors import bad_request, forbidden
from bot.standin.html import HtmlParseError, parse_html
from bot.standin.jsondata import clone
from bot.standin.keyboards import Markup, buttons_of
from bot.standin.notify import Notifier
from bot.standin.params import Params
from bot.standin.records import (
    BotCommand,
    CallbackAnswer,
    SentFile,
    SentMessage,
    SentPoll,
    StandInEvent,
)
from bot.standin.state import (
    PRESENT_STATUSES,
    PRIVATE,
    SUPERGROUP,
    CallbackQueryState,
    ChatState,
    PollState,
    StoredFile,
    StoredMessage,
    UserState,
)
from bot.standin.text import Entity, command_target, sort_entities, strip_text, utf16_len
from bot.standin.updates import UpdateQueue

logger = logging.getLogger(__name__)

GROUP_ANONYMOUS_BOT_ID = 1087968824
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_SERVICE_KEYS = (
    "new_chat_members", "left_chat_member", "migrate_to_chat_id", "migrate_from_chat_id",
    "group_chat_created", "new_chat_title",
)  # fmt: skip
_FILE_DIRS = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}
_FILE_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "sticker": "CAAC"}

Clock = Callable[[], datetime]
Subscriber = Callable[[StandInEvent], None]


def bot_id_from_token(token: str) -> int:
    """Return the bot's user id, i.e. the numeric part of the token before the colon."""
    head, _, _ = token.partition(":")
    if not head.isdigit():
        raise ValueError("the token must look like '<digits>:<secret>'")
    return int(head)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class World:
    """In-memory state of everything the bot can see, plus shared helpers for the API."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        clock: Clock | None,
        auto_deliver: bool,
        privacy_mode: bool,
        strict_html: bool,
    ) -> None:
        self.bot = UserState(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.anonymous_admin = UserState(
            GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot", is_bot=True
        )
        self.clock: Clock = clock or _utc_now
        self.auto_deliver = auto_deliver
        self.privacy_mode = privacy_mode
        self.strict_html = strict_html
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.users: dict[int, UserState] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.polls: dict[str, PollState] = {}
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[BotCommand]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_query_ttl: float | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections: int | None = None
        self.webhook_last_error: tuple[int, str] | None = None
        self._subscribers: list[Subscriber] = []
        self._counters: dict[str, int] = {}

    # ----------------------------------------------------------------- basics
    @property
    def bot_id(self) -> int:
        """Return the bot's user id."""
        return self.bot.id

    def now(self) -> datetime:
        """Return the current (aware) time from the injected clock."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the stand-in clock must return timezone-aware datetimes")
        return moment

    def timestamp(self) -> int:
        """Return the current Unix time as Telegram's ``date`` fields carry it."""
        return int(self.now().timestamp())

    def next_number(self, counter: str, start: int = 1) -> int:
        """Return the next value of a named deterministic counter."""
        value = self._counters.get(counter, start)
        self._counters[counter] = value + 1
        return value

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register an event callback; return a function that unregisters it."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: StandInEvent) -> None:
        """Send an event to every subscriber (exceptions are logged, not raised)."""
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                logger.exception("stand-in subscriber %r failed", callback)
        self.notifier.notify()

    # ---------------------------------------------------------------- dicts
    def user_dict(self, user_id: int) -> dict[str, Any]:
        """Return the Telegram User dict for a user, the bot or GroupAnonymousBot."""
        if user_id == self.bot.id:
            return self.bot.as_dict()
        if user_id == self.anonymous_admin.id:
            return self.anonymous_admin.as_dict()
        return self.users[user_id].as_dict()

    def bot_profile(self) -> dict[str, Any]:
        """Return the getMe result."""
        return {
            **self.bot.as_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def chat_dict(self, chat: ChatState) -> dict[str, Any]:
        """Return the Telegram Chat dict."""
        if chat.type == PRIVATE:
            assert chat.user_id is not None
            user = self.users[chat.user_id]
            data: dict[str, Any] = {"id": chat.id, "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            data["type"] = PRIVATE
            return data
        return {"id": chat.id, "title": chat.title, "type": chat.type}

    def file_dict(self, file: StoredFile) -> dict[str, Any]:
        """Return the Telegram PhotoSize/Document/Voice/Sticker dict for a stored file."""
        data: dict[str, Any] = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
        if file.kind == "photo":
            data.update(width=file.width or 1, height=file.height or 1)
        elif file.kind == "sticker":
            data.update(
                width=file.width or 512, height=file.height or 512, is_animated=False,
                is_video=False, type="regular",
            )  # fmt: skip
        elif file.kind == "voice":
            data["duration"] = file.duration or 1
        if file.kind == "document" and file.filename:
            data["file_name"] = file.filename
        if file.mime_type and file.kind in ("document", "voice"):
            data["mime_type"] = file.mime_type
        data["file_size"] = len(file.content)
        return data

    def poll_dict(self, poll: PollState) -> dict[str, Any]:
        """Return the Telegram Poll dict (closing it first if its close time has passed)."""
        self.refresh_poll(poll)
        counts = poll.counts()
        data: dict[str, Any] = {
            "id": poll.id,
            "question": poll.question,
            "options": [
                {"text": text, "voter_count": count, "persistent_id": str(index)}
                for index, (text, count) in enumerate(zip(poll.options, counts, strict=True))
            ],
            "total_voter_count": poll.total_voters(),
            "is_closed": poll.is_closed,
            "is_anonymous": poll.is_anonymous,
            "type": poll.type,
            "allows_multiple_answers": poll.allows_multiple_answers,
            "allows_revoting": poll.allows_revoting,
            "members_only": False,
        }
        if poll.question_entities:
            data["question_entities"] = clone(poll.question_entities)
        if poll.type == "quiz":
            data["correct_option_ids"] = list(poll.correct_option_ids)
            if poll.explanation:
                data["explanation"] = poll.explanation
                if poll.explanation_entities:
                    data["explanation_entities"] = clone(poll.explanation_entities)
        if poll.open_period is not None:
            data["open_period"] = poll.open_period
        if poll.close_date is not None:
            data["close_date"] = poll.close_date
        return data

    def refresh_poll(self, poll: PollState) -> None:
        """Close a poll whose close_date has passed according to the clock."""
        if (
            not poll.is_closed
            and poll.close_date is not None
            and self.timestamp() >= poll.close_date
        ):
            poll.is_closed = True

    def message_dict(self, msg: StoredMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """Return the Telegram Message dict for a stored message."""
        chat = self.chats[msg.chat_id]
        data: dict[str, Any] = {"message_id": msg.message_id}
        if msg.sender_id is not None:
            data["from"] = self.user_dict(msg.sender_id)
        if msg.sender_chat_id is not None:
            data["sender_chat"] = self.chat_dict(self.chats[msg.sender_chat_id])
        data["chat"] = self.chat_dict(chat)
        data["date"] = msg.date
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if with_reply and msg.reply_to is not None:
            replied = chat.messages.get(msg.reply_to)
            if replied is not None:
                data["reply_to_message"] = self.message_dict(replied, with_reply=False)
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = clone(msg.entities)
        if msg.photo is not None:
            data["photo"] = [self.file_dict(self.files[msg.photo])]
        if msg.document is not None:
            data["document"] = self.file_dict(self.files[msg.document])
        if msg.poll_id is not None:
            data["poll"] = self.poll_dict(self.polls[msg.poll_id])
        if msg.caption is not None:
            data["caption"] = msg.caption
            if msg.caption_entities:
                data["caption_entities"] = clone(msg.caption_entities)
        data.update(clone(msg.extra))
        if msg.inline_markup:
            data["reply_markup"] = clone(msg.inline_markup)
        return data

    def member_dict(self, chat: ChatState, user_id: int) -> dict[str, Any]:
        """Return the ChatMember dict of a user (or the bot) in a chat."""
        if user_id == self.bot.id:
            status = chat.bot_status if chat.is_group else "member"
        elif chat.type == PRIVATE:
            status = "member"
        else:
            status = chat.members.get(user_id, "left")
        return self.member_for_status(chat, user_id, status)

    def member_for_status(self, chat: ChatState, user_id: int, status: str) -> dict[str, Any]:
        """Return a ChatMember dict of the given status with every field PTB requires."""
        data: dict[str, Any] = {"user": self.user_dict(user_id), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                can_delete_messages=True, can_manage_video_chats=True,
                can_restrict_members=True, can_promote_members=user_id != self.bot.id,
                can_change_info=True, can_invite_users=True, can_post_stories=False,
                can_edit_stories=False, can_delete_stories=False, can_pin_messages=True,
            )  # fmt: skip
            if chat.type == SUPERGROUP:
                data["can_manage_topics"] = False
        elif status == "restricted":
            data.update(
                is_member=True, can_send_messages=False, can_send_audios=False,
                can_send_documents=False, can_send_photos=False, can_send_videos=False,
                can_send_video_notes=False, can_send_voice_notes=False, can_send_polls=False,
                can_send_other_messages=False, can_add_web_page_previews=False,
                can_change_info=False, can_invite_users=False, can_pin_messages=False,
                can_manage_topics=False, can_edit_tag=False, can_react_to_messages=False,
                until_date=0,
            )  # fmt: skip
        elif status == "kicked":
            data["until_date"] = 0
        return data

    # ------------------------------------------------------------- snapshots
    def sent_file(self, file_id: str | None) -> SentFile | None:
        """Return the public view of a stored file."""
        if file_id is None:
            return None
        file = self.files[file_id]
        return SentFile(
            file_id=file.file_id,
            filename=file.filename,
            mime_type=file.mime_type,
            content=file.content,
            file_unique_id=file.file_unique_id,
            width=file.width,
            height=file.height,
        )

    def sent_poll(self, poll_id: str | None) -> SentPoll | None:
        """Return the public view of a poll."""
        if poll_id is None:
            return None
        poll = self.polls[poll_id]
        self.refresh_poll(poll)
        return SentPoll(
            poll_id=poll.id,
            question=poll.question,
            options=list(poll.options),
            voter_counts=poll.counts(),
            type=poll.type,
            is_anonymous=poll.is_anonymous,
            allows_multiple_answers=poll.allows_multiple_answers,
            correct_option_ids=list(poll.correct_option_ids),
            explanation=poll.explanation,
            is_closed=poll.is_closed,
            total_voter_count=poll.total_voters(),
        )

    def snapshot(self, msg: StoredMessage) -> SentMessage:
        """Return the public, immutable view of a message."""
        return SentMessage(
            message_id=msg.message_id,
            chat_id=msg.chat_id,
            text=msg.text if msg.text is not None else msg.caption,
            html=msg.html,
            parse_mode=msg.parse_mode,
            buttons=buttons_of(msg.inline_markup),
            date=datetime.fromtimestamp(msg.date, UTC),
            edit_date=(
                datetime.fromtimestamp(msg.edit_date, UTC) if msg.edit_date is not None else None
            ),
            caption=msg.caption,
            photo=self.sent_file(msg.photo),
            document=self.sent_file(msg.document),
            poll=self.sent_poll(msg.poll_id),
            reply_to_message_id=msg.reply_to,
            keyboard=clone(msg.keyboard),
            message=self.message_dict(msg),
        )

    def bot_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Return the bot's current messages (all chats, or one), oldest first."""
        chats = [self.chats[chat_id]] if chat_id is not None and chat_id in self.chats else []
        if chat_id is None:
            chats = list(self.chats.values())
        return [
            self.snapshot(msg)
            for chat in chats
            for msg in sorted(chat.messages.values(), key=lambda m: m.message_id)
            if msg.from_bot
        ]

    # --------------------------------------------------------------- access
    def chat_for_bot(self, chat_id: int | str, *, write: bool = True) -> ChatState:
        """Resolve a chat the bot addresses, raising Telegram's access errors."""
        if isinstance(chat_id, str):
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is None:
            if write and chat_id in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            if chat_id == self.bot.id:
                raise forbidden("bot can't send messages to bots")
            raise bad_request("chat not found")
        if chat.type == PRIVATE:
            if write and chat.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                if write:
                    raise forbidden("bot can't initiate conversation with a user")
                raise bad_request("chat not found")
            return chat
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        kind = "supergroup chat" if chat.type == SUPERGROUP else "group chat"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if chat.bot_status not in PRESENT_STATUSES:
            if write:
                raise forbidden(f"bot is not a member of the {kind}")
            raise bad_request("chat not found")
        return chat

    # -------------------------------------------------------------- content
    def format_text(
        self,
        raw: str | None,
        parse_mode: str | None,
        entities: Any,
        *,
        empty_error: str | None,
        too_long_error: str,
        max_length: int,
    ) -> tuple[str | None, list[Entity]]:
        """Parse text/caption with parse_mode or explicit entities, trim and length-check it."""
        if raw is None or raw == "":
            if empty_error is not None:
                raise bad_request(empty_error)
            return None, []
        if entities is not None:
            text, found = raw, validate_entities(raw, entities)
        else:
            mode = (parse_mode or "").strip()
            if not mode:
                text, found = raw, []
            elif mode.lower() == "html":
                try:
                    text, found = parse_html(raw, strict=self.strict_html)
                except HtmlParseError as error:
                    raise bad_request(f"can't parse entities: {error}") from None
            elif mode.lower() in ("markdownv2", "markdown"):
                raise bad_request(
                    f"parse_mode {mode} is not supported by the Sales Coach stand-in; use HTML"
                )
            else:
                raise bad_request(f'unsupported parse_mode "{mode}"')
        text, found = strip_text(text, found)
        if not text:
            if empty_error is not None:
                raise bad_request(empty_error)
            return None, []
        if utf16_len(text) > max_length:
            raise bad_request(too_long_error)
        return text, found

    def message_text(self, p: Params) -> tuple[str, list[Entity]]:
        """Parse the ``text``/``parse_mode``/``entities`` parameters of a text message."""
        text, entities = self.format_text(
            p.string("text"),
            p.string("parse_mode"),
            p.json_value("entities"),
            empty_error="message text is empty",
            too_long_error="message is too long",
            max_length=MAX_TEXT_LENGTH,
        )
        assert text is not None
        return text, entities

    def caption(self, p: Params) -> tuple[str | None, list[Entity]]:
        """Parse the ``caption``/``parse_mode``/``caption_entities`` parameters."""
        return self.format_text(
            p.string("caption"),
            p.string("parse_mode"),
            p.json_value("caption_entities"),
            empty_error=None,
            too_long_error="message caption is too long",
            max_length=MAX_CAPTION_LENGTH,
        )

    def reply_target(self, chat: ChatState, p: Params) -> int | None:
        """Resolve ``reply_parameters``/``reply_to_message_id`` to a message id in ``chat``."""
        parameters = p.json_value("reply_parameters")
        allow_missing = p.boolean("allow_sending_without_reply")
        if parameters is not None:
            if not isinstance(parameters, dict) or "message_id" not in parameters:
                raise bad_request("can't parse reply parameters JSON object")
            message_id = parameters["message_id"]
            allow_missing = bool(parameters.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = p.integer("reply_to_message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, int) or message_id not in chat.messages:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def add_bot_message(
        self,
        chat: ChatState,
        p: Params | None = None,
        *,
        text: str | None = None,
        entities: list[Entity] | None = None,
        caption: str | None = None,
        caption_entities: list[Entity] | None = None,
        markup: Markup | None = None,
        reply_to: int | None = None,
        **content: Any,
    ) -> StoredMessage:
        """Store a new bot message in ``chat`` and notify subscribers."""
        raw_html = None
        parse_mode = None
        if p is not None:
            parse_mode = p.string("parse_mode") or None
            source = p.string("text") if text is not None else p.string("caption")
            raw_html = source if parse_mode and parse_mode.lower() == "html" else None
        markup = markup or Markup()
        msg = StoredMessage(
            chat_id=chat.id,
            message_id=chat.allocate_message_id(),
            sender_id=self.bot.id,
            date=self.timestamp(),
            text=text,
            entities=entities or [],
            caption=caption,
            caption_entities=caption_entities or [],
            html=raw_html,
            parse_mode=parse_mode,
            inline_markup=markup.inline,
            keyboard=markup.keyboard,
            reply_to=reply_to,
            from_bot=True,
            **content,
        )
        chat.messages[msg.message_id] = msg
        logger.debug("bot message %s stored in chat %s", msg.message_id, chat.id)
        self.publish(self.snapshot(msg))
        return msg

    def add_file(
        self,
        kind: str,
        content: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> StoredFile:
        """Store a file and give it a file_id, file_unique_id and file_path."""
        number = self.next_number("file")
        token = base64.urlsafe_b64encode(f"standin:{kind}:{number}".encode()).decode().rstrip("=")
        extension = ""
        if filename and "." in filename:
            extension = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        elif kind == "voice":
            extension = ".oga"
        elif kind == "sticker":
            extension = ".webp"
        file = StoredFile(
            file_id=_FILE_PREFIX.get(kind, "BQAC") + token,
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            file_path=f"{_FILE_DIRS.get(kind, 'documents')}/file_{number}{extension}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            width=width,
            height=height,
            duration=duration,
        )
        self.files[file.file_id] = file
        self.files_by_path[file.file_path] = file
        return file

    # -------------------------------------------------------------- updates
    def emit(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Produce an update for the bot (queued if auto_deliver) and return a copy of it."""
        update = self.updates.produce(kind, body, deliver=self.auto_deliver)
        logger.debug("update %s (%s) produced", update["update_id"], kind)
        return clone(update)

    def bot_receives(self, chat: ChatState, msg: StoredMessage) -> bool:
        """Decide whether the bot gets a message (membership and privacy mode rules)."""
        if chat.type == PRIVATE:
            return True
        if chat.bot_status not in PRESENT_STATUSES:
            return False
        if not self.privacy_mode or chat.bot_status in ("creator", "administrator"):
            return True
        if any(key in msg.extra for key in _SERVICE_KEYS):
            return True
        text = msg.text if msg.text is not None else (msg.caption or "")
        for entity in msg.entities or msg.caption_entities:
            if entity["type"] == "bot_command":
                target = command_target(text, entity)
                if target is None or target.lower() == (self.bot.username or "").lower():
                    return True
        if msg.reply_to is not None:
            replied = chat.messages.get(msg.reply_to)
            if replied is not None and replied.from_bot:
                return True
        return False

    def chat_member_update(
        self, chat: ChatState, by_user_id: int, old: str, new: str
    ) -> dict[str, Any]:
        """Change the bot's status in ``chat`` and emit the my_chat_member update."""
        body = {
            "chat": self.chat_dict(chat),
            "from": self.user_dict(by_user_id),
            "date": self.timestamp(),
            "old_chat_member": self.member_for_status(chat, self.bot.id, old),
            "new_chat_member": self.member_for_status(chat, self.bot.id, new),
        }
        if chat.is_group:
            chat.bot_status = new
        return self.emit("my_chat_member", body)

    def scope_key(self, scope: Any) -> str:
        """Validate a BotCommandScope and return its canonical storage key."""
        if scope is None:
            return json.dumps({"type": "default"})
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        key: dict[str, Any] = {"type": kind}
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return json.dumps(key)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise bad_request("unsupported bot command scope type")
        chat_id = Params({"chat_id": scope.get("chat_id")}).chat_id()
        chat = self.chat_for_bot(chat_id, write=False)
        key["chat_id"] = chat.id
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if not isinstance(user_id, int) or user_id not in self.users:
                raise bad_request("user not found")
            key["user_id"] = user_id
        return json.dumps(key, sort_keys=True)


def validate_entities(text: str, entities: Any) -> list[Entity]:
    """Validate an explicit ``entities`` list against ``text`` and return it sorted."""
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    checked: list[Entity] = []
    for entity in entities:
        if (
            not isinstance(entity, dict)
            or not isinstance(entity.get("type"), str)
            or not isinstance(entity.get("offset"), int)
            or not isinstance(entity.get("length"), int)
        ):
            raise bad_request(
                'can\'t parse MessageEntity: field "type", "offset" or "length" is missing'
            )
        if (
            entity["offset"] < 0
            or entity["length"] <= 0
            or entity["offset"] + entity["length"] > total
        ):
            continue
        if entity["type"] == "text_link" and not entity.get("url"):
            raise bad_request('can\'t parse MessageEntity: field "url" must be specified')
        checked.append(dict(entity))
    return sort_entities(checked)


def make_private_chat(world: World, user: UserState) -> ChatState:
    """Return the user's private chat with the bot, creating it if needed."""
    chat = world.chats.get(user.id)
    if chat is None:
        chat = ChatState(id=user.id, type=PRIVATE, user_id=user.id)
        world.chats[user.id] = chat
    return chat
