"""Sending, editing and deleting messages through a real PTB Bot; keyboards and presses."""

from __future__ import annotations

from datetime import UTC

import pytest
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.standin import Button, MessageDeleted, MessageEdited, PlayerError, SentMessage, StandIn
from tests.standin.conftest import assert_clean

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes", callback_data="report:yes")],
        [
            InlineKeyboardButton("No", callback_data="report:no"),
            InlineKeyboardButton("Docs", url="https://example.com/help"),
        ],
    ]
)


async def test_plain_message_shape(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice", "Smith", username="alice")
    alice.send("hi")
    message = await bot.send_message(alice.id, "Hello, Alice")

    assert isinstance(message, Message)
    assert_clean(message)
    assert message.text == "Hello, Alice"
    assert message.chat.id == alice.id
    assert message.chat.type == "private"
    assert message.chat.username == "alice"
    assert message.from_user is not None
    assert message.from_user.id == standin.bot_id
    assert message.from_user.is_bot
    assert message.date.tzinfo is not None
    sent = alice.last_message
    assert sent is not None
    assert (sent.text, sent.html, sent.parse_mode, sent.buttons) == ("Hello, Alice", None, None, [])
    assert sent.as_dict()["message_id"] == message.message_id


async def test_html_message_keeps_raw_html_and_entities(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    source = (
        '<b>Daily</b> report for <a href="https://crm.example/x">deal</a> &amp; <code>q=3</code>'
    )
    message = await bot.send_message(alice.id, source, parse_mode=ParseMode.HTML)

    assert_clean(message)
    assert message.text == "Daily report for deal & q=3"
    assert message.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 5),
        MessageEntity(MessageEntity.TEXT_LINK, 17, 4, url="https://crm.example/x"),
        MessageEntity(MessageEntity.CODE, 24, 3),
    )
    sent = standin.sent_messages(alice.id)[-1]
    assert sent.html == source
    assert sent.parse_mode == "HTML"
    assert sent.text == message.text


async def test_bad_html_is_rejected_and_nothing_sent(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(alice.id, "Hi <name>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="can't find end tag"):
        await bot.send_message(alice.id, "<b>unclosed", parse_mode=ParseMode.HTML)
    assert standin.calls[-1].description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    assert alice.inbox == []


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("", None, "Bad Request: message text is empty"),
        ("   \n ", None, "Bad Request: message text is empty"),
        ("<b></b>", ParseMode.HTML, "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("Q&A", ParseMode.HTML, 'Bad Request: can\'t parse entities: Character "&"'),
        ("*x*", ParseMode.MARKDOWN_V2, "Bad Request: parse_mode MarkdownV2 is not supported"),
    ],
)
async def test_text_errors(
    standin: StandIn, bot: Bot, text: str, parse_mode: str | None, description: str
) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, text, parse_mode=parse_mode)
    assert standin.calls[-1].description is not None
    assert standin.calls[-1].description.startswith(description)
    assert alice.inbox == []


@pytest.mark.parametrize(
    ("text", "parse_mode", "ok"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("😀" * 2048, None, True),  # 4096 UTF-16 code units
        ("😀" * 2048 + "a", None, False),
        ("<b>" + "a" * 4096 + "</b>", ParseMode.HTML, True),  # tags do not count
        ("&amp;" * 4096, ParseMode.HTML, True),  # counted after decoding
        ("&amp;" * 4097, ParseMode.HTML, False),
        ("  " + "a" * 4096 + "\n\n", None, True),  # trimmed before counting
    ],
)
async def test_length_limit_is_4096_utf16_units_after_parsing(
    standin: StandIn, bot: Bot, text: str, parse_mode: str | None, ok: bool
) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    if ok:
        message = await bot.send_message(alice.id, text, parse_mode=parse_mode)
        assert message.text is not None
        assert len(message.text.encode("utf-16-le")) // 2 == 4096
    else:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(alice.id, text, parse_mode=parse_mode)
        assert alice.inbox == []


async def test_chat_access_errors(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    bob = standin.add_user("Bob")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "x")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(alice.id, "x")

    bob.send("/start")
    bob.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(bob.id, "x")
    bob.unblock_bot()
    assert (await bot.send_message(bob.id, "welcome back")).text == "welcome back"

    team = standin.add_group("East team", members={alice: "creator"})
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(team.id, "x")
    team.add_bot(by=alice)
    await bot.send_message(team.id, "hello team")
    team.remove_bot(by=alice)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(team.id, "x")
    big = standin.add_group("West", members={alice: "creator"}, supergroup=True)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(big.id, "x")
    assert [m.text for m in standin.sent_messages()] == ["welcome back", "hello team"]


async def test_keyboard_press_produces_callback_query(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice", username="alice")
    alice.send("/report")
    sent = await bot.send_message(alice.id, "Did you hit quota?", reply_markup=KEYBOARD)
    assert sent.reply_markup == KEYBOARD

    view = alice.last_message
    assert view is not None
    assert view.buttons == [
        [Button("Yes", "report:yes")],
        [Button("No", "report:no"), Button("Docs", url="https://example.com/help")],
    ]
    update_dict = alice.press(view, "Yes")
    update = Update.de_json(update_dict, bot)
    assert_clean(update)
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert query.data == "report:yes"
    assert query.from_user.id == alice.id
    assert query.chat_instance
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == KEYBOARD

    assert alice.press(view, (1, 0))["callback_query"]["data"] == "report:no"
    assert alice.press(view, "report:no")["callback_query"]["data"] == "report:no"
    with pytest.raises(ValueError, match="no button 'Maybe'"):
        alice.press(view, "Maybe")
    with pytest.raises(PlayerError, match="no callback_data"):
        alice.press(view, "Docs")
    forged = alice.press_data(view, "admin:delete_all")
    assert forged["callback_query"]["data"] == "admin:delete_all"


async def test_answer_callback_query(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("/report")
    await bot.send_message(alice.id, "Quota?", reply_markup=KEYBOARD)
    assert alice.last_message is not None
    update = alice.press(alice.last_message, "Yes")
    query_id = update["callback_query"]["id"]

    assert await bot.answer_callback_query(query_id, text="Saved", show_alert=True) is True
    answer = alice.callback_answer(update)
    assert answer is not None
    assert (answer.text, answer.show_alert, answer.user_id) == ("Saved", True, alice.id)
    assert standin.callback_answers == [answer]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="query id is invalid"):
        await bot.answer_callback_query("12345")


async def test_callback_data_over_64_bytes_is_invalid(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await bot.send_message(alice.id, "64 bytes", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "65 bytes", reply_markup=too_long)
    text_only = InlineKeyboardMarkup([[InlineKeyboardButton("bare")]])
    with pytest.raises(BadRequest, match="Text buttons are unallowed in the inline keyboard"):
        await bot.send_message(alice.id, "x", reply_markup=text_only)
    assert [m.text for m in alice.inbox] == ["64 bytes"]


async def test_reply_keyboard_is_stored_but_not_in_message(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    message = await bot.send_message(
        alice.id, "Pick", reply_markup=ReplyKeyboardMarkup([["Won", "Lost"]], resize_keyboard=True)
    )
    assert message.reply_markup is None
    sent = alice.last_message
    assert sent is not None
    assert sent.keyboard == {
        "keyboard": [[{"text": "Won"}, {"text": "Lost"}]],
        "resize_keyboard": True,
    }


async def test_edit_message_text(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    events: list[object] = []
    standin.subscribe(events.append)
    sent = await bot.send_message(alice.id, "Step 1", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text(
        "<i>Step 2</i>", chat_id=alice.id, message_id=sent.message_id,
        parse_mode=ParseMode.HTML, reply_markup=KEYBOARD,
    )  # fmt: skip
    assert isinstance(edited, Message)
    assert_clean(edited)
    assert edited.text == "Step 2"
    assert edited.edit_date is not None
    assert edited.entities == (MessageEntity(MessageEntity.ITALIC, 0, 6),)
    view = alice.last_message
    assert view is not None
    assert (view.text, view.html, len(view.buttons)) == ("Step 2", "<i>Step 2</i>", 2)

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>Step 2</i>", chat_id=alice.id, message_id=sent.message_id,
            parse_mode=ParseMode.HTML, reply_markup=KEYBOARD,
        )  # fmt: skip
    assert standin.calls[-1].description == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    # Like Telegram, omitting reply_markup in an edit removes the inline keyboard.
    await bot.edit_message_text("Step 2", chat_id=alice.id, message_id=sent.message_id)
    assert alice.inbox[-1].buttons == []

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=1)

    kinds = [type(event) for event in events]
    assert kinds == [SentMessage, MessageEdited, MessageEdited]
    first_edit = events[1]
    assert isinstance(first_edit, MessageEdited)
    assert (first_edit.previous.text, first_edit.message.text) == ("Step 1", "Step 2")


async def test_edit_reply_markup(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    sent = await bot.send_message(alice.id, "Quota?", reply_markup=KEYBOARD)
    smaller = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
    result = await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=smaller)
    assert isinstance(result, Message)
    assert_clean(result)
    assert result.reply_markup == smaller
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=smaller)
    await bot.edit_message_reply_markup(alice.id, sent.message_id)
    assert alice.inbox[-1].buttons == []
    assert alice.inbox[-1].text == "Quota?"


async def test_delete_message(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    bob = standin.add_user("Bob")
    alice.send("hi")
    events: list[object] = []
    standin.subscribe(events.append)
    sent = await bot.send_message(alice.id, "temporary")
    assert await bot.delete_message(alice.id, sent.message_id) is True
    assert alice.inbox == []
    assert events[-1] == MessageDeleted(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    assert await bot.delete_message(alice.id, 1) is True  # the user's own message, private chat

    team = standin.add_group("East", members={alice: "creator", bob: "member"})
    team.add_bot(by=alice)
    update = bob.send("/done", chat=team)
    assert update is not None
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(team.id, update["message"]["message_id"])
    team.promote_bot(by=alice)
    assert await bot.delete_message(team.id, update["message"]["message_id"]) is True


async def test_replies(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    first = alice.send("my numbers: 5 calls")
    assert first is not None
    user_message_id = first["message"]["message_id"]
    reply = await bot.send_message(alice.id, "Great!", reply_to_message_id=user_message_id)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "my numbers: 5 calls"
    assert_clean(reply)
    assert alice.last_message is not None
    assert alice.last_message.reply_to_message_id == user_message_id

    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(999))
    lenient = await bot.send_message(
        alice.id, "ok", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None

    update = Update.de_json(alice.reply(reply, "thanks"), bot)
    assert_clean(update)
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == reply.message_id
    assert update.message.reply_to_message.from_user is not None
    assert update.message.reply_to_message.from_user.id == standin.bot_id


async def test_chat_action(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    assert await bot.send_chat_action(alice.id, "typing") is True
    assert standin.chat_actions == [(alice.id, "typing")]
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(alice.id, "dancing")


async def test_user_side_updates_parse_cleanly(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice", "Smith", username="alice", language_code="zh")
    produced = [
        alice.send("/start deep-link"),
        alice.send_sticker(),
        alice.send_photo(caption="/receipt today"),
        alice.send_document("q3.csv", b"a,b\n1,2\n", mime_type="text/csv", caption="numbers"),
        alice.send_voice(duration=4),
        alice.send_location(31.23, 121.47),
    ]
    first = produced[0]
    assert first is not None
    produced.append(alice.edit(first, "/start other"))
    updates = [Update.de_json(item, bot) for item in produced]
    for update in updates:
        assert_clean(update)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    start = updates[0].message
    assert start is not None
    assert start.from_user is not None
    assert start.from_user.language_code == "zh"
    assert start.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert updates[1].message and updates[1].message.sticker
    photo_message = updates[2].message
    assert photo_message is not None
    assert photo_message.photo
    assert photo_message.caption_entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 8),)
    assert updates[3].message and updates[3].message.document
    assert updates[3].message.document.file_name == "q3.csv"
    assert updates[4].message and updates[4].message.voice
    assert updates[5].message and updates[5].message.location
    assert updates[5].message.location.latitude == pytest.approx(31.23)
    edited = updates[6].edited_message
    assert edited is not None
    assert edited.text == "/start other"
    assert edited.edit_date is not None
    assert edited.edit_date.tzinfo == UTC or edited.edit_date.utcoffset() is not None
