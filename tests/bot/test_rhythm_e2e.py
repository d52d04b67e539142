"""The daily rhythm end to end: ticks fill the outbox, the sender delivers through the stand-in.

Time is a FixedClock moved by the test; each step runs one scheduler tick at that instant
and drains the outbox through the real PTB bot over HTTP, like the running bot would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.delivery.sender import OutboxSender
from bot.scheduler import run_backfill, run_tick
from bot.standin import FakeUser, SentMessage
from storage.models import Base
from tests.bot.test_onboarding_e2e import Team, make_team, token_in
from tests.fakes import FixedClock
from tests.harness import Harness, text_of


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SUNDAY_BEFORE = utc(2026, 11, 22, 10, 0)


class Rhythm:
    """Two teams: 华东一组 in Shanghai (Tom, Lina, group bound) and East in New York (Ann)."""

    def __init__(self, harness: Harness, clock: FixedClock) -> None:
        self.harness = harness
        self.clock = clock
        self.people = Team(harness.standin)
        self.manager_ny = harness.standin.add_user(first_name="Mike", language_code="en")
        self.ann = harness.standin.add_user(first_name="Ann", language_code="en")
        services = harness.app.bot_data.services
        self.services = services
        self.sender = OutboxSender(
            harness.app.bot, services.database.unit_of_work, clock, services.settings.delivery
        )

    async def set_up(self, at: datetime = SUNDAY_BEFORE) -> None:
        """Everyone joins on the Sunday before (so Monday's check-ins are all owed)."""
        self.clock.set(at)
        people = self.people
        token = await make_team(self.harness, people)
        await self.harness.send(people.tom, f"/start {token}")
        await self.harness.send(people.lina, f"/start {token}")
        await self.harness.feed(people.group.add_bot(by=people.manager))
        await self.harness.send(people.manager, "/bindgroup", chat=people.group)
        created = await self.harness.send(self.manager_ny, "/newteam East | NY | America/New_York")
        await self.harness.send(self.ann, f"/start {token_in(text_of(created))}")

    async def at(self, instant: datetime) -> list[SentMessage]:
        """Move the clock, tick once, deliver what is due; return what was delivered."""
        self.clock.set(instant)
        mark = len(self.harness.standin.calls)
        await run_tick(self.services, instant)
        for second in range(4):  # one message per chat per second: let the queue move on
            self.clock.set(instant + timedelta(seconds=second))
            await self.sender.drain()
        return self.harness.replies_since(mark)

    def rows(self, table: str) -> list[dict]:
        model = Base.metadata.tables[table]
        with self.services.database.engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(select(model))]


def to(user: FakeUser | int, messages: list[SentMessage]) -> list[SentMessage]:
    chat = user if isinstance(user, int) else user.id
    return [m for m in messages if m.chat_id == chat]


async def test_a_full_day_for_reps_in_two_time_zones(harness: Harness, clock: FixedClock):
    day = Rhythm(harness, clock)
    await day.set_up()
    tom, lina, ann = day.people.tom, day.people.lina, day.ann
    group = day.people.group.id

    # 08:30 in Shanghai: Tom and Lina get the plan prompt; managers and New York do not.
    sent = await day.at(utc(2026, 11, 23, 0, 30))
    assert {m.chat_id for m in sent} == {tom.id, lina.id}
    prompt = to(tom, sent)[0]
    assert "Good morning, Tom!" in (prompt.text or "") and "Relay focus today: Calls" in prompt.text
    assert "早上好，李娜" in (to(lina, sent)[0].text or "")
    assert await day.at(utc(2026, 11, 23, 0, 31)) == []  # the same slot never twice

    # Tom plans from the prompt's button.
    asked = await harness.press(tom, prompt, "📝 Plan now")
    assert "3 must-do tasks" in text_of(asked)
    await harness.send(tom, "Visit Acme\nQuote Globex\nvisits 2 calls 20")

    # 09:30: one reminder, to Lina only, stating the budget.
    sent = await day.at(utc(2026, 11, 23, 1, 30))
    assert [m.chat_id for m in sent] == [lina.id]
    assert "每天最多 2 次" in (sent[0].text or "")
    assert await day.at(utc(2026, 11, 23, 1, 45)) == []

    # 19:00: the review prompt shows Tom his plan; he reviews.
    sent = await day.at(utc(2026, 11, 23, 11, 0))
    assert {m.chat_id for m in sent} == {tom.id, lina.id}
    review_prompt = to(tom, sent)[0]
    assert "1. Visit Acme" in (review_prompt.text or "")
    asked = await harness.press(tom, review_prompt, "🌙 Review now")
    await harness.press(tom, asked[-1], "☐ Visit Acme")
    await harness.press(tom, asked[-1], "Next ▶")
    for answer in ("visits 1 calls 22", "Met Acme's CFO", "Quotes are slow", "Too expensive"):
        await harness.send(tom, answer)
    assert "Review saved" in text_of(await harness.send(tom, "Send Globex the quote"))

    # 08:30 in New York is 13:30 UTC: only Ann.
    sent = await day.at(utc(2026, 11, 23, 13, 30))
    assert [m.chat_id for m in sent] == [ann.id]

    # 22:00 in Shanghai: misses recorded, the summary goes to the group, names Lina.
    sent = await day.at(utc(2026, 11, 23, 14, 0))
    summary = to(group, sent)
    assert len(summary) == 1
    text = summary[0].text or ""
    assert "华东一组 · 11月23日 周一 日清" in text and "计划 1/2 · 复盘 1/2" in text
    assert "李娜：计划、复盘" in text and "电话：22" in text
    misses = {(r["user_id"], r["kind"]) for r in day.rows("misses")}
    assert misses == {(lina.id, "plan"), (lina.id, "review")}

    # Tuesday 08:30: Tom's unfinished task comes back in the prompt.
    sent = await day.at(utc(2026, 11, 24, 0, 30))
    assert "Unfinished last time: Quote Globex" in (to(tom, sent)[0].text or "")


async def test_skip_holidays_and_make_up_workdays(harness: Harness, clock: FixedClock):
    day = Rhythm(harness, clock)
    await day.set_up(at=utc(2026, 9, 27, 10, 0))
    tom, lina = day.people.tom, day.people.lina
    await harness.send(lina, "/skip sick 1")

    sent = await day.at(utc(2026, 9, 28, 0, 45))  # Monday 08:45: Lina is sick
    assert [m.chat_id for m in sent] == [tom.id]
    assert to(lina, await day.at(utc(2026, 9, 28, 1, 30))) == []  # no nudge either
    summary = to(day.people.group.id, await day.at(utc(2026, 9, 28, 14, 0)))
    assert "请假：李娜（病假）" in (summary[0].text or "")
    assert not any(r["user_id"] == lina.id for r in day.rows("misses"))

    assert await day.at(utc(2026, 10, 1, 0, 30)) == []  # 国庆节: nobody is asked
    assert await day.at(utc(2026, 10, 3, 0, 30)) == []  # a Saturday in the holiday
    sent = await day.at(utc(2026, 10, 10, 0, 30))  # Saturday, a 调休 make-up workday
    assert {m.chat_id for m in sent} == {tom.id, lina.id}


async def test_outage_catch_up_within_grace_and_restart_without_duplicates(
    harness: Harness, clock: FixedClock
):
    day = Rhythm(harness, clock)
    await day.set_up()
    tom, lina = day.people.tom, day.people.lina

    # The bot was down at 08:30 and comes back at 09:10: still within the hour of grace.
    clock.set(utc(2026, 11, 23, 1, 10))
    report = await run_tick(day.services)
    assert report.kinds == {"plan": 2}
    # It dies before sending anything; a new process (new sender) sends each prompt once.
    restarted = OutboxSender(
        harness.app.bot, day.services.database.unit_of_work, clock, day.services.settings.delivery
    )
    mark = len(harness.standin.calls)
    await run_tick(day.services)
    await restarted.drain()
    assert sorted(m.chat_id for m in harness.replies_since(mark)) == sorted([tom.id, lina.id])
    await day.sender.drain()
    assert harness.replies_since(mark)[2:] == []

    # Down through the whole review window: at 20:30 the 19:00 prompt is stale, never sent.
    sent = await day.at(utc(2026, 11, 23, 12, 30))
    assert not any("time to review" in (m.text or "") for m in sent)
    assert all(r["kind"] != "review" for r in day.rows("outbox"))
    states = {r["state"] for r in day.rows("outbox")}
    assert states == {"sent"}


async def test_the_weekly_summary_and_the_three_questions(harness: Harness, clock: FixedClock):
    day = Rhythm(harness, clock)
    await day.set_up()
    tom = day.people.tom
    for offset in range(5):
        morning = utc(2026, 11, 23, 1, 0) + timedelta(days=offset)
        clock.set(morning)
        await harness.send(tom, "/plan\nVisit a customer\nvisits 2")
        clock.set(morning + timedelta(hours=10))
        asked = await harness.send(tom, "/review")
        await harness.press(tom, asked[-1], "☐ Visit a customer")
        await harness.press(tom, asked[-1], "Next ▶")
        for answer in ("visits 2 revenue 30k", "a win", "a lesson", "none"):
            await harness.send(tom, answer)
        await harness.send(tom, "tomorrow")

    sent = await day.at(utc(2026, 11, 27, 13, 0))  # Friday 21:00 in Shanghai
    weekly = to(tom, sent)
    assert len(weekly) == 1
    text = weekly[0].text or ""
    assert "Well done this week, Tom!" in text
    assert "New-customer visits: target 10, actual 10, 100%" in text
    assert "Revenue: target 100,000, actual 150,000, 150%" in text
    assert "Reviewed 5/5 working days" in text and "streak 5" in text
    assert "plan completion 100% (5/5)" in text
    asked = await harness.press(tom, weekly[0], "✍️ Answer the three questions")
    assert "1/3" in text_of(asked)
    await harness.send(tom, "Visits every day")
    await harness.send(tom, "Bigger deals")
    assert "reflection for the week is saved" in text_of(await harness.send(tom, "Two demos"))
    (row,) = day.rows("reflections")
    assert (row["went_well"], row["to_improve"], row["next_actions"]) == (
        "Visits every day",
        "Bigger deals",
        "Two demos",
    )
    week = text_of(await harness.send(tom, "/week"))
    assert "Your reflection this week" in week and "Two demos" in week


async def test_three_missed_days_are_escalated_to_managers_only(
    harness: Harness, clock: FixedClock
):
    day = Rhythm(harness, clock)
    await day.set_up()
    manager, group = day.people.manager, day.people.group.id
    deadlines = [utc(2026, 11, d, 14, 0) for d in (23, 24, 25)]
    escalations = []
    for deadline in deadlines:
        sent = await day.at(deadline)
        escalations += [m for m in sent if "连续" in (m.text or "")]
    assert len(escalations) == 2  # Tom and Lina both missed three days
    assert {m.chat_id for m in escalations} == {manager.id}
    assert all(m.chat_id != group for m in escalations)
    assert "已连续 3 个工作日没有复盘（从 11月23日 周一 起）" in (escalations[0].text or "")
    assert date(2026, 11, 25) in {r["day"] for r in day.rows("misses")}


async def test_a_deadline_missed_during_an_outage_still_records_the_misses(
    harness: Harness, clock: FixedClock
):
    day = Rhythm(harness, clock)
    await day.set_up()
    tom, lina = day.people.tom, day.people.lina
    clock.set(utc(2026, 11, 23, 2, 0))
    await harness.send(tom, "/plan\nVisit Acme")
    # Down from Monday 10:00 to Tuesday 09:00 (Shanghai): the 22:00 deadline was never ticked.
    clock.set(utc(2026, 11, 24, 1, 0))
    sent = await day.at(utc(2026, 11, 24, 1, 0))
    assert not any("日清" in (m.text or "") for m in sent)  # no stale summary
    assert day.rows("misses") == []
    assert await run_backfill(day.services) == 3
    misses = {(r["user_id"], r["kind"]) for r in day.rows("misses")}
    assert misses == {(tom.id, "review"), (lina.id, "plan"), (lina.id, "review")}
    assert await run_backfill(day.services) == 0  # once
