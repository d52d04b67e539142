"""Content packs: the defaults load, and a bad pack is refused with every problem and its place."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.content import (
    MAX_PACK_BYTES,
    Category,
    InvalidPack,
    LaerStep,
    PackProblem,
    read_pack,
)

PACKS = Path(__file__).parents[2] / "coach" / "packs"

GOOD = """\
schema: 1
id: acme
version: 2
language: en
title: Acme widgets
objections:
  - id: too-pricey
    category: price
    customer: "Your widgets cost twice what the old ones did."
    concerns: ["budget is fixed"]
    tags: [pricing]
    steps:
      listen: {aim: Restate., cues: ["price|cost", "twice|double"], model: "So the price doubled?"}
      acknowledge: {aim: Empathise., cues: ["understand|fair", "budget"], model: "Fair point."}
      explore: {aim: Ask., cues: ["compare|against", "budget"], model: "What do you compare with?"}
      respond: {aim: Value., cues: ["ROI|payback", "case"], model: "Payback in 7 months."}
questions:
  - id: widget-colour
    text: "Which colour do Acme widgets ship in?"
    options: ["Red", "Blue", "Green"]
    correct: 1
    explanation: "Blue is the standard finish."
    tags: [product]
"""


def problems(text: str | bytes) -> list[PackProblem]:
    with pytest.raises(InvalidPack) as refused:
        read_pack(text)
    return refused.value.problems


def where(found: list[PackProblem]) -> list[tuple[str, int | None, str]]:
    return [(p.code, p.line, p.path) for p in found]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_default_packs_hold_what_the_issue_asks(language: str):
    pack = read_pack((PACKS / f"default.{language}.yaml").read_bytes())
    assert (pack.id, pack.language) == ("default", language)
    assert len(pack.objections) >= 30
    assert len({o.category for o in pack.objections}) >= 7
    assert len(pack.questions) >= 60
    assert all(len(q.explanation) <= 200 and 2 <= len(q.options) <= 10 for q in pack.questions)
    assert all(set(o.steps) == set(LaerStep) for o in pack.objections)


def test_both_languages_have_the_same_items():
    zh, en = (read_pack((PACKS / f"default.{lang}.yaml").read_bytes()) for lang in ("zh", "en"))
    assert [o.id for o in zh.objections] == [o.id for o in en.objections]
    assert [o.category for o in zh.objections] == [o.category for o in en.objections]
    assert [(q.id, q.correct) for q in zh.questions] == [(q.id, q.correct) for q in en.questions]


def test_a_good_pack_reads_into_the_domain():
    pack = read_pack(GOOD)
    (objection,) = pack.objections
    assert objection.category is Category.PRICE
    assert objection.steps[LaerStep.LISTEN].cues == (("price", "cost"), ("twice", "double"))
    assert objection.steps[LaerStep.RESPOND].cues[0] == ("roi", "payback")  # folded for matching
    (question,) = pack.questions
    assert (question.options, question.correct) == (("Red", "Blue", "Green"), 1)


def test_every_problem_is_reported_with_its_line():
    bad = (
        GOOD.replace("id: acme", "id: Acme Pack")
        .replace("version: 2", 'version: "2"')
        .replace("category: price", "category: money")
        .replace('["Red", "Blue", "Green"]', '["Red", "red", yes]')
        .replace("correct: 1", "correct: 3")
        .replace('"Blue is the standard finish."', "x" * 201)
        .replace("    tags: [product]", "    tags: [product]\n    colour: blue\n    tags: [x]")
    )
    assert where(problems(bad)) == [
        ("bad_id", 2, "id"),
        ("want_number", 3, "version"),
        ("bad_choice", 8, "objections #1 › category"),
        ("duplicate_option", 20, "questions #1 › options #2"),
        ("want_text", 20, "questions #1 › options #3"),
        ("correct_out_of_range", 21, "questions #1 › correct"),
        ("too_long", 22, "questions #1 › explanation"),
        ("unknown_key", 24, "questions #1 › colour"),
        ("duplicate_key", 25, "questions #1 › tags"),
    ]


def test_duplicate_ids_and_missing_parts():
    bad = GOOD.replace("id: widget-colour", "id: too-pricey") + (
        "  - id: widget-colour\n    text: Again?\n    options: [a, b]\n    correct: 0\n"
        "    explanation: e\n    tags: [product]\n"
        "  - id: widget-colour\n    text: Twice?\n    options: [a]\n    explanation: e\n"
        "    tags: [product]\n"
    )
    found = problems(bad.replace("      respond: {aim: Value.", "      respnd: {aim: Value."))
    assert [(p.code, p.path) for p in found] == [
        ("missing", "objections #1 › steps › respond"),  # placed at the steps' first line
        ("unknown_key", "objections #1 › steps › respnd"),
        ("missing", "questions #3 › correct"),  # placed where the question begins
        ("duplicate_id", "questions #3 › id"),
        ("too_few", "questions #3 › options"),
    ]
    assert found[3].values == {"id": "widget-colour", "first": 2}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("schema: 1\nid: [unclosed\n", "yaml"),
        ("- just\n- a list\n", "not_a_mapping"),
        ("", "not_a_mapping"),
        (b"\xff\xfe not utf-8", "not_utf8"),
        (b"#" * (MAX_PACK_BYTES + 1), "too_big"),
        ("schema: 1\nid: e\nversion: 1\nlanguage: en\ntitle: t\n", "too_short"),
        ("schema: 2\nid: empty\nversion: 1\nlanguage: en\ntitle: t\n", "empty_pack"),
    ],
)
def test_files_that_are_not_packs(text: str | bytes, code: str):
    assert code in {p.code for p in problems(text)}


def test_template_syntax_and_markup_are_kept_as_plain_text():
    pack = read_pack(GOOD.replace("Which colour", "<b>{{ 7*7 }}</b> Which colour"))
    assert pack.questions[0].text.startswith("<b>{{ 7*7 }}</b>")


def test_fingerprints_change_with_what_a_rep_sees_only():
    pack = read_pack(GOOD)
    again = read_pack(GOOD.replace("version: 2", "version: 3").replace("title: Acme", "title: A"))
    changed = read_pack(GOOD.replace("Blue is the standard", "Blue is the usual"))
    assert pack.questions[0].fingerprint == again.questions[0].fingerprint
    assert pack.objections[0].fingerprint == again.objections[0].fingerprint
    assert pack.questions[0].fingerprint != changed.questions[0].fingerprint


@given(st.text(max_size=300))
def test_any_text_is_a_pack_or_a_list_of_problems(text: str):
    try:
        read_pack(text)
    except InvalidPack as refused:
        assert refused.problems
        assert all(isinstance(p.code, str) and p.code for p in refused.problems)


def test_default_categories_are_spread():
    pack = read_pack((PACKS / "default.zh.yaml").read_bytes())
    per_category = Counter(o.category for o in pack.objections)
    assert min(per_category.values()) >= 3
