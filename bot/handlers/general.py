"""/help, /cancel, and a short useful answer to everything else."""

from __future__ import annotations

from telegram import Update

from bot.context import CoachContext
from bot.handlers.common import contact_of, reply, sender_language
from coach import onboarding, scores


async def help_command(update: Update, context: CoachContext) -> None:
    """Lists what this person can do, by role, or what the bot does in a group."""
    person, profile = await context.services.as_person(contact_of(update), onboarding.profile)
    await reply(update, person.language, "help/private", profile=profile, **scores.HELP_RULES)


async def help_in_group(update: Update, context: CoachContext) -> None:
    """Explains the bot's part in the team group."""
    await reply(
        update,
        sender_language(update, context),
        "help/group",
        bot_username=context.bot.username,
    )


async def cancel(update: Update, context: CoachContext) -> None:
    """Leaves the open flow, or says there was none."""
    person, cancelled = await context.services.as_person(contact_of(update), onboarding.cancel)
    await reply(update, person.language, "cancel/done" if cancelled else "cancel/nothing")


async def unknown_command(update: Update, context: CoachContext) -> None:
    """Answers a command the bot does not have with a pointer to /help."""
    message = update.effective_message
    assert message is not None and message.text is not None
    person, _ = await context.services.as_person(contact_of(update), onboarding.profile)
    command = message.text.split()[0].split("@")[0][:33]
    await reply(update, person.language, "fallback/unknown_command", command=command)


async def unknown_in_group(update: Update, context: CoachContext) -> None:
    """Answers commands or replies addressed to the bot in a group with a pointer to /help."""
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    is_command = bool(message.text and message.text.startswith("/"))
    if not is_command and (
        replied is None or replied.from_user is None or replied.from_user.id != context.bot.id
    ):
        return  # a reply between people, seen because privacy mode is off
    if message.text and is_command:
        target = message.text.split()[0].partition("@")[2]
        if target and target.lower() != (context.bot.username or "").lower():
            return  # a command for another bot in the same group
    await reply(update, sender_language(update, context), "fallback/group")


async def not_text(update: Update, context: CoachContext) -> None:
    """Says that only text and commands are understood here (stickers, photos, voice…)."""
    person, _ = await context.services.as_person(contact_of(update), onboarding.profile)
    await reply(update, person.language, "fallback/not_text")


async def edited(update: Update, context: CoachContext) -> None:
    """Explains that an edited message is not read again."""
    person, _ = await context.services.as_person(contact_of(update), onboarding.profile)
    await reply(update, person.language, "fallback/edited")
