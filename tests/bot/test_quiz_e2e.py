"""Quizzes end to end through the stand-in: a private round answered by poll votes, spaced
repetition read back from the database, the weekly battle in the group, and /gaps.

The stand-in shares the test's clock, so a battle question (a poll with ``open_period``) closes
when the clock passes its closing time; the battle job is run directly at chosen instants.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.battle_jobs import run_battles
from bot.handlers.quiz import start_quiz_keyboard
from bot.render import render
from bot.standin import FakeGroup, FakeUser, PlayerError, SentMessage, StandIn
from coach.models import Lang
from coach.quiz import Card, battle_points
from storage.models import Base
from tests.bot.conftest import BOT_USERNAME, TOKEN
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
async def standin(clock: FixedClock) -> AsyncIterator[StandIn]:
    """The stand-in on the test's clock: polls with an open period close as the clock moves."""
    async with StandIn(
        token=TOKEN, bot_username=BOT_USERNAME, auto_deliver=False, clock=clock.now
    ) as server:
        yield server


async def joined(harness: Harness, *, with_group: bool = False, eve: bool = False) -> Team:
    """华东一组 (Shanghai, zh): 王经理 manages, Tom (en) and 李娜 (zh) are reps."""
    people = Team(harness.standin)
    token = await make_team(harness, people)
    joining = [people.tom, people.lina] + ([people.outsider] if eve else [])
    for rep in joining:
        await harness.send(rep, f"/start {token}")
    if with_group:
        await harness.feed(people.group.add_bot(by=people.manager))
        await harness.send(people.manager, "/bindgroup", chat=people.group)
    return people


def cards(harness: Harness, user: FakeUser) -> dict[int, Card]:
    with harness.app.bot_data.services.database.unit_of_work() as uow:
        return uow.practice.cards(user.id)


def rows(harness: Harness, table: str) -> list[dict]:
    model = Base.metadata.tables[table]
    with harness.app.bot_data.services.database.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(model))]


def the_poll(replies: list[SentMessage]) -> SentMessage:
    polls = [m for m in replies if m.poll is not None]
    assert len(polls) == 1, replies
    return polls[0]


def texts(replies: list[SentMessage]) -> str:
    return text_of([m for m in replies if m.poll is None])


def option(poll: SentMessage, right: bool) -> int:
    assert poll.poll is not None
    correct = poll.poll.correct_option_ids[0]
    return correct if right else (correct + 1) % len(poll.poll.options)


async def vote(
    harness: Harness,
    clock: FixedClock,
    user: FakeUser,
    poll: SentMessage,
    *,
    right: bool,
    after: int,
    chat: FakeGroup | None = None,
) -> tuple[dict, list[SentMessage]]:
    """``after`` seconds later, ``user`` picks the right or a wrong option of ``poll``."""
    clock.set(clock.now() + timedelta(seconds=after))
    update = user.answer_poll(poll, option(poll, right), chat=chat)
    return update, await harness.feed(update)


def new_key(before: dict[int, Card], after: dict[int, Card]) -> int:
    """The question answered between two reads of a rep's cards."""
    changed = [k for k, card in after.items() if before.get(k) != card]
    assert len(changed) == 1
    return changed[0]


async def test_a_quiz_round_by_poll_answers_and_the_next_review(
    harness: Harness, clock: FixedClock
):
    people = await joined(harness)
    tom = people.tom
    thursday = shanghai(2026, 11, 26, 10, 0)
    clock.set(thursday)

    poll = the_poll(await harness.send(tom, "/quiz"))
    assert poll.chat_id == tom.id and poll.poll is not None
    assert poll.poll.type == "quiz" and not poll.poll.is_anonymous and poll.poll.explanation

    # Thursday: right (10 s), right and fast (2 s), wrong, right (10 s), wrong.
    plan = [(True, 10), (True, 2), (False, 10), (True, 10), (False, 10)]
    keys: dict[str, int] = {}
    last_update: dict = {}
    replies: list[SentMessage] = []
    for index, (right, seconds) in enumerate(plan):
        before = cards(harness, tom)
        last_update, replies = await vote(harness, clock, tom, poll, right=right, after=seconds)
        after = cards(harness, tom)
        key = new_key(before, after)
        assert poll.poll is not None
        keys[poll.poll.question] = key
        card = after[key]
        local_due = card.due.astimezone(SHANGHAI)
        assert card.last_review == clock.now()
        text = texts(replies)
        assert ("✅ Right!" if right else "❌ Not quite.") in text
        assert f"Next review: {local_due:%a} {local_due.day} {local_due:%b}" in text
        if right:
            assert card.due - clock.now() >= timedelta(days=2)
        else:
            assert timedelta(hours=20) <= card.due - clock.now() <= timedelta(days=1, hours=1)
        if index == 0:
            # Good after 10 s is two days: Saturday, moved to Monday 09:00 in Shanghai.
            assert card.due == shanghai(2026, 11, 30, 9, 0)
            assert "Next review: Mon 30 Nov" in text
        if index < len(plan) - 1:
            poll = the_poll(replies)
    assert "🏁 Round done: 3/5 right." in texts(replies)
    assert all(m.poll is None for m in replies)
    q1, _q2, q3, q4, q5 = keys.values()
    first_interval = cards(harness, tom)[q1].due - thursday

    # A redelivered vote is dropped by the update log; the same vote under a new update id
    # counts once: nothing is stored or sent either way.
    answers, stored = len(rows(harness, "quiz_answers")), cards(harness, tom)
    assert await harness.feed(last_update) == []
    assert await harness.feed({**last_update, "update_id": 9_999_999}) == []
    assert len(rows(harness, "quiz_answers")) == answers
    assert cards(harness, tom) == stored

    # Monday: the due questions come back first; the first one, right again, goes further out,
    # and a question right on Thursday but wrong now comes back the next day.
    monday = shanghai(2026, 11, 30, 10, 0)
    clock.set(monday)
    poll = the_poll(await harness.send(tom, "/quiz"))
    asked: list[int | None] = []
    for index in range(5):
        assert poll.poll is not None
        asked.append(keys.get(poll.poll.question))
        _, replies = await vote(harness, clock, tom, poll, right=asked[-1] != q4, after=10)
        if index < 4:
            poll = the_poll(replies)
    # Most overdue first: Thursday's two wrong ones, then the two due Monday 09:00; then new.
    assert asked == [q3, q5, q1, q4, None]
    again, lapse = cards(harness, tom)[q1], cards(harness, tom)[q4]
    assert again.reviews == 2 and again.last_review is not None
    assert again.due - again.last_review > first_interval
    assert lapse.lapses == 1 and lapse.last_review is not None
    assert timedelta(hours=20) <= lapse.due - lapse.last_review <= timedelta(days=1, hours=1)
    assert "🏁 Round done: 4/5 right." in texts(replies)


async def test_the_start_quiz_button_and_caught_up(harness: Harness, clock: FixedClock):
    people = await joined(harness)
    lina = people.lina
    markup = start_quiz_keyboard(Lang.ZH)
    await harness.app.bot.send_message(lina.id, "练一练？", reply_markup=markup)
    pushed = lina.last_message
    assert pushed is not None and pushed.button_texts == ["🧠 开始答题"]
    poll = the_poll(await harness.press(lina, pushed, "🧠 开始答题"))
    assert poll.chat_id == lina.id
    _, replies = await vote(harness, clock, lina, poll, right=True, after=5)
    assert "✅ 答对了！下次复习：" in texts(replies)

    due = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert render(Lang.EN, "quiz/caught_up", next_due=due.astimezone(SHANGHAI)) == (
        "👍 All caught up. The next question is due Mon 30 Nov at 09:00; send /quiz then."
    )
    assert "还没有题目" in render(Lang.ZH, "quiz/caught_up", next_due=None)


async def test_a_battle_in_the_group_with_a_board(harness: Harness, clock: FixedClock):
    people = await joined(harness, with_group=True)
    manager, tom, lina, group = people.manager, people.tom, people.lina, people.group
    bot, services = harness.app.bot, harness.app.bot_data.services
    start = shanghai(2026, 11, 25, 15, 0)  # a Wednesday: before the weekly time
    clock.set(start)

    refused = text_of(await harness.send(tom, "/battle", chat=group))
    assert "Only the managers of 华东一组 can do this." in refused
    announced = text_of(await harness.send(manager, "/battle", chat=group))
    assert "知识擂台开始" in announced and "王经理 发起" in announced
    assert "共 5 题" in announced and "每题 30 秒" in announced

    step = timedelta(seconds=33)  # 30 s open and a 3 s pause
    for index in range(5):
        at = start + index * step
        clock.set(at)
        mark = len(harness.standin.calls)
        report = await run_battles(bot, services, at)
        assert (report.asked, report.boards, report.failed) == (1, 0, 0)
        poll = the_poll(harness.replies_since(mark))
        assert poll.chat_id == group.id and poll.poll is not None
        assert poll.poll.type == "quiz" and not poll.poll.is_anonymous
        _, replies = await vote(harness, clock, tom, poll, right=True, after=2, chat=group)
        assert replies == []  # a battle vote gets no message
        _, replies = await vote(harness, clock, lina, poll, right=index != 2, after=18, chat=group)
        assert replies == []
        assert (await run_battles(bot, services, clock.now())).asked == 0  # still open
        clock.set(at + timedelta(seconds=31))
        with pytest.raises(PlayerError, match="closed"):
            manager.answer_poll(poll, 0, chat=group)

    clock.set(start + 5 * step)
    mark = len(harness.standin.calls)
    report = await run_battles(bot, services, clock.now())
    assert (report.asked, report.boards) == (0, 1)
    board = text_of(harness.replies_since(mark))
    tom_points = 5 * battle_points(True, 2, 30)
    lina_points = 4 * battle_points(True, 20, 30)
    assert f"🥇 Tom — {tom_points} 分 · 答对 5/5" in board
    assert f"🥈 李娜 — {lina_points} 分 · 答对 4/5" in board
    assert board.index("Tom") < board.index("李娜") and "王经理" not in board
    assert [r["state"] for r in rows(harness, "battles")] == ["done"]
    assert (await run_battles(bot, services, clock.now() + step)).boards == 0

    again = text_of(await harness.send(manager, "/battle", chat=group))
    assert "本周已经比过一场知识擂台了" in again


async def test_the_weekly_battle_starts_itself_survives_a_failed_send_and_refusals(
    harness: Harness, clock: FixedClock, caplog: pytest.LogCaptureFixture
):
    people = await joined(harness, with_group=True)
    manager, group = people.manager, people.group
    bot, services = harness.app.bot, harness.app.bot_data.services

    friday = shanghai(2026, 11, 27, 17, 0)  # the default battle time
    clock.set(friday - timedelta(minutes=1))
    assert (await run_battles(bot, services, clock.now())).started == 0

    clock.set(friday)
    harness.standin.faults.fail_next("sendPoll", 400, "Bad Request: not today")
    mark = len(harness.standin.calls)
    with caplog.at_level(logging.WARNING, logger="bot.battle_jobs"):
        report = await run_battles(bot, services, friday)
    assert (report.started, report.asked, report.failed) == (1, 0, 1)
    sent = harness.replies_since(mark)
    assert [m.chat_id for m in sent] == [group.id]
    assert "知识擂台开始" in (sent[0].text or "") and "发起" not in (sent[0].text or "")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "question 1 not sent" in logged and "BadRequest" in logged

    running = text_of(await harness.send(manager, "/battle", chat=group))
    assert "本周的知识擂台正在进行中" in running
    anonymous = text_of(await harness.feed(group.send_as_anonymous_admin("/battle")))
    assert "匿名管理员" in anonymous and "/battle" in anonymous
    other = harness.standin.add_group("别的群", members={manager: "creator"})
    await harness.feed(other.add_bot(by=manager))
    elsewhere = text_of(await harness.send(manager, "/battle", chat=other))
    assert "知识擂台只能在你团队绑定的群里" in elsewhere

    clock.set(friday + timedelta(seconds=33))
    mark = len(harness.standin.calls)
    assert (await run_battles(bot, services, clock.now())).asked == 1  # the battle goes on
    assert the_poll(harness.replies_since(mark)).chat_id == group.id
    assert [r["position"] for r in rows(harness, "quiz_polls")] == [1]


async def test_gaps_show_managers_what_the_team_gets_wrong(harness: Harness, clock: FixedClock):
    people = await joined(harness, eve=True)
    tom, eve, manager = people.tom, people.outsider, people.manager
    clock.set(shanghai(2026, 11, 26, 10, 0))
    first: SentMessage | None = None
    for rep in (tom, eve):
        poll = the_poll(await harness.send(rep, "/quiz"))
        first = first or poll
        await vote(harness, clock, rep, poll, right=False, after=10)
    clock.set(shanghai(2026, 11, 27, 11, 0))  # Tom's wrong answer is due again
    poll = the_poll(await harness.send(tom, "/quiz"))
    assert first is not None and first.poll is not None and poll.poll is not None
    assert poll.poll.question == first.poll.question
    await vote(harness, clock, tom, poll, right=False, after=10)

    gaps = text_of(await harness.send(manager, "/gaps"))
    assert "知识薄弱点 · 最近 30 天（3 次作答）" in gaps
    assert f"1. {first.poll.question}" in gaps
    assert "100% 答错 · 3/3 次 · 2 人" in gaps
    refused = text_of(await harness.send(tom, "/gaps"))
    assert "Only the managers of 华东一组 can do this." in refused
