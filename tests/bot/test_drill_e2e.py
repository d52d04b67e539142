"""LAER drills end to end through the stand-in: step by step in Chinese, in one answer in
English, bad answers, /me, and the field-to-drill loop from an evening review to a team drill."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.delivery.sender import OutboxSender
from bot.scheduler import run_tick
from bot.standin import FakeUser
from coach.content import LAER
from storage.models import Base
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

ZH_ANSWERS = (
    "您的意思是价格超出了今年的预算，我理解得对吗？",
    "完全理解，这很正常，很多客户一开始也是这么考虑的。",
    "能说说您主要是拿哪些方案在做比较吗？",
    "我们的客户平均 7 个月收回成本，比如华东医药上线后报价效率提升了 30%。",
)
EN_ANSWER = (
    "Listen: So if I understand you, the price is above what you planned for — is that right?\n"
    "Acknowledge: That makes sense, I understand; many teams felt the same at first.\n"
    "Explore: What are you comparing us with, and how do you measure the cost today?\n"
    "Respond: Our customers recover the cost in 7 months on average; for example, a "
    "distributor cut quoting time by 30%."
)


def rows(harness: Harness, table: str) -> list[dict]:
    model = Base.metadata.tables[table]
    database = harness.app.bot_data.services.database
    with database.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(model))]


async def joined(harness: Harness) -> Team:
    people = Team(harness.standin)
    token = await make_team(harness, people)
    await harness.send(people.tom, f"/start {token}")
    await harness.send(people.lina, f"/start {token}")
    return people


def points_in(text: str) -> list[int]:
    return [int(p) for p in re.findall(r" (\d)/2\b", text)]


async def test_a_full_drill_step_by_step_in_chinese(harness: Harness):
    people = await joined(harness)
    lina = people.lina

    started = text_of(await harness.send(lina, "/drill"))
    assert "异议演练" in started and "客户说：" in started
    assert "1/4 · 倾听" in started

    shown: list[int] = []
    for step, answer in zip(LAER[:3], ZH_ANSWERS[:3], strict=True):
        graded = text_of(await harness.send(lina, answer))
        assert "示范：" in graded
        shown.extend(points_in(graded)[:1])
        assert f"{LAER.index(step) + 2}/4" in graded  # the next step is asked
    assert rows(harness, "drills") == []  # nothing stored before the last step

    finished = text_of(await harness.send(lina, ZH_ANSWERS[3]))
    assert "本次得分" in finished and "最弱的一步" in finished
    shown.extend(points_in(finished)[:1])
    [stored] = rows(harness, "drills")
    assert [stored[s.value] for s in LAER] == shown
    assert f"本次得分 {sum(shown)}/8" in finished
    # Good answers phrased our own way score on each step (none of them scores 0).
    assert all(points >= 1 for points in shown), shown
    assert (stored["mode"], stored["source"]) == ("steps", "command")
    assert rows(harness, "dialogs") == []  # the rep's words are gone with the drill

    me = text_of(await harness.send(lina, "/me"))
    assert "我的练习" in me and "最近 1 次" in me and "最弱的一步" in me


async def test_a_drill_in_one_answer_in_english(harness: Harness):
    people = await joined(harness)
    tom = people.tom

    started = await harness.send(tom, "/drill")
    assert "Objection drill" in text_of(started)
    asked = await harness.press(tom, started[-1], "All four steps in one message")
    assert "whole answer in one message" in text_of(asked)

    finished = text_of(await harness.send(tom, EN_ANSWER))
    assert "Score " in finished and finished.count("Model:") == 4
    for name in ("Listen", "Acknowledge", "Explore", "Respond"):
        assert name in finished
    [stored] = rows(harness, "drills")
    assert stored["mode"] == "free"
    assert f"Score {sum(stored[s.value] for s in LAER)}/8" in finished
    assert stored["explore"] >= 1 and stored["respond"] >= 1


async def test_bad_answers_get_a_reason_and_are_shown_escaped(harness: Harness):
    people = await joined(harness)
    tom = people.tom
    await harness.send(tom, "/drill")

    emoji = text_of(await harness.send(tom, "👍👍"))
    assert "❌ Listen 0/2" in emoji
    markup = await harness.send(tom, "<b>but</b> {{ 7*7 }} no")
    assert "Acknowledge" in text_of(markup)
    assert "49" not in text_of(markup)
    assert all("<b>" not in (m.text or "") for m in markup)  # shown as text, never as markup
    await harness.send(tom, "x")
    finished = text_of(await harness.send(tom, "y " * 1500))  # longer than a drill looks at
    assert "Score" in finished
    [stored] = rows(harness, "drills")
    assert stored["listen"] == 0


async def test_an_objection_from_a_review_becomes_a_team_drill(harness: Harness, clock: FixedClock):
    people = await joined(harness)
    lina, manager = people.lina, people.manager

    async def review_with(rep: FakeUser, objection: str) -> None:
        asked = await harness.send(rep, "/review")
        figures = await harness.press(rep, asked[-1], "下一步 ▶")
        await harness.press(rep, figures[-1], "今天没有数字 ▶")
        await harness.send(rep, "见到了王总")
        await harness.send(rep, "报价慢")
        await harness.send(rep, objection)
        assert "复盘已记下" in text_of(await harness.send(rep, "跟进王总"))

    clock.set(clock.now() + timedelta(hours=10))  # 19:00 Shanghai
    await harness.send(lina, "/plan 拜访王总")
    await review_with(lina, "客户说你们的价格太贵了，比别家高一截")
    [matched] = rows(harness, "field_objections")
    assert (matched["category"], matched["status"]) == ("price", "matched")

    clock.set(clock.now() + timedelta(days=1))
    await harness.send(lina, "/plan 拜访王总")
    await review_with(lina, "客户要我们先派人驻场三个月 <b>免费</b>")
    offered = [r for r in rows(harness, "field_objections") if r["status"] == "offered"]
    assert len(offered) == 1

    refused = text_of(await harness.send(lina, "/objections"))
    assert "主管" in refused  # reps cannot see the team's list
    listed = await harness.send(manager, "/objections")
    text = text_of(listed)
    assert "客户要我们先派人驻场三个月 <b>免费</b>" in text  # escaped, shown as written
    assert "价格" in text and "李娜" in text
    sort = await harness.press(manager, listed[-1], "➕ 第1条做成演练")
    added = await harness.press(manager, sort[-1], "风险")
    assert "已加入团队演练题（风险）" in text_of(added)
    [item] = [r for r in rows(harness, "field_objections") if r["status"] == "added"]
    team_items = [r for r in rows(harness, "content_items") if r["pack_id"] == "field"]
    assert [(r["id"], r["category"]) for r in team_items] == [(item["objection_key"], "risk")]
    again = text_of(await harness.press(manager, listed[-1], "➕ 第1条做成演练"))
    assert "已经处理过了" in again


async def test_the_practice_push_within_the_budget_starts_a_drill(
    harness: Harness, clock: FixedClock
):
    people = await joined(harness)
    lina, tom = people.lina, people.tom
    services = harness.app.bot_data.services
    sender = OutboxSender(
        harness.app.bot, services.database.unit_of_work, clock, services.settings.delivery
    )
    await harness.send(lina, "/plan 拜访王总")  # Lina plans: no plan nudge for her
    noon = datetime(2026, 11, 23, 5, 45, tzinfo=UTC)  # Monday 13:45 in Shanghai
    nudge = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    for moment in (clock.now(), nudge, noon):  # plan prompt, plan nudge, then the push
        clock.set(moment)
        await run_tick(services, moment)
        await sender.drain()
    pushes = {r["user_id"]: r for r in rows(harness, "outbox") if r["kind"] == "practice"}
    # Tom got a plan nudge (1 of his 2 pushes): the practice push would spend the last one,
    # which belongs to the review nudge, so he gets none.
    assert set(pushes) == {lina.id} and pushes[lina.id]["budgeted"]
    push = lina.inbox[-1]
    assert "练习时间" in (push.text or "") and "本周还没做异议演练" in (push.text or "")
    assert tom.id not in pushes

    started = text_of(await harness.press(lina, push, "🎭 异议演练"))
    assert "异议演练" in started and "1/4 · 倾听" in started
    for answer in ZH_ANSWERS:
        await harness.send(lina, answer)
    [stored] = rows(harness, "drills")
    assert stored["source"] == "push"

    await run_tick(services, noon + timedelta(minutes=1))  # pushed once a day at most
    assert len([r for r in rows(harness, "outbox") if r["kind"] == "practice"]) == 1
