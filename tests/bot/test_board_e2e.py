"""/board end to end: a seeded week, the board and its chart in the group, private boards with
the reader marked and buttons, refusals for outsiders, the points rules in /help."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.standin import FakeUser
from coach.days import DayRecord, Task
from coach.kpis import Kpi
from coach.score_data import team_scores
from coach.scores import POINTS_RULES
from tests.bot.test_onboarding_e2e import Team, make_team
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
WEDNESDAY = MONDAY + timedelta(days=2)
PNG = b"\x89PNG\r\n\x1a\n"


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=ZONE).astimezone(UTC)


class Week:
    """A bound team of three reps with Monday to Wednesday checked in (Wednesday evening)."""

    def __init__(self, harness: Harness, clock: FixedClock) -> None:
        self.harness = harness
        self.clock = clock
        self.people = Team(harness.standin)
        self.zhang = harness.standin.add_user(first_name="张伟", language_code="zh")
        self.database = harness.app.bot_data.services.database

    async def set_up(self) -> None:
        people = self.people
        self.clock.set(local(MONDAY - timedelta(days=1), 10))
        token = await make_team(self.harness, people)
        for rep in (people.tom, people.lina, self.zhang):
            await self.harness.send(rep, f"/start {token}")
        await self.harness.feed(people.group.add_bot(by=people.manager))
        await self.harness.send(people.manager, "/bindgroup", chat=people.group)
        with self.database.unit_of_work() as uow:
            membership = uow.members.get(people.tom.id)
            assert membership is not None
            self.team = uow.teams.get(membership.team_id)
            for offset in range(3):
                day = MONDAY + timedelta(days=offset)
                # 李娜 sells, Tom visits, 张伟 plans late and reviews only on Monday
                self.check_in(uow, people.lina, day, new_visits=2, deals=1, revenue=40_000)
                self.check_in(uow, people.tom, day, new_visits=4, follow_ups=5)
                if offset == 0:
                    self.check_in(uow, self.zhang, day, plan_hour=20, calls=10)
            uow.commit()
        self.clock.set(local(WEDNESDAY, 21))

    def check_in(self, uow, rep: FakeUser, day: date, plan_hour: int = 9, **figures: int) -> None:
        uow.days.save(
            DayRecord(
                rep.id,
                self.team.id,
                day,
                tasks=(Task("拜访客户", True, True),),
                actual={Kpi(k): Decimal(v) for k, v in figures.items()},
                planned_at=local(day, plan_hour),
                reviewed_at=local(day, 20, 30),
            )
        )

    def scores(self):
        with self.database.unit_of_work() as uow:
            return team_scores(uow, self.team, MONDAY, WEDNESDAY)


async def test_the_group_gets_the_board_as_text_and_a_chart(harness: Harness, clock: FixedClock):
    week = Week(harness, clock)
    await week.set_up()
    people = week.people
    scores = week.scores()
    assert [s.name for s in scores] == ["李娜", "Tom", "张伟"]  # sales beat visits beat absence

    replies = await harness.send(people.outsider, "/board", chat=people.group)  # anyone there
    text, photo = replies[0], replies[-1]
    assert text.chat_id == people.group.id and "销售英雄榜" in (text.text or "")
    lines = [line for line in (text.text or "").splitlines() if " — " in line]
    assert [line.split(" — ")[0].split(" ", 1)[1] for line in lines] == [s.name for s in scores]
    for line, score in zip(lines, scores, strict=True):
        assert f"{score.composite} 分 · 积分 {score.points}" in line
    assert "👈" not in (text.text or "")  # nobody is marked in the group
    assert photo.photo is not None and photo.photo.content.startswith(PNG)
    assert photo.chat_id == people.group.id and "销售英雄榜" in (photo.caption or "")

    kpi = await harness.send(people.tom, "/board kpi 本月", chat=people.group)
    assert "KPI 榜 · 本月" in text_of(kpi) and "团队合计 vs 目标" in text_of(kpi)
    assert kpi[-1].photo is not None  # the totals chart

    relay = await harness.send(people.tom, "/board relay", chat=people.group)
    focus = "方案"  # Wednesday's focus in the seeds' relay
    assert f"销售接力赛 · 11月25日 周三 · {focus}" in text_of(relay)
    assert "接力棒等你来接" in text_of(relay)  # nobody reported proposals today
    assert all(m.photo is None for m in relay)  # no contributors: no chart


async def test_in_private_the_reader_is_marked_and_buttons_switch_boards(
    harness: Harness, clock: FixedClock
):
    week = Week(harness, clock)
    await week.set_up()
    people = week.people
    lina_score = week.scores()[0]

    shown = await harness.send(people.lina, "/board")
    board = shown[-1]
    assert "<b>李娜</b> 👈" in (board.html or "") or "李娜 👈" in (board.text or "")
    assert f"{lina_score.composite} 分" in (board.text or "")
    assert board.button_texts == [
        "本周", "本月", "KPI", "连续复盘", "答题冠军", "进步榜", "区域PK", "接力赛",
    ]  # fmt: skip
    assert board.photo is None  # charts go to the group

    streaks = (await harness.press(people.lina, board, "连续复盘"))[-1]
    assert streaks.message_id == board.message_id  # edited in place
    assert "连续复盘榜" in (streaks.text or "")
    assert "李娜 👈 — 3 天" in (streaks.text or "")
    assert "张伟" not in (streaks.text or "")  # no streak as of Wednesday

    month = (await harness.press(people.lina, streaks, "本月"))[-1]
    assert "销售英雄榜 · 本月（11/1–11/25）" in (month.text or "")

    region = (await harness.press(people.lina, month, "区域PK"))[-1]
    assert "华东" in (region.text or "") and "华东一组" in (region.text or "")

    english = (await harness.send(people.tom, "/board week"))[-1]
    assert "Hero board · this week (23–25 Nov)" in (english.text or "")
    assert "Tom 👈" in (english.text or "")


async def test_outsiders_unbound_groups_and_odd_words_get_clear_answers(
    harness: Harness, clock: FixedClock
):
    week = Week(harness, clock)
    await week.set_up()
    people = week.people

    refused = text_of(await harness.send(people.outsider, "/board"))
    assert "not in a team" in refused and "Hero board" not in refused

    other = harness.standin.add_group("别的群", members={people.outsider: "creator"})
    await harness.feed(other.add_bot(by=people.outsider))
    unbound = await harness.send(people.outsider, "/board", chat=other)
    assert "not a team's group" in text_of(unbound)
    assert all(m.photo is None for m in unbound)

    odd = text_of(await harness.send(people.lina, "/board 星期八"))
    assert "我不认识「星期八」" in odd


async def test_help_states_the_points_rules_that_are_applied(harness: Harness, clock: FixedClock):
    week = Week(harness, clock)
    await week.set_up()
    shown = text_of(await harness.send(week.people.lina, "/help"))
    assert "积分规则" in shown and "/board" in shown
    for rule in POINTS_RULES:
        assert f"+{rule.points}" in shown
    capped = next(rule for rule in POINTS_RULES if rule.cap)
    assert f"每期最多 {capped.cap}" in shown
