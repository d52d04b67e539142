"""The evening sharing (晚分享): /share, replies to the bot in the group, 👍 kudos, /tips.

Where a share goes, and why:

* written privately (``/share``), it is posted in the group **through the outbox**, stored in
  the same transaction as the share: the group's 20 messages a minute are kept by the sender,
  and a crash can neither lose a stored share's post nor post it twice;
* written as a reply to the bot in the group, the rep's own message already is the share, so
  the bot answers it **directly** with a short card carrying the 👍 button instead of posting
  the text a second time.

Kudos are answered with a toast (never a message in the group) and the button shows the count.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import CoachContext
from bot.handlers import general
from bot.handlers.common import contact_of, reply
from bot.keyboards import KeepLesson, KudosButton, ShareKind, buttons_keyboard
from bot.notices import compose
from bot.render import render
from coach import sharing_flow
from coach.models import Lang, Person
from coach.sharing import KudosVerdict
from coach.team_settings import Theme

log = logging.getLogger(__name__)

KEEP_WORDS = frozenset({"keep", "保留"})


async def share(update: Update, context: CoachContext) -> None:
    """``/share <text>`` posts it to the group now; ``/share`` alone asks for it, with types."""
    services = context.services
    text = _after_command(update)
    if text:
        person, posted = await services.as_person(
            contact_of(update), sharing_flow.share_privately, text, compose
        )
        await answered(update, context, person, posted)
        return
    person, asked = await services.as_person(contact_of(update), sharing_flow.start_share)
    await reply(
        update,
        person.language,
        "sharing/ask",
        asked=asked,
        reply_markup=_kinds(person.language, asked.kind),
    )


async def kind_button(update: Update, context: CoachContext) -> None:
    """A type button under the ``/share`` question: the question now names that type."""
    query = update.callback_query
    assert query is not None
    kind = ShareKind.unpack(query.data).kind
    await query.answer()
    person, asked = await context.services.as_person(
        contact_of(update), sharing_flow.choose_kind, kind
    )
    try:
        await query.edit_message_text(
            render(person.language, "sharing/ask", asked=asked),
            reply_markup=_kinds(person.language, asked.kind),
        )
    except TelegramError as exc:  # the same type pressed again: "message is not modified"
        log.debug("share type message not edited: %s", type(exc).__name__)


async def answered(
    update: Update,
    context: CoachContext,
    person: Person,
    outcome: sharing_flow.SharePosted | sharing_flow.ShareMissed,
) -> None:
    """Confirms a private share (and sends its group post now), or says the session closed."""
    if isinstance(outcome, sharing_flow.ShareMissed):
        await reply(update, person.language, "sharing/missed", missed=outcome)
        return
    _wake_sender(context)
    await reply(update, person.language, "sharing/posted", posted=outcome)


async def group_reply(update: Update, context: CoachContext) -> None:
    """A text reply to the bot in a group: a share while the session is open, else a pointer."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and message.text is not None
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return  # a reply between people, seen because privacy mode is off
    await _share_in_group(update, context, message.text)


async def share_in_group_command(update: Update, context: CoachContext) -> None:
    """``/share <text>`` in the team group: a named share, like a reply to the bot."""
    message = update.effective_message
    assert message is not None
    await _share_in_group(update, context, _after_command(update))


async def _share_in_group(update: Update, context: CoachContext, text: str) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if message.sender_chat is not None:  # an anonymous admin or a channel: nobody to name
        await general.unknown_in_group(update, context)
        return
    person, posted = await context.services.as_person(
        contact_of(update), sharing_flow.share_in_group, chat.id, text
    )
    if posted is None:  # not a team's group
        await general.unknown_in_group(update, context)
        return
    assert posted.share.id is not None
    await reply(
        update,
        posted.team.language,
        "sharing/group_card",
        posted=posted,
        me=person,
        reply_markup=_kudos_markup(posted.share.id, 0),
    )


async def kudos_button(update: Update, context: CoachContext) -> None:
    """👍 under a share: a toast says thanks, already, or why not; the button shows the count."""
    query = update.callback_query
    assert query is not None
    share_id = KudosButton.unpack(query.data).share
    person, given = await context.services.as_person(
        contact_of(update), sharing_flow.give_kudos, share_id
    )
    await query.answer(render(person.language, "sharing/kudos_toast", verdict=given.verdict))
    if given.verdict is not KudosVerdict.THANKS:
        return
    try:
        await query.edit_message_reply_markup(_kudos_markup(share_id, given.count))
    except TelegramError as exc:  # an old message, or the count shown already
        log.debug("kudos count not shown on share %s: %s", share_id, type(exc).__name__)


async def tips(update: Update, context: CoachContext) -> None:
    """``/tips``: the team's kept lessons; for managers also shares to keep (buttons), and
    ``/tips keep N`` keeps share N."""
    services = context.services
    args = list(context.args or [])
    if args:
        number = _keep_number(args)
        if number is None:
            person, _ = await services.as_person(contact_of(update), sharing_flow.tips)
            await reply(update, person.language, "sharing/tips_usage")
            return
        await _keep(update, context, number)
        return
    person, listed = await services.as_person(contact_of(update), sharing_flow.tips)
    rows = [
        [(KeepLesson(lesson.share.id or 0), _keep_label(person.language, lesson.share.id))]
        for lesson in listed.candidates
    ]
    markup = buttons_keyboard(rows) if rows else None
    await reply(update, person.language, "sharing/tips", tips=listed, reply_markup=markup)


async def keep_button(update: Update, context: CoachContext) -> None:
    """The "Keep #N" button under ``/tips``: that share becomes its week's best lesson."""
    query = update.callback_query
    assert query is not None
    share_id = KeepLesson.unpack(query.data).share
    await query.answer()
    await _keep(update, context, share_id)


async def _keep(update: Update, context: CoachContext, share_id: int) -> None:
    person, kept = await context.services.as_person(
        contact_of(update), sharing_flow.keep_lesson, share_id
    )
    await reply(update, person.language, "sharing/kept", kept=kept)


def _after_command(update: Update) -> str:
    """What follows ``/share`` in the message, line breaks kept."""
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _keep_number(args: list[str]) -> int | None:
    """``keep 12`` / ``保留 #12`` → 12; anything else ``None``."""
    if len(args) != 2 or args[0].casefold() not in KEEP_WORDS:
        return None
    digits = args[1].lstrip("#＃")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


def _kinds(lang: Lang, chosen: Theme) -> InlineKeyboardMarkup:
    buttons = [
        (ShareKind(kind), render(lang, "sharing/kind_button", kind=kind, chosen=kind is chosen))
        for kind in Theme
    ]
    return buttons_keyboard([buttons[:2], buttons[2:]])


def _kudos_markup(share_id: int, count: int) -> InlineKeyboardMarkup:
    label = render(Lang.EN, "sharing/kudos_label", count=count)  # the same in every language
    return buttons_keyboard([[(KudosButton(share_id), label)]])


def _keep_label(lang: Lang, share_id: int | None) -> str:
    return render(lang, "sharing/keep_button", number=share_id)


def _wake_sender(context: CoachContext) -> None:
    """Send the queued group post now rather than at the sender's next poll."""
    from bot.delivery import sender_of

    try:
        sender_of(context.application).wake()
    except LookupError:  # an application without a sender (some tests)
        log.debug("no outbox sender to wake")
