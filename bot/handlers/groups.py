"""The team group: /bindgroup, the bot joining or leaving, and supergroup migration."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import CoachContext
from bot.handlers.common import contact_of, reply, sender_language
from bot.render import render
from coach import onboarding

log = logging.getLogger(__name__)

ADMINS = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
PRESENT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def bind_group(update: Update, context: CoachContext) -> None:
    """Binds this group to the sender's team if they manage it and administer the group."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        await reply(update, sender_language(update, context), "group/anonymous_admin")
        return
    contact = contact_of(update)
    member = await context.bot.get_chat_member(chat.id, contact.user_id)
    person, bound = await context.services.as_person(
        contact,
        onboarding.bind_group,
        chat.id,
        chat.title,
        is_group_admin=member.status in ADMINS,
    )
    await reply(update, bound.team.language, "group/bound", bound=bound, me=person)
    if bound.previous_chat_id is not None:
        await _tell_old_group(context, bound)


async def bind_group_in_private(update: Update, context: CoachContext) -> None:
    """Explains that /bindgroup is sent in the group, with the steps."""
    person, _ = await context.services.as_person(contact_of(update), onboarding.profile)
    await reply(update, person.language, "group/bind_in_group", bot_username=context.bot.username)


async def membership_changed(update: Update, context: CoachContext) -> None:
    """Greets a group that added the bot; forgets a group that removed it."""
    change = update.my_chat_member
    assert change is not None
    chat = change.chat
    if chat.type == ChatType.PRIVATE:
        # Someone blocked (kicked) or unblocked (member) the bot: pushes stop or resume.
        blocked = change.new_chat_member.status not in PRESENT
        services = context.services
        await services.run(onboarding.set_blocked, chat.id, blocked, services.clock.now())
        return
    was_in = change.old_chat_member.status in PRESENT
    is_in = change.new_chat_member.status in PRESENT
    if was_in and not is_in:
        team = await context.services.run(onboarding.group_gone, chat.id)
        if team is not None:
            log.info("bot left group %s; binding of team %s cleared", chat.id, team.id)
    elif is_in and not was_in:
        await reply(
            update,
            sender_language(update, context),
            "group/hello",
            bot_username=context.bot.username,
        )


async def group_migrated(update: Update, context: CoachContext) -> None:
    """Keeps the binding when a group is upgraded to a supergroup (its id changes)."""
    message = update.effective_message
    assert message is not None and message.migrate_to_chat_id is not None
    await context.services.run(
        onboarding.group_migrated, message.chat.id, message.migrate_to_chat_id
    )


async def _tell_old_group(context: CoachContext, bound: onboarding.GroupBound) -> None:
    assert bound.previous_chat_id is not None
    text = render(bound.team.language, "group/unbound_elsewhere", team=bound.team)
    try:
        await context.bot.send_message(bound.previous_chat_id, text)
    except TelegramError as exc:
        log.info("could not tell the old group: %s", exc.__class__.__name__)
