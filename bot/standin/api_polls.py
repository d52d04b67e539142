"""Bot API methods for polls: sendPoll (regular and quiz) and stopPoll.

Limits follow Bot API 9.6+/PTB 22.8: 2-12 options (Telegram raised the old limit of 10),
question 1-300 characters, option 1-100, quiz explanation up to 200, open_period 5-600 s.
Polls are returned with ``correct_option_ids`` (the old ``correct_option_id`` is accepted
as input).
"""

from __future__ import annotations

from typing import Any

from bot.standin.errors import bad_request
from bot.standin.keyboards import validate_markup
from bot.standin.params import Params
from bot.standin.registry import api_method
from bot.standin.state import PollState
from bot.standin.world import World

MIN_OPTIONS, MAX_OPTIONS = 2, 12
MAX_QUESTION_LENGTH = 300
MAX_OPTION_LENGTH = 100
MAX_EXPLANATION_LENGTH = 200
MIN_OPEN_PERIOD, MAX_OPEN_PERIOD = 5, 600


def _options(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise bad_request("can't parse options JSON object")
    texts: list[str] = []
    for option in raw:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str):
            raise bad_request("can't parse InputPollOption JSON object")
        text = text.strip()
        if not text:
            raise bad_request("poll options must be non-empty")
        if len(text) > MAX_OPTION_LENGTH:
            raise bad_request(f"poll options length must not exceed {MAX_OPTION_LENGTH}")
        texts.append(text)
    if len(texts) < MIN_OPTIONS:
        raise bad_request("poll must have at least 2 option")
    if len(texts) > MAX_OPTIONS:
        raise bad_request(f"poll can't have more than {MAX_OPTIONS} options")
    return texts


def _correct_ids(p: Params, option_count: int, multiple: bool) -> list[int]:
    raw = p.json_value("correct_option_ids")
    if raw is None and "correct_option_id" in p:
        raw = [p.integer("correct_option_id")]
    if not isinstance(raw, list) or not raw:
        raise bad_request("wrong correct option ID specified")
    if not all(isinstance(i, int) and 0 <= i < option_count for i in raw):
        raise bad_request("wrong correct option ID specified")
    if len(raw) > 1 and not multiple:
        raise bad_request("wrong correct option ID specified")
    return sorted(set(raw))


@api_method("sendPoll")
def send_poll(world: World, p: Params) -> dict[str, Any]:
    """Send a regular poll or a quiz."""
    markup = validate_markup(p.json_value("reply_markup"))
    chat = world.chat_for_bot(p.chat_id())
    question, question_entities = world.format_text(
        p.string("question"), p.string("question_parse_mode"), p.json_value("question_entities"),
        empty_error="poll question must be non-empty",
        too_long_error=f"poll question length must not exceed {MAX_QUESTION_LENGTH}",
        max_length=MAX_QUESTION_LENGTH,
    )  # fmt: skip
    options = _options(p.json_value("options"))
    poll_type = p.string("type") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    multiple = p.boolean("allows_multiple_answers")
    correct: list[int] = []
    explanation, explanation_entities = None, []
    if poll_type == "quiz":
        correct = _correct_ids(p, len(options), multiple)
        explanation, explanation_entities = world.format_text(
            p.string("explanation"), p.string("explanation_parse_mode"),
            p.json_value("explanation_entities"), empty_error=None,
            too_long_error=f"explanation length must not exceed {MAX_EXPLANATION_LENGTH}",
            max_length=MAX_EXPLANATION_LENGTH,
        )  # fmt: skip
    open_period = p.integer("open_period")
    close_date = p.integer("close_date")
    if open_period is not None:
        if not MIN_OPEN_PERIOD <= open_period <= MAX_OPEN_PERIOD:
            raise bad_request("wrong open period specified")
        close_date = world.timestamp() + open_period
    reply_to = world.reply_target(chat, p)
    poll = PollState(
        id=str(5_000_000_000_000_000_000 + world.next_number("poll")),
        chat_id=chat.id,
        message_id=0,
        question=question or "",
        options=options,
        type=poll_type,
        is_anonymous=p.boolean("is_anonymous", default=True),
        allows_multiple_answers=multiple,
        allows_revoting=p.boolean("allows_revoting", default=poll_type == "regular"),
        correct_option_ids=correct,
        explanation=explanation,
        explanation_entities=explanation_entities,
        question_entities=question_entities,
        open_period=open_period,
        close_date=close_date,
        is_closed=p.boolean("is_closed"),
    )
    world.polls[poll.id] = poll
    msg = world.add_bot_message(chat, markup=markup, reply_to=reply_to, poll_id=poll.id)
    poll.message_id = msg.message_id
    return world.message_dict(msg)


@api_method("stopPoll")
def stop_poll(world: World, p: Params) -> dict[str, Any]:
    """Close a poll sent by the bot and return its final state."""
    markup = validate_markup(p.json_value("reply_markup"))
    chat = world.chat_for_bot(p.chat_id())
    message_id = p.integer("message_id", missing="message identifier is not specified")
    msg = chat.messages.get(message_id) if message_id is not None else None
    if msg is None or msg.poll_id is None or not msg.from_bot:
        raise bad_request("message with poll to stop not found")
    poll = world.polls[msg.poll_id]
    world.refresh_poll(poll)
    if poll.is_closed:
        raise bad_request("poll has already been closed")
    poll.is_closed = True
    msg.inline_markup = markup.inline
    world.notifier.notify()
    return world.poll_dict(poll)
