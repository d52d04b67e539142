"""The sales KPIs reps report each day, and the one-message quick entry for plans and reviews.

A rep types something like ``拜访 5 电话 20 方案 1`` or ``20 calls, 1.2万 revenue`` on a phone;
:func:`parse_kpis` turns it into a :class:`KpiEntry` or refuses it as a whole with
:class:`InvalidKpiEntry`, which lists every problem found so the rep can fix them all at once.

Reading rules:

* A KPI is named by any of its aliases (Chinese or English, case-insensitive) and takes the
  number right before or after it: ``电话20``, ``calls: 20``, ``电话x20``, ``20个电话``,
  ``5 visits``.
* A plain ``拜访`` / ``visits`` means **new-customer visits**: visits to existing customers have
  their own everyday words (回访, 跟进, follow-ups), so an unqualified visit is a new one (陌拜).
* ``回款`` (cash collected) and ``sales`` are deliberately not aliases: the first is a different
  number from booked revenue, the second could mean deals or revenue. Both are reported as not
  understood rather than guessed.
* Numbers: ``20``, ``２０``, ``1,200``, ``12.5``, ``1.2万``, ``3千``, ``12k``, ``1.5w`` (w = 万),
  ``3万5`` (= 35000), Chinese numerals (``三``, ``十二``, ``两``, ``一百二十``, ``三万五``).
  A ``-`` glued to a number is a minus sign, so ``电话-20`` is refused as negative.
  An ASCII comma followed by exactly three digits groups thousands (``20,300``); the Chinese
  comma ``，`` always separates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import ClassVar

import cn2an

from coach.errors import CoachError, InvalidText
from coach.models import Lang
from coach.text import clean_line

MAX_ENTRY_LENGTH = 500
"""Longest quick-entry message accepted, in characters after folding whitespace."""

ENTRY_FIELD = "kpis"
"""The ``field`` of the :class:`~coach.errors.InvalidText` problems this module reports."""

_MAX_NUMERAL_LENGTH = 20  # no real daily figure needs a longer numeral; keeps cn2an on short input
_CENTS = Decimal("0.01")


class Kpi(StrEnum):
    """A figure reps plan in the morning and report in the evening; the value is its stable key."""

    CALLS = "calls"
    NEW_VISITS = "new_visits"
    FOLLOW_UPS = "follow_ups"
    NEW_CUSTOMERS = "new_customers"
    EFFECTIVE_CUSTOMERS = "effective_customers"
    PROPOSALS = "proposals"
    DEMOS = "demos"
    DEALS = "deals"
    REVENUE = "revenue"

    def label(self, lang: str) -> str:
        """Return the KPI's display name.

        Args:
            lang: a :class:`~coach.models.Lang` or its value (``"zh"``, ``"en"``).

        Raises:
            ValueError: ``lang`` is not a language the bot speaks.
        """
        spec = _SPECS[self]
        return spec.zh if Lang(lang) is Lang.ZH else spec.en

    @property
    def is_money(self) -> bool:
        """Whether the KPI is an amount of money (two decimals) rather than a whole count."""
        return self is Kpi.REVENUE

    @property
    def daily_cap(self) -> int:
        """The largest value accepted for one day; anything above is taken for a typo."""
        return _SPECS[self].cap

    @property
    def aliases(self) -> tuple[str, ...]:
        """Words that name this KPI in a quick entry (Chinese first, then English)."""
        spec = _SPECS[self]
        return (*spec.zh_aliases, *spec.en_aliases)


@dataclass(frozen=True, slots=True)
class _KpiSpec:
    zh: str
    en: str
    cap: int
    zh_aliases: tuple[str, ...]
    en_aliases: tuple[str, ...]


_SPECS: Mapping[Kpi, _KpiSpec] = MappingProxyType(
    {
        Kpi.CALLS: _KpiSpec(
            "电话",
            "Calls",
            500,
            ("电话", "电话数", "电话量", "打电话", "通话"),
            ("calls", "call", "phone calls", "phone call", "dials"),
        ),
        Kpi.NEW_VISITS: _KpiSpec(
            "新客户拜访",
            "New-customer visits",
            50,
            ("新客户拜访", "拜访新客户", "新拜访", "拜访", "陌拜", "陌生拜访"),
            ("new customer visits", "new visits", "new visit", "visits", "visit"),
        ),
        Kpi.FOLLOW_UPS: _KpiSpec(
            "老客户拜访",
            "Follow-up visits",
            50,
            ("老客户拜访", "拜访老客户", "回访", "跟进", "复访", "老客户回访"),
            ("existing customer visits", "existing visits", "follow ups", "follow up", "revisits"),
        ),
        Kpi.NEW_CUSTOMERS: _KpiSpec(
            "新客户",
            "New customers",
            100,
            ("新客户", "新增客户", "新客"),
            ("new customers", "new customer", "new clients", "new client"),
        ),
        Kpi.EFFECTIVE_CUSTOMERS: _KpiSpec(
            "有效客户",
            "Effective customers",
            200,
            ("有效客户", "有效客户数"),
            ("effective customers", "effective customer", "qualified leads", "qualified"),
        ),
        Kpi.PROPOSALS: _KpiSpec(
            "方案",
            "Proposals",
            50,
            ("方案", "方案数", "提案", "出方案"),
            ("proposals", "proposal"),
        ),
        Kpi.DEMOS: _KpiSpec(
            "演示",
            "Demos",
            50,
            ("演示", "产品演示", "演示数"),
            ("product demos", "demos", "demo"),
        ),
        Kpi.DEALS: _KpiSpec(
            "成交",
            "Deals",
            50,
            ("成交", "签单", "成交数", "签约", "成单"),
            ("closed deals", "deals", "deal", "closes", "closed"),
        ),
        Kpi.REVENUE: _KpiSpec(
            "业绩",
            "Revenue",
            100_000_000,
            ("业绩", "销售额", "成交额", "签单额", "金额", "营收", "营业额"),
            ("revenue", "turnover", "amount"),
        ),
    }
)

DAILY_CAPS: Mapping[Kpi, int] = MappingProxyType({kpi: spec.cap for kpi, spec in _SPECS.items()})
"""Per-KPI daily maximum, inclusive: calls 500; visits, follow-ups, proposals, demos and deals 50;
new customers 100; effective customers 200; revenue 100,000,000 (一亿)."""


@dataclass(frozen=True, slots=True)
class KpiEntry:
    """The figures one quick-entry message gave, in :class:`Kpi` order.

    Counts are whole numbers; revenue has two decimal places. KPIs the message did not mention are
    absent (not zero).
    """

    values: Mapping[Kpi, Decimal]

    def __post_init__(self) -> None:
        ordered = {kpi: self.values[kpi] for kpi in Kpi if kpi in self.values}
        object.__setattr__(self, "values", MappingProxyType(ordered))

    def __hash__(self) -> int:
        return hash(tuple(self.values.items()))


# --- problems ------------------------------------------------------------------------------------
# Each problem is a CoachError so the adapter renders it like any refusal: a template per ``code``,
# filled from ``context()``. ``position`` is the 0-based index of ``token`` in the text as received.


@dataclass(eq=False)
class UnknownKpiWord(CoachError):
    """Text that names no KPI and is no number (``xyz``, ``<b>``, an emoji)."""

    code: ClassVar[str] = "kpi_unknown_word"
    token: str
    position: int


@dataclass(eq=False)
class KpiWithoutNumber(CoachError):
    """A KPI named with no number before or after it."""

    code: ClassVar[str] = "kpi_without_number"
    kpi: Kpi
    token: str
    position: int


@dataclass(eq=False)
class NumberWithoutKpi(CoachError):
    """A number with no KPI named before or after it."""

    code: ClassVar[str] = "kpi_number_without_kpi"
    token: str
    position: int


@dataclass(eq=False)
class UnreadableNumber(CoachError):
    """Looks like a number but is not one (``万``, ``十十``)."""

    code: ClassVar[str] = "kpi_unreadable_number"
    kpi: Kpi
    token: str
    position: int


@dataclass(eq=False)
class NegativeKpiValue(CoachError):
    code: ClassVar[str] = "kpi_negative"
    kpi: Kpi
    token: str
    position: int
    value: Decimal


@dataclass(eq=False)
class FractionalKpiValue(CoachError):
    """A count with decimals (``2.5 visits``), or revenue finer than ``places`` decimals."""

    code: ClassVar[str] = "kpi_fractional"
    kpi: Kpi
    token: str
    position: int
    value: Decimal
    places: int


@dataclass(eq=False)
class KpiValueOverCap(CoachError):
    """More than anyone does in a day; ``limit`` is the KPI's daily cap."""

    code: ClassVar[str] = "kpi_over_cap"
    kpi: Kpi
    token: str
    position: int
    value: Decimal
    limit: int


@dataclass(eq=False)
class ConflictingKpiValues(CoachError):
    """The same KPI given twice with different values; ``token`` is the second one."""

    code: ClassVar[str] = "kpi_conflict"
    kpi: Kpi
    token: str
    position: int
    value: Decimal
    first_value: Decimal
    first_position: int


@dataclass(eq=False)
class InvalidKpiEntry(CoachError):
    """A quick entry refused as a whole; ``problems`` lists every mistake, in text order.

    Problems are the error types above, or :class:`~coach.errors.InvalidText` (field ``kpis``,
    reason ``empty``, ``too_long`` or ``not_plain``) for a message that is not worth reading.
    """

    code: ClassVar[str] = "invalid_kpi_entry"
    problems: tuple[CoachError, ...]

    def context(self) -> dict[str, object]:
        """Each problem as its ``code`` plus its own context, for a message listing them all."""
        return {"problems": [{"code": p.code, **p.context()} for p in self.problems]}


# --- parsing -------------------------------------------------------------------------------------


def parse_kpis(text: str | None) -> KpiEntry:
    """Read the KPI figures from one free-text message.

    Args:
        text: what the rep typed, e.g. ``拜访 5 电话 20 方案 1`` or ``20 calls; 1.2万 revenue``.

    Returns:
        The figures given, each KPI at most once.

    Raises:
        InvalidKpiEntry: the message is empty, too long or not plain text, or has at least one
            problem; nothing of it is accepted then.
    """
    try:
        clean_line(text, field=ENTRY_FIELD, limit=MAX_ENTRY_LENGTH)
    except InvalidText as refusal:
        raise InvalidKpiEntry(problems=(refusal,)) from None
    tokens = list(_merge_unknown(_scan(text or "")))
    if all(token.kind is _Kind.BREAK for token in tokens):  # separators only, e.g. "，，。"
        empty = InvalidText(field=ENTRY_FIELD, reason="empty", limit=MAX_ENTRY_LENGTH)
        raise InvalidKpiEntry(problems=(empty,))
    pairs, problems = _pair(tokens)
    values, value_problems = _check_values(pairs)
    problems.extend(value_problems)
    if problems:
        raise InvalidKpiEntry(problems=tuple(sorted(problems, key=_position)))
    return KpiEntry(values)


class _Kind(Enum):
    KPI = "kpi"
    NUMBER = "number"
    UNKNOWN = "unknown"
    BREAK = "break"  # a comma, semicolon or line break: no pair reaches across it


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    position: int
    kpi: Kpi | None = None
    value: Decimal | None = None  # for numbers; None when unreadable


# Full-width ASCII (ｃａｌｌｓ ２０ ：) to half-width, one character for one so positions hold. The
# full-width comma stays: it is the Chinese separator, never a thousands separator.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if code != 0xFF0C}
_HALF_WIDTH[0x3000] = ord(" ")

_CN_DIGITS = "零〇一二三四五六七八九两壹贰叁肆伍陆柒捌玖"
_CN_UNITS = "十百千万亿拾佰仟萬億"
_CN = _CN_DIGITS + _CN_UNITS + "廿"
_UNIT_VALUES: Mapping[str, int] = MappingProxyType(
    {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
    | {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "k": 1000, "w": 10**4}
)
_QUANTIFIERS = "个|次|家|单|场|份|位|通(?!话)|笔|元|块钱|块|rmb(?![a-z])|yuan(?![a-z])"

_NUMBER_RE = re.compile(
    rf"""
    (?P<sign>[-−])?
    (?P<body>(?:
        [0-9]{{1,3}}(?:,[0-9]{{3}})+(?![0-9])(?:\.[0-9]+)?  # 1,200.50
      | [0-9]+(?:\.[0-9]+)?                     # 20, 12.5
      | [{_CN}]+(?:点[{_CN}]+)?                 # 一百二十, 一点五万
    )+)
    (?P<suffix>[kw](?![a-z]))?                  # 12k, 1.5w
    (?:\s*(?:{_QUANTIFIERS}))?                  # 20个, 5000元
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATOR_RE = re.compile(
    rf"""[\s,，、;；:：.。!！?？/\\|=~～—–_()（）\[\]【】「」『』"'“”‘’+&¥￥$#]+
    | [-−](?![0-9{_CN}])             # a minus glued to a number is its sign
    | [x×*](?=\s*[-−]?[0-9{_CN}])   # 电话x20
    """,
    re.IGNORECASE | re.VERBOSE,
)
_WORD_RE = re.compile(r"[a-z]+", re.IGNORECASE)
_BREAKS = frozenset(",，、;；。!！?？\n")


def _alias_key(alias: str) -> str:
    return re.sub(r"[ _-]+", "", alias.lower())


def _alias_pattern(alias: str) -> str:
    if not alias.isascii():
        return re.escape(alias)
    words = r"[ _-]?".join(re.escape(word) for word in alias.split())  # follow-ups, followups
    return rf"(?<![a-z]){words}(?![a-z])"


_ALIAS_KPIS: Mapping[str, Kpi] = MappingProxyType(
    {_alias_key(alias): kpi for kpi in Kpi for alias in kpi.aliases}
)
_ALIAS_RE = re.compile(
    "|".join(
        _alias_pattern(alias)
        for alias in sorted((a for kpi in Kpi for a in kpi.aliases), key=len, reverse=True)
    ),
    re.IGNORECASE,
)


def _scan(text: str) -> Iterator[_Token]:
    """Split ``text`` into KPI names, numbers and unknown pieces; separators are dropped.

    Matching runs on a half-width copy; tokens keep the characters as typed.
    """
    folded = text.translate(_HALF_WIDTH)
    at = 0
    while at < len(folded):
        if alias := _ALIAS_RE.match(folded, at):
            kpi = _ALIAS_KPIS[_alias_key(alias.group())]
            yield _Token(_Kind.KPI, text[at : alias.end()], at, kpi=kpi)
            at = alias.end()
        elif number := _NUMBER_RE.match(folded, at):
            value = _number_value(number["body"], number["suffix"], negative=bool(number["sign"]))
            yield _Token(_Kind.NUMBER, text[at : number.end()], at, value=value)
            at = number.end()
        elif separator := _SEPARATOR_RE.match(folded, at):
            if _BREAKS.intersection(separator.group()):
                yield _Token(_Kind.BREAK, "", at)
            at = separator.end()
        else:
            word = _WORD_RE.match(folded, at)
            end = word.end() if word else at + 1
            yield _Token(_Kind.UNKNOWN, text[at:end], at)
            at = end


def _merge_unknown(tokens: Iterator[_Token]) -> Iterator[_Token]:
    """Join unknown pieces that touch (``<b>``, an emoji sequence) into one token."""
    pending: _Token | None = None
    for token in tokens:
        touching = pending is not None and pending.position + len(pending.text) == token.position
        if token.kind is _Kind.UNKNOWN and pending is not None and touching:
            pending = _Token(_Kind.UNKNOWN, pending.text + token.text, pending.position)
            continue
        if pending is not None:
            yield pending
            pending = None
        if token.kind is _Kind.UNKNOWN:
            pending = token
        else:
            yield token
    if pending is not None:
        yield pending


def _pair(tokens: Sequence[_Token]) -> tuple[list[tuple[_Token, _Token]], list[CoachError]]:
    """Match each KPI name with the number right after it, or else right before it.

    Reading left to right, a KPI followed by a number or a number followed by a KPI makes a pair;
    this reads ``电话 20 拜访 5`` and ``20 calls 5 visits`` alike, and mixes of the two. A break
    (comma, semicolon, line break) ends any pair: in ``方案, 7`` the 7 belongs to no KPI.
    """
    pairs: list[tuple[_Token, _Token]] = []
    problems: list[CoachError] = []
    at = 0
    while at < len(tokens):
        token = tokens[at]
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        if following is not None and {token.kind, following.kind} == {_Kind.KPI, _Kind.NUMBER}:
            pairs.append((token, following) if token.kind is _Kind.KPI else (following, token))
            at += 2
            continue
        if (problem := _unpaired_problem(token)) is not None:
            problems.append(problem)
        at += 1
    return pairs, problems


def _unpaired_problem(token: _Token) -> CoachError | None:
    """What to tell the rep about a token that found no partner; breaks need no partner."""
    where = {"token": token.text, "position": token.position}
    if token.kind is _Kind.UNKNOWN:
        return UnknownKpiWord(**where)
    if token.kind is _Kind.NUMBER:
        return NumberWithoutKpi(**where)
    if token.kind is _Kind.KPI and token.kpi is not None:
        return KpiWithoutNumber(kpi=token.kpi, **where)
    return None


def _check_values(
    pairs: Sequence[tuple[_Token, _Token]],
) -> tuple[dict[Kpi, Decimal], list[CoachError]]:
    """Validate each pair's value and keep the first good value per KPI."""
    values: dict[Kpi, Decimal] = {}
    first_at: dict[Kpi, int] = {}
    problems: list[CoachError] = []
    for name, number in pairs:
        assert name.kpi is not None
        problem = _value_problem(name.kpi, number)
        if problem is not None:
            problems.append(problem)
            continue
        assert number.value is not None
        value = _normalized(name.kpi, number.value)
        first = values.setdefault(name.kpi, value)
        first_at.setdefault(name.kpi, number.position)
        if first != value:
            problems.append(
                ConflictingKpiValues(
                    kpi=name.kpi,
                    token=number.text,
                    position=number.position,
                    value=value,
                    first_value=first,
                    first_position=first_at[name.kpi],
                )
            )
    return values, problems


def _value_problem(kpi: Kpi, number: _Token) -> CoachError | None:
    """The first thing wrong with ``number`` as a value of ``kpi``, if any."""
    where = {"kpi": kpi, "token": number.text, "position": number.position}
    value = number.value
    if value is None:
        return UnreadableNumber(**where)
    if value < 0:
        return NegativeKpiValue(**where, value=value)
    if value > kpi.daily_cap:
        return KpiValueOverCap(**where, value=value, limit=kpi.daily_cap)
    places = 2 if kpi.is_money else 0
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return FractionalKpiValue(**where, value=value, places=places)
    return None


def _normalized(kpi: Kpi, value: Decimal) -> Decimal:
    """Whole counts without exponent (``12000``, not ``1.2E+4``); revenue with two decimals."""
    return value.quantize(_CENTS if kpi.is_money else Decimal(1))


# --- numbers -------------------------------------------------------------------------------------

_PLAIN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SCALED_RE = re.compile(rf"([0-9]+(?:\.[0-9]+)?)([{_CN_UNITS}])")  # 1.2万, 3千
_CN_DECIMAL_RE = re.compile(rf"([{_CN}]+)点([{_CN_DIGITS}]+)([{_CN_UNITS}]?)")  # 一点五万
_CN_DIGIT_VALUES: Mapping[str, int] = MappingProxyType(
    {digit: value % 10 for value, digit in enumerate("零一二三四五六七八九〇壹贰叁肆伍陆柒捌玖")}
    | {"两": 2}
)


def _number_value(body: str, suffix: str | None, *, negative: bool) -> Decimal | None:
    """The value a matched number spells, or ``None`` when it is not a number after all."""
    value = _unsigned_value(body.replace(",", ""))
    if value is None:
        return None
    if suffix:
        value *= _UNIT_VALUES[suffix.lower()]
    return -value if negative else value


def _unsigned_value(body: str) -> Decimal | None:
    """Read Arabic, Chinese and mixed numerals: ``12.5``, ``1.2万``, ``一百二十``, ``3万5``."""
    if _PLAIN_RE.fullmatch(body):
        return Decimal(body)
    if scaled := _SCALED_RE.fullmatch(body):
        return Decimal(scaled[1]) * _UNIT_VALUES[scaled[2]]
    if len(body) > _MAX_NUMERAL_LENGTH:
        return None
    if cn_decimal := _CN_DECIMAL_RE.fullmatch(body):
        return _chinese_decimal(*cn_decimal.groups())
    if "." in body or "点" in body:
        return None
    return _chinese_integer(body)


def _chinese_decimal(whole: str, fraction: str, unit: str) -> Decimal | None:
    """``一点五`` = 1.5, ``一点二万`` = 12000: cn2an reads the whole part, the digits are ours."""
    integer = _chinese_integer(whole)
    if integer is None:
        return None
    digits = "".join(str(_CN_DIGIT_VALUES[ch]) for ch in fraction)
    return (integer + Decimal(f"0.{digits}")) * _UNIT_VALUES.get(unit, 1)


def _chinese_integer(numeral: str) -> Decimal | None:
    """A whole number in Chinese or mixed numerals (``两``, ``三万五``, ``3万5``), via cn2an.

    cn2an signals bad input with several exception types (``ValueError``, but ``KeyError`` for
    ``一亿五``), so anything it raises means "not a number".
    """
    try:
        value = cn2an.cn2an(numeral, "smart")
    except Exception:
        return None
    if not isinstance(value, int):  # only whole numbers reach here; a float would be a surprise
        return None
    return Decimal(value)


def _position(problem: CoachError) -> int:
    return getattr(problem, "position", -1)
