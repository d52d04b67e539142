"""Drill feedback wording: every reason the LAER grader gives has a short line in zh and en."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

import coach.laer
from bot.render import plain_text, render
from coach.content import LAER, LaerStep, Objection, read_pack
from coach.laer import MAX_CHARS, DrillGrade, Reason, grade_answer, split_answer
from coach.models import Lang

ROOT = Path(__file__).parents[2]
FALLBACK = ("Grader note", "评分说明")
CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_LINE = 160


@cache
def objections(lang: str) -> dict[str, Objection]:
    pack = read_pack((ROOT / "coach" / "packs" / f"default.{lang}.yaml").read_bytes())
    return {o.id: o for o in pack.objections}


def source_codes() -> set[str]:
    """Every reason code coach/laer.py can produce, read from its source."""
    text = Path(coach.laer.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'Reason\(\s*"([a-z_]+)"', text))
    return codes | set(coach.laer._EVIDENCE_MISSING.values())


# Answers the labelled set has none of, so that every code is met at least once.
EXTRA: list[tuple[str, str, dict[str, str]]] = [
    ("en", "price-too-expensive", dict.fromkeys(("listen", "acknowledge"), "")),
    ("zh", "price-too-expensive", dict.fromkeys(("listen", "explore"), "🙂👍 {{ 7*7 }}")),
    ("en", "need-excel-enough", dict.fromkeys(("listen", "respond"), "a")),
    ("zh", "need-excel-enough", {"listen": "好", "respond": "我" * (MAX_CHARS + 10)}),
    ("en", "price-too-expensive", {"listen": "It's not expensive, our product is great."}),
    ("en", "price-too-expensive", {"explore": "Shall we sign the contract today?"}),
    ("zh", "price-too-expensive", {"explore": "今天能签合同吗？"}),
    (
        "en",
        "price-too-expensive",
        {"acknowledge": "I understand, but our product is worth it.", "explore": "Okay?"},
    ),
    ("zh", "price-too-expensive", {"acknowledge": "理解，但是我们的产品物有所值。"}),
    (
        "en",
        "price-too-expensive",
        {"respond": "The return is fast: you pay back in 7 months; the price per user is fair."},
    ),
    ("en", "price-too-expensive", {"respond": "Our price per user is fair and it saves time."}),
    ("zh", "need-excel-enough", {"respond": "这个很好。", "explore": "我们的客户很多。"}),
    ("en", "need-excel-enough", {"listen": "<b>x</b> So you're saying Excel works fine?"}),
    ("zh", "need-excel-enough", {"respond": "效率提升百分之&<a 很多"}),
]


def graded_answers() -> list[tuple[str, DrillGrade]]:
    """Every answer of bench/laer_labelled.yaml and of EXTRA, graded in its language."""
    items = yaml.safe_load((ROOT / "bench" / "laer_labelled.yaml").read_text("utf-8"))["answers"]
    out = []
    for item in items:
        lang = item["lang"]
        if "text" in item:
            answers = split_answer(item["text"], lang)
        else:
            answers = {step: item["steps"].get(step.value, "") for step in LAER}
        out.append((lang, grade_answer(objections(lang)[item["objection"]], answers, lang)))
    for lang, objection_id, steps in EXTRA:
        answers = {LaerStep(step): text for step, text in steps.items()}
        out.append((lang, grade_answer(objections(lang)[objection_id], answers, lang)))
    return out


@cache
def all_reasons() -> tuple[tuple[str, Reason, bool], ...]:
    """(language graded in, reason, is it a ``missing`` item), each distinct one once."""
    seen: dict[tuple[str, str, bool, str], tuple[str, Reason, bool]] = {}
    for lang, drill in graded_answers():
        for grade in drill.steps.values():
            items = [(r, False) for r in grade.reasons] + [(r, True) for r in grade.missing]
            for reason, missing in items:
                seen.setdefault(
                    (lang, reason.code, missing, repr(reason.values)), (lang, reason, missing)
                )
    return tuple(seen.values())


def line(lang: Lang, reason: Reason, missing: bool) -> str:
    return render(lang, "drill/reason", reason=reason, missing=missing)


def test_the_answers_meet_every_code_the_grader_has():
    met = {reason.code for _, reason, _ in all_reasons()}
    assert met == source_codes()


def test_codes_used_for_both_found_and_missing_read_differently():
    pairs = {(reason.code, missing): reason for _, reason, missing in all_reasons()}
    both = {code for code, missing in pairs if (code, not missing) in pairs}
    assert both == {"check_back", "empathy", "open_question", "sandwich"}
    for lang in Lang:
        for code in both:
            assert line(lang, pairs[code, True], True) != line(lang, pairs[code, False], False)


@pytest.mark.parametrize("lang", list(Lang))
def test_every_reason_has_a_short_line_in_each_language(lang: Lang):
    for graded_in, reason, missing in all_reasons():
        html = line(lang, reason, missing)
        text = plain_text(html)
        where = f"{reason.code} (missing={missing}): {text!r}"
        assert text.strip(), where
        assert not any(mark in text for mark in FALLBACK), where
        assert "{{" not in html and "{%" not in html and "\n" not in html, where
        assert len(text) <= MAX_LINE, where
        if lang is Lang.ZH:
            assert CJK.search(text), where
        elif graded_in == "en":
            assert not CJK.search(text), where


def test_an_unknown_code_falls_back_visibly():
    assert line(Lang.EN, Reason("new_code"), False) == "Grader note: new_code"
    assert line(Lang.ZH, Reason("new_code"), True) == "评分说明：new_code"


def test_missing_is_optional_and_means_found():
    reason = Reason("check_back")
    assert render(Lang.EN, "drill/reason", reason=reason) == line(Lang.EN, reason, False)


@pytest.mark.parametrize("lang", list(Lang))
def test_values_are_escaped_and_cut_short(lang: Lang):
    hostile = ("<b>x</b>", "&amp;", "9" * 400)
    for reason in (
        Reason("restated", {"hits": hostile}),
        Reason("has_numbers", {"examples": hostile}),
        Reason("argued", {"word": "<b>x</b>"}),
        Reason("concern_terms", {"examples": hostile}),
    ):
        html = line(lang, reason, reason.code == "concern_terms")
        assert "<b>" not in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html
        assert len(plain_text(html)) <= MAX_LINE


def test_the_reps_own_text_reaches_the_line_only_escaped():
    # the grader drops tags, and what it keeps of the rep's digits is escaped
    graded = [
        (lang, reason, missing)
        for lang, reason, missing in all_reasons()
        if reason.code == "has_numbers" and any("<" in str(v) for v in reason.values["examples"])
    ]
    assert graded
    for _, reason, missing in graded:
        html = line(Lang.ZH, reason, missing)
        assert "&lt;" in html and "<a" not in html


@pytest.mark.parametrize(
    ("lang", "reason", "expected"),
    [
        (Lang.ZH, Reason("answer_step", {"step": "explore"}), "写一写「探询」这一步。"),
        (Lang.EN, Reason("answer_step", {"step": "explore"}), "Write something for Explore."),
        (
            Lang.EN,
            Reason("sandwich_missing", {"found": ("price",), "missing": ("value", "return")}),
            "The sandwich lacks the value and the long-term return (it has why the price is fair).",
        ),
        (
            Lang.ZH,
            Reason("sandwich_order", {"found": ("price", "value", "return")}),
            "三明治三部分都有，但顺序是 价格为什么合理 → 价值 → 长期回报；应先讲价值。",
        ),
        (Lang.ZH, Reason("capped", {"limit": 2000}), "回答太长，只评了前 2000 个字。"),
        (Lang.EN, Reason("closed_question"), "Only a closed question: it gets a yes or a no."),
        (
            Lang.ZH,
            Reason("restated", {"hits": ("价格", "十二万")}),
            "复述了客户的顾虑：「价格」、「十二万」。",
        ),
    ],
)
def test_sample_lines(lang: Lang, reason: Reason, expected: str):
    assert plain_text(line(lang, reason, False)) == expected
