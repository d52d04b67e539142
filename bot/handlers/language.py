"""/lang: pick Chinese or English for good."""

from __future__ import annotations

from telegram import Update

from bot.commands import set_personal_menu
from bot.context import CoachContext
from bot.handlers.common import contact_of, reply
from bot.keyboards import ChooseLanguage, language_keyboard
from coach import onboarding
from coach.models import Lang


async def ask_language(update: Update, context: CoachContext) -> None:
    """Shows the two language buttons; ``/lang en`` or ``/lang 中文`` switches at once."""
    contact = contact_of(update)
    wanted = _parse(context.args[0]) if context.args else None
    if wanted is None:
        person, _ = await context.services.as_person(contact, onboarding.profile)
        await reply(update, person.language, "lang/choose", reply_markup=language_keyboard())
        return
    await _switch(update, context, wanted)


async def language_chosen(update: Update, context: CoachContext) -> None:
    """Switches the language when a button is pressed and confirms in the new one."""
    query = update.callback_query
    assert query is not None
    choice = ChooseLanguage.unpack(query.data)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _switch(update, context, choice.lang)


async def _switch(update: Update, context: CoachContext, lang: Lang) -> None:
    _, profile = await context.services.as_person(
        contact_of(update), onboarding.choose_language, lang
    )
    person = profile.person
    await reply(update, person.language, "lang/set")
    await set_personal_menu(context.bot, person.user_id, person.language, profile.role)


def _parse(word: str) -> Lang | None:
    aliases = {"zh": Lang.ZH, "cn": Lang.ZH, "中文": Lang.ZH, "en": Lang.EN, "english": Lang.EN}
    return aliases.get(word.strip().lower())
