"""/battle in the team group: a manager starts this week's quiz battle now."""

from __future__ import annotations

from telegram import Update

from bot.battle_jobs import battle_rules
from bot.context import CoachContext
from bot.handlers.common import contact_of, reply, sender_language
from coach import battles
from coach.models import Lang


async def battle(update: Update, context: CoachContext) -> None:
    """Announces the battle in the group; its questions follow from the battle job."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        await reply(update, sender_language(update, context), "battle/anonymous_admin")
        return
    services = context.services
    person, started = await services.as_person(
        contact_of(update),
        battles.start_battle,
        chat.id,
        battle_rules(services.settings.practice),
    )
    await reply(
        update, Lang(started.language), "battle/started", battle=started, by=person.first_name
    )
