"""/quiz and /gaps in private chat, the "Start quiz" button, and answers to quiz polls.

A question goes out as a Telegram quiz poll and is recorded in a second transaction (the poll
id is known only once it was sent); its answer arrives as a ``poll_answer`` update that names
the poll and the voter but no chat, so replies go to the voter's private chat.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, InputPollOption, Message, Poll, Update

from bot.context import CoachContext
from bot.handlers.common import contact_of, reply
from bot.keyboards import StartQuiz, one_button
from bot.render import render
from coach import quiz_flow
from coach.content import Question
from coach.models import Contact, Lang, Person


async def quiz(update: Update, context: CoachContext) -> None:
    """Sends the first due question as a quiz poll, or says when the next one falls due."""
    contact = contact_of(update)
    person, found = await context.services.as_person(contact, quiz_flow.start_quiz)
    await _follow_up(context, contact, person, found)


async def start_quiz_button(update: Update, context: CoachContext) -> None:
    """The "Start quiz" button under a pushed message: the same as ``/quiz``."""
    query = update.callback_query
    assert query is not None
    StartQuiz.unpack(query.data)
    await query.answer()
    await quiz(update, context)


def start_quiz_keyboard(lang: Lang) -> InlineKeyboardMarkup:
    """The "Start quiz" button, for messages that invite a rep to practise."""
    return one_button(StartQuiz(), render(lang, "quiz/start_button"))


async def poll_answer(update: Update, context: CoachContext) -> None:
    """Scores a vote: for a private quiz, right or wrong, the next review and the next question.

    A battle vote is counted without a message; a vote on an unknown poll, a retracted vote
    or one already counted changes nothing and gets no answer.
    """
    answer = update.poll_answer
    assert answer is not None
    if answer.user is None:
        return  # an anonymous admin voting as the group: nobody to score
    contact = contact_of(update)
    person, outcome = await context.services.as_person(
        contact, quiz_flow.answer_poll, answer.poll_id, tuple(answer.option_ids)
    )
    if not isinstance(outcome, quiz_flow.QuizAnswered):
        return
    zone = ZoneInfo(outcome.timezone)
    text = render(
        person.language, "quiz/answered", answered=outcome, due=outcome.card.due.astimezone(zone)
    )
    await context.bot.send_message(person.user_id, text)
    if outcome.following is not None:
        await _follow_up(context, contact, person, outcome.following)


async def gaps(update: Update, context: CoachContext) -> None:
    """Shows a manager the questions and topics the team most often gets wrong."""
    person, found = await context.services.as_person(contact_of(update), quiz_flow.team_gaps)
    await reply(update, person.language, "quiz/gaps", gaps=found)


async def send_quiz_poll(
    bot: Bot, chat_id: int, question: Question, open_period: int | None = None
) -> Message:
    """Send ``question`` as a non-anonymous quiz poll (its texts are sent as plain text)."""
    return await bot.send_poll(
        chat_id,
        question.text,
        [InputPollOption(option, text_parse_mode=None) for option in question.options],
        type=Poll.QUIZ,
        is_anonymous=False,
        correct_option_ids=[question.correct],
        explanation=question.explanation or None,
        # The pack's texts are plain: without these, the HTML default would parse them.
        question_parse_mode=None,
        explanation_parse_mode=None,
        open_period=open_period,
    )


async def _follow_up(
    context: CoachContext,
    contact: Contact,
    person: Person,
    found: quiz_flow.QuizQuestion | quiz_flow.CaughtUp,
) -> None:
    if isinstance(found, quiz_flow.CaughtUp):
        await context.bot.send_message(person.user_id, _caught_up(person.language, found))
        return
    services = context.services
    sent_at = services.clock.now()
    message = await send_quiz_poll(context.bot, person.user_id, found.stored.question)
    assert message.poll is not None
    poll = quiz_flow.private_poll(found, person, message.poll.id, message.message_id, sent_at)
    await services.as_person(contact, quiz_flow.record_poll, poll)


def _caught_up(lang: Lang, caught_up: quiz_flow.CaughtUp) -> str:
    next_due: datetime | None = None
    if caught_up.next_due is not None:
        next_due = caught_up.next_due.astimezone(ZoneInfo(caught_up.timezone))
    return render(lang, "quiz/caught_up", next_due=next_due)
