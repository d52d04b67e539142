"""Field to drill: which objection category a rep met, from a line in the evening review.

Reps write what a customer objected in their own words ("客户说太贵了，预算只有一半", "They said
they're already using a competitor"). ``match_objection`` scores each category by the keywords
of a small lexicon per language found in the text, plus the words of the pack's customer lines
and concerns (Chinese character pairs, English words without stop words, the first five
letters). A keyword counts 1; a pack word counts ``PACK_WEIGHT`` shared among the categories
whose objections use it, so words common to many categories say little. Where two keywords
overlap, the longer one wins ("cost-cutting" is budget, not "cost"). The best category (ties: in
``Category`` order) is the match when it scores at least ``THRESHOLD``; then the objection of
that category sharing the most pack words with the text is returned too. Below the threshold
nothing matches: the line is a candidate for a new drill item.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coach.content import Category, StoredObjection, normalize

THRESHOLD = 1.0
"""A category matches from this score: one keyword, or a few words of its objections."""

PACK_WEIGHT = 0.3
"""What one pack word is worth, shared among the categories that use it."""


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """The category met (``None``: nothing matched), its closest objection and the score."""

    category: Category | None
    objection_key: int | None
    score: float


# ----------------------------------------------------------------------------- the lexicon
# English keywords match at the start of a word ("price" hits "prices", "pricey"); an entry
# starting with "re:" is a regular expression. Chinese keywords match anywhere.
_KEYWORDS: dict[str, dict[Category, tuple[str, ...]]] = {
    "zh": {
        Category.PRICE: (
            *("贵", "价格", "价钱", "便宜", "折扣", "打折", "压价", "砍价", "让价", "降价"),
            *("报价", "太高", "性价比", "不值", "re:[一二三四五六七八九]折"),
        ),
        Category.BUDGET: (
            *("预算", "没钱", "资金", "经费", "降本", "冻结", "开支", "拨款", "钱花完", "钱不够"),
        ),
        Category.COMPETITOR: (
            *("竞品", "别家", "已经在用", "在用别的", "其他厂商", "别的厂商", "友商", "对手"),
            *("自己开发", "自研", "金蝶", "用友", "国际大厂", "大厂", "别的供应商", "现在的供应商"),
            *("同时谈", "同时在谈", "在谈", "其他家", "几家", "比价", "货比三家"),
        ),
        Category.TIMING: (
            *("以后再说", "明年", "不急", "下个季度", "下季度", "过完年", "年后", "太忙", "没空"),
            *("没时间", "再说吧", "等忙完", "过段时间", "晚点", "旺季", "大促", "高峰"),
        ),
        Category.AUTHORITY: (
            *("领导", "老板", "决定不了", "做不了主", "说了不算", "拍板", "审批", "招标"),
            *("集团", "总部", "采购部", "上级", "签字", "批准"),
        ),
        Category.NEED: (
            *("不需要", "用不上", "用不着", "没必要", "够用", "就够了", "excel", "表格"),
            *("没需求", "没这个需求", "浪费", "挺好用"),
        ),
        Category.TRUST: (
            *("靠谱", "没听说过", "案例", "靠不住", "不放心", "名气", "品牌", "口碑", "稳定"),
            *("宕机", "同行", "真的假的", "可信", "资质"),
        ),
        Category.THINK: (
            *("考虑", "想想", "资料", "内部讨论", "讨论一下", "回头", "再联系", "再看看"),
            *("研究一下", "商量"),
        ),
        Category.STATUS_QUO: (
            *("现在挺好", "现在这样", "习惯了", "折腾", "换系统", "不想换", "老办法", "不愿意学"),
            *("学不会", "抵触", "麻烦", "凑合"),
        ),
        Category.RISK: (
            *("风险", "担心", "出问题", "迁移", "泄露", "安全", "合规", "拖期", "延期"),
            *("烂尾", "绑定", "锁定", "丢数据", "数据丢", "出岔子", "上线"),
        ),
    },
    "en": {
        Category.PRICE: (
            *("expensive", "price", "pricey", "cost", "discount", "cheaper", "cheap"),
            *("too much money", "overpriced", "steep", "quote", "% off", "knock"),
        ),
        Category.BUDGET: (
            *("budget", "funds", "funding", "no money", "spending", "frozen", "freeze"),
            *("cost-cutting", "cost cutting", "cutting costs", "cash"),
        ),
        Category.COMPETITOR: (
            *("competitor", "already use", "already using", "another vendor", "other vendor"),
            *("current vendor", "existing vendor", "in-house", "build it themselves"),
            *("build it ourselves", "kingdee", "sap", "rival", "big international"),
        ),
        Category.TIMING: (
            *("later", "next quarter", "not now", "next year", "busy", "after the", "not a good"),
            *("right time", "timing", "peak", "year-end", "call me in", "in a few months"),
        ),
        Category.AUTHORITY: (
            *("boss", "decision", "decide", "approv", "owner", "procurement", "tender"),
            *("sign off", "sign-off", "head office", "headquarters", "not my call", "group it"),
        ),
        Category.NEED: (
            *("don't need", "do not need", "no need", "doesn't need", "not need", "excel"),
            *("spreadsheet", "no use for", "won't use", "waste", "works fine"),
        ),
        Category.TRUST: (
            *("trust", "heard of", "references", "reference", "track record", "stable"),
            *("stability", "downtime", "reliable", "reliab", "is it real", "case stud"),
            *("proof", "never heard"),
        ),
        Category.THINK: (
            *("think about", "think it over", "get back", "send me", "material", "brochure"),
            *("discuss", "internally", "mull", "sleep on", "let you know"),
        ),
        Category.STATUS_QUO: (
            *("fine as is", "current process", "switching", "hassle", "used to", "habit"),
            *("won't learn", "won't change", "resist", "change system", "new system"),
            *("nightmare", "muddle"),
        ),
        Category.RISK: (
            *("risk", "worried", "worry", "migration", "migrate", "security", "compliance"),
            *("leak", "lock-in", "locked in", "lock in", "go live", "drag on", "delay"),
            *("data loss", "lose data", "go wrong", "breach"),
        ),
    },
}

_EN_STOP_WORDS = (
    "that's about above after also been before being could customer customers client "
    "clients does doesn't don't even every from have here honestly into just like more much "
    "only other over pretty really right said says same some than that them then there these "
    "they they're thing things this those very want we're we've what when where which while "
    "will with would your you're you've isn't can't tell told asked going well"
)
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_ZH_STOP = frozenset(
    "的了是我你他她它们在有这那就也都和与及或吗呢吧啊嗯个一不没很太再还要会能可把被让给对得着过"
    "所以为什么您其实就是都如果而且又才只已经呀哦说客户"
)


@dataclass(frozen=True, slots=True)
class _Keyword:
    category: Category
    name: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=2)
def _keywords(lang: str) -> tuple[_Keyword, ...]:
    out = []
    for category, entries in _KEYWORDS[lang].items():
        for entry in entries:
            if entry.startswith("re:"):
                pattern = re.compile(entry[3:])
            elif lang == "en":
                pattern = re.compile(r"(?<![a-z0-9])" + re.escape(entry))
            else:
                pattern = re.compile(re.escape(entry))
            out.append(_Keyword(category, entry, pattern))
    return tuple(out)


# ----------------------------------------------------------------------------- text
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _prepared(text: str) -> str:
    return normalize(text if isinstance(text, str) else "").translate(_QUOTES)[:2000]


def _terms(text: str, lang: str) -> frozenset[str]:
    """Chinese character pairs and latin words (first five letters) of a normalized text."""
    terms: set[str] = set()
    if lang == "zh":
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if not set(pair) & _ZH_STOP:
                    terms.add(pair)
        terms.update(w for w in re.findall(r"[a-z]{2,}", text))
        return frozenset(terms)
    for word in re.findall(r"[a-z][a-z'-]*", text):
        word = word.strip("'-")
        if len(word) >= 4 and word not in _EN_STOP:
            terms.add(word[:5])
    return frozenset(terms)


def _keyword_hits(text: str, lang: str) -> tuple[dict[Category, set[str]], str]:
    """Keywords found per category, and the text with them blanked out for the pack words.

    Of two overlapping keywords only the longer counts; a pack word inside a keyword does not
    count again.
    """
    found = []
    for keyword in _keywords(lang):
        for match in keyword.pattern.finditer(text):
            found.append((match.start(), match.end(), keyword))
    found.sort(key=lambda hit: hit[0] - hit[1])  # longest first
    taken: list[tuple[int, int]] = []
    hits: dict[Category, set[str]] = defaultdict(set)
    for start, end, keyword in found:
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        hits[keyword.category].add(keyword.name)
    rest = list(text)
    for start, end in taken:
        rest[start:end] = " " * (end - start)
    return hits, "".join(rest)


# ----------------------------------------------------------------------------- the pack
@dataclass(frozen=True, slots=True)
class _PackTerms:
    by_objection: tuple[tuple[int, Category, frozenset[str]], ...]  # key, category, words
    weight: dict[str, dict[Category, float]]


_Source = tuple[tuple[int, Category, str, tuple[str, ...]], ...]


def _pack_terms(objections: Sequence[StoredObjection], lang: str) -> _PackTerms:
    """The pack's words; the same objections (a team's rarely change) give the same table."""
    source = tuple(
        (s.key, s.objection.category, s.objection.customer, s.objection.concerns)
        for s in objections
    )
    return _pack_terms_of(source, lang)


@lru_cache(maxsize=64)
def _pack_terms_of(source: _Source, lang: str) -> _PackTerms:
    by_objection = []
    categories: dict[str, set[Category]] = defaultdict(set)
    for key, category, customer, concerns in source:
        terms = _terms(_prepared(" ".join((customer, *concerns))), lang)
        by_objection.append((key, category, terms))
        for term in terms:
            categories[term].add(category)
    weight = {
        term: dict.fromkeys(cats, PACK_WEIGHT / len(cats)) for term, cats in categories.items()
    }
    return _PackTerms(tuple(by_objection), weight)


def _scores(
    keyword_hits: dict[Category, set[str]], terms: Iterable[str], pack: _PackTerms
) -> dict[Category, float]:
    scores: dict[Category, float] = defaultdict(float)
    for category, names in keyword_hits.items():
        scores[category] += len(names)
    for term in terms:
        for category, weight in pack.weight.get(term, {}).items():
            scores[category] += weight
    return scores


# ----------------------------------------------------------------------------- public
def match_objection(text: str, lang: str, objections: Sequence[StoredObjection]) -> FieldMatch:
    """Match a rep's report of an objection to a category and, if one fits, an objection.

    Args:
        text: what the rep wrote, any text at all.
        lang: ``"zh"`` or ``"en"`` (anything else is read as English).
        objections: the team's objections in that language; their words help the match.

    Returns:
        The best category and its score, or ``category=None`` below ``THRESHOLD``; the key of
        the objection of that category sharing the most words with the text, ``None`` when
        none shares any.
    """
    lang = "zh" if lang == "zh" else "en"
    prepared = _prepared(text)
    hits, rest = _keyword_hits(prepared, lang)
    pack = _pack_terms(objections, lang)
    scores = _scores(hits, _terms(rest, lang), pack)
    if not scores:
        return FieldMatch(None, None, 0.0)
    best = max(Category, key=lambda c: scores.get(c, 0.0))  # max keeps the first of equals
    score = round(scores[best], 3)
    if score < THRESHOLD:
        return FieldMatch(None, None, score)
    return FieldMatch(best, _closest(best, _terms(prepared, lang), pack), score)


def _closest(category: Category, terms: frozenset[str], pack: _PackTerms) -> int | None:
    best_key, best_shared = None, 0
    for key, own_category, own in pack.by_objection:
        if own_category is not category:
            continue
        shared = len(own & terms)
        if shared > best_shared:
            best_key, best_shared = key, shared
    return best_key
