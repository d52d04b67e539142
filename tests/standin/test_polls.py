"""Polls: regular and quiz polls, votes as poll_answer/poll updates, stopPoll, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot, Poll, PollAnswer, Update
from telegram.error import BadRequest

from bot.standin import PlayerError, StandIn
from tests.standin.conftest import assert_clean


async def test_quiz_and_answer(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("/quiz")
    message = await bot.send_poll(
        alice.id,
        "Best time to call a lead?",
        ["Within 5 minutes", "Next day", "Next week"],
        type=Poll.QUIZ,
        correct_option_ids=[0],
        explanation="<b>Speed</b> wins",
        explanation_parse_mode="HTML",
        is_anonymous=False,
    )
    assert_clean(message)
    poll = message.poll
    assert poll is not None
    assert (poll.type, poll.is_anonymous, poll.correct_option_ids) == ("quiz", False, (0,))
    assert poll.explanation == "Speed wins"
    assert [o.text for o in poll.options] == ["Within 5 minutes", "Next day", "Next week"]

    answer_dict = alice.answer_poll(alice.last_message, [1])
    update = Update.de_json(answer_dict, bot)
    assert_clean(update)
    assert isinstance(update.poll_answer, PollAnswer)
    assert update.poll_answer.poll_id == poll.id
    assert update.poll_answer.option_ids == (1,)
    assert update.poll_answer.user is not None
    assert update.poll_answer.user.id == alice.id

    poll_update = Update.de_json(standin.updates[-1], bot)
    assert_clean(poll_update)
    assert poll_update.poll is not None
    assert [o.voter_count for o in poll_update.poll.options] == [0, 1, 0]
    assert poll_update.poll.total_voter_count == 1
    sent = alice.last_message
    assert sent is not None
    assert sent.poll is not None
    assert sent.poll.voter_counts == [0, 1, 0]
    with pytest.raises(PlayerError, match="does not allow changing the vote"):
        alice.answer_poll(sent, [0])


async def test_regular_anonymous_poll_in_group_and_stop(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    rep = standin.add_user("Ray")
    team = standin.add_group("East team", members={owner: "creator", rep: "member"})
    team.add_bot(by=owner)
    message = await bot.send_poll(
        team.id, "Team lunch?", ["Mon", "Tue", "Wed"], allows_multiple_answers=True
    )
    view = team.last_message
    assert view is not None
    update = rep.answer_poll(view, [0, 2])
    assert "poll" in update  # anonymous: no poll_answer, only the new poll state
    assert update["poll"]["options"][2]["voter_count"] == 1
    owner.answer_poll(view, 0)
    rep.answer_poll(view, [])  # regular polls allow retracting
    stopped = await bot.stop_poll(team.id, message.message_id)
    assert isinstance(stopped, Poll)
    assert_clean(stopped)
    assert stopped.is_closed
    assert [o.voter_count for o in stopped.options] == [1, 0, 0]
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(team.id, message.message_id)
    with pytest.raises(PlayerError, match="closed"):
        rep.answer_poll(view, 1)
    with pytest.raises(BadRequest, match="Message with poll to stop not found"):
        await bot.stop_poll(team.id, 999)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"options": ["only one"]}, "Poll must have at least 2 option"),
        ({"options": [str(i) for i in range(13)]}, "Poll can't have more than 12 options"),
        ({"type": Poll.QUIZ}, "Wrong correct option id specified"),
        ({"type": Poll.QUIZ, "correct_option_ids": [5]}, "Wrong correct option id specified"),
        (
            {"type": Poll.QUIZ, "correct_option_ids": [0], "explanation": "x" * 201},
            "Explanation length must not exceed 200",
        ),
        ({"question": ""}, "Poll question must be non-empty"),
        ({"options": ["a", "x" * 101]}, "Poll options length must not exceed 100"),
        ({"open_period": 3}, "Wrong open period specified"),
    ],
)
async def test_poll_validation(
    standin: StandIn, bot: Bot, kwargs: dict[str, object], error: str
) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    arguments: dict[str, object] = {"question": "Q?", "options": ["a", "b"], **kwargs}
    with pytest.raises(BadRequest, match=error):
        await bot.send_poll(alice.id, **arguments)  # type: ignore[arg-type]
    assert alice.inbox == []


async def test_open_period_uses_the_injected_clock() -> None:
    now = [datetime(2025, 3, 3, 9, 0, tzinfo=UTC)]
    async with StandIn(clock=lambda: now[0]) as standin:
        alice = standin.add_user("Alice")
        alice.send("hi")
        result = await standin.call(
            "sendPoll", chat_id=alice.id, question="Q?", options=["a", "b"], open_period=60
        )
        assert result["date"] == int(now[0].timestamp())
        assert result["poll"]["close_date"] == int(now[0].timestamp()) + 60
        alice.answer_poll(alice.last_message, 0)
        now[0] += timedelta(seconds=61)
        with pytest.raises(PlayerError, match="closed"):
            alice.answer_poll(alice.last_message, 1)
        assert alice.last_message is not None
        assert alice.last_message.poll is not None
        assert alice.last_message.poll.is_closed
