"""LAER grading: each rule on its own, both languages, and any text at all without a crash."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.content import LAER, Category, LaerStep, Objection, Step, read_pack
from coach.laer import MAX_CHARS, Reason, StepGrade, grade_answer, grade_step, split_answer

PACKS = Path(__file__).parents[2] / "coach" / "packs"
L, A, E, R = LAER


@cache
def objection(lang: str, objection_id: str) -> Objection:
    pack = read_pack((PACKS / f"default.{lang}.yaml").read_bytes())
    return next(o for o in pack.objections if o.id == objection_id)


def grade(lang: str, objection_id: str, step: LaerStep, answer: str) -> StepGrade:
    return grade_step(objection(lang, objection_id), step, answer, lang)


def codes(grade: StepGrade) -> list[str]:
    return [reason.code for reason in grade.reasons]


def made_up(cues: tuple[tuple[str, ...], ...], category: Category = Category.NEED) -> Objection:
    """An objection whose every step has ``cues``, to test matching on its own."""
    step = Step(aim="aim", cues=cues, model="model")
    return Objection(
        "made-up", category, "We are fine as we are.", ("none",), dict.fromkeys(LAER, step)
    )


# ----------------------------------------------------------------------------- listen
@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("en", "So you're saying ¥120,000 a year is well above what you had in mind — right?"),
        ("zh", "您的意思是，一年十二万比您预想的高出不少，对吗？"),
        # no restating frame, but the concern in their words and a check-back
        ("en", "The ¥120,000 looks expensive next to what you planned?"),
        ("zh", "十二万比心里预想的高太多了，是吗？"),
    ],
)
def test_listen_restating_the_concern_scores_two(lang: str, answer: str):
    assert grade(lang, "price-too-expensive", L, answer).points == 2


def test_listen_a_frame_with_nothing_of_the_concern_scores_one_and_asks_for_it():
    result = grade("en", "price-too-expensive", L, "So what you're saying is that you have doubts.")
    assert result.points == 1
    assert "restate_frame" in codes(result)
    assert "concern_terms" in [m.code for m in result.missing]


def test_listen_an_echo_without_a_frame_scores_one():
    result = grade("zh", "budget-spent", L, "明年再说。")
    assert (result.points, codes(result)[0]) == (1, "echoed")


@pytest.mark.parametrize(
    ("lang", "answer"),
    [("en", "Our product will definitely impress your boss."), ("zh", "我们的系统很稳定，放心。")],
)
def test_listen_a_pitch_instead_of_listening_scores_zero(lang: str, answer: str):
    objection_id = "authority-boss-decides" if lang == "en" else "trust-stability"
    result = grade(lang, objection_id, L, answer)
    assert result.points == 0
    assert "argued" in codes(result)


def test_listen_off_topic_scores_zero():
    assert grade("en", "budget-spent", L, "Did you see the game last night?").points == 0


def test_listen_restating_the_customers_own_but_is_fine():
    answer = "您的意思是，您个人觉得挺好，但最后得老板拍板，等他出差回来再提，对吗？"
    assert grade("zh", "authority-boss-decides", L, answer).points == 2


# ----------------------------------------------------------------------------- acknowledge
@pytest.mark.parametrize(
    ("lang", "answer", "points"),
    [
        ("en", "That's completely fair — every new cost has to earn its place.", 2),
        ("en", "I understand, and that's a reasonable thing to ask.", 2),
        ("en", "I understand.", 1),
        ("en", "Retail margins are thin and every new cost must earn its place.", 1),
        ("en", "Great!", 0),
        ("zh", "非常理解，每一笔开支都要精打细算。", 2),
        ("zh", "理解。", 1),
        ("zh", "好吧。", 0),
    ],
)
def test_acknowledge_empathy_tied_to_the_situation(lang: str, answer: str, points: int):
    assert grade(lang, "price-too-expensive", A, answer).points == points


@pytest.mark.parametrize(
    ("lang", "answer", "points", "word"),
    [
        ("en", "I understand, but the price is the price.", 1, "but"),
        ("en", "However, that is not how it works.", 0, "however"),
        ("zh", "理解，但是价格就是这样。", 1, "但是"),
        ("zh", "明白。不过价格是定好的。", 1, "不过"),
    ],
)
def test_acknowledge_a_rebuttal_caps_the_step(lang: str, answer: str, points: int, word: str):
    result = grade(lang, "price-too-expensive", A, answer)
    assert result.points == points
    assert Reason("rebuttal", {"word": word}) in result.reasons
    assert result.missing[0].code == "drop_rebuttal"


def test_acknowledge_arguing_the_product_costs_a_point():
    plain = grade("en", "price-too-expensive", A, "I understand, that's fair.")
    pitched = grade(
        "en", "price-too-expensive", A, "I understand, that's fair. Our product is great."
    )
    assert (plain.points, pitched.points) == (2, 1)
    assert "pitching" in codes(pitched)


def test_acknowledge_empathy_then_rebuttal_then_pitch_scores_zero():
    answer = "我理解，但是我们的产品物有所值。"
    assert grade("zh", "price-too-expensive", A, answer).points == 0


def test_acknowledge_an_idiom_with_buguo_is_no_rebuttal():
    result = grade("zh", "price-too-expensive", A, "谁掏钱都会掂量，您多问几句再正常不过。")
    assert "rebuttal" not in codes(result)
    assert result.points == 2


# ----------------------------------------------------------------------------- explore
@pytest.mark.parametrize(
    ("lang", "objection_id", "answer", "points", "code"),
    [
        (
            "en",
            "price-too-expensive",
            "What are you comparing it with, another quote?",
            2,
            "open_question",
        ),
        ("en", "price-too-expensive", "Why?", 1, "open_question"),
        ("en", "price-too-expensive", "Is it over your budget?", 1, "closed_question"),
        ("en", "price-too-expensive", "Tell me more about the budget", 2, "open_question"),
        ("en", "price-too-expensive", "Our price is fair.", 0, "no_question"),
        ("zh", "price-too-expensive", "您主要是跟哪家的报价在比较？", 2, "open_question"),
        ("zh", "price-too-expensive", "是超出预算了吗？", 1, "closed_question"),
        ("zh", "price-too-expensive", "价格是合理的。", 0, "no_question"),
        # a yes/no question that happens to hold 多少 is closed
        ("zh", "competitor-in-house", "后续维护算过要多少人吗？", 1, "closed_question"),
        # asking for a time is logistics, not exploring
        ("zh", "timing-next-quarter", "下个季度什么时候方便再聊？", 1, "closed_question"),
    ],
)
def test_explore_open_questions_score_higher_than_closed(
    lang: str, objection_id: str, answer: str, points: int, code: str
):
    result = grade(lang, objection_id, E, answer)
    assert (result.points, codes(result)[0]) == (points, code)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [("en", "Can you sign the contract today?"), ("zh", "那我们今天签合同吧？")],
)
def test_explore_asking_for_the_sale_scores_zero(lang: str, answer: str):
    result = grade(lang, "price-discount-demand", E, answer)
    assert result.points == 0
    assert "closing_question" in codes(result)


def test_explore_a_probe_keeps_a_question_about_the_contract_open():
    answer = "What worries you most about the contract?"
    assert grade("en", "competitor-already-using", E, answer).points == 2


# ----------------------------------------------------------------------------- respond
@pytest.mark.parametrize(
    ("lang", "answer", "points"),
    [
        (
            "en",
            "A client on our platform cut downtime 23%; you can pilot one line for 30 days.",
            2,
        ),
        ("en", "Our analytics cut downtime for manufacturers.", 1),
        ("en", "Honestly, it's the best on the market, you'll love it.", 0),
        ("zh", "一家汽车零部件厂上线后停机减少23%，可以先在一条线试点30天。", 2),
        ("zh", "我们的系统能帮您省钱。", 1),
        ("zh", "相信我，用了就知道好。", 0),
    ],
)
def test_respond_value_and_evidence(lang: str, answer: str, points: int):
    assert grade(lang, "budget-spent", R, answer).points == points


def test_respond_names_the_evidence_found():
    result = grade("en", "budget-spent", R, "A client cut downtime 23% in a 30-day pilot.")
    assert {"has_numbers", "has_case", "has_proof"} <= set(codes(result))
    numbers = next(r for r in result.reasons if r.code == "has_numbers")
    assert numbers.values["examples"] == ("23%", "30")


@pytest.mark.parametrize(
    ("lang", "answer", "points", "code"),
    [
        (
            "en",
            "Value first: a supermarket chain cut stock-outs 35%. On price, it's under ¥7 per user"
            " per day. Long term, customers pay it back in about 7 months.",
            2,
            "sandwich",
        ),
        (
            "en",
            "Customers pay it back in about 7 months. It's under ¥7 per user per day. And a chain"
            " cut stock-outs 35%.",
            1,
            "sandwich_order",
        ),
        ("en", "It's under ¥7 per user per day, with no setup fee.", 1, "sandwich_missing"),
        ("en", "OK, 30% off then.", 0, "sandwich_missing"),
        (
            "zh",
            "先说价值：一家连锁超市缺货率降了35%。再看价格：每人每天不到7块。长期看，7个月回本。",
            2,
            "sandwich",
        ),
        ("zh", "7个月回本。每人每天不到7块。一家连锁超市缺货率降了35%。", 1, "sandwich_order"),
    ],
)
def test_respond_to_price_is_a_sandwich_in_order(lang: str, answer: str, points: int, code: str):
    result = grade(lang, "price-too-expensive", R, answer)
    assert result.points == points
    assert code in codes(result)


# ----------------------------------------------------------------------------- matching
def test_english_cues_match_at_word_starts():
    cues = (("cost",), ("stock",))
    hit = grade_step(made_up(cues), R, "Costly stock-outs are the issue.", "en")
    missed = grade_step(made_up(cues), R, "He did accost a restock team.", "en")
    on_topic = next(r for r in hit.reasons if r.code == "on_topic")
    assert on_topic.values["hits"] == ("cost", "stock")
    assert "on_topic" not in codes(missed)


def test_matching_ignores_case_and_full_width_forms():
    cues = (("excel",), ("15%",))
    result = grade_step(made_up(cues), L, "ＥＸＣＥＬ是１５％吗？", "zh")
    assert result.points == 2


@pytest.mark.parametrize(
    ("lang", "objection_id", "answers"),
    [
        (
            "en",
            "price-rival-cheaper",
            {
                L: "Let me make sure I've got this: you need something concrete to take upstairs.",
                A: "Pushing back like this is precisely what a good buyer does.",
                E: "Which factors beyond the sticker price will your team look at?",
                R: "A components maker using our suite became 22% more productive.",
            },
        ),
        (
            "zh",
            "think-let-me-think",
            {
                L: "听下来您没什么反对的，只是还想留点时间再定。",
                A: "多花点时间把事情想清楚，这是对自己和公司负责。",
                E: "您最犹豫的是哪方面？",
                R: "一家医院集团用后候诊时间缩短了一半。",
            },
        ),
    ],
)
def test_a_good_answer_in_other_words_never_scores_zero(
    lang: str, objection_id: str, answers: dict[LaerStep, str]
):
    grades = grade_answer(objection(lang, objection_id), answers, lang)
    assert all(g.points >= 1 for g in grades.steps.values()), grades


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("a", "too_short"),
        ("好", "too_short"),
        ("😀😀😀", "no_words"),
        ("<b>", "no_words"),
        ("{{ 7*7 }}", "no_words"),
        ("1. 2. 3. 4.", "no_words"),
        ("\x00\x01", "no_words"),
    ],
)
@pytest.mark.parametrize("step", LAER)
def test_bad_input_scores_zero_with_a_reason(answer: str, code: str, step: LaerStep):
    for lang in ("zh", "en"):
        result = grade(lang, "price-too-expensive", step, answer)
        assert (result.points, result.reasons) == (0, (Reason(code),))
        assert result.missing == (Reason("answer_step", {"step": step.value}),)


def test_markup_is_read_as_plain_text():
    result = grade("en", "price-too-expensive", A, "<b>I understand</b>, that's <i>fair</i>.")
    assert result.points == 2


def test_a_long_answer_is_read_up_to_the_cap_and_says_so():
    padding = "blah " * (MAX_CHARS // 5)
    long_answer = padding + "I understand, that's completely fair."
    result = grade("en", "price-too-expensive", A, long_answer)
    assert result.points == 0
    assert Reason("capped", {"limit": MAX_CHARS}) in result.reasons


def test_reasons_never_carry_the_reps_text():
    answer = "<script>alert(1)</script> So you're saying {{ 7*7 }} is too expensive? 但是"
    for step in LAER:
        for lang in ("zh", "en"):
            for reason in (*grade(lang, "price-too-expensive", step, answer).reasons,):
                flat = repr(reason.values)
                assert "script" not in flat and "{{" not in flat and "7*7" not in flat


def test_an_unknown_language_is_graded_as_english():
    answer = "So you're saying ¥120,000 is above what you expected, right?"
    assert grade_step(objection("en", "price-too-expensive"), L, answer, "fr").points == 2


# ----------------------------------------------------------------------------- whole drill
def test_grade_answer_totals_out_of_eight_and_a_missing_step_is_empty():
    grades = grade_answer(
        objection("en", "price-too-expensive"),
        {L: "So you're saying ¥120,000 is above what you expected, right?", A: "I understand."},
        "en",
    )
    assert grades.out_of == 8
    assert [grades.steps[s].points for s in LAER] == [2, 1, 0, 0]
    assert grades.total == 3
    assert grades.steps[E].reasons == (Reason("empty"),)


def test_the_headline_is_what_was_there_and_what_was_missing():
    result = grade("en", "price-too-expensive", A, "I understand.")
    found, missing = result.headline
    assert found.code == "empathy"
    assert missing is not None and missing.code == "specifics"


def test_grading_is_deterministic():
    answer = "您的意思是价格太高，对吗？"
    first = grade("zh", "price-too-expensive", L, answer)
    assert all(grade("zh", "price-too-expensive", L, answer) == first for _ in range(3))


# ----------------------------------------------------------------------------- splitting
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "1. listen part 2. ack part 3) explore part? 4、 respond part"),
        ("en", "L: listen part A: ack part E: explore part? R: respond part"),
        (
            "en",
            "Listen: listen part\nAcknowledge: ack part\n"
            "Explore: explore part?\nRespond: respond part",
        ),
        ("zh", "倾听：listen part 认同：ack part 探询：explore part? 回应：respond part"),
        ("zh", "①listen part②ack part③explore part?④respond part"),
    ],
)
def test_split_by_labels(lang: str, text: str):
    parts = split_answer(text, lang)
    assert [parts[s] for s in LAER] == ["listen part", "ack part", "explore part?", "respond part"]


def test_split_does_not_take_decimals_or_one_number_for_labels():
    text = "So uptime is 99.9% for you? I understand. What matters most? We have 2. SLA in writing."
    parts = split_answer(text, "en")
    assert parts[L] == "So uptime is 99.9% for you?"
    assert parts[R] == "We have 2. SLA in writing."


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "So you're saying the sale has the stores stretched, right? Of course, the sale comes"
            " first. Protecting it matters. What problems have the stores had with restocking?"
            " We go live in 4 weeks after the sale. A chain cut stock-outs 35%.",
            [
                "So you're saying the sale has the stores stretched, right?",
                "Of course, the sale comes first. Protecting it matters.",
                "What problems have the stores had with restocking?",
                "We go live in 4 weeks after the sale. A chain cut stock-outs 35%.",
            ],
        ),
        (
            "zh",
            "您的意思是大促很忙，对吗？完全理解，大促是第一位的。门店在补货上遇到了哪些麻烦？"
            "大促后4周上线。一家连锁超市缺货率降了35%。",
            [
                "您的意思是大促很忙，对吗？",
                "完全理解，大促是第一位的。",
                "门店在补货上遇到了哪些麻烦？",
                "大促后4周上线。一家连锁超市缺货率降了35%。",
            ],
        ),
        # no restating sentence: nothing for Listen; a question after Respond stays there
        (
            "en",
            "I hear you. Our system pays for itself in 7 months. Shall we meet?",
            ["", "I hear you.", "", "Our system pays for itself in 7 months. Shall we meet?"],
        ),
    ],
)
def test_split_by_sentences(lang: str, text: str, expected: list[str]):
    parts = split_answer(text, lang)
    assert [parts[s] for s in LAER] == expected


def test_split_reads_only_up_to_the_cap():
    text = "I understand. " + "x" * (3 * MAX_CHARS)
    parts = split_answer(text, "en")
    assert sum(len(p) for p in parts.values()) <= MAX_CHARS


# ----------------------------------------------------------------------------- any text
PLAIN = (str, int)


def plain(value: object) -> bool:
    if isinstance(value, tuple):
        return all(isinstance(v, PLAIN) for v in value)
    return isinstance(value, PLAIN)


@settings(max_examples=200, deadline=None)
@given(
    answer=st.text(max_size=3000),
    step=st.sampled_from(LAER),
    lang=st.sampled_from(("zh", "en")),
    objection_id=st.sampled_from(("price-too-expensive", "trust-stability", "need-excel-enough")),
)
def test_any_text_gets_points_in_range_and_plain_reasons(
    answer: str, step: LaerStep, lang: str, objection_id: str
):
    result = grade(lang, objection_id, step, answer)
    assert 0 <= result.points <= 2
    assert result.reasons
    for reason in (*result.reasons, *result.missing):
        assert all(plain(v) for v in reason.values.values()), reason


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=3000), lang=st.sampled_from(("zh", "en")))
def test_any_text_splits_into_the_four_steps(text: str, lang: str):
    parts = split_answer(text, lang)
    assert list(parts) == list(LAER)
    assert all(isinstance(p, str) for p in parts.values())
    grades = grade_answer(objection(lang, "risk-data-migration"), parts, lang)
    assert 0 <= grades.total <= grades.out_of
