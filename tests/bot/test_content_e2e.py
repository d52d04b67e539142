"""End to end through the stand-in: content packs sent to the bot, built-in packs, /packs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from bot.content_seed import seed_builtin_packs
from bot.render import MESSAGE_LIMIT
from bot.standin import FakeUser, StandIn
from coach.content import MAX_PACK_BYTES
from coach.content_upload import seed_builtin
from tests.harness import Harness, text_of

LINK = re.compile(r"https://t\.me/SalesCoachBot\?start=([A-Za-z0-9_-]+)")
YAML = "application/x-yaml"

GOOD = """\
schema: 1
id: acme
version: {version}
language: en
title: "Acme <b>CRM</b> {{{{ 7*7 }}}}"
objections:
  - id: cheap
    category: price
    customer: "Too dear."
    concerns: ["budget"]
    steps:
      listen: {{aim: a, cues: ["price|cost", "budget"], model: "So the price?"}}
      acknowledge: {{aim: a, cues: ["fair", "budget"], model: "Fair."}}
      explore: {{aim: a, cues: ["compare", "budget"], model: "Compared with what?"}}
      respond: {{aim: a, cues: ["payback", "case"], model: "7 months."}}
questions:
  - id: pilot
    text: "How long is a pilot?"
    options: ["2 weeks", "6 months"]
    correct: 0
    explanation: "Two weeks show the value."
    tags: [deployment]
  - id: seats
    text: "What is billed?"
    options: ["Seats", "Servers"]
    correct: 0
    explanation: "Per seat, per year."
    tags: [pricing]
"""

# Line 7: the objection lacks its concerns; 19: correct out of range; 20: a 250-character
# explanation; 22: an id used twice; 28: an unknown key with markup in it.
BAD = """\
schema: 1
id: acme
version: 1
language: en
title: Acme
objections:
  - id: cheap
    category: price
    customer: "Too dear."
    steps:
      listen: {aim: a, cues: ["price|cost", "budget"], model: "So the price?"}
      acknowledge: {aim: a, cues: ["fair", "budget"], model: "Fair."}
      explore: {aim: a, cues: ["compare", "budget"], model: "Compared with what?"}
      respond: {aim: a, cues: ["payback", "case"], model: "7 months."}
questions:
  - id: pilot
    text: "How long is a pilot?"
    options: ["2 weeks", "6 months"]
    correct: 5
    explanation: "%s"
    tags: [deployment]
  - id: pilot
    text: "Again?"
    options: ["Yes", "No"]
    correct: 0
    explanation: "Twice."
    tags: [deployment]
    "<b>bold</b> {{ 7*7 }}": 1
""" % ("x" * 250)

BROKEN = "schema: 1\nid: acme\nversion: 1\nlanguage: en\ntitle: [Acme\n"

EXPECTED = {
    "zh": {
        "problems": "5 处问题",
        "places": ("第 7 行", "第 19 行", "第 20 行", "第 22 行", "第 28 行"),
        "broken": ("不是有效的 YAML", "第 6 行"),
        "imported": "已导入练习包 Acme <b>CRM</b> {{ 7*7 }}（acme 第 1 版）：新增 3",
        "stale": "已导入第 1 版",
        "rep": "这个操作只有 T 的主管可以做",
        "txt": "「<i>notes</i>.txt」不是练习包",
        "big": "文件太大",
        "not_utf8": "不是 UTF-8",
        "more": "还有",
        "built_in": "内置练习包",
        "list": (
            "default · 中文 · 第 1 版 · 36 个异议，72 道题",
            "acme · 英文 · 第 1 版 · 1 个异议，2 道题",
        ),
    },
    "en": {
        "problems": "5 problems found",
        "places": ("line 7,", "line 19,", "line 20,", "line 22,", "line 28,"),
        "broken": ("not valid YAML", "line 6,"),
        "imported": "Imported Acme <b>CRM</b> {{ 7*7 }} (acme version 1): 3 added",
        "stale": "already at version 1",
        "rep": "Only the managers of T can do this.",
        "txt": '"<i>notes</i>.txt" is not one',
        "big": "too big",
        "not_utf8": "not UTF-8",
        "more": "more",
        "built_in": "Built-in packs",
        "list": (
            "default · Chinese · version 1 · 36 objections, 72 questions",
            "acme · English · version 1 · 1 objection, 2 questions",
        ),
    },
}


def team_snapshot(harness: Harness) -> tuple[list, list, list, list]:
    """Every live item of every scope, in both languages: the whole content store as read."""
    scopes = [0, 1, 2, 3]
    with harness.app.bot_data.services.database.unit_of_work() as uow:
        return (
            uow.content.objections(scopes, "en"),
            uow.content.questions(scopes, "en"),
            uow.content.objections(scopes, "zh"),
            uow.content.questions(scopes, "zh"),
        )


async def upload(harness: Harness, user: FakeUser, name: str, content: str | bytes) -> list:
    raw = content.encode() if isinstance(content, str) else content
    return await harness.feed(user.send_document(name, raw, mime_type=YAML))


async def make_team(harness: Harness, standin: StandIn, lang: str) -> tuple[FakeUser, FakeUser]:
    manager = standin.add_user(first_name="Wang", username="wang", language_code=lang)
    rep = standin.add_user(first_name="Tom", username="tom", language_code=lang)
    created = text_of(await harness.send(manager, "/newteam T"))
    match = LINK.search(created)
    assert match, created
    await harness.send(rep, f"/start {match.group(1)}")
    return manager, rep


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_manager_uploads_packs_and_the_team_sees_them(
    harness: Harness, standin: StandIn, lang: str
):
    expect = EXPECTED[lang]
    manager, rep = await make_team(harness, standin, lang)
    seeded = team_snapshot(harness)  # the built-in packs, imported at start
    assert (len(seeded[0]), len(seeded[1]), len(seeded[2]), len(seeded[3])) == (36, 72, 36, 72)

    # A pack with several errors: one reply lists each with its line; nothing is stored.
    replies = await upload(harness, manager, "acme.yaml", BAD)
    assert len(replies) == 1
    refused = replies[0].text or ""
    assert expect["problems"] in refused
    for place in expect["places"]:
        assert place in refused, place
    assert "<b>bold</b> {{ 7*7 }}" in refused  # the file's text, shown as written
    assert "&lt;b&gt;bold&lt;/b&gt;" in (replies[0].html or "")
    broken = text_of(await upload(harness, manager, "acme.yml", BROKEN))
    assert all(part in broken for part in expect["broken"]), broken
    assert team_snapshot(harness) == seeded

    # A good one is imported with its counts; the same version again is refused.
    imported = text_of(await upload(harness, manager, "acme.yaml", GOOD.format(version=1)))
    assert expect["imported"] in imported
    after = team_snapshot(harness)
    assert [o.objection.id for o in after[0]][-1] == "cheap"
    assert [q.question.id for q in after[1]][-2:] == ["pilot", "seats"]
    stale = text_of(await upload(harness, manager, "acme.yaml", GOOD.format(version=1)))
    assert expect["stale"] in stale

    # Refusals: a rep, a file that is no pack, one too big (never downloaded), not UTF-8.
    assert expect["rep"] in text_of(await upload(harness, rep, "acme.yaml", GOOD.format(version=2)))
    not_pack = text_of(await harness.feed(manager.send_document("<i>notes</i>.txt", b"hi")))
    assert expect["txt"] in not_pack
    mark = len(standin.calls)
    big = text_of(await upload(harness, manager, "big.yaml", b"#" * (MAX_PACK_BYTES + 1)))
    assert expect["big"] in big and "getFile" not in harness.methods_since(mark)
    gbk = "title: 标题\n".encode("gb18030")
    assert expect["not_utf8"] in text_of(await upload(harness, manager, "gbk.yaml", gbk))
    assert team_snapshot(harness) == after
    assert [c for c in standin.calls if not c.ok] == []

    # /packs, for the manager and the rep alike.
    for person in (manager, rep):
        listed = text_of(await harness.send(person, "/packs"))
        assert expect["built_in"] in listed
        for line in expect["list"]:
            assert line in listed, (line, listed)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_hundreds_of_problems_fit_one_message(harness: Harness, standin: StandIn, lang: str):
    manager, _ = await make_team(harness, standin, lang)
    questions = "".join(f"  - {{id: q{i}, text: t}}\n" for i in range(300))
    text = "schema: 1\nid: many\nversion: 1\nlanguage: en\ntitle: M\nquestions:\n" + questions
    replies = await upload(harness, manager, "many.yaml", text)
    assert len(replies) == 1
    message = replies[0].text or ""
    assert "1200" in message and EXPECTED[lang]["more"] in message
    assert len(message) <= MESSAGE_LIMIT
    assert [c for c in standin.calls if not c.ok] == []


async def test_a_person_without_a_team_is_told_what_files_are_for(harness: Harness, standin):
    eve = standin.add_user(first_name="Eve", username="eve", language_code="en")
    answer = text_of(await upload(harness, eve, "pack.yaml", GOOD.format(version=1)))
    assert "text and commands only" in answer and "/newteam" in answer
    assert "You are not in a team yet" in text_of(await harness.send(eve, "/packs"))


async def test_a_restart_seeds_nothing_again(harness: Harness):
    before = team_snapshot(harness)
    assert (len(before[0]), len(before[3])) == (36, 72)
    await harness.app.post_init(harness.app)  # a second start on the same database
    assert team_snapshot(harness) == before  # same rows (keys), same content


async def test_a_conflict_with_a_concurrent_seeder_is_retried_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
):
    import bot.content_seed

    calls: list[int] = []

    def clashing(uow, now, packs):
        calls.append(len(calls))
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return seed_builtin(uow, now, packs)

    monkeypatch.setattr(bot.content_seed, "seed_builtin", clashing)
    await seed_builtin_packs(harness.app.bot_data.services)
    assert calls == [0, 1]
