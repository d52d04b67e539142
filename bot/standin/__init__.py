"""A local Telegram Bot API stand-in: a real HTTP server plus simulated users and groups.

The test suite drives the real python-telegram-bot ``Application`` against it over HTTP, and
the terminal sandbox lets a person play users chatting with the bot. It depends only on
aiohttp and the standard library (not on PTB), so it is an independent implementation.

Example::

    async with StandIn() as standin:               # or: await standin.start(); ... stop()
        app = (
            ApplicationBuilder().token(standin.token)
            .base_url(standin.base_url).base_file_url(standin.base_file_url).build()
        )
        alice = standin.add_user("Alice", username="alice")
        team = standin.add_group("East team", members={alice: "creator"})
        team.add_bot(by=alice)                      # my_chat_member left -> member
        mark = standin.last_seq
        alice.send("/start")                        # update queued for getUpdates/webhook
        reply = await standin.wait_for_message(chat_id=alice.id, after_seq=mark)
        alice.press(reply, "Yes")                   # callback_query by button text
        assert alice.last_message.text == "..."

Server: ``StandIn(token="123456:TEST-token", bot_username="SalesCoachBot",
bot_first_name="Sales Coach", auto_deliver=True, clock=None, *, privacy_mode=True,
strict_html=True, webhook_max_attempts=5, webhook_retry_delay=0.05)``;
``await start(host="127.0.0.1", port=0)``, ``await stop()``, ``base_url``,
``base_file_url``, ``token``, ``bot_id``; ``await call(method, **params)`` runs a method
in-process. ``faults.fail_next(method, error_code=429, description=None, retry_after=None,
count=1)`` and ``faults.random_429(rate=0.05, retry_after=1, seed=None, methods=...)`` make
calls fail without any effect.

Players: ``add_user(first_name, last_name=None, username=None, language_code="en") ->
FakeUser``; ``add_group(title, members=None, supergroup=False) -> FakeGroup``. FakeUser:
``send(text, chat=None)``, ``reply(to_message, text, chat=None)``, ``send_sticker()``,
``send_photo(caption=None, content=None)``, ``send_document(filename, content, mime_type,
caption=None)``, ``send_voice()``, ``send_location(lat, lon)``, ``edit(message, text)``,
``press(message, button)``, ``press_data(message, data)``, ``answer_poll(message,
option_ids)``, ``block_bot()``, ``unblock_bot()``, ``inbox``, ``last_message``,
``history``. FakeGroup: ``set_status(user, status)``, ``add_member``, ``remove_member``,
``add_bot(by)``, ``remove_bot(by=None, kicked=True)``, ``promote_bot()``, ``demote_bot()``,
``migrate_to_supergroup()`` (new group: ``migrated_to``), ``send_as_anonymous_admin(text)``,
``inbox``, ``last_message``. Actions return the update dict, or None when the bot would not
receive it; impossible actions raise PlayerError (a ValueError).

Observation: ``calls``, ``last_seq``, ``calls_since(seq)``, ``await wait_for(predicate,
timeout=5.0, after_seq=0)``, ``await wait_for_message(predicate=None, chat_id=None,
after_seq=0, timeout=5.0)``, ``await wait_until(condition, timeout)``,
``sent_messages(chat_id=None)``, ``subscribe(callback)``, ``commands(scope=None,
language_code=None)``, ``menu_commands(user, chat=None)``, ``updates``, ``pending_updates``,
``update_acknowledged(update_id)``, ``await wait_acknowledged(update_id, timeout)``,
``polls_waiting``, ``webhook_deliveries``, ``callback_answers``, ``chat_actions``,
``callback_query_ttl`` (seconds of injected-clock time after which a press can no longer be
answered; None by default), ``user(id)``, ``group(id)``; ``world`` is the raw state.
Subscribers receive SentMessage, MessageEdited, MessageDeleted, ChatActionSent and
CallbackAnswer events. Everything runs on the event loop thread: call player actions from
it (e.g. via ``loop.call_soon_threadsafe`` from a terminal reader thread).

PTB note: with ``filterwarnings=error``, set ``PTB_TIMEDELTA=true`` (PTB 22 otherwise warns
when it builds RetryAfter or reads duration fields); the tests here do it in conftest.

Implemented methods (anything else answers 404 "Not Found"): getMe, logOut, close,
getUpdates, setWebhook, deleteWebhook, getWebhookInfo, sendMessage, editMessageText,
editMessageReplyMarkup, deleteMessage, answerCallbackQuery, sendPhoto, sendDocument,
sendPoll, stopPoll, setMyCommands, getMyCommands, deleteMyCommands, getChat, getChatMember,
getChatAdministrators, leaveChat, sendChatAction, getFile.

Deliberate differences from Telegram: only ``parse_mode="HTML"`` (or none) is supported
(MarkdownV2/Markdown answer 400); HTML is strict by default (a bare ``&`` or ``>`` is
rejected, ``strict_html=False`` restores Telegram's leniency); text length is counted in
UTF-16 code units after entity parsing and trimming (4096 for text, 1024 for captions), which
is never more permissive than Telegram; webhooks may use plain http on any port; file URLs
cannot be fetched (no internet); message ids count per chat; privacy mode (on by default,
like BotFather's default) hides plain group messages unless the bot is an administrator.
"""

from bot.standin.actors import FakeGroup, FakeUser
from bot.standin.errors import ApiError, PlayerError
from bot.standin.records import (
    ApiCall,
    BotCommand,
    Button,
    CallbackAnswer,
    ChatActionSent,
    MessageDeleted,
    MessageEdited,
    SentFile,
    SentMessage,
    SentPoll,
    WebhookDelivery,
)
from bot.standin.standin import StandIn

__all__ = [
    "ApiCall",
    "ApiError",
    "BotCommand",
    "Button",
    "CallbackAnswer",
    "ChatActionSent",
    "FakeGroup",
    "FakeUser",
    "MessageDeleted",
    "MessageEdited",
    "PlayerError",
    "SentFile",
    "SentMessage",
    "SentPoll",
    "StandIn",
    "WebhookDelivery",
]
