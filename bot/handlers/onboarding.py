"""/start with invites, /newteam, /invite, and the free-text steps of open flows."""

from __future__ import annotations

from telegram import Update

from bot.commands import set_personal_menu
from bot.context import CoachContext
from bot.handlers.common import contact_of, reply
from bot.keyboards import ConfirmMove, move_keyboard, skip_keyboard
from bot.render import MESSAGE_LIMIT, render
from coach import onboarding
from coach.models import Dialog, Person, Role


def invite_link(context: CoachContext, token: str) -> str:
    return f"https://t.me/{context.bot.username}?start={token}"


async def start(update: Update, context: CoachContext) -> None:
    """Greets; with an invite payload the person joins, or is asked before changing teams."""
    services = context.services
    contact = contact_of(update)
    if not context.args:
        person, profile = await services.as_person(contact, onboarding.profile)
        await reply(update, person.language, "start/welcome", profile=profile, me=person)
        return
    token = context.args[0]
    person, outcome = await services.as_person(contact, onboarding.join, token)
    if isinstance(outcome, onboarding.MoveNeeded):
        await reply(
            update,
            person.language,
            "start/move_confirm",
            reply_markup=move_keyboard(
                token,
                yes=render(person.language, "start/move_yes"),
                no=render(person.language, "start/move_no"),
            ),
            move=outcome,
        )
        return
    await _welcome_joined(update, context, person, outcome)


async def confirm_move(update: Update, context: CoachContext) -> None:
    """Moves the person to the invited team, or leaves them where they are, and says so."""
    query = update.callback_query
    assert query is not None
    choice = ConfirmMove.unpack(query.data)
    await query.answer()
    contact = contact_of(update)
    if not choice.accept:
        person, profile = await context.services.as_person(contact, onboarding.profile)
        await query.edit_message_text(
            render(person.language, "start/move_declined", profile=profile)
        )
        return
    person, outcome = await context.services.as_person(
        contact, onboarding.join, choice.token, confirm_move=True
    )
    assert isinstance(outcome, onboarding.Joined)
    await query.edit_message_reply_markup(None)
    await _welcome_joined(update, context, person, outcome)


async def _welcome_joined(
    update: Update, context: CoachContext, person: Person, joined: onboarding.Joined
) -> None:
    await reply(update, person.language, "start/joined", joined=joined, me=person)
    await set_personal_menu(context.bot, person.user_id, person.language, joined.role)


async def new_team(update: Update, context: CoachContext) -> None:
    """Creates a team from ``/newteam name | region | zone``, or asks for the name step by step."""
    services = context.services
    contact = contact_of(update)
    text = " ".join(context.args or [])
    if not text:
        person, dialog = await services.as_person(contact, onboarding.begin_new_team)
        await ask_new_team_step(update, person, dialog)
        return
    person, created = await services.as_person(
        contact, onboarding.new_team_command, text, services.team_defaults
    )
    await team_created(update, context, person, created)


async def skip_region(update: Update, context: CoachContext) -> None:
    """Creates the team without a region when the person presses Skip."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _answer_dialog(update, context, None)


async def free_text(update: Update, context: CoachContext) -> None:
    """Takes the answer to an open flow's question, or explains what the bot understands."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if len(message.text) > MESSAGE_LIMIT:
        person, _ = await context.services.as_person(contact_of(update), onboarding.profile)
        await reply(update, person.language, "fallback/too_long", limit=MESSAGE_LIMIT)
        return
    await _answer_dialog(update, context, message.text)


async def _answer_dialog(update: Update, context: CoachContext, text: str | None) -> None:
    from bot.handlers.checkins import answer  # the one router of open flows

    if not await answer(update, context, text):
        person, profile = await context.services.as_person(contact_of(update), onboarding.profile)
        await reply(update, person.language, "fallback/unknown_text", profile=profile)


async def ask_new_team_step(update: Update, person: Person, dialog: Dialog) -> None:
    markup = None
    if dialog.step == "region":
        markup = skip_keyboard(render(person.language, "newteam/skip"))
    await reply(update, person.language, f"newteam/ask_{dialog.step}", reply_markup=markup)


async def team_created(
    update: Update, context: CoachContext, person: Person, created: onboarding.TeamCreated
) -> None:
    await reply(
        update,
        person.language,
        "newteam/created",
        team=created.team,
        link=invite_link(context, created.invite.token),
        invite=created.invite.invite,
        bot_username=context.bot.username,
    )
    await set_personal_menu(context.bot, person.user_id, person.language, Role.MANAGER)


async def invite(update: Update, context: CoachContext) -> None:
    """Sends a fresh invite link (``/invite [manager] [days]``); the previous one stops working."""
    services = context.services
    contact = contact_of(update)
    person, issued = await services.as_person(
        contact,
        onboarding.invite_command,
        list(context.args or []),
        services.team_defaults.invite_ttl_days,
    )
    await reply(
        update,
        person.language,
        "invite/issued",
        team=issued.team,
        link=invite_link(context, issued.invite.token),
        invite=issued.invite.invite,
        revoked=issued.revoked,
    )
