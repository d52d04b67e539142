import dataclasses
from decimal import Decimal

import cn2an
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.errors import CoachError, InvalidText
from coach.kpis import (
    DAILY_CAPS,
    MAX_ENTRY_LENGTH,
    ConflictingKpiValues,
    FractionalKpiValue,
    InvalidKpiEntry,
    Kpi,
    KpiEntry,
    KpiValueOverCap,
    KpiWithoutNumber,
    NegativeKpiValue,
    NumberWithoutKpi,
    UnknownKpiWord,
    UnreadableNumber,
    parse_kpis,
)
from coach.models import Lang

D = Decimal
# No per-example deadline: speed is measured in benchmarks, never asserted in tests.
PROPERTY = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def refusal(text: str) -> tuple[CoachError, ...]:
    with pytest.raises(InvalidKpiEntry) as caught:
        parse_kpis(text)
    return caught.value.problems


# --- accepted messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "拜访 5 电话 20 方案 1",
            {Kpi.NEW_VISITS: 5, Kpi.CALLS: 20, Kpi.PROPOSALS: 1},
            id="zh-label-first",
        ),
        pytest.param("visits 5 calls 20", {Kpi.NEW_VISITS: 5, Kpi.CALLS: 20}, id="en-label-first"),
        pytest.param(
            "电话20，拜访5，成交1",
            {Kpi.CALLS: 20, Kpi.NEW_VISITS: 5, Kpi.DEALS: 1},
            id="zh-no-spaces-chinese-commas",
        ),
        pytest.param("calls: 20; demos: 2", {Kpi.CALLS: 20, Kpi.DEMOS: 2}, id="en-colons"),
        pytest.param("电话：20；演示：2", {Kpi.CALLS: 20, Kpi.DEMOS: 2}, id="full-width-colons"),
        pytest.param("电话x20 拜访×3", {Kpi.CALLS: 20, Kpi.NEW_VISITS: 3}, id="times-sign"),
        pytest.param("calls x 20", {Kpi.CALLS: 20}, id="en-times-sign"),
        pytest.param("20个电话 5 visits", {Kpi.CALLS: 20, Kpi.NEW_VISITS: 5}, id="number-first"),
        pytest.param("20 个电话、3次回访", {Kpi.CALLS: 20, Kpi.FOLLOW_UPS: 3}, id="quantifiers"),
        pytest.param("20通话", {Kpi.CALLS: 20}, id="quantifier-not-eating-alias"),
        pytest.param("电话 20 5 visits", {Kpi.CALLS: 20, Kpi.NEW_VISITS: 5}, id="mixed-orders"),
        pytest.param("电话２０", {Kpi.CALLS: 20}, id="full-width-digits"),
        pytest.param("ＣＡＬＬＳ　２０", {Kpi.CALLS: 20}, id="full-width-letters"),
        pytest.param("CALLS 20 Demos 1", {Kpi.CALLS: 20, Kpi.DEMOS: 1}, id="case-insensitive"),
        pytest.param(
            "follow-ups 3, followups 3, follow ups 3",
            {Kpi.FOLLOW_UPS: 3},
            id="hyphenated-alias-spellings",
        ),
        pytest.param(
            "新客户拜访3 新客户2 拜访老客户4",
            {Kpi.NEW_VISITS: 3, Kpi.NEW_CUSTOMERS: 2, Kpi.FOLLOW_UPS: 4},
            id="longest-alias-wins",
        ),
        pytest.param(
            "new customer visits 3\nnew customers 2",
            {Kpi.NEW_VISITS: 3, Kpi.NEW_CUSTOMERS: 2},
            id="en-longest-alias-wins",
        ),
        pytest.param("电话 20 电话 20", {Kpi.CALLS: 20}, id="same-value-twice"),
        pytest.param("成交 0", {Kpi.DEALS: 0}, id="zero-kept"),
        pytest.param("拜访 2.0", {Kpi.NEW_VISITS: 2}, id="whole-decimal-count"),
        pytest.param("电话—20", {Kpi.CALLS: 20}, id="dash-separator"),
        pytest.param(
            "  电话 20 \n\n 拜访 5  ", {Kpi.CALLS: 20, Kpi.NEW_VISITS: 5}, id="blank-lines"
        ),
    ],
)
def test_parse_reads_messages(text: str, expected: dict[Kpi, int]):
    assert parse_kpis(text) == KpiEntry({kpi: D(value) for kpi, value in expected.items()})


@pytest.mark.parametrize(
    ("number", "value"),
    [
        pytest.param("20", "20", id="integer"),
        pytest.param("1234.56", "1234.56", id="decimal"),
        pytest.param("1,200", "1200", id="thousands-comma"),
        pytest.param("1,234,567.5", "1234567.5", id="thousands-and-decimal"),
        pytest.param("1.2万", "12000", id="decimal-wan"),
        pytest.param("3千", "3000", id="qian"),
        pytest.param("2百", "200", id="bai"),
        pytest.param("12k", "12000", id="k"),
        pytest.param("12K", "12000", id="upper-k"),
        pytest.param("1.5w", "15000", id="w-is-wan"),
        pytest.param("3万5", "35000", id="spoken-wan"),
        pytest.param("1万2千", "12000", id="wan-qian"),
        pytest.param("三万五", "35000", id="zh-spoken-wan"),
        pytest.param("两千三", "2300", id="zh-spoken-qian"),
        pytest.param("一点五万", "15000", id="zh-decimal-wan"),
        pytest.param("十二点五", "12.5", id="zh-decimal"),
        pytest.param("1.2万元", "12000", id="yuan"),
        pytest.param("5000块", "5000", id="kuai"),
        pytest.param("５０００", "5000", id="full-width"),
        pytest.param("一亿", "100000000", id="yi-at-cap"),
        pytest.param("壹万", "10000", id="financial-numerals"),
    ],
)
def test_parse_reads_revenue_numbers(number: str, value: str):
    entry = parse_kpis(f"业绩 {number}")
    assert entry.values[Kpi.REVENUE] == D(value)


@pytest.mark.parametrize(
    ("number", "value"),
    [
        pytest.param("三", 3, id="san"),
        pytest.param("十二", 12, id="shi-er"),
        pytest.param("二十", 20, id="er-shi"),
        pytest.param("两", 2, id="liang"),
        pytest.param("一百二十", 120, id="yi-bai-er-shi"),
        pytest.param("一百零五", 105, id="with-ling"),
        pytest.param("廿", 20, id="nian"),
        pytest.param("零", 0, id="ling"),
        pytest.param("〇", 0, id="circle-zero"),
    ],
)
def test_parse_reads_chinese_numerals(number: str, value: int):
    assert parse_kpis(f"电话{number}").values == {Kpi.CALLS: D(value)}


def test_plain_visit_counts_as_new_customer_visit():
    """An unqualified 拜访 / visits is a new-customer visit (the module docstring explains why)."""
    expected = KpiEntry({Kpi.NEW_VISITS: D(4)})
    assert parse_kpis("拜访 4") == expected
    assert parse_kpis("4 visits") == expected
    assert parse_kpis("回访 4").values == {Kpi.FOLLOW_UPS: D(4)}


@pytest.mark.parametrize(
    ("kpi", "alias"),
    [pytest.param(kpi, alias, id=f"{kpi}-{alias}") for kpi in Kpi for alias in kpi.aliases],
)
def test_every_alias_names_its_kpi(kpi: Kpi, alias: str):
    assert parse_kpis(f"{alias} 3").values == {kpi: D(3)}
    assert parse_kpis(f"3 {alias}").values == {kpi: D(3)}


def test_aliases_are_unique():
    aliases = [alias.lower() for kpi in Kpi for alias in kpi.aliases]
    assert len(aliases) == len(set(aliases))


@pytest.mark.parametrize("word", ["回款", "sales"], ids=["huikuan", "sales"])
def test_ambiguous_words_are_not_aliases(word: str):
    unknown, number = refusal(f"{word} 5000")
    assert isinstance(unknown, UnknownKpiWord)
    assert unknown.context() == {"token": word, "position": 0}
    assert isinstance(number, NumberWithoutKpi)


def test_values_are_normalized():
    entry = parse_kpis("业绩 1.2万 电话 2.00 成交 1")
    assert [str(value) for value in entry.values.values()] == ["2", "1", "12000.00"]


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "拜访 2.5",
            FractionalKpiValue(
                kpi=Kpi.NEW_VISITS, token="2.5", position=3, value=D("2.5"), places=0
            ),
            id="fractional-count",
        ),
        pytest.param(
            "业绩 10.005",
            FractionalKpiValue(
                kpi=Kpi.REVENUE, token="10.005", position=3, value=D("10.005"), places=2
            ),
            id="revenue-below-cents",
        ),
        pytest.param(
            "电话 -5",
            NegativeKpiValue(kpi=Kpi.CALLS, token="-5", position=3, value=D(-5)),
            id="negative",
        ),
        pytest.param(
            "电话-20",
            NegativeKpiValue(kpi=Kpi.CALLS, token="-20", position=2, value=D(-20)),
            id="glued-minus-is-a-sign",
        ),
        pytest.param(
            "电话 501",
            KpiValueOverCap(kpi=Kpi.CALLS, token="501", position=3, value=D(501), limit=500),
            id="over-cap",
        ),
        pytest.param(
            "业绩 1.5亿",
            KpiValueOverCap(
                kpi=Kpi.REVENUE,
                token="1.5亿",
                position=3,
                value=D("150000000"),
                limit=100_000_000,
            ),
            id="revenue-over-cap",
        ),
        pytest.param(
            "电话 20 电话 21",
            ConflictingKpiValues(
                kpi=Kpi.CALLS,
                token="21",
                position=9,
                value=D(21),
                first_value=D(20),
                first_position=3,
            ),
            id="conflict",
        ),
        pytest.param(
            "拜访 3 visits 4",
            ConflictingKpiValues(
                kpi=Kpi.NEW_VISITS,
                token="4",
                position=12,
                value=D(4),
                first_value=D(3),
                first_position=3,
            ),
            id="conflict-across-languages",
        ),
        pytest.param(
            "电话 万", UnreadableNumber(kpi=Kpi.CALLS, token="万", position=3), id="lone-unit"
        ),
        pytest.param(
            "电话 十十", UnreadableNumber(kpi=Kpi.CALLS, token="十十", position=3), id="bad-numeral"
        ),
        pytest.param(
            "业绩 一亿五",
            UnreadableNumber(kpi=Kpi.REVENUE, token="一亿五", position=3),
            id="cn2an-keyerror-contained",
        ),
        pytest.param(
            "电话", KpiWithoutNumber(kpi=Kpi.CALLS, token="电话", position=0), id="kpi-alone"
        ),
        pytest.param("20", NumberWithoutKpi(token="20", position=0), id="number-alone"),
        pytest.param("hello", UnknownKpiWord(token="hello", position=0), id="unknown-word"),
        pytest.param("<b>", UnknownKpiWord(token="<b>", position=0), id="html"),
        pytest.param("😀👍🏽", UnknownKpiWord(token="😀👍🏽", position=0), id="emoji"),
        pytest.param("ｘｙｚ", UnknownKpiWord(token="ｘｙｚ", position=0), id="token-as-typed"),
    ],
)
def test_parse_refuses_with_one_problem(text: str, expected: CoachError):
    (found,) = refusal(text)
    assert type(found) is type(expected)
    assert found.context() == expected.context()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param(None, "empty", id="none"),
        pytest.param(" \n\t ", "empty", id="blank"),
        pytest.param("，，。、", "empty", id="separators-only"),
        pytest.param("电话 1，" * 101, "too_long", id="too-long"),
        pytest.param("电话\u202e20", "not_plain", id="bidi-override"),
        pytest.param("电话\x0020", "not_plain", id="nul"),
    ],
)
def test_parse_refuses_unreadable_messages(text: str | None, reason: str):
    problems = refusal(text)  # type: ignore[arg-type]
    assert problems == (problems[0],)
    assert isinstance(problems[0], InvalidText)
    assert problems[0].context() == {"field": "kpis", "reason": reason, "limit": MAX_ENTRY_LENGTH}


def test_longest_message_is_accepted():
    text = "电话 1，" * 100
    assert len(text) == MAX_ENTRY_LENGTH
    assert parse_kpis(text).values == {Kpi.CALLS: D(1)}


@pytest.mark.parametrize(
    "text",
    ["方案, 7", "方案；7", "方案\n7", "7、方案"],
    ids=["comma", "semicolon", "newline", "dunhao"],
)
def test_no_pair_across_a_break(text: str):
    problems = sorted(type(p).__name__ for p in refusal(text))
    assert problems == ["KpiWithoutNumber", "NumberWithoutKpi"]


def test_every_problem_is_reported_in_text_order():
    text = "电话 600, 拜访 2.5, xyz, 成交 -1, 方案, 7, 演示 1 演示 2"
    problems = refusal(text)
    assert [type(p) for p in problems] == [
        KpiValueOverCap,
        FractionalKpiValue,
        UnknownKpiWord,
        NegativeKpiValue,
        KpiWithoutNumber,
        NumberWithoutKpi,
        ConflictingKpiValues,
    ]
    assert [text[p.position :].startswith(p.token) for p in problems] == [True] * 7  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    ["{{ 7*7 }}", "<script>alert(1)</script>", "'; DROP TABLE kpis; --", "${jndi:x}", "%s%n"],
    ids=["jinja", "script", "sql", "jndi", "format"],
)
def test_hostile_text_is_just_not_understood(text: str):
    problems = refusal(text)
    assert any(isinstance(p, UnknownKpiWord) for p in problems)
    assert all(isinstance(p, UnknownKpiWord | NumberWithoutKpi) for p in problems)


@pytest.mark.parametrize("kpi", list(Kpi), ids=str)
def test_daily_cap_is_inclusive(kpi: Kpi):
    cap = DAILY_CAPS[kpi]
    assert parse_kpis(f"{kpi.aliases[0]} {cap}").values == {kpi: D(cap)}
    (found,) = refusal(f"{kpi.aliases[0]} {cap + 1}")
    assert isinstance(found, KpiValueOverCap)
    assert (found.kpi, found.limit) == (kpi, cap)


def test_caps_are_the_documented_ones():
    assert {kpi: kpi.daily_cap for kpi in Kpi} == DAILY_CAPS
    assert DAILY_CAPS[Kpi.CALLS] == 500
    assert DAILY_CAPS[Kpi.NEW_VISITS] == DAILY_CAPS[Kpi.DEALS] == 50
    assert DAILY_CAPS[Kpi.REVENUE] == 100_000_000


# --- the error and value types -------------------------------------------------------------------


def test_invalid_entry_context_names_each_problem():
    error = InvalidKpiEntry(
        problems=(
            UnknownKpiWord(token="xyz", position=0),
            KpiValueOverCap(kpi=Kpi.CALLS, token="600", position=7, value=D(600), limit=500),
        )
    )
    assert error.context() == {
        "problems": [
            {"code": "kpi_unknown_word", "token": "xyz", "position": 0},
            {
                "code": "kpi_over_cap",
                "kpi": Kpi.CALLS,
                "token": "600",
                "position": 7,
                "value": D(600),
                "limit": 500,
            },
        ]
    }


def test_error_codes_are_distinct():
    kinds = [
        InvalidKpiEntry,
        UnknownKpiWord,
        KpiWithoutNumber,
        NumberWithoutKpi,
        UnreadableNumber,
        NegativeKpiValue,
        FractionalKpiValue,
        KpiValueOverCap,
        ConflictingKpiValues,
    ]
    codes = [kind.code for kind in kinds]
    assert len(set(codes)) == len(codes)
    assert all(issubclass(kind, CoachError) for kind in kinds)


def test_entry_is_frozen_ordered_and_hashable():
    entry = KpiEntry({Kpi.REVENUE: D(5), Kpi.CALLS: D(1)})
    assert list(entry.values) == [Kpi.CALLS, Kpi.REVENUE]
    assert entry == KpiEntry({Kpi.CALLS: D(1), Kpi.REVENUE: D(5)})
    assert hash(entry) == hash(KpiEntry({Kpi.CALLS: D(1), Kpi.REVENUE: D(5)}))
    with pytest.raises(TypeError):
        entry.values[Kpi.DEALS] = D(1)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.values = {}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kpi", "lang", "label"),
    [
        pytest.param(Kpi.CALLS, "zh", "电话", id="calls-zh"),
        pytest.param(Kpi.CALLS, Lang.EN, "Calls", id="calls-en-enum"),
        pytest.param(Kpi.NEW_VISITS, "zh", "新客户拜访", id="new-visits-zh"),
        pytest.param(Kpi.FOLLOW_UPS, "en", "Follow-up visits", id="follow-ups-en"),
        pytest.param(Kpi.REVENUE, Lang.ZH, "业绩", id="revenue-zh-enum"),
    ],
)
def test_label(kpi: Kpi, lang: str, label: str):
    assert kpi.label(lang) == label


@pytest.mark.parametrize("lang", list(Lang), ids=str)
def test_every_kpi_has_distinct_labels(lang: Lang):
    labels = [kpi.label(lang) for kpi in Kpi]
    assert all(labels)
    assert len(set(labels)) == len(labels)


def test_label_refuses_unknown_language():
    with pytest.raises(ValueError):
        Kpi.CALLS.label("fr")


def test_only_revenue_is_money():
    assert [kpi for kpi in Kpi if kpi.is_money] == [Kpi.REVENUE]


# --- properties ----------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def spelled_number(draw: st.DrawFn, kpi: Kpi, value: Decimal) -> str:
    """One of the ways a rep may type ``value``."""
    styles = ["plain", "full-width"]
    if value == value.to_integral_value():
        styles += ["thousands", "chinese"]
        if value and value % 1000 == 0:
            styles += ["k", "qian"]
        if value and value % 100 == 0:
            styles += ["wan", "w"]
    style = draw(st.sampled_from(styles))
    whole = int(value)
    spelled = {
        "plain": lambda: format(value, "f"),
        "full-width": lambda: format(value, "f").translate(_FULL_WIDTH),
        "thousands": lambda: f"{whole:,}",
        "chinese": lambda: cn2an.an2cn(whole),
        "k": lambda: f"{format(value / 1000, 'f')}k",
        "qian": lambda: f"{format(value / 1000, 'f')}千",
        "wan": lambda: f"{format(value / 10000, 'f')}万",
        "w": lambda: f"{format(value / 10000, 'f')}w",
    }[style]()
    if not kpi.is_money and draw(st.booleans()):
        spelled += draw(st.sampled_from(["个", "次", " 个"]))
    return spelled


@st.composite
def spelled_pair(draw: st.DrawFn, kpi: Kpi, value: Decimal) -> str:
    alias = draw(st.sampled_from(kpi.aliases))
    number = draw(spelled_number(kpi, value))
    if draw(st.booleans()):  # number first
        return f"{number} {alias}"
    joiners = [" ", ": ", "：", " x ", "="] + ([] if alias.isascii() else ["", "x"])
    return f"{alias}{draw(st.sampled_from(joiners))}{number}"


def kpi_values() -> st.SearchStrategy[dict[Kpi, Decimal]]:
    def value(kpi: Kpi) -> st.SearchStrategy[Decimal]:
        if kpi.is_money:
            return st.decimals(min_value=0, max_value=kpi.daily_cap, places=2)
        return st.integers(min_value=0, max_value=kpi.daily_cap).map(Decimal)

    return st.dictionaries(st.sampled_from(list(Kpi)), st.none(), min_size=1).flatmap(
        lambda chosen: st.fixed_dictionaries({kpi: value(kpi) for kpi in chosen})
    )


@PROPERTY
@given(data=st.data(), values=kpi_values())
def test_any_valid_values_read_back(data: st.DataObject, values: dict[Kpi, Decimal]):
    order = data.draw(st.permutations(list(values)))
    pairs = [data.draw(spelled_pair(kpi, values[kpi])) for kpi in order]
    separators = st.sampled_from(["，", "、", "; ", "；", "\n", ", ", " / "])
    text = pairs[0] + "".join(data.draw(separators) + pair for pair in pairs[1:])
    assert len(text) <= MAX_ENTRY_LENGTH  # nine KPIs at their longest still fit
    assert parse_kpis(text) == KpiEntry(values), text


def check_outcome(text: str) -> None:
    try:
        entry = parse_kpis(text)
    except InvalidKpiEntry as refused:
        assert refused.problems
        assert all(isinstance(p, CoachError) for p in refused.problems)
    else:
        assert entry.values
        assert all(0 <= value <= kpi.daily_cap for kpi, value in entry.values.items())


@PROPERTY
@given(text=st.text(max_size=MAX_ENTRY_LENGTH + 20))
def test_arbitrary_text_only_ever_refuses_with_the_typed_error(text: str):
    check_outcome(text)


_TRICKY = list("0123456789.,-−kKwWxX×*点零〇一二三四五六七八九十百千万亿两廿壹拾佰萬個 ，、:：")
_TRICKY += ["电话", "拜访", "visits", "calls", "新客户", "业绩", "元", "个", "１", "<", "😀"]


@PROPERTY
@given(text=st.lists(st.sampled_from(_TRICKY), max_size=40).map("".join))
def test_number_like_text_only_ever_refuses_with_the_typed_error(text: str):
    check_outcome(text)
