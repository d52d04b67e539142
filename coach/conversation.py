"""The one place a free-text answer is routed to the flow the person is in."""

from __future__ import annotations

from datetime import datetime

from coach import checkins, drill_flow, onboarding, sharing_flow
from coach.days import Reflection
from coach.models import Dialog, Person
from coach.ports import UnitOfWork

Answer = (
    Dialog
    | onboarding.TeamCreated
    | checkins.PlanAsked
    | checkins.PlanSaved
    | checkins.ReviewAsked
    | checkins.ReviewSaved
    | checkins.ReflectionAsked
    | Reflection
    | drill_flow.StepAnswered
    | drill_flow.DrillFinished
    | sharing_flow.SharePosted
    | sharing_flow.ShareMissed
)


def answer(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    text: str | None,
    defaults: onboarding.TeamDefaults,
    compose: sharing_flow.Compose | None = None,
) -> Answer | None:
    """Feed ``text`` (``None`` for a Skip button) to the open flow; ``None`` when there is none.

    ``compose`` renders a share's group post (the adapter's); a share being written cannot be
    posted without it, so its dialog is then left alone.
    """
    dialog = onboarding.active_dialog(uow, person, now)
    if dialog is None:
        return None
    if dialog.kind == onboarding.NEW_TEAM:
        return onboarding.continue_new_team(uow, person, now, dialog, text, defaults)
    if dialog.kind == checkins.PLAN:
        return checkins.continue_plan(uow, person, now, dialog, text)
    if dialog.kind == checkins.REVIEW:
        return checkins.continue_review(uow, person, now, dialog, text)
    if dialog.kind == drill_flow.DRILL:
        return drill_flow.continue_drill(uow, person, now, dialog, text)
    if dialog.kind == checkins.REFLECT:
        return checkins.continue_reflection(uow, person, now, dialog, text)
    if dialog.kind == sharing_flow.SHARE:
        if compose is None:
            return None
        return sharing_flow.continue_share(uow, person, now, dialog, text, compose)
    uow.dialogs.clear(person.user_id)  # a flow this version no longer knows
    return None
