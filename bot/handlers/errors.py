"""The error handler: refusals become friendly answers; failures are logged without user text."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import CoachContext
from bot.handlers.common import reply, sender_language
from bot.keyboards import BadCallbackData
from bot.render import render
from bot.services import Refusal

log = logging.getLogger(__name__)


async def on_error(update: object, context: CoachContext) -> None:
    """Answers a refusal in the asker's language; logs anything else and apologises."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update: %s", type(error).__name__, exc_info=error)
        return
    try:
        if isinstance(error, Refusal):
            await _answer_query(update)
            await reply(
                update, error.person.language, f"errors/{error.error.code}", **error.error.context()
            )
        elif isinstance(error, BadCallbackData):
            await _answer_query(update, render(sender_language(update, context), "errors/stale"))
        else:
            # Only the update id and the error: the update itself may hold a rep's words.
            log.error(
                "update %s failed: %s", update.update_id, type(error).__name__, exc_info=error
            )
            await _answer_query(update)
            await reply(update, sender_language(update, context), "errors/internal")
    except TelegramError as exc:
        log.warning("could not answer update %s: %s", update.update_id, type(exc).__name__)


async def _answer_query(update: Update, text: str | None = None) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text, show_alert=text is not None)
        except TelegramError:
            log.debug("callback query %s already answered or too old", query.id)
