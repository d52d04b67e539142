"""The evening sharing (晚分享) end to end through the stand-in.

The tick opens the session in the group at the sharing time; reps share privately (posted to
the group through the outbox) or by replying to the bot in the group; venting is posted
without a name; kudos are given once; the tick closes the session with a digest; a manager
keeps the week's best lesson and everyone reads it with /tips.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery.sender import OutboxSender
from bot.render import render
from bot.scheduler import run_tick
from bot.standin import FakeUser, SentMessage
from coach.models import Lang
from coach.sharing import (
    NoTeamGroup,
    NotKeepable,
    NotTeamMember,
    ShareNotFound,
    SharingNotOpen,
    VentInGroup,
)
from storage.models import KudosRow, ShareRow
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

SUNDAY_BEFORE = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
OPENS = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # Monday 20:30 in Shanghai
CLOSES = OPENS + timedelta(hours=1)


class Evening:
    """华东一组 (zh): 王经理, Tom (en) and 李娜 (zh), its group bound; Eve only in the group."""

    def __init__(self, harness: Harness, clock: FixedClock) -> None:
        self.harness, self.clock = harness, clock
        self.people = Team(harness.standin)
        self.group = self.people.group
        services = harness.app.bot_data.services
        self.services = services
        self.sender = OutboxSender(
            harness.app.bot, services.database.unit_of_work, clock, services.settings.delivery
        )

    async def set_up(self) -> None:
        self.clock.set(SUNDAY_BEFORE)
        token = await make_team(self.harness, self.people)
        for rep in (self.people.tom, self.people.lina):
            await self.harness.send(rep, f"/start {token}")
        await self.harness.feed(self.group.add_bot(by=self.people.manager))
        await self.harness.send(self.people.manager, "/bindgroup", chat=self.group)

    async def tick(self, at: datetime) -> list[SentMessage]:
        """Move the clock, run the scheduler once, deliver; what reached the group."""
        self.clock.set(at)
        mark = len(self.harness.standin.calls)
        await run_tick(self.services, at)
        await self.deliver()
        return [m for m in self.harness.replies_since(mark) if m.chat_id == self.group.id]

    async def deliver(self) -> list[SentMessage]:
        """Drain the outbox (a group takes one message every 3 s); what reached the group."""
        mark = len(self.harness.standin.calls)
        start = self.clock.now()
        for step in range(6):
            self.clock.set(start + timedelta(seconds=3 * step))
            await self.sender.drain()
        return [m for m in self.harness.replies_since(mark) if m.chat_id == self.group.id]

    async def press(self, user: FakeUser, message: SentMessage) -> str | None:
        """Press 👍 under ``message``; the toast the bot answered with."""
        update = user.press(message, (0, 0))
        await self.harness.feed(update)
        answer = user.callback_answer(update)
        return answer.text if answer else None

    def count(self, model) -> int:
        with self.services.database.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))


async def test_an_evening_with_shares_anonymous_venting_kudos_digest_and_kept_lessons(
    harness: Harness, clock: FixedClock
):
    evening = Evening(harness, clock)
    await evening.set_up()
    people = evening.people
    manager, tom, lina, eve, group = (
        people.manager,
        people.tom,
        people.lina,
        people.outsider,
        evening.group,
    )

    # Before the sharing time: a clear answer with the next session, nothing stored.
    clock.set(OPENS - timedelta(hours=2))
    early = text_of(await harness.send(tom, "/share Too early"))
    assert "not open now" in early and "Mon 23 Nov 20:30" in early and "Problems" in early
    assert evening.count(ShareRow) == 0

    # 20:30: the session opens in the group with the day's theme (Monday: the first theme).
    (opening,) = await evening.tick(OPENS)
    assert "晚分享" in (opening.text or "") and "问题与解决" in (opening.text or "")
    assert "21:30 结束" in (opening.text or "") and "/share" in (opening.text or "")
    assert await evening.tick(OPENS + timedelta(minutes=1)) == []  # opened once

    # Tom shares privately, choosing the type with a tag; it is posted in the group by the outbox.
    clock.set(OPENS + timedelta(minutes=5))
    hostile = "#success Closed Acme <b>today</b> {{ 7*7 }}"
    confirmed = text_of(await harness.send(tom, f"/share {hostile}"))
    assert "Shared with the team group" in confirmed and "#1" in confirmed
    (tom_post,) = await evening.deliver()
    assert "成功案例" in (tom_post.text or "") and "#1 · Tom" in (tom_post.text or "")
    assert "Closed Acme <b>today</b> {{ 7*7 }}" in (tom_post.text or "")  # shown, not markup
    assert "&lt;b&gt;today&lt;/b&gt;" in (tom_post.html or "") and "49" not in (tom_post.text or "")
    assert tom_post.button_texts == ["👍"]

    # Lina shares by replying to the opening message in the group: a card answers her there.
    card = await harness.feed(lina.reply(opening, "先问预算，再报价。", chat=group))
    assert len(card) == 1 and card[0].chat_id == group.id
    assert "李娜" in (card[0].text or "") and "#2" in (card[0].text or "")
    assert card[0].reply_to_message_id is not None and card[0].button_texts == ["👍"]

    # Lina vents privately, step by step: /share, the 倒垃圾 button, then her text.
    asked = await harness.send(lina, "/share")
    assert "问题与解决" in text_of(asked) and len(asked[-1].button_texts) == 4
    chosen = await harness.press(lina, asked[-1], "🗑 倒垃圾")
    assert "不署名" in text_of(chosen) and "✓ 🗑 倒垃圾" in chosen[-1].button_texts
    vented = text_of(await harness.send(lina, "客户第三次改需求，真的累。"))
    assert "不署名" in vented and "#3" in vented
    (vent_post,) = await evening.deliver()
    assert "倒垃圾" in (vent_post.text or "") and "匿名" in (vent_post.text or "")
    assert "李娜" not in (vent_post.text or "")  # the group, managers included, never see who

    # Venting as a reply in the group would show the name: refused, nothing stored.
    refused = text_of(await harness.feed(tom.reply(opening, "#vent ugh", chat=group)))
    assert "Venting is anonymous" in refused and "/share #venting" in refused
    assert evening.count(ShareRow) == 3

    # Bad input is answered clearly and stores nothing.
    assert "can't be empty" in text_of(await harness.send(tom, "/share #success"))
    too_long = text_of(await harness.send(tom, "/share " + "x" * 1001))
    assert "too long" in too_long and "1000" in too_long
    assert evening.count(ShareRow) == 3

    # Kudos: once per person, never to oneself, team members only; the button shows the count.
    assert await evening.press(tom, card[0]) == "👍 Thanks for the kudos!"
    assert await evening.press(tom, card[0]) == "You already gave this one a 👍."
    assert await evening.press(lina, card[0]) == "不能给自己的分享点赞。"
    assert await evening.press(eve, card[0]) == "Only team members can give kudos."
    assert await evening.press(manager, vent_post) == "👍 已点赞，谢谢！"
    assert await evening.press(tom, vent_post) == "👍 Thanks for the kudos!"
    assert await evening.press(lina, vent_post) == "不能给自己的分享点赞。"  # only she knows
    relabelled = next(m for m in group.inbox if m.message_id == vent_post.message_id)
    assert relabelled.button_texts == ["👍 2"]
    assert evening.count(KudosRow) == 3

    # 21:30: closed with a digest; the venting share won and is shown without a name.
    (digest,) = await evening.tick(CLOSES)
    text = digest.text or ""
    assert "晚分享小结" in text and "今晚 3 条分享，共 3 个 👍" in text
    assert "最受欢迎（👍 2）：🗑 #3 · 匿名" in text and "李娜" not in text
    assert "/tips" in text
    assert await evening.tick(CLOSES + timedelta(minutes=1)) == []

    # After closing, a reply to the bot says when the next session is.
    late = text_of(await harness.feed(tom.reply(digest, "one more", chat=group)))
    assert "not open now" in late and "Tue 24 Nov 20:30" in late and "Success case" in late

    # The manager keeps Lina's lesson; venting never shows up for keeping.
    tips = await harness.send(manager, "/tips")
    listing = text_of(tips)
    assert "还没有留下的经验" in listing and "#2" in listing and "#1" in listing
    assert "#3" not in listing and "真的累" not in listing
    assert tips[-1].button_texts == ["⭐ 保留 #2", "⭐ 保留 #1"]  # most kudos first
    kept = text_of(await harness.press(manager, tips[-1], "⭐ 保留 #2"))
    assert "已把 #2（李娜 的问题与解决）留作" in kept
    assert "不能保留" in text_of(await harness.send(manager, "/tips keep 3"))  # venting

    # A rep cannot keep; everyone in the team reads the kept lessons.
    refused_rep = text_of(await harness.send(tom, "/tips keep 1"))
    assert "manager" in refused_rep.lower()
    read = text_of(await harness.send(tom, "/tips"))
    assert "#2" in read and "先问预算，再报价。" in read and "Keep" not in read
    assert "/tips keep" in text_of(await harness.send(tom, "/tips whatever"))


async def test_no_group_no_team_and_a_late_answer_are_answered_clearly(
    harness: Harness, clock: FixedClock
):
    evening = Evening(harness, clock)
    clock.set(SUNDAY_BEFORE)
    people = evening.people
    outsider = text_of(await harness.send(people.outsider, "/share hello"))
    assert "not in a team" in outsider
    token = await make_team(harness, people)
    await harness.send(people.lina, f"/start {token}")
    clock.set(OPENS + timedelta(minutes=1))
    no_group = text_of(await harness.send(people.lina, "/share 你好"))
    assert "还没有团队群" in no_group and "/bindgroup" in no_group

    await harness.feed(evening.group.add_bot(by=people.manager))
    await harness.send(people.manager, "/bindgroup", chat=evening.group)
    (opening,) = await evening.tick(OPENS + timedelta(minutes=2))
    # Tom is in the group but not in the team: he cannot share there; nothing is stored.
    outside = text_of(await harness.feed(people.tom.reply(opening, "me too?", chat=evening.group)))
    assert "Only members of 华东一组 can share here" in outside
    # /share in the group is a named share too, answered there with the 👍 card.
    in_group = await harness.send(people.lina, "/share 群里直接分享", chat=evening.group)
    assert "收到 李娜 的" in text_of(in_group) and in_group[-1].button_texts == ["👍"]
    empty = text_of(await harness.send(people.lina, "/share", chat=evening.group))
    assert "分享不能为空" in empty
    # As an admin the bot sees every message: a reply between people is none of its business.
    await harness.feed(evening.group.promote_bot(by=people.manager))
    people.lina.send("今天谁去拜访王总？", chat=evening.group)
    asked = evening.group.history[-1]
    assert await harness.feed(people.tom.reply(asked, "我去", chat=evening.group)) == []

    await harness.send(people.lina, "/share")
    clock.set(CLOSES + timedelta(minutes=5))
    late = text_of(await harness.send(people.lina, "写完了"))
    assert "已经结束" in late and "11月24日 周二 20:30" in late
    assert evening.count(ShareRow) == 1  # only the one shared with /share in the group


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize(
    "error",
    [
        SharingNotOpen(next_at=OPENS, zone="Asia/Shanghai", theme="success"),
        SharingNotOpen(next_at=None, zone="Asia/Shanghai", theme="success"),
        NoTeamGroup(team_name="<x>"),
        NotTeamMember(team_name="<x>"),
        VentInGroup(),
        ShareNotFound(number=7),
        NotKeepable(number=7),
    ],
    ids=lambda e: e.code,
)
def test_every_sharing_refusal_has_a_message_in_both_languages(lang: Lang, error):
    text = render(lang, f"errors/{error.code}", **error.context())
    assert text and "{{" not in text and "<x>" not in text
    if "team_name" in error.context():
        assert "&lt;x&gt;" in text
