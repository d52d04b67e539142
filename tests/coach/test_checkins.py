"""The rep's plan, review, days off and weekly answers, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coach import checkins, conversation, errors, onboarding
from coach.days import Absence, Task
from coach.kpis import InvalidKpiEntry, Kpi
from coach.models import Contact, Lang, Person, Schedule
from tests.fakes import FakeUnitOfWork

MONDAY_9AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DEFAULTS = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), invite_ttl_days=30)


def met(uow: FakeUnitOfWork, user_id: int) -> Person:
    with uow:
        person = onboarding.meet(uow, Contact(user_id, f"p{user_id}"), MONDAY_9AM, Lang.ZH)
        uow.commit()
    return person


def call(uow: FakeUnitOfWork, use_case, who: Person, *args, now=MONDAY_9AM):
    with uow:
        result = use_case(uow, who, now, *args)
        uow.commit()
        return result


def say(uow: FakeUnitOfWork, who: Person, text: str | None, now=MONDAY_9AM):
    return call(uow, conversation.answer, who, text, DEFAULTS, now=now)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def rep(uow: FakeUnitOfWork) -> Person:
    manager, rep = met(uow, 1), met(uow, 2)
    created = call(uow, onboarding.new_team_command, manager, "华东一组", DEFAULTS)
    call(uow, onboarding.join, rep, created.invite.token)
    return rep


# --- reading a plan --------------------------------------------------------------------------


def test_a_whole_plan_in_one_message():
    draft = checkins.parse_plan(
        "1. 拜访王总\n2) 给李总发报价\n③ 准备演示\n+ 整理CRM\n- 回访老客户\n拜访 5 电话 20 方案 1"
    )
    assert [t.text for t in draft.tasks] == [
        "拜访王总",
        "给李总发报价",
        "准备演示",
        "整理CRM",
        "回访老客户",
    ]
    assert [t.must for t in draft.tasks] == [True, True, True, False, False]
    assert draft.planned == {Kpi.NEW_VISITS: 5, Kpi.CALLS: 20, Kpi.PROPOSALS: 1}


def test_the_three_plus_two_rule():
    with pytest.raises(checkins.TooManyTasks) as refused:
        checkins.parse_plan("a\nb\nc\nd\ne\nf")
    assert (refused.value.must, refused.value.secondary) == (3, 3)
    with pytest.raises(checkins.TooManyTasks):
        checkins.parse_plan("a\n+b\n+c\n+d")


@pytest.mark.parametrize("text", ["", "   \n  ", "拜访 5 电话 20"])
def test_a_plan_needs_a_task(text):
    with pytest.raises(checkins.EmptyPlan):
        checkins.parse_plan(text)


def test_an_absurd_figure_is_refused_not_taken_for_a_task():
    with pytest.raises(InvalidKpiEntry) as refused:
        checkins.parse_plan("拜访王总\n拜访 10000")
    assert refused.value.problems[0].code == "kpi_over_cap"
    with pytest.raises(InvalidKpiEntry):
        checkins.parse_plan("拜访王总\n电话 -3")


def test_markup_and_template_syntax_are_kept_as_plain_task_text():
    draft = checkins.parse_plan("<b>call</b> {{ 7*7 }}")
    assert draft.tasks == (Task("<b>call</b> {{ 7*7 }}", must=True),)


def test_an_over_long_task_is_refused():
    with pytest.raises(errors.InvalidText) as refused:
        checkins.parse_plan("x" * (checkins.TASK_LIMIT + 1))
    assert refused.value.reason == "too_long"


# --- the plan flow ---------------------------------------------------------------------------


def test_plan_step_by_step_with_skips(uow, rep):
    started = call(uow, checkins.start_plan, rep)
    assert started.today.day == date(2026, 11, 23) and started.existing is None
    asked = say(uow, rep, "拜访王总\n准备方案")
    assert asked.step == "more" and len(asked.tasks) == 2
    assert uow.committed.days == {}  # nothing stored before the end
    asked = say(uow, rep, None)
    assert asked.step == "numbers"
    saved = say(uow, rep, "拜访 3 销售额 1.2万")
    assert isinstance(saved, checkins.PlanSaved) and not saved.replaced
    assert saved.record.planned == {Kpi.NEW_VISITS: 3, Kpi.REVENUE: Decimal(12000)}
    assert [t.must for t in saved.record.tasks] == [True, True]
    assert uow.committed.dialogs == {}


def test_bad_figures_keep_the_flow_where_it_was(uow, rep):
    call(uow, checkins.start_plan, rep)
    say(uow, rep, "拜访王总")
    say(uow, rep, None)
    with pytest.raises(InvalidKpiEntry):
        say(uow, rep, "拜访 很多")
    saved = say(uow, rep, "拜访 3 电话 20")
    assert saved.record.planned == {Kpi.NEW_VISITS: Decimal(3), Kpi.CALLS: Decimal(20)}
    assert uow.committed.days[(rep.user_id, date(2026, 11, 23))].has_plan


def test_a_whole_plan_sent_in_the_first_step_is_saved_at_once(uow, rep):
    call(uow, checkins.start_plan, rep)
    saved = say(uow, rep, "a\nb\nc\n+d\n电话 5")
    assert isinstance(saved, checkins.PlanSaved)
    assert len(saved.record.tasks) == 4 and saved.record.planned == {Kpi.CALLS: Decimal(5)}


def test_plan_again_replaces_until_the_deadline(uow, rep):
    first = call(uow, checkins.plan_in_one, rep, "a\nb")
    assert not first.replaced
    again = call(uow, checkins.plan_in_one, rep, "c", now=MONDAY_9AM + timedelta(hours=12))
    assert again.replaced and [t.text for t in again.record.tasks] == ["c"]
    with pytest.raises(checkins.DayClosed) as closed:
        call(uow, checkins.plan_in_one, rep, "d", now=MONDAY_9AM + timedelta(hours=13))
    assert closed.value.deadline == "22:00"


def test_people_outside_a_team_cannot_plan(uow):
    loner = met(uow, 9)
    with pytest.raises(errors.NotInTeam):
        call(uow, checkins.start_plan, loner)


# --- the review ------------------------------------------------------------------------------


def review_all(uow, rep, now, ticks=(0,), figures="拜访 2 电话 30", objection="太贵了"):
    asked = call(uow, checkins.start_review, rep, now=now)
    for index in ticks:
        call(uow, checkins.toggle_task, rep, index, now=now)
    if asked.step == "tasks":
        call(uow, checkins.tasks_ticked, rep, now=now)
    for answer in (figures, "签了一单", "报价太慢", objection):
        say(uow, rep, answer, now=now)
    return say(uow, rep, "给王总回电话", now=now)


def test_review_ticks_tasks_and_compares_plan_with_actual(uow, rep):
    evening = MONDAY_9AM + timedelta(hours=11)
    call(uow, checkins.plan_in_one, rep, "a\nb\n拜访 4 电话 30")
    saved = review_all(uow, rep, evening)
    assert isinstance(saved, checkins.ReviewSaved)
    assert saved.tasks_done == 1 and saved.rolled == (Task("b", must=True),)
    lines = {line.kpi: line.percent for line in saved.lines}
    assert lines == {Kpi.CALLS: 100, Kpi.NEW_VISITS: 50}
    assert saved.completion == (100 + 50 + 50) // 3
    record = uow.committed.days[(rep.user_id, date(2026, 11, 23))]
    assert record.win == "签了一单" and record.objection == "太贵了"
    assert record.tomorrow_first == "给王总回电话"


def test_review_without_a_plan_and_skipped_figures(uow, rep):
    saved = review_all(uow, rep, MONDAY_9AM, ticks=(), figures=None, objection=None)
    assert saved.record.actual == {} and saved.record.objection is None
    assert saved.completion is None


def test_an_empty_win_is_refused_and_nothing_is_stored(uow, rep):
    call(uow, checkins.start_review, rep)
    say(uow, rep, None)
    with pytest.raises(errors.InvalidText):
        say(uow, rep, "   ")
    assert (rep.user_id, date(2026, 11, 23)) not in uow.committed.days


def test_unfinished_tasks_roll_over_to_the_next_working_day(uow, rep):
    call(uow, checkins.plan_in_one, rep, "a\nb\nc")
    review_all(uow, rep, MONDAY_9AM + timedelta(hours=10), ticks=(1,))
    tuesday = MONDAY_9AM + timedelta(days=1)
    started = call(uow, checkins.start_plan, rep, now=tuesday)
    assert [t.text for t in started.carry] == ["a", "c"]
    asked = call(uow, checkins.take_carry_over, rep, now=tuesday)
    assert [t.text for t in asked.tasks] == ["a", "c"]
    saved = say(uow, rep, "d", now=tuesday)
    assert saved.step == "more"
    saved = say(uow, rep, None, now=tuesday)
    saved = say(uow, rep, None, now=tuesday)
    assert [t.text for t in saved.record.tasks] == ["a", "c", "d"]


def test_a_stale_tick_button_is_refused(uow, rep):
    with pytest.raises(checkins.NoFlow):
        call(uow, checkins.toggle_task, rep, 0)


# --- days off --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["sick", "3"], (Absence.SICK, 3)),
        (["出差", "2天"], (Absence.TRAVEL, 2)),
        (["培训"], (Absence.TRAINING, None)),
        ([], (None, None)),
    ],
)
def test_skip_arguments(words, expected):
    assert checkins.parse_skip_args(words) == expected


@pytest.mark.parametrize("words", [["31"], ["0"], ["party"], ["-1"]])
def test_bad_skip_arguments(words):
    with pytest.raises(checkins.UnknownAbsence):
        checkins.parse_skip_args(words)


def test_skip_marks_working_days_and_back_to_work_clears_them(uow, rep):
    friday = MONDAY_9AM + timedelta(days=4)
    skipped = call(uow, checkins.skip, rep, Absence.TRAVEL, 3, now=friday)
    assert skipped.days == (date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1))
    current = call(uow, checkins.today, rep, now=friday)
    assert call(uow, lambda u, p, n: checkins.absent_until(u, p, current), rep) == date(2026, 12, 1)
    cleared = call(uow, checkins.back_to_work, rep, now=friday)
    assert cleared == skipped.days


def test_skip_on_a_holiday_starts_at_the_next_working_day(uow, rep):
    saturday = MONDAY_9AM + timedelta(days=5)
    skipped = call(uow, checkins.skip, rep, Absence.SICK, 1, now=saturday)
    assert skipped.days == (date(2026, 11, 30),)


# --- the week's questions --------------------------------------------------------------------


def test_three_reflection_answers_are_stored_together(uow, rep):
    asked = call(uow, checkins.start_reflection, rep)
    assert asked.week_start == date(2026, 11, 23) and asked.question == 0
    assert say(uow, rep, "拜访量达标").question == 1
    assert say(uow, rep, "方案太慢").question == 2
    assert uow.committed.reflections == {}
    reflection = say(uow, rep, "周四前交两份方案")
    assert reflection.next_actions == "周四前交两份方案"
    assert uow.committed.reflections[(rep.user_id, date(2026, 11, 23))] == reflection
