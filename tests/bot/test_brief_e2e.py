"""The weekly coaching brief end to end: the tick at week's end, the group and the manager."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.test_rhythm_e2e import Rhythm, to, utc
from tests.fakes import FixedClock
from tests.harness import Harness


async def test_the_coaching_brief_goes_to_the_group_and_with_1on1_topics_to_the_manager(
    harness: Harness, clock: FixedClock
):
    day = Rhythm(harness, clock)
    await day.set_up()
    tom = day.people.tom
    for offset in range(5):  # Tom plans and reviews every day; Lina never does
        morning = utc(2026, 11, 23, 1, 0) + timedelta(days=offset)
        clock.set(morning)
        await harness.send(tom, "/plan\nVisit a customer\nvisits 2")
        clock.set(morning + timedelta(hours=10))
        asked = await harness.send(tom, "/review")
        await harness.press(tom, asked[-1], "☐ Visit a customer")
        await harness.press(tom, asked[-1], "Next ▶")
        for answer in ("visits 2 deals 1 revenue 30k", "a win", "a lesson", "none"):
            await harness.send(tom, answer)
        await harness.send(tom, "tomorrow")
        if offset < 4:  # Friday's deadline (22:00) comes after the week's end (21:00)
            await day.at(utc(2026, 11, 23, 14, 0) + timedelta(days=offset))

    friday = utc(2026, 11, 27, 13, 0)  # 21:00 in Shanghai
    mark = len(harness.standin.calls)
    await day.at(friday)
    for second in range(4, 10):  # the group takes a message every few seconds
        clock.set(friday + timedelta(seconds=second))
        await day.sender.drain()
    sent = harness.replies_since(mark)
    group = to(day.people.group.id, sent)
    briefs = [m for m in group if "周教练简报" in (m.text or "")]
    assert len(briefs) == 1
    text = briefs[0].text or ""
    # the team's totals against the sum of its reps' weekly targets (defaults: 10 visits each)
    assert "新客户拜访：10 / 20（50%）" in text
    assert "成交：5 / 4（125%）" in text
    board = text.split("综合榜", 1)[1]
    assert board.index("Tom") < board.index("李娜")
    assert "缺打卡：李娜 8 次" in text
    assert "一对一" not in text and "李娜：打卡习惯" not in text  # topics are for managers only

    private = to(day.people.manager, sent)
    manager_briefs = [m for m in private if "周教练简报" in (m.text or "")]
    assert len(manager_briefs) == 1
    mine = manager_briefs[0].text or ""
    assert "一对一话题（仅主管可见）" in mine
    assert "李娜：打卡习惯：本周缺了 8 次" in mine
    assert "Tom：" in mine.split("一对一话题", 1)[1]

    charts = [m for m in sent if m.photo is not None]
    assert {m.chat_id for m in charts} == {day.people.group.id, day.people.manager.id}
    assert all("团队合计 vs 目标" in (m.caption or "") for m in charts)

    again = await day.at(utc(2026, 11, 27, 13, 1))  # the next tick sends nothing twice
    assert not [m for m in again if "周教练简报" in (m.text or "")]
