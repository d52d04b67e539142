"""Notices the tick decides on, rendered into outbox messages (text and buttons)."""

from __future__ import annotations

from typing import Any

from bot.charts import totals_spec
from bot.keyboards import KudosButton, Start, StartFlow, StartQuiz
from bot.render import MESSAGE_LIMIT, plain_text, render, split_message
from coach.days import CheckIn
from coach.models import Lang
from coach.notices import (
    BriefChart,
    CoachingBrief,
    DailySummary,
    Escalation,
    Notice,
    Nudge,
    PlanPrompt,
    PracticePrompt,
    ReviewPrompt,
    SharePost,
    SharingDigest,
    SharingOpened,
    WeeklySummary,
)
from coach.outbox import Button, OutgoingMessage

_TEMPLATES: dict[type, str] = {
    PlanPrompt: "notice/plan_prompt",
    ReviewPrompt: "notice/review_prompt",
    Nudge: "notice/nudge",
    DailySummary: "notice/daily_summary",
    Escalation: "notice/escalation",
    WeeklySummary: "notice/weekly_summary",
    PracticePrompt: "notice/practice",
    CoachingBrief: "notice/coaching_brief",
    BriefChart: "notice/brief_chart",
    SharingOpened: "sharing/opened",
    SharePost: "sharing/post",
    SharingDigest: "sharing/digest",
}


def language_of(notice: Notice) -> Lang:
    """The reader's language: the person's own, or the team's for its group."""
    if isinstance(notice, DailySummary | CoachingBrief | BriefChart):
        return notice.recipient.language if notice.recipient else notice.team.language
    if isinstance(notice, Escalation):
        return notice.manager.language
    if isinstance(notice, SharingOpened | SharePost | SharingDigest):
        return notice.team.language
    return notice.person.language


def _buttons(notice: Notice, lang: Lang) -> tuple[tuple[Button, ...], ...]:
    if isinstance(notice, SharePost):
        assert notice.share.id is not None
        return (
            (
                Button(
                    render(lang, "sharing/kudos_label", count=0),
                    KudosButton(notice.share.id).pack(),
                ),
            ),
        )
    if isinstance(notice, PracticePrompt):
        return (
            (
                Button(render(lang, "notice/drill_button"), StartFlow(Start.DRILL).pack()),
                Button(render(lang, "notice/quiz_button"), StartQuiz().pack()),
            ),
        )
    flow: tuple[Start, str] | None = None
    if isinstance(notice, PlanPrompt) or (
        isinstance(notice, Nudge) and notice.check_in is CheckIn.PLAN
    ):
        flow = (Start.PLAN, "notice/plan_button")
    elif isinstance(notice, ReviewPrompt | Nudge):
        flow = (Start.REVIEW, "notice/review_button")
    elif isinstance(notice, WeeklySummary) and notice.checklist.reflection is None:
        flow = (Start.REFLECT, "notice/reflect_button")
    if flow is None:
        return ()
    return ((Button(render(lang, flow[1]), StartFlow(flow[0]).pack()),),)


def compose(notice: Notice) -> OutgoingMessage:
    """The outbox message for a notice: rendered, escaped, under the notice's key."""
    lang = language_of(notice)
    text = render(lang, _TEMPLATES[type(notice)], n=notice)
    parts = split_message(text, MESSAGE_LIMIT - 2)
    if len(parts) > 1:  # one push is one message: a very long summary is cut at a line
        text = parts[0] + "\n…"
    return OutgoingMessage(
        key=notice.key,
        chat_id=notice.chat_id,
        text=text,
        kind=notice.kind,
        not_before=notice.due_at,
        buttons=_buttons(notice, lang),
        user_id=notice.user_id,
        team_id=notice.team_id,
        day=notice.day,
        budgeted=notice.budgeted,
        chart=_chart(notice, lang, text),
    )


def _chart(notice: Notice, lang: Lang, caption: str) -> dict[str, Any] | None:
    """The chart a notice is sent as (its text then is the photo's caption), if any."""
    if not isinstance(notice, BriefChart):
        return None
    rows = [
        (
            line.kpi.label(lang),
            float(line.actual),
            None if line.target is None else float(line.target),
            None if line.percent is None else f"{line.percent}%",
        )
        for line in notice.brief.totals
    ]
    return totals_spec(plain_text(caption).splitlines()[0], rows)
