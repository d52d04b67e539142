"""Manager commands end to end: /team, /report, /targets, /schedule, /export and their refusals.

Team A (华东一组, Shanghai): 王经理 (zh) manages Tom (en) and 李娜 (zh). Team B: Bob manages
Ann. Eve is in no team. Everyone joins on Sunday 2026-11-15; Tom's Monday goes through the real
/plan and /review flows, the rest of the week is stored through the repositories.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.delivery.sender import OutboxSender
from bot.scheduler import run_tick
from bot.standin import FakeUser, SentMessage
from coach.days import Absence, CheckIn, DayRecord, Miss, Task
from coach.kpis import Kpi
from storage.models import Base
from tests.bot.test_onboarding_e2e import Team, make_team, token_in
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 16)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


class Managers:
    """The two teams and the seeded week of team A."""

    def __init__(self, harness: Harness, clock: FixedClock) -> None:
        self.harness, self.clock = harness, clock
        self.people = Team(harness.standin)
        self.bob = harness.standin.add_user(first_name="Bob", username="bob", language_code="en")
        self.ann = harness.standin.add_user(first_name="Ann", username="ann", language_code="en")
        self.services = harness.app.bot_data.services
        self.team_id = 0

    @property
    def manager(self) -> FakeUser:
        return self.people.manager

    @property
    def tom(self) -> FakeUser:
        return self.people.tom

    @property
    def lina(self) -> FakeUser:
        return self.people.lina

    async def set_up(self) -> None:
        self.clock.set(datetime(2026, 11, 15, 2, 0, tzinfo=UTC))
        token = await make_team(self.harness, self.people)
        await self.harness.send(self.tom, f"/start {token}")
        await self.harness.send(self.lina, f"/start {token}")
        created = await self.harness.send(self.bob, "/newteam East | US | America/New_York")
        await self.harness.send(self.ann, f"/start {token_in(text_of(created))}")
        with self.services.database.unit_of_work() as uow:
            membership = uow.members.get(self.tom.id)
            assert membership is not None
            self.team_id = membership.team_id

    async def seed_week(self) -> None:
        """Tom: Monday by the real flows; Tuesday–Friday stored. 李娜: misses and a sick day."""
        h, tom = self.harness, self.tom
        self.clock.set(local(MONDAY, 8, 40))
        await h.send(tom, "/plan\nVisit Acme\nSend a quote\nvisits 2")
        self.clock.set(local(MONDAY, 19, 5))
        asked = await h.send(tom, "/review")
        await h.press(tom, asked[-1], "☐ Visit Acme")
        await h.press(tom, asked[-1], "Next ▶")
        for answer in ("visits 2", '=HYPERLINK("http://evil")', "-price first", "@too pricey"):
            await h.send(tom, answer)
        assert "Review saved" in text_of(await h.send(tom, "call back"))
        with self.services.database.unit_of_work() as uow:
            for offset in range(1, 5):
                day = MONDAY + timedelta(days=offset)
                actual = {Kpi.NEW_VISITS: Decimal(2)}
                if offset == 2:
                    actual[Kpi.REVENUE] = Decimal(50000)
                if offset == 4:
                    actual[Kpi.DEALS] = Decimal(1)
                uow.days.save(
                    DayRecord(
                        tom.id, self.team_id, day,
                        tasks=(Task("Visit", True, True), Task("Quote", True)),
                        planned={Kpi.NEW_VISITS: Decimal(2)}, actual=actual,
                        planned_at=local(day, 8, 40), reviewed_at=local(day, 19, 5),
                        win=f"win {offset}",
                    )
                )  # fmt: skip
            lina = self.lina.id
            uow.days.save(
                DayRecord(
                    lina, self.team_id, MONDAY, actual={Kpi.NEW_VISITS: Decimal(1)},
                    planned_at=local(MONDAY, 9), reviewed_at=local(MONDAY, 20),
                )
            )  # fmt: skip
            uow.days.save(
                DayRecord(lina, self.team_id, MONDAY + timedelta(days=2), absence=Absence.SICK)
            )
            for offset, kind in ((1, CheckIn.PLAN), (1, CheckIn.REVIEW), (3, CheckIn.REVIEW)):
                day = MONDAY + timedelta(days=offset)
                uow.misses.add(Miss(lina, self.team_id, day, kind, local(day, 22)))
            uow.commit()

    def count(self, table: str) -> int:
        with self.services.database.engine.connect() as connection:
            model = Base.metadata.tables[table]
            return connection.scalar(select(func.count()).select_from(model))


@pytest.fixture
async def world(harness: Harness, clock: FixedClock) -> Managers:
    managers = Managers(harness, clock)
    await managers.set_up()
    return managers


def html_of(replies: list[SentMessage]) -> str:
    return "\n".join(m.html or m.text or "" for m in replies)


def documents(replies: list[SentMessage]) -> dict[str, bytes]:
    return {m.document.filename or "": m.document.content for m in replies if m.document}


async def test_the_week_report_shows_the_seeded_numbers(world: Managers, harness: Harness):
    await world.seed_week()
    world.clock.set(local(MONDAY + timedelta(days=7), 9))  # the Monday after
    last = text_of(await harness.send(world.manager, "/report last"))
    assert "华东一组 · 周报 11月16日 周一 – 11月22日 周日" in last
    assert "截至" not in last  # a whole week
    tom_part = last[last.index("1. Tom") : last.index("2. 李娜")]
    assert "新客户拜访：10 / 10（100%）" in tom_part
    assert "业绩：50,000 / 100,000（50%）" in tom_part
    assert "成交：1 / 2（50%）" in tom_part
    assert "复盘 5/5" in tom_part and "连续 5 天" in tom_part
    lina_part = last[last.index("2. 李娜") :]
    assert "新客户拜访：1 / 8（13%）" in lina_part  # sick on Wednesday: four days' target
    assert "11月17日 周二（计划、复盘）" in lina_part and "11月19日 周四（复盘）" in lina_part
    assert "缺勤记录：3 次" in last
    assert "新客户拜访：目标 18，实际 11（61%）" in last  # the team's totals

    # Any past week stays retrievable, by any date in it.
    assert "1. Tom" in text_of(await harness.send(world.manager, "/report 2026-11-19"))
    this_week = text_of(await harness.send(world.manager, "/report"))
    assert "周报 11月23日 周一 – 11月29日 周日（截至 11月23日 周一）" in this_week

    # Team B's manager sees team B only.
    bob = text_of(await harness.send(world.bob, "/report last"))
    assert "East · week of" in bob and "1. Ann" in bob and "Tom" not in bob

    bad = html_of(await harness.send(world.manager, "/report someday"))
    assert "<code>someday</code> 不是日期" in bad
    assert "还没到" in text_of(await harness.send(world.manager, "/report 2027-01-04"))


async def test_team_today(world: Managers, harness: Harness):
    world.clock.set(local(MONDAY + timedelta(days=1), 12))
    await harness.send(world.tom, "/plan\nVisit Acme\nvisits 3")
    today = text_of(await harness.send(world.manager, "/team"))
    assert "华东一组 · 今天 11月17日 周二" in today
    assert "计划 1/2 · 复盘 0/2" in today
    assert "Tom：✅ 计划 · — 复盘" in today
    assert "到点未完成：李娜（计划）" in today
    assert "新客户拜访：0 / " in today  # no actuals until the review; the pace is shown


async def test_targets_are_set_and_shown(world: Managers, harness: Harness):
    m = world.manager
    saved = text_of(await harness.send(m, "/targets revenue=150000 deals=3"))
    assert "✅ 已保存（团队周目标）" in saved
    assert "· 业绩 150,000" in saved and "· 成交 3" in saved and "· 演示 3（默认）" in saved
    rep = text_of(await harness.send(m, "/targets @tom demos=4"))
    assert "✅ 已保存（Tom 的个人目标）" in rep and "Tom @tom：演示 4" in rep
    month = text_of(await harness.send(m, "/targets month=450000"))
    assert "✅ 已保存（月度业绩目标）" in month and "月度业绩目标：450,000（团队）" in month
    shown = text_of(await harness.send(m, "/targets"))
    assert "Tom @tom：演示 4" in shown and "其他 1 位销售按团队目标" in shown
    with world.services.database.unit_of_work() as uow:
        assert uow.targets.weekly(world.team_id)[Kpi.REVENUE] == 150000
        assert uow.targets.weekly(world.team_id, world.tom.id) == {Kpi.DEMOS: 4}
        assert uow.settings.get(world.team_id).monthly_revenue == 450000

    before = world.count("targets")
    assert "<code>speed=3</code> 看不懂" in html_of(await harness.send(m, "/targets speed=3"))
    assert "没有叫 <b>ann</b>" in html_of(await harness.send(m, "/targets @ann demos=1"))
    assert "<code>deals=1.5</code>" in html_of(await harness.send(m, "/targets deals=1.5 demos=2"))
    assert world.count("targets") == before  # nothing half-way
    # Team B's manager cannot reach team A's reps.
    refused = html_of(await harness.send(world.bob, "/targets @tom demos=9"))
    assert "no rep called <b>tom</b>" in refused


async def test_a_new_schedule_is_used_by_the_next_tick(world: Managers, harness: Harness):
    m = world.manager
    shown = text_of(await harness.send(m, "/schedule"))
    assert "plan 晨间计划 08:30" in shown and "时区 Asia/Shanghai" in shown
    bad = html_of(await harness.send(m, "/schedule plan=25:00 tz=Mars/Base days= cap=x"))
    assert "日程没有修改" in bad
    for part in ("plan=25:00", "tz=Mars/Base", "<code>days</code>", "cap=x"):
        assert part in bad
    changed = text_of(await harness.send(m, "/schedule plan=07:45 summary=fri 18:00 cap=1"))
    assert "✅ 已保存：plan、summary、cap" in changed
    assert "plan 晨间计划 07:45" in changed and "周总结 周五 18:00" in changed

    sender = OutboxSender(
        harness.app.bot,
        world.services.database.unit_of_work,
        world.clock,
        world.services.settings.delivery,
    )
    tuesday = date(2026, 11, 24)
    world.clock.set(local(tuesday, 7, 45))
    mark = len(harness.standin.calls)
    await run_tick(world.services, local(tuesday, 7, 45))
    await sender.drain()
    prompts = [r for r in harness.replies_since(mark) if "Good morning" in (r.text or "")]
    assert [r.chat_id for r in prompts] == [world.tom.id]
    assert any(r.chat_id == world.lina.id for r in harness.replies_since(mark))


async def test_export_sends_an_xlsx_and_a_csv(world: Managers, harness: Harness):
    await world.seed_week()
    world.clock.set(local(MONDAY + timedelta(days=7), 9))
    replies = await harness.send(world.manager, "/export 2026-11-16 2026-11-22")
    files = documents(replies)
    stem = f"salescoach-team{world.team_id}-2026-11-16-2026-11-22"
    assert set(files) == {f"{stem}.xlsx", f"{stem}.csv"}
    assert "请勿外传" in text_of(replies)

    book = openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"]))
    assert book.sheetnames == ["团队", "Tom", "李娜"]
    team = [[c.value for c in row] for row in book["团队"].iter_rows()]
    head = team[0]
    tom_line = dict(zip(head, team[1], strict=True))
    lina_line = dict(zip(head, team[2], strict=True))
    assert tom_line["姓名"] == "Tom" and tom_line["复盘天数"] == 5
    assert tom_line["新客户拜访 实际"] == 10 and tom_line["业绩 实际"] == 50000
    assert tom_line["新客户拜访 目标"] == 10
    assert isinstance(tom_line["综合分"], float | int) and tom_line["积分"] > 0
    assert lina_line["缺计划"] == 1 and lina_line["缺复盘"] == 2 and lina_line["请假天数"] == 1

    sheet = [[c for c in row] for row in book["Tom"].iter_rows()]
    titles = [c.value for c in sheet[0]]
    monday = {title: c for title, c in zip(titles, sheet[1], strict=True)}
    assert monday["日期"].value.date() == MONDAY
    assert monday["新客户拜访 计划"].value == 2 and monday["新客户拜访 实际"].value == 2
    assert (monday["完成任务"].value, monday["计划任务"].value) == (1, 2)
    win = monday["收获"]
    assert win.value == '=HYPERLINK("http://evil")' and win.data_type == "s"  # not a formula
    assert monday["问题/教训"].value == "-price first"
    assert sum(1 for row in sheet[1:]) == 5  # Mon–Fri

    rows = list(csv.reader(io.StringIO(files[f"{stem}.csv"].decode("utf-8-sig"))))
    assert rows[0][:3] == ["用户ID", "姓名", "日期"]
    tom_rows = [r for r in rows[1:] if r[1] == "Tom"]
    assert len(tom_rows) == 5
    header = rows[0]
    assert tom_rows[0][header.index("收获")] == '\'=HYPERLINK("http://evil")'
    assert tom_rows[0][header.index("客户异议")] == "'@too pricey"
    assert tom_rows[2][header.index("业绩 实际")] == "50000"
    lina_rows = [r for r in rows[1:] if r[1] == "李娜"]
    assert lina_rows[1][header.index("缺少")] == "计划、复盘"
    assert lina_rows[2][header.index("请假")] == "病假"


async def test_bad_export_ranges_are_answered_and_send_nothing(world: Managers, harness: Harness):
    cases = {
        "/export 2026-11-30 2026-11-01": "结束日期 2026-11-01 早于开始日期 2026-11-30",
        "/export 2025-01-01 2026-11-22": "一次最多导出 366 天，这里是 691 天",
        "/export tomorrow": "<code>tomorrow</code>",
        "/export 2026-02-30": "不是日期",
    }
    for command, expected in cases.items():
        replies = await harness.send(world.manager, command)
        assert expected in html_of(replies), (command, html_of(replies))
        assert documents(replies) == {}
    default = documents(await harness.send(world.manager, "/export"))  # this month so far
    assert {name.rsplit(".", 1)[1] for name in default} == {"xlsx", "csv"}


@pytest.mark.parametrize(
    "command",
    ["/team", "/report", "/report last", "/targets", "/targets deals=9", "/schedule",
     "/schedule plan=06:00", "/export", "/export 2026-11-01 2026-11-30"],
)  # fmt: skip
async def test_reps_and_outsiders_are_refused(world: Managers, harness: Harness, command: str):
    before = (world.count("targets"), world.count("team_settings"), world.count("teams"))
    with world.services.database.unit_of_work() as uow:
        team_before = uow.teams.get(world.team_id)
    rep = await harness.send(world.tom, command)
    assert "Only the managers of <b>华东一组</b> can do this." in html_of(rep)
    assert documents(rep) == {}
    lina = await harness.send(world.lina, command)
    assert "只有 <b>华东一组</b> 的主管可以做" in html_of(lina)
    outsider = await harness.send(world.people.outsider, command)
    assert "You are not in a team yet" in text_of(outsider)
    assert before == (world.count("targets"), world.count("team_settings"), world.count("teams"))
    with world.services.database.unit_of_work() as uow:
        assert uow.teams.get(world.team_id) == team_before


async def test_manager_views_are_never_shown_in_the_group(world: Managers, harness: Harness):
    await world.seed_week()
    group = world.people.group
    await harness.feed(group.add_bot(by=world.manager))
    await harness.send(world.manager, "/bindgroup", chat=group)
    for command in ("/report last", "/team", "/targets", "/schedule", "/export"):
        replies = await harness.send(world.manager, command, chat=group)
        assert documents(replies) == {}
        text = text_of(replies)
        assert "周报" not in text and "Tom" not in text and "目标" not in text, command
        assert replies and all(m.chat_id == group.id for m in replies)
        assert "/help" in text  # a pointer to /help, nothing more
