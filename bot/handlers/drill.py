"""/drill, the drill's buttons and answers, /me, and the manager's /objections (field-to-drill)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import CoachContext
from bot.handlers.common import contact_of, reply
from bot.keyboards import (
    FIELD_DISMISS,
    FIELD_SORT,
    DrillAction,
    DrillButton,
    FieldButton,
    buttons_keyboard,
    one_button,
)
from bot.render import render
from coach import drill_flow, field_flow, quiz_flow
from coach.content import Category
from coach.models import Lang, Person
from coach.practice import DrillSource


async def drill(update: Update, context: CoachContext) -> None:
    """``/drill``: the bot plays a customer with an objection chosen for this rep."""
    await _start(update, context, DrillSource.COMMAND)


async def start_pushed(update: Update, context: CoachContext) -> None:
    """The "Practise now" button under the daily practice push."""
    await _start(update, context, DrillSource.PUSH)


async def _start(update: Update, context: CoachContext, source: DrillSource) -> None:
    person, started = await context.services.as_person(
        contact_of(update), drill_flow.start_drill, source
    )
    markup = one_button(
        DrillButton(DrillAction.ONE_ANSWER), render(person.language, "drill/one_answer_button")
    )
    await reply(update, person.language, "drill/start", started=started, reply_markup=markup)


async def drill_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    action = DrillButton.unpack(query.data).action
    await query.answer()
    await query.edit_message_reply_markup(None)
    if action is DrillAction.AGAIN:
        await _start(update, context, DrillSource.COMMAND)
        return
    person, started = await context.services.as_person(contact_of(update), drill_flow.answer_in_one)
    await reply(update, person.language, "drill/ask_all", started=started)


async def step_answered(update: Update, person: Person, answered: drill_flow.StepAnswered) -> None:
    await reply(update, person.language, "drill/step", answered=answered)


async def drill_finished(
    update: Update, person: Person, finished: drill_flow.DrillFinished
) -> None:
    markup = one_button(DrillButton(DrillAction.AGAIN), render(person.language, "drill/again"))
    await reply(update, person.language, "drill/finished", finished=finished, reply_markup=markup)


async def me(update: Update, context: CoachContext) -> None:
    """``/me``: weakest LAER step and objection category, quiz mastery per tag."""
    services = context.services
    person, drills = await services.as_person(contact_of(update), drill_flow.standing)
    _, quiz = await services.as_person(contact_of(update), quiz_flow.standing)
    await reply(update, person.language, "me/show", drills=drills, quiz=quiz)


# --- field-to-drill, for managers -------------------------------------------------------------


async def objections(update: Update, context: CoachContext) -> None:
    """``/objections``: what the team met lately; unmatched ones can become drill items."""
    person, listed = await context.services.as_person(contact_of(update), field_flow.field_list)
    rows = [
        [
            (FieldButton(item.id or 0, FIELD_SORT), render(person.language, "field/add", n=n)),
            (FieldButton(item.id or 0, FIELD_DISMISS), render(person.language, "field/drop", n=n)),
        ]
        for n, item in enumerate(listed.offered, start=1)
    ]
    markup = buttons_keyboard(rows) if rows else None
    await reply(update, person.language, "field/list", listed=listed, reply_markup=markup)


async def field_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    data = FieldButton.unpack(query.data)
    services = context.services
    await query.answer()
    if data.choice == FIELD_SORT:
        person, item = await services.as_person(
            contact_of(update), field_flow.item_to_sort, data.item
        )
        await reply(
            update, person.language, "field/sort", item=item,
            reply_markup=_categories(person.language, data.item),
        )  # fmt: skip
        return
    await query.edit_message_reply_markup(None)
    if data.choice == FIELD_DISMISS:
        person, _ = await services.as_person(contact_of(update), field_flow.dismiss, data.item)
        await reply(update, person.language, "field/dismissed")
        return
    try:
        category = Category(data.choice)
    except ValueError:
        from bot.keyboards import BadCallbackData

        raise BadCallbackData(query.data) from None
    person, stored = await services.as_person(
        contact_of(update), field_flow.add_as_drill, data.item, category
    )
    await reply(update, person.language, "field/added", stored=stored)


def _categories(lang: Lang, item: int) -> InlineKeyboardMarkup:
    buttons = [
        (FieldButton(item, category.value), render(lang, "field/category", category=category))
        for category in Category
    ]
    return buttons_keyboard([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
