"""LAER grading: points 0–2 per step for a rep's answer to an objection, with the reasons why.

Deterministic, offline, for Chinese (``zh``) and English (``en``). A step's points come from
two sources: generic language rules (a restating frame, empathy words, a question, numbers...)
that carry an answer phrased in any words, and the objection's cue groups for that step, which
show the answer is about *this* customer's concern. A cue group hits when any of its synonyms
occurs in the normalized answer: as a substring in Chinese, at the start of a word in English
(``cost`` hits "costs" and "costly"). The customer's own line is a second source of topic words
(English words of four letters or more, Chinese character pairs).

Listen       2: a restating frame ("so you're saying", "您的意思是", an opening "So"/"所以"...)
                with two concern hits, or one hit and a check-back question; or, without a
                frame, two hits and a check-back. 1: a frame, or a concern hit, alone. A pitch
                or a denial without a restating frame scores 0.
Acknowledge  2: empathy or legitimacy words ("I understand", "makes sense", "理解", "很正常"...)
                tied to the customer's situation (a cue or customer word that is not itself an
                empathy word), or two different ones. 1: one bare empathy word, or the
                situation named without empathy words. A rebuttal ("but", "但是", a clause
                opening with 不过) caps the step at 1, or 0 without empathy words; arguing the
                product here ("our product", "我们的系统") takes a point off.
Explore      A question: "?", a Chinese 吗/呢 ending, a question word. Open (what/which/how,
                什么/哪/怎么...) scores 2 when it is aimed (a cue, a customer word, or a probe
                such as "most", "concern", "最", "顾虑"), else 1. Closed only (do you/is it,
                是不是/吗...) scores at most 1; so does a question for a time only (when,
                什么时候) and a Chinese yes/no question ending in 吗 even with 多少 inside.
                Asking for the sale (sign the contract, get started, 签, 合同) without a probe
                scores 0.
Respond      Evidence of three kinds: numbers (digits, %, Chinese numerals with a unit), a case
                (a client, "for example", 一家/案例, "50+ projects"), proof (pilot, trial, SLA,
                reference, certificate, 试点/认证). 2: two kinds and a cue or a value word, or
                one kind and three cues. 1: one kind, a cue or a value word ("saves",
                "faster", 提升, 省钱). For the ``price`` category instead: 2 for the sandwich
                value -> why the price is fair -> long-term return, in that order; 1 for part
                of it with evidence, a cue, or two parts; 0 otherwise.

Bad input never raises. An empty step scores 0 (``empty``); text without letters or Chinese
characters (emoji, ``{{ 7*7 }}``) scores 0 (``no_words``); one letter or character scores 0
(``too_short``). HTML-like tags are ignored. Only the first ``MAX_CHARS`` characters of an
answer are looked at (``capped``). Reasons carry codes and plain values — words from our lists,
the pack's cues or the customer's line, digits found — never the rep's raw text; the adapter
words and escapes them.

``split_answer`` cuts one free-text answer into the four steps. Labels win when the text has at
least two of them: numbers ``1.``–``4.`` (or ``1、``, ``①``), letters ``L:`` ``A:`` ``E:`` ``R:``,
step names (``Listen:``, ``倾听：``, ``认同：``, ``探询：``, ``回应：``...). Otherwise it splits
into sentences and walks them in order, never going back a step: while still at Listen, a
restating or check-back sentence is Listen (after the first sentence, one with empathy words is
Acknowledge instead); a question is Explore; an empathy sentence without a case or proof,
Acknowledge; a sentence with evidence, Respond; any other sentence stays with the step before
it, except that a statement after a question starts Respond, and a first sentence with none of
the above goes to Respond. So a question after Respond stays in Respond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from coach.content import LAER, Category, CueGroup, LaerStep, Objection, normalize

Lang = Literal["zh", "en"]

MAX_CHARS = 2000
"""Only this many characters of an answer are looked at; the rest is ignored."""

MAX_POINTS = 2
"""Points for one step; a drill is out of ``MAX_POINTS * 4``."""


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class Reason:
    """What the grader saw (or wants to see): a code and plain values for the adapter's text."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepGrade:
    """Points for one step, the reasons (found first, then faults) and what would add to it."""

    step: LaerStep
    points: int
    reasons: tuple[Reason, ...]
    missing: tuple[Reason, ...] = ()

    @property
    def headline(self) -> tuple[Reason, Reason | None]:
        """The one line shown to the rep: the main thing found and the main thing missing."""
        return self.reasons[0], (self.missing[0] if self.missing else None)


@dataclass(frozen=True, slots=True)
class DrillGrade:
    """Grades of the four steps of one drill."""

    steps: Mapping[LaerStep, StepGrade]

    @property
    def total(self) -> int:
        return sum(grade.points for grade in self.steps.values())

    @property
    def out_of(self) -> int:
        return MAX_POINTS * len(LAER)


# ----------------------------------------------------------------------------- word lists
@dataclass(frozen=True, slots=True)
class _Words:
    """A word list; ``find`` gives the list's own entries (never the rep's text) with positions.

    English entries match whole words; an entry ending in ``*`` matches a word start. Chinese
    entries match as substrings. An entry starting with ``re:`` is a regular expression, shown
    by the name after the second colon (``re:name:pattern``).
    """

    entries: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, lang: Lang, *entries: str) -> _Words:
        compiled = []
        for entry in entries:
            if entry.startswith("re:"):
                _, name, pattern = entry.split(":", 2)
                compiled.append((name, re.compile(pattern)))
            elif lang == "en":
                stem = entry.endswith("*")
                word = re.escape(entry.rstrip("*"))
                compiled.append(
                    (entry.rstrip("*"), re.compile(_EN_START + word + ("" if stem else _EN_END)))
                )
            else:
                compiled.append((entry, re.compile(re.escape(entry))))
        return cls(tuple(compiled))

    def find(self, text: str) -> list[tuple[int, str]]:
        found = []
        for name, pattern in self.entries:
            match = pattern.search(text)
            if match:
                found.append((match.start(), name))
        # at one position the longest entry is the one to show ("但是" rather than "但")
        return sorted(found, key=lambda hit: (hit[0], -len(hit[1])))

    def names(self, text: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _, name in self.find(text)))


_EN_START = r"(?<![a-z0-9])"
_EN_END = r"(?![a-z])"


@dataclass(frozen=True, slots=True)
class _Lexicon:
    restate: _Words
    check_back: _Words
    empathy: _Words
    rebuttal: _Words
    pitch: _Words
    denial: _Words
    open_question: _Words
    closed_question: _Words
    asking: _Words
    probe: _Words
    closing: _Words
    numbers: _Words
    case: _Words
    proof: _Words
    value: _Words
    sandwich_value: _Words
    sandwich_price: _Words
    sandwich_return: _Words
    stop: frozenset[str]


_EN_STOP = (
    "that's about above also been being could does doesn't don't even every from give have here "
    "honestly into just like more much only other over pretty really right same some than that "
    "them then there these they they're thing things this those very want we're we've what when "
    "where which while will with would your you're you've come comes honest okay let's sure "
    "isn't can't"
)
"""English words of four letters or more that say nothing about a customer's concern."""


def _en() -> _Lexicon:
    w = _Words.of
    return _Lexicon(
        restate=w(
            "en",
            *("so you're saying", "you're saying", "you are saying", "so what you're saying"),
            *("if i understand*", "if i've understood", "if i heard", "if i've got", "sounds like"),
            *("it sounds like", "you mean", "what i'm hearing", "what i hear", "let me make sure"),
            *("let me check", "just to check", "to make sure i", "let me recap", "to recap"),
            *("correct me if", "in other words", "you feel", "you're worried", "you are worried"),
            *("you're concerned", "your concern is", "you'd rather", "you'd like", "you need"),
            *("you want", "you think", "you said", "you mentioned", "so you", "so for you"),
            *("so it sounds", "you're not sure", "you'd prefer", "you haven't", "you can't"),
            *(
                "you're telling me",
                "if i'm following",
                "if i follow",
                "let me play",
                "play that back",
            ),
            *(
                "to summarise",
                "to summarize",
                "in short",
                "so basically",
                "from what you",
                "if i read",
            ),
            "re:so:^\\s*so(?![a-z])",
        ),
        check_back=w(
            "en",
            "re:?:\\?",
            *("is that right", "is that correct", "did i get", "have i got", "am i right"),
            *("fair to say", "is that it"),
        ),
        empathy=w(
            "en",
            *("understand*", "understood", "fair", "reasonable", "i hear you"),
            "re:makes sense:(?<![a-z])makes?\\s+(?:(?:total|perfect|complete|a lot of)\\s+)?sense",
            *("i get it", "i get that", "i see why", "i can see why", "appreciat*", "valid"),
            *("legitimate", "of course", "absolutely", "natural", "sensible", "no wonder"),
            *("i'd feel the same", "i would too", "in your shoes", "you're right", "right to"),
            *("good question", "great question", "good point", "respect", "thank*", "grateful"),
            *("i agree", "agreed", "true", "prudent", "careful", "cautious", "responsib*"),
            *("wise", "professional", "not easy", "isn't easy", "tough", "anyone would"),
            *("exactly what", "precisely what", "exactly how", "is what you", "good sense"),
            *("right instinct", "important", "glad", "totally", "smart", "frustrat*"),
            *("nobody wants", "no one wants", "good judg*", "sound judg*"),
        ),
        rebuttal=w(
            "en",
            *("but", "however", "though", "nevertheless", "nonetheless", "on the contrary"),
            *("you're wrong", "that's not true", "not true", "disagree", "you should have"),
            "re:actually:(?<![a-z])actually(?=,|\\s+(?:we|our|it|that|you|this))",
        ),
        pitch=w(
            "en",
            *("our product*", "our system*", "our platform", "our solution*", "our software"),
            *("our price*", "our app", "our tool", "we offer", "we provide", "with us"),
            *("to us", "yunfan", "competitive"),
        ),
        denial=w(
            "en",
            *("not expensive", "isn't expensive", "not that expensive", "no problem with"),
            *("don't worry", "nothing to worry"),
        ),
        open_question=w(
            "en",
            *("what", "what's", "which", "how", "why", "where", "who", "tell me"),
            *("walk me through", "help me understand", "describe", "i'd like to know"),
            "i'm curious",
        ),
        closed_question=w(
            "en",
            *("do you", "does", "did you", "is it", "is there", "are you", "are there"),
            *("would you", "would a", "could you", "can you", "can i", "will you", "have you"),
            *("should", "shall", "don't you", "any", "is that", "when"),
        ),
        asking=w("en", "tell me", "walk me through", "help me understand", "i'm curious"),
        probe=w(
            "en",
            *("most", "main", "concern*", "worr*", "reason*", "behind", "exactly", "specific*"),
            *("real", "really matter*", "priorit*", "matter*", "important", "hesita*"),
            *("unsure", "least sure", "holding", "problem*", "challeng*", "frustrat*"),
            *("fall short", "care about", "look for", "want to see", "need to see"),
            *("requirement*", "criteria", "measur*", "expect*", "biggest", "first"),
        ),
        closing=w(
            "en",
            *("sign the", "sign today", "sign now", "sign up", "signing", "contract*"),
            *("go ahead", "place an order", "purchase order", "buy it", "buy now", "book a demo"),
            *("schedule a demo", "move forward", "get started", "close the deal", "start today"),
        ),
        numbers=w(
            "en",
            "re:digits:\\d",
            *("half", "double", "twice", "a third", "percent", "two", "three", "four", "five"),
            *("six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty"),
            *("thirty", "forty", "fifty", "hundred*", "thousand*", "million*", "billion*"),
        ),
        case=w(
            "en",
            *("customer*", "client*", "compan*", "case", "for example", "for instance"),
            *("one of our", "we helped", "we worked with", "similar", "peer*"),
            "re:track record:\\d[\\d,]*\\+?\\s+(?:[a-z-]+\\s+)?(?:projects|clients|customers|"
            "deployments|companies|hospitals|stores|sites)(?![a-z])",
            "re:a client:(?<![a-z])(?:a|an|one|another)\\s+(?:[a-z-]+\\s+){0,3}"
            "(?:company|chain|maker|manufacturer|hospital|retailer|plant|factory|bank|firm|"
            "group|shop|supermarket|distributor|insurer|clinic)(?![a-z])",
        ),
        proof=w(
            "en",
            *("pilot*", "trial*", "try it", "try one", "reference*", "sla", "certif*", "iso"),
            *("mlps", "audit*", "guarantee*", "proof", "verif*", "track record"),
            *("case stud*", "references"),
        ),
        value=w(
            "en",
            *("save*", "saving*", "cut*", "reduc*", "increas*", "improv*", "rais*", "lift*"),
            *("gain*", "boost*", "faster", "efficien*", "productiv*", "turnover", "fewer"),
            *("less work", "easier", "easy", "simple", "halv*", "payback", "pay back"),
            *("pays for", "recoup*", "real time", "real-time", "accurate", "automat*"),
        ),
        sandwich_value=w(
            "en",
            *("value", "save*", "saving*", "cut*", "reduc*", "increas*", "improv*", "rais*"),
            *("lift*", "gain*", "boost*", "faster", "efficien*", "productiv*", "turnover"),
            *("fewer", "halv*", "customer*", "client*"),
            "re:a client:(?<![a-z])(?:a|an|one|another)\\s+(?:[a-z-]+\\s+){0,3}"
            "(?:company|chain|maker|manufacturer|hospital|retailer|plant|factory|bank|firm|"
            "group|shop|supermarket)(?![a-z])",
        ),
        sandwich_price=w(
            "en",
            *("price*", "pric*", "per day", "per user", "per person", "per seat", "per month"),
            *("a day", "a month", "each day", "works out", "comes to", "setup fee"),
            *("no setup", "prepay*", "annual*", "transparent", "same rate", "fair price"),
            *("total cost", "cost of ownership", "tco", "sticker", "quote*", "fee*", "bill"),
        ),
        sandwich_return=w(
            "en",
            *("payback", "pay back", "pays back", "paid back", "pay it back", "pay for itself"),
            *("pays for itself", "paid for itself", "paid off", "pay off", "earn it back"),
            *("earn back", "earns back", "recoup*", "return*", "roi", "long term", "long-term"),
            *("long run", "over time", "recover*"),
        ),
        stop=frozenset(_EN_STOP.split()),
    )


def _zh() -> _Lexicon:
    w = _Words.of
    return _Lexicon(
        restate=w(
            "zh",
            *("您的意思是", "你的意思是", "您是说", "你是说", "听起来", "我理解的是"),
            *("如果我没理解错", "没理解错", "也就是说", "换句话说", "您觉得", "您是觉得"),
            *("你觉得", "您担心", "你担心", "您认为", "您的顾虑", "您的担心", "我听明白"),
            *("听下来", "总结一下", "确认一下", "我复述", "重复一下", "您刚才说", "您说的是"),
            *("您提到", "所以您", "所以你", "您需要", "您希望", "您想", "您最担心"),
            *("照您这么说", "照您说的", "按您的意思", "归纳一下", "概括一下", "换言之"),
            *("我听到的是", "没听错的话", "简单说"),
            "re:您想:您(?:只|就|主要|其实|也)(?:是)?(?:想|希望|需要|觉得|担心)",
            "re:所以:^\\s*所以",
        ),
        check_back=w(
            "zh",
            "re:?:\\?",
            *("对吗", "对吧", "是吗", "是这样吗", "是不是这样", "没错吧", "是吧", "理解得对"),
        ),
        empathy=w(
            "zh",
            *("理解", "明白", "确实", "正常", "换我", "换了我", "换作是我", "换成我"),
            *("体会", "体谅", "感同身受", "有道理", "合理", "应该的", "是应该", "没错"),
            *("说得对", "认同", "谢谢", "感谢", "感激", "当然", "难怪", "不容易", "不轻松"),
            *("情理之中", "很重要", "是对的", "专业", "负责", "谨慎", "慎重", "稳妥", "实在"),
            *("现实", "佩服", "尊重", "正当", "正是", "就该", "该做的", "本分", "谁也"),
            "re:谁都:谁\\S{0,4}都",
            *("在理", "好问题", "问得好", "辛苦", "放在第一位", "务实", "不简单", "很自然"),
        ),
        rebuttal=w(
            "zh",
            *("但是", "可是", "然而", "您错了", "你错了", "不对", "恰恰相反", "不是这样"),
            "re:但:(?<!不)但(?!愿)",
            "re:不过:(?:^|(?<=[\\s,.;:!?。]))不过",
        ),
        pitch=w(
            "zh",
            *("我们的产品", "我们的系统", "我们的平台", "我们的方案", "我们的软件"),
            *("我们的价格", "我们产品", "我们系统", "云帆", "物有所值", "性价比", "我们的技术"),
            "放心",
        ),
        denial=w("zh", *("不贵", "不算贵", "并不贵", "没问题的", "不用担心", "放心", "过时")),
        open_question=w(
            "zh",
            *("什么", "哪", "怎么", "怎样", "如何", "为什么", "为何", "为啥", "多少", "多久"),
            *("多大", "多长", "几个", "啥", "说说", "谈谈", "讲讲", "想了解", "请教"),
        ),
        closed_question=w(
            "zh",
            *("是否", "是不是", "有没有", "能不能", "会不会", "要不要", "可不可以", "对吗"),
            *("愿不愿意", "re:吗:吗", "re:呢:呢"),
        ),
        asking=w("zh", "请问", "想了解", "想请教", "说说", "谈谈", "讲讲"),
        probe=w(
            "zh",
            *("最", "主要", "担心", "顾虑", "原因", "具体", "真正", "看重", "在意", "关注"),
            *("犹豫", "拿不准", "问题", "麻烦", "难题", "要求", "标准", "重点", "需要", "卡在"),
            "头疼",
        ),
        closing=w(
            "zh",
            *("签", "合同", "定下来", "下单", "成交", "购买", "意向", "安排演示", "约个时间"),
            *("开始吧", "启动吧", "走流程"),
        ),
        numbers=w(
            "zh",
            "re:数字:\\d",
            "re:百分之:百分之",
            "re:数词:[两二三四五六七八九十百千半][十百千万亿]*"
            "(?:个|家|年|月|天|周|倍|成|折|万|元|块|人|小时|分钟|项|次|多|%)",
            "re:数词:一[十百千万亿]+",
            "re:数词:[十百千万亿]万",
        ),
        case=w(
            "zh",
            *("客户", "案例", "比如", "例如", "有一家", "一家", "同行", "同类", "某家", "用户"),
            "像您这样",
            "re:项目:\\d+\\s*(?:多|\\+)?\\s*(?:个|家)[^\\s,.;:，。；：]{0,4}(?:项目|客户|企业|医院|门店)",
        ),
        proof=w(
            "zh",
            *("试点", "试用", "先试", "试一", "免费试", "参观", "推荐", "交流", "sla", "认证"),
            *("资质", "等保", "保证", "承诺", "实测", "验证", "核实", "证书", "iso"),
            *("审计", "写进合同", "写在合同"),
        ),
        value=w(
            "zh",
            *("提升", "提高", "降低", "减少", "节省", "省下", "省钱", "省事", "省时", "效率"),
            *("周转", "缩短", "减半", "回本", "回报", "收益", "自动", "实时", "轻松", "产能"),
            *("少了", "更省", "简单", "方便", "好用", "更快", "快多了", "快得多", "准确", "更准"),
        ),
        sandwich_value=w(
            "zh",
            *("价值", "提升", "提高", "降低", "减少", "节省", "省下", "效率", "周转", "缩短"),
            *("减半", "产能", "少了", "带来", "客户", "一家"),
        ),
        sandwich_price=w(
            "zh",
            *("价格", "价钱", "报价", "费用", "每天", "每人", "一天", "折算", "摊到", "算下来"),
            *("实施费", "年付", "预付", "统一", "透明", "总成本", "总拥有", "开销", "划算"),
        ),
        sandwich_return=w(
            "zh",
            *("回本", "回报", "回收", "收回", "长期", "长远", "挣回", "赚回", "净收益", "长线"),
        ),
        stop=frozenset(
            "的了是我你他她它们在有这那就也都和与及或吗呢吧啊嗯个一不没很太再还要会能可把被让给"
            "对得着过所以为什么您其实就是都如果而且又才只已经呀哦"
        ),
    )


_LEXICONS: dict[str, _Lexicon] = {"en": _en(), "zh": _zh()}


def _lexicon(lang: str) -> _Lexicon:
    return _LEXICONS["zh" if lang == "zh" else "en"]


# ----------------------------------------------------------------------------- text
_TAG = re.compile(r"<[^<>]{0,200}>")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_WORDY = re.compile(r"[^\W\d_]")


def _prepared(text: str) -> tuple[str, bool]:
    """The part of ``text`` the grader reads, normalized, and whether it was cut at MAX_CHARS."""
    capped = len(text) > MAX_CHARS
    text = text[:MAX_CHARS]
    text = _TAG.sub(" ", text)
    return normalize(text).translate(_QUOTES), capped


def _too_little(raw: str, text: str) -> Reason | None:
    if not raw.strip():
        return Reason("empty")
    letters = _WORDY.findall(text)
    if not letters:
        return Reason("no_words")
    if len(letters) < 2:
        return Reason("too_short")
    return None


def _cue_hits(groups: Iterable[CueGroup], text: str, lang: str) -> list[tuple[int, CueGroup, str]]:
    """(position, group, synonym) of each cue group found in ``text``, first hit per group."""
    hits = []
    for group in groups:
        best: tuple[int, str] | None = None
        for synonym in group:
            at = _locate(synonym, text, lang)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, synonym)
        if best is not None:
            hits.append((best[0], group, best[1]))
    return sorted(hits, key=lambda hit: hit[0])


def _locate(term: str, text: str, lang: str) -> int:
    if lang == "en" and term[:1].isalnum():
        match = re.search(_EN_START + re.escape(term), text)
        return match.start() if match else -1
    return text.find(term)


def _customer_terms(objection: Objection, lang: str) -> tuple[str, ...]:
    """Topic words of the customer's line: English words (stems) and numbers, Chinese pairs."""
    return _terms_of(objection.customer, lang)


@lru_cache(maxsize=256)
def _terms_of(customer: str, lang: str) -> tuple[str, ...]:
    line = normalize(customer).translate(_QUOTES)
    stop = _lexicon(lang).stop
    if lang == "zh":
        pairs: dict[str, None] = {}
        for run in re.findall(r"[\u4e00-\u9fff]+", line):
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if not (set(pair) & stop):
                    pairs[pair] = None
        for token in re.findall(r"[a-z]{2,}|\d[\d,.]*%?", line):
            pairs[token.rstrip(",.")] = None
        return tuple(pairs)
    terms: dict[str, None] = {}
    for word in re.findall(r"[a-z][a-z'-]*|\d[\d,.]*%?", line):
        word = word.rstrip(",.'")
        if word[0].isdigit():
            terms[word] = None
        elif len(word) >= 4 and word not in stop:
            terms[word[:5]] = None
    return tuple(terms)


def _term_hits(terms: Iterable[str], text: str, lang: str) -> tuple[str, ...]:
    return tuple(term for term in terms if _locate(term, text, lang) >= 0)


def _term_level(hits: tuple[str, ...], lang: str) -> int:
    """Concern hits that customer words are worth: Chinese pairs overlap, so two count as one."""
    if lang == "zh":
        return (len(hits) + 1) // 2
    return len(hits)


def _unique(reasons: Iterable[Reason]) -> list[Reason]:
    """The reasons with each code once, the first kept."""
    seen: dict[str, Reason] = {}
    for reason in reasons:
        seen.setdefault(reason.code, reason)
    return list(seen.values())


def _first_synonyms(groups: Iterable[CueGroup], limit: int = 2) -> tuple[str, ...]:
    return tuple(group[0] for group in groups)[:limit]


# ----------------------------------------------------------------------------- the steps
@dataclass(frozen=True, slots=True)
class _Answer:
    """One step's answer as the rules see it."""

    text: str
    lang: str
    objection: Objection
    step: LaerStep

    @property
    def words(self) -> _Lexicon:
        return _lexicon(self.lang)

    @property
    def cues(self) -> tuple[CueGroup, ...]:
        return self.objection.steps[self.step].cues

    def cue_hits(self) -> list[tuple[int, CueGroup, str]]:
        return _cue_hits(self.cues, self.text, self.lang)

    def missed_cues(self) -> tuple[str, ...]:
        hit = {group for _, group, _ in self.cue_hits()}
        return _first_synonyms(g for g in self.cues if g not in hit)

    def customer_hits(self) -> tuple[str, ...]:
        return _term_hits(_customer_terms(self.objection, self.lang), self.text, self.lang)


def _listen(a: _Answer) -> tuple[int, list[Reason], list[Reason]]:
    words = a.words
    restate = words.restate.names(a.text)
    check = bool(words.check_back.find(a.text))
    cues = [synonym for _, _, synonym in a.cue_hits()]
    terms = a.customer_hits()
    overlap = max(len(cues), _term_level(terms, a.lang))
    hits = tuple(dict.fromkeys([*cues, *terms]))[:4]
    against = words.pitch.names(a.text) + words.denial.names(a.text)
    reasons: list[Reason] = []
    missing: list[Reason] = []
    if (restate and overlap >= 2) or ((restate or overlap >= 2) and check and overlap >= 1):
        points = 2
    elif restate or overlap >= 1:
        points = 1
    else:
        points = 0
    if restate:
        reasons.append(Reason("restated", {"hits": hits}) if hits else Reason("restate_frame"))
    elif hits:
        reasons.append(Reason("echoed", {"hits": hits}))
    else:
        reasons.append(Reason("no_restating"))
    if check:
        reasons.append(Reason("check_back"))
    if against and not restate:
        points = 0
        reasons.append(Reason("argued", {"word": against[0]}))
        missing.append(Reason("restate"))
    if not restate and points < 2:
        missing.append(Reason("restate"))
    if overlap < 2:
        missing.append(Reason("concern_terms", {"examples": a.missed_cues()}))
    if not check:
        missing.append(Reason("check_back"))
    return points, reasons, _unique(missing)


def _acknowledge(a: _Answer) -> tuple[int, list[Reason], list[Reason]]:
    words = a.words
    empathy = words.empathy.names(a.text)
    empathic = set(empathy)
    specific: list[str] = []
    for _, group, _ in a.cue_hits():
        found = [s for s in group if _locate(s, a.text, a.lang) >= 0]
        if not any(words.empathy.names(s) or s in empathic for s in found):
            specific.append(found[0])
    specific.extend(t for t in a.customer_hits() if not words.empathy.names(t))
    specific = list(dict.fromkeys(specific))[:4]
    rebuttal = words.rebuttal.names(a.text)
    pitch = words.pitch.names(a.text)
    reasons: list[Reason] = []
    missing: list[Reason] = []
    if empathy and (specific or len(empathy) >= 2):
        points = 2
    elif empathy or specific:
        points = 1
    else:
        points = 0
    if empathy:
        reasons.append(Reason("empathy", {"words": empathy[:3]}))
    else:
        reasons.append(Reason("no_empathy"))
        missing.append(Reason("empathy"))
    if specific:
        reasons.append(Reason("specific", {"hits": tuple(specific)}))
    elif points < 2:
        missing.append(Reason("specifics", {"examples": a.missed_cues()}))
    if rebuttal:
        points = min(points, 1 if empathy else 0)
        reasons.append(Reason("rebuttal", {"word": rebuttal[0]}))
        missing.insert(0, Reason("drop_rebuttal"))
    if pitch:
        points = max(points - 1, 0)
        reasons.append(Reason("pitching", {"word": pitch[0]}))
        missing.insert(0, Reason("drop_pitch"))
    return points, reasons, missing


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?；;\n])|(?<=\.)(?=\s|$)", text) if s.strip()]


def _is_question(sentence: str, words: _Lexicon, lang: str) -> bool:
    body = sentence.strip().rstrip("。.!！ ")
    if "?" in body or words.asking.find(body):
        return True
    if lang == "zh":
        return body.endswith(("吗", "呢")) or bool(words.open_question.find(body))
    starts = words.open_question.find(body) + words.closed_question.find(body)
    return any(at == 0 for at, _ in starts)


_LOGISTICS = re.compile(r"什么时候|什么时间|几点|哪天|哪一天")


def _open_words(question: str, words: _Lexicon, lang: str) -> tuple[str, ...]:
    """Question words that make ``question`` open: not when it is a yes/no question ending in
    吗 ("算过要多少人吗"), and not words asking only for a time ("什么时候", "when")."""
    body = question.strip().rstrip("。.!！?？ ")
    if lang == "zh":
        if body.endswith("吗"):
            return ()
        body = _LOGISTICS.sub(" ", body)
    return words.open_question.names(body)


def _explore(a: _Answer) -> tuple[int, list[Reason], list[Reason]]:
    words = a.words
    questions = [s for s in _sentences(a.text) if _is_question(s, words, a.lang)]
    asked = " ".join(questions)
    open_words = tuple(dict.fromkeys(w for q in questions for w in _open_words(q, words, a.lang)))
    closed_words = words.closed_question.names(asked)
    aims = tuple(
        dict.fromkeys(
            [synonym for _, _, synonym in _cue_hits(a.cues, asked, a.lang)]
            + list(words.probe.names(asked))
            + list(_term_hits(_customer_terms(a.objection, a.lang), asked, a.lang))
        )
    )[:4]
    closing = words.closing.names(asked)
    reasons: list[Reason] = []
    missing: list[Reason] = []
    if not questions:
        reasons.append(Reason("no_question"))
        missing.append(Reason("open_question"))
        return 0, reasons, missing
    if open_words:
        points = 2 if aims else 1
        reasons.append(Reason("open_question", {"word": open_words[0]}))
    else:
        points = 1
        reasons.append(Reason("closed_question", {"word": closed_words[0]} if closed_words else {}))
        missing.append(Reason("open_question"))
    if closing and not words.probe.names(asked):
        points = 0
        reasons.append(Reason("closing_question", {"word": closing[0]}))
        missing.insert(0, Reason("ask_why_not_close"))
    if aims:
        reasons.append(Reason("asks_about", {"hits": aims}))
    else:
        missing.append(Reason("question_focus", {"examples": a.missed_cues()}))
    return points, reasons, missing


def _evidence(a: _Answer) -> list[Reason]:
    words = a.words
    found = []
    numbers = re.findall(r"\d[\d,.]*%?|百分之\S{1,3}", a.text)
    if words.numbers.find(a.text):
        found.append(
            Reason("has_numbers", {"examples": tuple(n.rstrip(",.") for n in numbers)[:3]})
        )
    case = words.case.names(a.text)
    if case:
        found.append(Reason("has_case", {"word": case[0]}))
    proof = words.proof.names(a.text)
    if proof:
        found.append(Reason("has_proof", {"word": proof[0]}))
    return found


_EVIDENCE_MISSING = {"has_numbers": "numbers", "has_case": "case", "has_proof": "proof"}


def _respond(a: _Answer) -> tuple[int, list[Reason], list[Reason]]:
    words = a.words
    evidence = _evidence(a)
    kinds = len(evidence)
    cues = [synonym for _, _, synonym in a.cue_hits()]
    value = words.value.names(a.text)
    relevant = bool(cues or value)
    reasons: list[Reason] = list(evidence)
    missing = [
        Reason(code)
        for kind, code in _EVIDENCE_MISSING.items()
        if kind not in {r.code for r in evidence}
    ]
    if a.objection.category is Category.PRICE:
        points, sandwich = _sandwich(a, kinds, cues)
        reasons.append(sandwich)
        if points < 2:
            missing.insert(0, Reason("sandwich", {"order": ("value", "price", "return")}))
    elif (kinds >= 2 and relevant) or (kinds >= 1 and len(cues) >= 3):
        points = 2
    elif relevant or kinds:
        points = 1
    else:
        points = 0
    if cues:
        reasons.append(Reason("on_topic", {"hits": tuple(cues)[:4]}))
    elif value:
        reasons.append(Reason("value", {"words": value[:3]}))
    if not evidence:
        reasons.insert(0, Reason("no_evidence"))
    if len(cues) < 2:
        missing.append(Reason("concern_terms", {"examples": a.missed_cues()}))
    return points, reasons, missing


def _sandwich(a: _Answer, kinds: int, cues: list[str]) -> tuple[int, Reason]:
    """Points for a price answer: value, then why the price is fair, then the long-term return."""
    words = a.words
    parts = {
        "value": _all_positions(words.sandwich_value, a.text),
        "price": _all_positions(words.sandwich_price, a.text),
        "return": _all_positions(words.sandwich_return, a.text),
    }
    present = tuple(name for name, at in parts.items() if at)
    after = -1
    ordered = True
    for name in ("value", "price", "return"):
        later = [at for at in parts[name] if at > after]
        if not later:
            ordered = False
            break
        after = later[0]
    if ordered:
        return 2, Reason("sandwich", {"parts": present})
    found_order = tuple(sorted(present, key=lambda name: parts[name][0]))
    if len(present) == 3:
        reason = Reason("sandwich_order", {"found": found_order})
    else:
        missing = tuple(n for n in ("value", "price", "return") if n not in present)
        reason = Reason("sandwich_missing", {"found": found_order, "missing": missing})
    points = 1 if present and (kinds or cues or len(present) >= 2) else 0
    return points, reason


def _all_positions(words: _Words, text: str) -> list[int]:
    return sorted(m.start() for _, pattern in words.entries for m in pattern.finditer(text))


_RULES = {
    LaerStep.LISTEN: _listen,
    LaerStep.ACKNOWLEDGE: _acknowledge,
    LaerStep.EXPLORE: _explore,
    LaerStep.RESPOND: _respond,
}


# ----------------------------------------------------------------------------- public
def grade_step(objection: Objection, step: LaerStep, answer: str, lang: str) -> StepGrade:
    """Grade one step of a rep's answer to ``objection``.

    Args:
        objection: the objection the rep answers, with the step's cue groups.
        step: which LAER step ``answer`` is for.
        answer: what the rep wrote for that step, any text at all.
        lang: ``"zh"`` or ``"en"``; any other value is graded as English.

    Returns:
        Points 0–2, the reasons (what was there, then what was wrong) and what would add to it.
    """
    raw = answer if isinstance(answer, str) else ""
    text, capped = _prepared(raw)
    lang = "zh" if lang == "zh" else "en"
    too_little = _too_little(raw, text)
    if too_little is not None:
        return StepGrade(step, 0, (too_little,), (Reason("answer_step", {"step": step.value}),))
    points, reasons, missing = _RULES[step](_Answer(text, lang, objection, step))
    if capped:
        reasons.append(Reason("capped", {"limit": MAX_CHARS}))
    points = max(0, min(MAX_POINTS, points))
    return StepGrade(step, points, tuple(reasons), tuple(missing))


def grade_answer(
    objection: Objection, answers_by_step: Mapping[LaerStep, str], lang: str
) -> DrillGrade:
    """Grade a whole drill: each step's answer on its own (a missing step scores 0, ``empty``)."""
    return DrillGrade(
        {step: grade_step(objection, step, answers_by_step.get(step, ""), lang) for step in LAER}
    )


# ----------------------------------------------------------------------------- splitting
_STEP_NAMES = {
    LaerStep.LISTEN: ("listen", "l", "倾听", "聆听", "复述", "1", "①"),
    LaerStep.ACKNOWLEDGE: ("acknowledge", "a", "认同", "认可", "共情", "2", "②"),
    LaerStep.EXPLORE: ("explore", "e", "探询", "探索", "探究", "提问", "询问", "3", "③"),
    LaerStep.RESPOND: ("respond", "r", "回应", "答复", "回复", "应对", "4", "④"),
}
_LABEL_TO_STEP = {name: step for step, names in _STEP_NAMES.items() for name in names}
_LABEL = re.compile(
    r"(?:(?:^|(?<=[\s。！？!?.;；,，]))"
    r"(?:(?P<word>listen|acknowledge|explore|respond|倾听|聆听|复述|认同|认可|共情|探询|探索|探究"
    r"|提问|询问|回应|答复|回复|应对)\s*[:：]"
    r"|(?P<letter>(?-i:[LAER]))\s*[:：]"
    r"|(?P<number>[1-4])\s*(?:[.、)）:：](?!\d))))"
    r"|(?P<circled>[①②③④])",
    re.IGNORECASE,
)


def split_answer(text: str, lang: str) -> dict[LaerStep, str]:
    """Cut one free-text answer into the four LAER steps (the heuristic is in the module doc).

    Every step is in the result; a step the text has nothing for maps to ``""``. Only the first
    ``MAX_CHARS`` characters are read.
    """
    raw = (text if isinstance(text, str) else "")[:MAX_CHARS]
    parts: dict[LaerStep, list[str]] = {step: [] for step in LAER}
    labelled = _by_labels(raw)
    if labelled is not None:
        for step, piece in labelled:
            parts[step].append(piece)
    else:
        for step, sentence in _by_sentences(raw, "zh" if lang == "zh" else "en"):
            parts[step].append(sentence)
    joiner = "" if lang == "zh" else " "
    return {
        step: joiner.join(p.strip() for p in pieces if p.strip()) for step, pieces in parts.items()
    }


def _by_labels(text: str) -> list[tuple[LaerStep, str]] | None:
    marks = []
    for match in _LABEL.finditer(text):
        name = next(g for g in match.groups() if g is not None)
        step = _LABEL_TO_STEP.get(name.casefold())
        if step is not None:
            marks.append((match.start(), match.end(), step))
    if len({step for _, _, step in marks}) < 2:
        return None
    pieces = []
    for i, (_, end, step) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        pieces.append((step, text[end:stop]))
    if marks[0][0] > 0 and text[: marks[0][0]].strip():
        first_step, first_text = pieces[0]
        pieces[0] = (first_step, text[: marks[0][0]] + " " + first_text)
    return pieces


def _by_sentences(text: str, lang: str) -> list[tuple[LaerStep, str]]:
    words = _lexicon(lang)
    current = 0
    out: list[tuple[LaerStep, str]] = []
    for sentence in _sentences(text):
        plain = normalize(_TAG.sub(" ", sentence)).translate(_QUOTES)
        evidence = _has_evidence(plain, words)
        empathy = bool(words.empathy.find(plain))
        restating = bool(words.restate.find(plain)) and not (out and empathy)
        if current == 0 and (restating or _tag_question(plain, lang)):
            detected = 0
        elif _is_question(plain, words, lang):
            detected = 2
        elif empathy and not (words.proof.find(plain) or words.case.find(plain)):
            detected = 1
        elif evidence or current == 2 or not out:
            detected = 3
        else:
            detected = current
        current = max(current, detected)
        out.append((LAER[current], sentence))
    return out


def _tag_question(text: str, lang: str) -> bool:
    tags = (
        ("对吗", "对吧", "是吗", "没错吧", "是这样吗", "是吧")
        if lang == "zh"
        else ("right?", "correct?", "is that right", "is that correct", "did i get", "have i got")
    )
    return any(tag in text for tag in tags)


def _has_evidence(text: str, words: _Lexicon) -> bool:
    return bool(words.numbers.find(text) or words.proof.find(text) or words.case.find(text))
