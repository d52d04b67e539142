"""End to end through the stand-in: plan, review, edit, skip days; bad input is refused."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.standin import StandIn
from storage.models import Base
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

MONDAY = date(2026, 11, 23)


def day_record(harness: Harness, user_id: int, day: date = MONDAY):
    with harness.app.bot_data.services.database.unit_of_work() as uow:
        return uow.days.get(user_id, day)


def count(harness: Harness, table: str) -> int:
    database = harness.app.bot_data.services.database
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Base.metadata.tables[table]))


async def joined_team(harness: Harness) -> Team:
    people = Team(harness.standin)
    token = await make_team(harness, people)
    await harness.send(people.tom, f"/start {token}")
    await harness.send(people.lina, f"/start {token}")
    return people


async def test_plan_in_one_message_then_review_with_buttons(harness: Harness, clock: FixedClock):
    people = await joined_team(harness)
    tom = people.tom
    saved = text_of(
        await harness.send(
            tom,
            "/plan\n1. Visit Acme's CFO\n2. Quote for Globex\n"
            "+ Clean up the CRM\nvisits 4 calls 20",
        )
    )
    assert "Plan saved" in saved and "Calls 20, New-customer visits 4" in saved
    assert "Visit Acme&#x27;s CFO" not in saved and "Visit Acme's CFO" in saved
    record = day_record(harness, tom.id)
    tasks = ["Visit Acme's CFO", "Quote for Globex", "Clean up the CRM"]
    assert [t.text for t in record.tasks] == tasks
    assert [t.must for t in record.tasks] == [True, True, False]

    clock.set(clock.now() + timedelta(hours=10))  # 19:00 in Shanghai
    asked = await harness.send(tom, "/review")
    assert "Tap the tasks you finished" in text_of(asked)
    ticked = await harness.press(tom, asked[-1], "☐ Visit Acme's CFO")
    assert "☑ Visit Acme's CFO" in ticked[-1].button_texts
    figures = await harness.press(tom, ticked[-1], "Next ▶")
    assert "1 of 3 done" in text_of(figures)
    assert day_record(harness, tom.id).reviewed_at is None  # nothing stored mid-flow
    await harness.send(tom, "calls 25 visits 2 revenue 12k")
    await harness.send(tom, "Globex signed the pilot")
    await harness.send(tom, "Quotes take too long")
    await harness.send(tom, "Your price is higher than X")
    done = text_of(await harness.send(tom, "Call Acme back"))
    assert "Review saved" in done
    assert "Calls: 20 → 25 (125%)" in done
    assert "New-customer visits: 4 → 2 (50%)" in done and "Revenue: — → 12,000" in done
    assert "Completion 61%" in done  # (100 + 50 + 1/3 of tasks) / 3
    assert "Review streak: 1 day" in done
    assert "2 unfinished task(s)" in done
    record = day_record(harness, tom.id)
    assert record.objection == "Your price is higher than X"
    assert record.tomorrow_first == "Call Acme back"
    assert [t.done for t in record.tasks] == [True, False, False]


async def test_step_by_step_plan_in_chinese_and_the_carry_over(harness: Harness, clock: FixedClock):
    people = await joined_team(harness)
    lina = people.lina
    asked = text_of(await harness.send(lina, "/plan"))
    assert "晨间计划" in asked and "3 件必做的事" in asked
    assert "接力赛今日焦点：电话" in asked  # Monday's relay metric
    more = await harness.send(lina, "拜访华东医药王总\n给李总发报价")
    assert "选做" in text_of(more)
    numbers = await harness.press(lina, more[-1], "跳过 ▶")
    assert "计划的数字" in text_of(numbers)
    saved = text_of(await harness.send(lina, "拜访 三 电话 20"))
    assert "计划已记下" in saved and "拜访华东医药王总" in saved

    # Evening: tick nothing, review; the unfinished tasks come back on Tuesday.
    clock.set(clock.now() + timedelta(hours=10))
    asked = await harness.send(lina, "/review")
    await harness.press(lina, asked[-1], "☐ 给李总发报价")
    figures = await harness.press(lina, asked[-1], "下一步 ▶")
    nothing = await harness.press(lina, figures[-1], "今天没有数字 ▶")
    assert "收获" in text_of(nothing)
    await harness.send(lina, "见到了王总")
    objection = await harness.send(lina, "报价慢")
    await harness.press(lina, objection[-1], "没遇到 ▶")
    assert "复盘已记下" in text_of(await harness.send(lina, "跟进王总"))

    clock.set(clock.now() + timedelta(hours=14))  # Tuesday 09:00
    started = await harness.send(lina, "/plan")
    assert "昨天还有 1 件没完成" in text_of(started)
    carried = await harness.press(lina, started[-1], "⤵ 放入今天的计划（1 件）")
    assert "拜访华东医药王总" in text_of(carried)


async def test_editing_until_the_deadline_then_the_day_is_closed(
    harness: Harness, clock: FixedClock
):
    people = await joined_team(harness)
    tom = people.tom
    await harness.send(tom, "/plan\nFirst plan")
    clock.set(clock.now() + timedelta(hours=12, minutes=59))  # 21:59
    replaced = text_of(await harness.send(tom, "/plan\nSecond plan"))
    assert "Plan updated" in replaced
    assert [t.text for t in day_record(harness, tom.id).tasks] == ["Second plan"]
    clock.set(clock.now() + timedelta(minutes=1))  # 22:00
    closed = text_of(await harness.send(tom, "/plan\nThird plan"))
    assert "closed at 22:00" in closed
    assert "closed at 22:00" in text_of(await harness.send(tom, "/review"))
    assert [t.text for t in day_record(harness, tom.id).tasks] == ["Second plan"]


async def test_bad_input_gets_a_clear_answer_and_stores_nothing(harness: Harness):
    people = await joined_team(harness)
    tom = people.tom
    cases = [
        ("/plan\nVisit Acme\nvisits 10000", "over the daily limit of 50"),
        ("/plan\nVisit Acme\ncalls -5", "can't be negative"),
        ("/plan\na\nb\nc\nd\ne\nf", "3+2 rule"),
        ("/plan\nvisits 5 calls 20", "at least one task"),
        ("/plan\n" + "x" * 201, "too long"),
    ]
    for text, expected in cases:
        assert expected in text_of(await harness.send(tom, text)), expected
    assert day_record(harness, tom.id) is None

    await harness.send(tom, "/plan")
    await harness.send(tom, "<b>bold</b> {{ 7*7 }} 🙂")
    skip = await harness.send(tom, "+ <i>second</i>")
    refused = text_of(await harness.send(tom, "visits many"))
    assert "New-customer visits has no number\n· “many” is not a figure I know" in refused
    assert day_record(harness, tom.id) is None
    saved = await harness.send(tom, "visits 3")
    text = saved[-1].text or ""
    assert "<b>bold</b> {{ 7*7 }} 🙂" in text  # shown as typed, never as markup
    assert skip and [t.text for t in day_record(harness, tom.id).tasks] == [
        "<b>bold</b> {{ 7*7 }} 🙂",
        "<i>second</i>",
    ]


async def test_skip_days_with_buttons_and_back_to_work(harness: Harness, standin: StandIn):
    people = await joined_team(harness)
    tom = people.tom
    asked = await harness.send(tom, "/skip")
    length = await harness.press(tom, asked[-1], "✈️ travel")
    assert "how many working days" in text_of(length)
    done = text_of(await harness.press(tom, length[-1], "3 days"))
    assert "Marked as travel" in done and "3 working days" in done
    for offset in range(3):
        assert day_record(harness, tom.id, MONDAY + timedelta(days=offset)).absence == "travel"
    again = await harness.send(tom, "/skip")
    assert "You are away until" in text_of(again)
    back = text_of(await harness.press(tom, again[-1], "↩ I'm back"))
    assert "Welcome back" in back
    assert day_record(harness, tom.id).absence is None
    assert "sick" in text_of(await harness.send(tom, "/skip sick 2"))
    assert "can't read" in text_of(await harness.send(tom, "/skip party"))
