"""/plan, /review, /skip, /week and the buttons and answers of those flows."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import CoachContext
from bot.handlers import drill, sharing
from bot.handlers.common import contact_of, reply, reply_text
from bot.handlers.onboarding import ask_new_team_step, team_created
from bot.keyboards import (
    BackToWork,
    PlanAction,
    PlanButton,
    ReviewButton,
    SkipDays,
    Start,
    StartFlow,
    TickTask,
    buttons_keyboard,
    one_button,
    tasks_keyboard,
)
from bot.notices import compose
from bot.render import render
from coach import checkins, conversation, drill_flow, sharing_flow, weekly_view
from coach.days import Absence, Reflection
from coach.models import Dialog, Lang, Person
from coach.weekly import reflection_prompts

SKIP_LENGTHS = (1, 2, 3, 5)


# --- the plan --------------------------------------------------------------------------------


async def plan(update: Update, context: CoachContext) -> None:
    """``/plan`` opens the flow; ``/plan <tasks and figures>`` saves a whole plan at once."""
    services = context.services
    text = ""
    if update.callback_query is None and update.effective_message is not None:
        command = update.effective_message.text or ""
        text = command.split(maxsplit=1)[1].strip() if len(command.split(maxsplit=1)) > 1 else ""
    if text:
        person, saved = await services.as_person(contact_of(update), checkins.plan_in_one, text)
        await _plan_saved(update, context, person, saved)
        return
    person, started = await services.as_person(contact_of(update), checkins.start_plan)
    _, view = await services.as_person(
        contact_of(update), weekly_view.plan_context, started.today.day
    )
    markup = None
    if started.carry:
        markup = one_button(
            PlanButton(PlanAction.CARRY),
            render(person.language, "plan/carry_button", count=len(started.carry)),
        )
    await reply(
        update, person.language, "plan/start", started=started, view=view, reply_markup=markup
    )


async def plan_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    action = PlanButton.unpack(query.data).action
    await query.answer()
    await query.edit_message_reply_markup(None)
    if action is PlanAction.CARRY:
        person, asked = await context.services.as_person(
            contact_of(update), checkins.take_carry_over
        )
        await _plan_asked(update, person, asked)
        return
    await answer(update, context, None)


async def _plan_asked(update: Update, person: Person, asked: checkins.PlanAsked) -> None:
    markup = None
    if asked.step in {"more", "numbers"} or (asked.step == "tasks" and asked.tasks):
        markup = one_button(PlanButton(PlanAction.SKIP), render(person.language, "plan/skip"))
    await reply(update, person.language, f"plan/ask_{asked.step}", asked=asked, reply_markup=markup)


async def _plan_saved(
    update: Update, context: CoachContext, person: Person, saved: checkins.PlanSaved
) -> None:
    _, view = await context.services.as_person(
        contact_of(update), weekly_view.plan_context, saved.today.day
    )
    await reply(update, person.language, "plan/saved", saved=saved, view=view)


# --- the review ------------------------------------------------------------------------------


async def review(update: Update, context: CoachContext) -> None:
    """``/review``: the plan's tasks as buttons to tick, then the figures and the notes."""
    person, asked = await context.services.as_person(contact_of(update), checkins.start_review)
    await _review_asked(update, person, asked)


async def tick_task(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    index = TickTask.unpack(query.data).index
    person, asked = await context.services.as_person(
        contact_of(update), checkins.toggle_task, index
    )
    await query.answer()
    await query.edit_message_reply_markup(_tasks_markup(person.language, asked))


async def review_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    skip = ReviewButton.unpack(query.data).skip
    await query.answer()
    if not skip:
        # The task list turns into the next question: one edit instead of an edit and a send.
        person, asked = await context.services.as_person(contact_of(update), checkins.tasks_ticked)
        text, markup = _review_question(person.language, asked)
        await query.edit_message_text(text, reply_markup=markup)
        return
    await query.edit_message_reply_markup(None)
    await answer(update, context, None)


def _tasks_markup(lang: Lang, asked: checkins.ReviewAsked) -> InlineKeyboardMarkup:
    labels = [(("☑ " if t.done else "☐ ") + t.text[:60], t.done) for t in asked.tasks]
    return tasks_keyboard(labels, render(lang, "review/next"))


def _review_question(
    lang: Lang, asked: checkins.ReviewAsked
) -> tuple[str, InlineKeyboardMarkup | None]:
    markup = None
    if asked.step == "tasks":
        markup = _tasks_markup(lang, asked)
    elif asked.step in {"numbers", "objection"}:
        markup = one_button(ReviewButton(skip=True), render(lang, f"review/skip_{asked.step}"))
    return render(lang, f"review/ask_{asked.step}", asked=asked), markup


async def _review_asked(update: Update, person: Person, asked: checkins.ReviewAsked) -> None:
    text, markup = _review_question(person.language, asked)
    await reply_text(update, text, reply_markup=markup)


async def _review_saved(
    update: Update, context: CoachContext, person: Person, saved: checkins.ReviewSaved
) -> None:
    await reply(update, person.language, "review/saved", saved=saved, streak=saved.streak)


# --- answers to open flows -------------------------------------------------------------------


async def answer(update: Update, context: CoachContext, text: str | None) -> bool:
    """Route a text (or a Skip) to the open flow and answer; ``False`` when there is none."""
    services = context.services
    person, outcome = await services.as_person(
        contact_of(update), conversation.answer, text, services.team_defaults, compose
    )
    if outcome is None:
        return False
    if isinstance(outcome, checkins.PlanAsked):
        await _plan_asked(update, person, outcome)
    elif isinstance(outcome, checkins.PlanSaved):
        await _plan_saved(update, context, person, outcome)
    elif isinstance(outcome, checkins.ReviewAsked):
        await _review_asked(update, person, outcome)
    elif isinstance(outcome, checkins.ReviewSaved):
        await _review_saved(update, context, person, outcome)
    elif isinstance(outcome, checkins.ReflectionAsked):
        await _reflection_asked(update, person, outcome)
    elif isinstance(outcome, Reflection):
        await reply(update, person.language, "week/reflection_saved", reflection=outcome)
    elif isinstance(outcome, drill_flow.StepAnswered):
        await drill.step_answered(update, person, outcome)
    elif isinstance(outcome, drill_flow.DrillFinished):
        await drill.drill_finished(update, person, outcome)
    elif isinstance(outcome, sharing_flow.SharePosted | sharing_flow.ShareMissed):
        await sharing.answered(update, context, person, outcome)
    elif isinstance(outcome, Dialog):
        await ask_new_team_step(update, person, outcome)
    else:
        await team_created(update, context, person, outcome)
    return True


# --- pushed prompts' buttons -----------------------------------------------------------------


async def start_flow(update: Update, context: CoachContext) -> None:
    """ "Plan now" / "Review now" / "Answer the questions" under a pushed message."""
    query = update.callback_query
    assert query is not None
    flow = StartFlow.unpack(query.data).flow
    await query.answer()
    if flow is Start.PLAN:
        await plan(update, context)
    elif flow is Start.DRILL:
        await drill.start_pushed(update, context)
    elif flow is Start.REVIEW:
        await review(update, context)
    else:
        await reflect(update, context)


# --- days off --------------------------------------------------------------------------------


async def skip(update: Update, context: CoachContext) -> None:
    """``/skip [reason] [days]``; without both, buttons ask for what is missing."""
    services = context.services
    person, (reason, days) = await services.as_person(
        contact_of(update), checkins.skip_request, list(context.args or [])
    )
    if reason is not None and days is not None:
        await _skip_days(update, context, reason, days)
        return
    if reason is None:
        rows = [
            [(SkipDays(a.value, days or 0), render(person.language, "skip/reason", reason=a))]
            for a in Absence
        ]
        _, away = await services.as_person(contact_of(update), checkins.away_until)
        if away is not None:
            rows.append([(BackToWork(), render(person.language, "skip/back_button"))])
        await reply(
            update, person.language, "skip/choose", away=away, reply_markup=buttons_keyboard(rows)
        )
        return
    await _ask_length(update, person, reason)


async def _ask_length(update: Update, person: Person, reason: Absence) -> None:
    row = [
        (SkipDays(reason.value, n), render(person.language, "skip/length", days=n))
        for n in SKIP_LENGTHS
    ]
    await reply(
        update,
        person.language,
        "skip/ask_length",
        reason=reason,
        reply_markup=buttons_keyboard([row]),
    )


async def skip_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    choice = SkipDays.unpack(query.data)
    await query.answer()
    await query.edit_message_reply_markup(None)
    try:
        reason = Absence(choice.reason)
    except ValueError:
        from bot.keyboards import BadCallbackData

        raise BadCallbackData(query.data) from None
    if choice.days == 0:
        person, _ = await context.services.as_person(contact_of(update), checkins.today)
        await _ask_length(update, person, reason)
        return
    await _skip_days(update, context, reason, choice.days)


async def _skip_days(update: Update, context: CoachContext, reason: Absence, days: int) -> None:
    person, skipped = await context.services.as_person(
        contact_of(update), checkins.skip, reason, days
    )
    await reply(update, person.language, "skip/done", skipped=skipped)


async def back_to_work(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    BackToWork.unpack(query.data)
    await query.answer()
    await query.edit_message_reply_markup(None)
    person, cleared = await context.services.as_person(contact_of(update), checkins.back_to_work)
    await reply(update, person.language, "skip/back", cleared=cleared)


# --- the week --------------------------------------------------------------------------------


async def week(update: Update, context: CoachContext) -> None:
    """``/week``: this week's checklist so far, and the three questions."""
    person, checklist = await context.services.as_person(contact_of(update), weekly_view.this_week)
    markup = one_button(StartFlow(Start.REFLECT), render(person.language, "week/reflect_button"))
    await reply(update, person.language, "week/summary", week=checklist, reply_markup=markup)


async def reflect(update: Update, context: CoachContext) -> None:
    person, asked = await context.services.as_person(contact_of(update), checkins.start_reflection)
    await _reflection_asked(update, person, asked)


async def _reflection_asked(
    update: Update, person: Person, asked: checkins.ReflectionAsked
) -> None:
    prompts = reflection_prompts(asked.week_start)
    questions = {field: getattr(prompts, field) for field in checkins.REFLECTION_FIELDS}
    await reply(update, person.language, "week/ask_question", asked=asked, week_questions=questions)
