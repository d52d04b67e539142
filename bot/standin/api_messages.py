"""Bot API methods for text messages, edits, deletion, callback answers and chat actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.standin.errors import bad_request
from bot.standin.jsondata import clone
from bot.standin.keyboards import validate_markup
from bot.standin.params import Params
from bot.standin.records import CallbackAnswer, ChatActionSent, MessageDeleted, MessageEdited
from bot.standin.registry import api_method
from bot.standin.state import PRIVATE, ChatState, StoredMessage
from bot.standin.world import World

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
MAX_CALLBACK_ANSWER_LENGTH = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@api_method("sendMessage")
def send_message(world: World, p: Params) -> dict[str, Any]:
    """Send a text message."""
    if not p.string("text"):
        raise bad_request("message text is empty")
    markup = validate_markup(p.json_value("reply_markup"))
    chat = world.chat_for_bot(p.chat_id())
    text, entities = world.message_text(p)
    reply_to = world.reply_target(chat, p)
    msg = world.add_bot_message(
        chat, p, text=text, entities=entities, markup=markup, reply_to=reply_to
    )
    return world.message_dict(msg)


def _message_to_edit(world: World, p: Params) -> tuple[ChatState, StoredMessage]:
    if p.string("inline_message_id"):
        raise bad_request("inline messages are not supported by the stand-in")
    chat = world.chat_for_bot(p.chat_id())
    message_id = p.integer("message_id", missing="message identifier is not specified")
    msg = chat.messages.get(message_id) if message_id is not None else None
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _inline_markup(p: Params) -> dict[str, Any] | None:
    markup = validate_markup(p.json_value("reply_markup"))
    if markup.keyboard is not None:
        raise bad_request("inline keyboard expected")
    return markup.inline


def _apply_edit(world: World, msg: StoredMessage, change: dict[str, Any]) -> dict[str, Any]:
    previous = world.snapshot(msg)
    for name, value in change.items():
        setattr(msg, name, value)
    msg.edit_date = world.timestamp()
    world.publish(MessageEdited(world.snapshot(msg), previous))
    return world.message_dict(msg)


@api_method("editMessageText")
def edit_message_text(world: World, p: Params) -> dict[str, Any]:
    """Edit the text (and inline keyboard) of a bot message."""
    _, msg = _message_to_edit(world, p)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = world.message_text(p)
    inline = _inline_markup(p)
    if (text, entities, inline) == (msg.text, msg.entities, msg.inline_markup):
        raise bad_request(NOT_MODIFIED)
    parse_mode = p.string("parse_mode") or None
    html = p.string("text") if parse_mode and parse_mode.lower() == "html" else None
    change = {
        "text": text, "entities": entities, "inline_markup": inline, "html": html,
        "parse_mode": parse_mode,
    }  # fmt: skip
    return _apply_edit(world, msg, change)


@api_method("editMessageReplyMarkup")
def edit_message_reply_markup(world: World, p: Params) -> dict[str, Any]:
    """Replace (or remove, if omitted) the inline keyboard of a bot message."""
    _, msg = _message_to_edit(world, p)
    inline = _inline_markup(p)
    if inline == msg.inline_markup:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(world, msg, {"inline_markup": clone(inline)})


@api_method("deleteMessage")
def delete_message(world: World, p: Params) -> bool:
    """Delete a message (the bot's own, any in private chats, others' only as group admin)."""
    chat = world.chat_for_bot(p.chat_id())
    message_id = p.integer("message_id", missing="message identifier is not specified")
    msg = chat.messages.get(message_id) if message_id is not None else None
    if msg is None:
        raise bad_request("message to delete not found")
    if (
        not msg.from_bot
        and chat.type != PRIVATE
        and chat.bot_status not in ("creator", "administrator")
    ):
        raise bad_request("message can't be deleted")
    del chat.messages[msg.message_id]
    world.publish(MessageDeleted(chat.id, msg.message_id))
    return True


@api_method("answerCallbackQuery")
def answer_callback_query(world: World, p: Params) -> bool:
    """Answer a button press (once, while it is fresh)."""
    query_id = p.string("callback_query_id") or ""
    query = world.callback_queries.get(query_id)
    expired = (
        query is not None
        and world.callback_query_ttl is not None
        and world.now() - query.created > timedelta(seconds=world.callback_query_ttl)
    )
    if query is None or query.answered or expired:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    answer = CallbackAnswer(
        callback_query_id=query.id,
        user_id=query.user_id,
        text=text,
        show_alert=p.boolean("show_alert"),
        url=p.string("url"),
        cache_time=p.integer("cache_time"),
    )
    world.callback_answers.append(answer)
    world.publish(answer)
    return True


@api_method("sendChatAction")
def send_chat_action(world: World, p: Params) -> bool:
    """Record a chat action such as ``typing``."""
    action = p.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = world.chat_for_bot(p.chat_id())
    world.chat_actions.append((chat.id, action))
    world.publish(ChatActionSent(chat.id, action))
    return True
