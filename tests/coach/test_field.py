"""Field-to-drill matching: review lines about objections matched to pack categories."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.content import Category, StoredObjection, read_pack
from coach.field import THRESHOLD, FieldMatch, match_objection

PACKS = Path(__file__).parents[2] / "coach" / "packs"
C = Category


@cache
def stored(lang: str) -> tuple[StoredObjection, ...]:
    pack = read_pack((PACKS / f"default.{lang}.yaml").read_bytes())
    start = 1 if lang == "zh" else 1001
    return tuple(
        StoredObjection(start + i, 1, pack.id, objection)
        for i, objection in enumerate(pack.objections)
    )


def match(text: str, lang: str) -> FieldMatch:
    return match_objection(text, lang, stored(lang))


# What reps write in the evening review, with the category a coach would file it under
# (None: no objection in it, or none of ours). Written before the lexicon was tuned.
ZH: list[tuple[str, Category | None]] = [
    ("客户说太贵了，预算只有一半", C.PRICE),
    ("对方嫌我们价格比别家高", C.PRICE),
    ("采购一直压价，要打八折才肯签", C.PRICE),
    ("对方说别家报价更低", C.PRICE),
    ("老板觉得一年十二万不值", C.PRICE),
    ("客户说今年预算已经花完了", C.BUDGET),
    ("公司在降本，没钱上新系统", C.BUDGET),
    ("他们明年才有预算", C.BUDGET),
    ("客户已经在用金蝶了，不想再买一套", C.COMPETITOR),
    ("他们IT部门想自己开发", C.COMPETITOR),
    ("对方在同时谈三家供应商，说功能都差不多", C.COMPETITOR),
    ("客户说现在太忙，下个季度再聊", C.TIMING),
    ("年底太忙了，过完年再说", C.TIMING),
    ("对方说不急，等忙完这阵子再看", C.TIMING),
    ("联系人说他做不了主，要问老板", C.AUTHORITY),
    ("要走招标流程，信息科决定不了", C.AUTHORITY),
    ("需要集团总部审批才能买", C.AUTHORITY),
    ("客户觉得用Excel就够了，不需要系统", C.NEED),
    ("他们说这几个模块用不上", C.NEED),
    ("客户说没听说过我们公司，不放心", C.TRUST),
    ("对方问有没有同行业的案例", C.TRUST),
    ("系统稳定性怎么样，宕机了怎么办", C.TRUST),
    ("客户说要再考虑考虑", C.THINK),
    ("让我先发资料，他们内部讨论一下", C.THINK),
    ("他说回头再联系我", C.THINK),
    ("客户说换系统太折腾", C.STATUS_QUO),
    ("老员工习惯了老办法，不愿意学新系统", C.STATUS_QUO),
    ("客户担心数据迁移会出问题", C.RISK),
    ("他们怕数据泄露，合规过不了", C.RISK),
    ("担心项目拖期上不了线", C.RISK),
    ("客户今天没接电话", None),
    ("今天拜访了三家客户", None),
    ("约了下周二去演示", None),
    ("客户很热情，聊得不错", None),
    ("路上堵车迟到了半小时", None),
]

EN: list[tuple[str, Category | None]] = [
    ("They said it's too expensive", C.PRICE),
    ("Customer wants a 20% discount before signing", C.PRICE),
    ("He said our price is higher than Vendor A's", C.PRICE),
    ("Purchasing keeps asking us to knock 30% off", C.PRICE),
    ("Customer says the price is too high and the budget is only half", C.PRICE),
    ("No budget left this year", C.BUDGET),
    ("Their budget was all spent in January", C.BUDGET),
    ("All new spending is frozen because of cost-cutting", C.BUDGET),
    ("They said they're already using a competitor", C.COMPETITOR),
    ("Their IT team wants to build it in-house", C.COMPETITOR),
    ("They're happy with their current vendor", C.COMPETITOR),
    ("Call me next quarter", C.TIMING),
    ("Not now, they're busy with the year-end close", C.TIMING),
    ("Maybe later, after Chinese New Year", C.TIMING),
    ("She needs to ask her boss first", C.AUTHORITY),
    ("Procurement makes the decision, not him", C.AUTHORITY),
    ("It has to go through group approval", C.AUTHORITY),
    ("They don't need it, Excel works fine", C.NEED),
    ("No need for the other modules", C.NEED),
    ("They've never heard of us", C.TRUST),
    ("He asked for references in banking", C.TRUST),
    ("Not sure our cloud is stable enough for a hospital", C.TRUST),
    ("Let me think about it", C.THINK),
    ("Send me some material and I'll get back to you", C.THINK),
    ("They need to discuss it internally", C.THINK),
    ("Switching is too much hassle for them", C.STATUS_QUO),
    ("The old guys on the floor won't learn a new system", C.STATUS_QUO),
    ("Afraid the data migration will go wrong", C.RISK),
    ("Concerned about data security and compliance", C.RISK),
    ("Worried about being locked in", C.RISK),
    ("Meeting went well", None),
    ("Customer didn't pick up the phone", None),
    ("Visited three stores today", None),
    ("Demo booked for Tuesday", None),
    ("Traffic was terrible this morning", None),
]


# Written after the lexicon was tuned on the sets above and never tuned on: how it does on
# lines it has not seen (at the time of writing 12/12 zh, 10/12 en).
HELD_OUT: list[tuple[str, str, Category | None]] = [
    ("zh", "客户嫌单价高，问能不能便宜点", C.PRICE),
    ("zh", "今年没有这笔预算", C.BUDGET),
    ("zh", "他们用的是用友，合同还没到期", C.COMPETITOR),
    ("zh", "客户说等旺季过了再谈", C.TIMING),
    ("zh", "得等总经理拍板", C.AUTHORITY),
    ("zh", "对方觉得现在手工记账就行，没必要上系统", C.NEED),
    ("zh", "客户质疑我们的案例是不是真的", C.TRUST),
    ("zh", "对方说再商量商量", C.THINK),
    ("zh", "员工对新系统有抵触", C.STATUS_QUO),
    ("zh", "客户最怕数据放云上不安全", C.RISK),
    ("zh", "下午去客户那边签了合同", None),
    ("zh", "今天整理了客户名单", None),
    ("en", "They think it costs too much for a shop their size", C.PRICE),
    ("en", "There's no money in this year's plan", C.BUDGET),
    ("en", "They're evaluating SAP as well", C.COMPETITOR),
    ("en", "The timing is bad, they're mid-audit", C.TIMING),
    ("en", "The CFO has to sign off", C.AUTHORITY),
    ("en", "They don't see a need for it yet", C.NEED),
    ("en", "Never heard of Yunfan, wants proof it's reliable", C.TRUST),
    ("en", "He'll mull it over with his team", C.THINK),
    ("en", "Staff are used to the old way and resist change", C.STATUS_QUO),
    ("en", "Scared the rollout will drag on for a year", C.RISK),
    ("en", "Had a good call with the owner's assistant", None),
    ("en", "Sent the contract for signature", None),
]


def accuracy(cases: list[tuple[str, Category | None]], lang: str) -> float:
    right = sum(match(text, lang).category == expected for text, expected in cases)
    return right / len(cases)


def test_the_example_sets_are_big_enough():
    for cases in (ZH, EN):
        assert sum(expected is not None for _, expected in cases) >= 20
        assert sum(expected is None for _, expected in cases) >= 5
        assert {expected for _, expected in cases} >= set(Category)


@pytest.mark.parametrize(("cases", "lang"), [(ZH, "zh"), (EN, "en")], ids=["zh", "en"])
def test_at_least_nine_in_ten_examples_are_filed_right(
    cases: list[tuple[str, Category | None]], lang: str
):
    assert accuracy(cases, lang) >= 0.9


def test_lines_not_tuned_on_are_mostly_filed_right():
    right = sum(match(text, lang).category == expected for lang, text, expected in HELD_OUT)
    assert right / len(HELD_OUT) >= 0.8


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("客户说太贵了，预算只有一半", "zh", C.PRICE),
        ("They said they're already using a competitor", "en", C.COMPETITOR),
        ("客户担心数据迁移会出问题", "zh", C.RISK),
    ],
)
def test_the_briefs_examples(text: str, lang: str, category: Category):
    assert match(text, lang).category is category


@pytest.mark.parametrize(
    ("text", "lang"),
    [("客户今天没接电话", "zh"), ("meeting went well", "en"), ("", "zh"), ("🙂👍", "en")],
)
def test_lines_without_an_objection_stay_unmatched(text: str, lang: str):
    result = match(text, lang)
    assert result.category is None
    assert result.objection_key is None
    assert result.score < THRESHOLD


def test_a_match_names_the_closest_objection_of_its_category():
    result = match("客户说今年的信息化预算年初就分完了，一分钱都挪不出来", "zh")
    assert result.category is C.BUDGET
    chosen = next(s for s in stored("zh") if s.key == result.objection_key)
    assert chosen.objection.id == "budget-spent"


def test_the_closest_objection_is_found_in_english_too():
    result = match("Ten years of sales data in the old system, worried about the migration", "en")
    assert result.category is C.RISK
    chosen = next(s for s in stored("en") if s.key == result.objection_key)
    assert "data" in chosen.objection.id


def test_a_category_without_shared_pack_words_has_no_objection():
    result = match("worried", "en")
    assert result.category is C.RISK
    assert result.objection_key is None


def test_without_objections_the_lexicon_alone_matches():
    result = match_objection("客户嫌贵", "zh", ())
    assert result == FieldMatch(C.PRICE, None, 1.0)


def test_the_longer_of_two_overlapping_keywords_wins():
    # "cost-cutting" is a budget freeze, not a complaint about the cost
    assert match_objection("cost-cutting", "en", ()).category is C.BUDGET
    assert match_objection("the cost", "en", ()).category is C.PRICE


def test_ties_go_to_the_earlier_category():
    # one price keyword and one risk keyword: price comes first in Category
    assert match_objection("worried about the price", "en", ()).category is C.PRICE


def test_score_counts_distinct_keywords():
    assert match_objection("太贵了，价格太高，还要打折", "zh", ()).score == 4.0


def test_words_common_to_many_categories_count_little():
    # "系统" appears in objections of many categories: alone it matches nothing
    assert match("系统", "zh").category is None


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), lang=st.sampled_from(["zh", "en", "fr"]))
def test_any_text_gives_a_match_or_none_without_raising(text: str, lang: str):
    result = match_objection(text, lang, stored("en"))
    assert (result.category is None) == (result.score < THRESHOLD)
    if result.objection_key is not None:
        assert result.category is not None


def test_a_very_long_line_is_read_only_in_part():
    result = match("今天" * 5000 + "太贵", "zh")
    assert result.category is None
