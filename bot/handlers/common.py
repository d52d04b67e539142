"""Small helpers every handler uses: who is talking, and how to answer them."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.context import CoachContext
from bot.render import render, split_message
from coach.models import Contact, Lang

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS


def contact_of(update: Update) -> Contact:
    """The sender as plain values; every update our handlers accept has one."""
    user = update.effective_user
    assert user is not None, "handler registered for an update without a sender"
    return Contact(
        user_id=user.id,
        first_name=user.first_name,
        username=user.username,
        language_code=user.language_code,
    )


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def sender_language(update: Update, context: CoachContext) -> Lang:
    """The language to answer someone we may not have stored yet."""
    user = update.effective_user
    default = context.services.default_language
    return Lang.from_telegram(user.language_code if user else None, default)


async def reply(
    update: Update,
    lang: Lang,
    template: str,
    *,
    reply_markup: object = None,
    **values: object,
) -> Message | None:
    """Render ``template`` and send it to the chat the update came from."""
    return await reply_text(update, render(lang, template, **values), reply_markup=reply_markup)


async def reply_text(update: Update, html: str, *, reply_markup: object = None) -> Message | None:
    """Send rendered ``html`` to the chat the update came from (split if over-long)."""
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_message(html)
    sent = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        if message is not None and update.callback_query is None:
            sent = await message.reply_text(part, reply_markup=markup)  # type: ignore[arg-type]
        else:
            sent = await chat.send_message(part, reply_markup=markup)  # type: ignore[arg-type]
    return sent
