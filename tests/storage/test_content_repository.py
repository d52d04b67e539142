"""Importing content packs, on the fake and both SQL backends: whole, forward only, history kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coach.content import LaerStep, read_pack
from coach.content_import import StalePackVersion, import_pack
from storage.content_repository import ContentCache
from storage.db import make_engine
from storage.uow import Database

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PACKS = Path(__file__).parents[2] / "coach" / "packs"
TEAM = 7

PACK = """\
schema: 1
id: acme
version: {version}
language: en
title: Acme
"""
OBJECTION = """\
  - id: {id}
    category: price
    customer: "{customer}"
    concerns: ["budget"]
    steps:
      listen: {{aim: a, cues: ["price|cost", "budget"], model: "So the price?"}}
      acknowledge: {{aim: a, cues: ["fair", "budget"], model: "Fair."}}
      explore: {{aim: a, cues: ["compare", "budget"], model: "Compared with what?"}}
      respond: {{aim: a, cues: ["payback", "case"], model: "7 months."}}
"""
QUESTION = """\
  - id: {id}
    text: "{text}"
    options: ["a", "b"]
    correct: 0
    explanation: "because"
    tags: [product]
"""


def pack(version: int, objections: dict[str, str], questions: dict[str, str]):
    text = PACK.format(version=version)
    if objections:
        text += "objections:\n" + "".join(
            OBJECTION.format(id=k, customer=v) for k, v in objections.items()
        )
    if questions:
        text += "questions:\n"
        text += "".join(QUESTION.format(id=k, text=v) for k, v in questions.items())
    return read_pack(text)


def test_the_default_pack_imports_and_reads_back_equal(uow_factory):
    default = read_pack((PACKS / "default.zh.yaml").read_bytes())
    with uow_factory() as uow:
        report = import_pack(uow, 0, default, NOW)
        uow.commit()
    assert (report.added, report.changed, report.retired, report.previous) == (108, 0, 0, None)
    with uow_factory() as uow:
        objections = uow.content.objections([0, TEAM], "zh")
        questions = uow.content.questions([0, TEAM], "zh")
        assert uow.content.objections([0], "en") == []
    assert [o.objection for o in objections] == list(default.objections)
    assert [q.question for q in questions] == list(default.questions)
    assert (
        objections[0].objection.steps[LaerStep.RESPOND]
        == default.objections[0].steps[LaerStep.RESPOND]
    )
    assert len({o.key for o in objections} | {q.key for q in questions}) == 108


def test_a_new_version_keeps_unchanged_items_and_retires_missing_ones(uow_factory):
    first = pack(1, {"cheap": "Too dear.", "later": "Not now."}, {"q1": "One?", "q2": "Two?"})
    with uow_factory() as uow:
        import_pack(uow, TEAM, first, NOW)
        uow.commit()
    with uow_factory() as uow:
        keys = {o.objection.id: o.key for o in uow.content.objections([TEAM], "en")}
        keys |= {q.question.id: q.key for q in uow.content.questions([TEAM], "en")}

    second = pack(2, {"cheap": "Too dear.", "later": "Maybe in May."}, {"q1": "One?"})
    with uow_factory() as uow:
        report = import_pack(uow, TEAM, second, NOW + timedelta(days=1), by=42)
        uow.commit()
    assert (report.added, report.changed, report.unchanged, report.retired) == (0, 1, 2, 1)
    assert report.previous == 1
    with uow_factory() as uow:
        objections = uow.content.objections([TEAM], "en")
        questions = uow.content.questions([TEAM], "en")
        assert uow.content.pack_version(TEAM, "acme", "en") == 2
    assert {o.objection.id: o.key for o in objections} == {
        "cheap": keys["cheap"],
        "later": keys["later"],
    }
    assert [o.objection.customer for o in objections] == ["Too dear.", "Maybe in May."]
    assert [q.question.id for q in questions] == ["q1"]  # q2 retired, its row (history) kept

    third = pack(3, {"cheap": "Too dear."}, {"q1": "One?", "q2": "Two?", "q3": "Three?"})
    with uow_factory() as uow:
        report = import_pack(uow, TEAM, third, NOW + timedelta(days=2))
        uow.commit()
    assert (report.added, report.revived, report.retired) == (1, 1, 1)
    with uow_factory() as uow:
        questions = {q.question.id: q.key for q in uow.content.questions([TEAM], "en")}
    assert questions["q2"] == keys["q2"]  # the same row comes back, with its history


def test_an_old_or_equal_version_is_refused_and_nothing_changes(uow_factory):
    with uow_factory() as uow:
        import_pack(uow, TEAM, pack(2, {"cheap": "Too dear."}, {}), NOW)
        uow.commit()
    for version in (1, 2):
        with uow_factory() as uow, pytest.raises(StalePackVersion) as refused:
            import_pack(uow, TEAM, pack(version, {"other": "No."}, {"qq": "Q?"}), NOW)
        assert (refused.value.imported, refused.value.given) == (2, version)
    with uow_factory() as uow:
        assert [o.objection.id for o in uow.content.objections([TEAM], "en")] == ["cheap"]
        assert uow.content.questions([TEAM], "en") == []


def test_scopes_are_separate(uow_factory):
    with uow_factory() as uow:
        import_pack(uow, 0, pack(1, {"built-in": "Hm."}, {}), NOW)
        import_pack(uow, TEAM, pack(1, {"own": "Hm."}, {}), NOW)
        uow.commit()
    with uow_factory() as uow:
        assert [o.objection.id for o in uow.content.objections([0, TEAM], "en")] == [
            "built-in",
            "own",
        ]
        assert [o.objection.id for o in uow.content.objections([0, 8], "en")] == ["built-in"]
        assert [o.scope for o in uow.content.objections([TEAM], "en")] == [TEAM]


def test_live_items_are_read_back_once_and_a_change_elsewhere_is_seen(database_url):
    """The second read reuses the items read back; another process's import is seen at once."""
    here, elsewhere = Database(make_engine(database_url)), Database(make_engine(database_url))
    try:
        with elsewhere.unit_of_work() as uow:
            import_pack(uow, TEAM, pack(1, {"cheap": "Too dear.", "later": "Not now."}, {}), NOW)
            uow.commit()
        with here.unit_of_work() as uow:
            first = uow.content.objections([0, TEAM], "en")
        with here.unit_of_work() as uow:
            again = uow.content.objections([0, TEAM], "en")
        assert again == first and again[0] is first[0]  # the same objects, not read again
        assert here.content_cache.hits == 1

        with elsewhere.unit_of_work() as uow:
            import_pack(uow, TEAM, pack(2, {"cheap": "Far too dear."}, {}), NOW)
            uow.commit()
        with here.unit_of_work() as uow:
            changed = uow.content.objections([TEAM], "en")
        assert [(o.objection.id, o.objection.customer) for o in changed] == [
            ("cheap", "Far too dear.")
        ]  # the text changed in place (same row) and "later" was retired
        assert changed[0].key == first[0].key
    finally:
        here.dispose()
        elsewhere.dispose()


def test_the_cache_keeps_at_most_its_size():
    cache = ContentCache(size=2)
    for scope in range(3):
        cache.put((scope, "en", "objection"), ((scope, "f"),), (scope,))
    assert cache.get((0, "en", "objection"), ((0, "f"),)) is None  # the oldest went
    assert cache.get((2, "en", "objection"), ((2, "f"),)) == (2,)
    assert cache.get((2, "en", "objection"), ((2, "changed"),)) is None
