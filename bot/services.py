"""What handlers and jobs reach: settings, database, clock, and the way to run a use case.

Every update is handled once: the update being processed is known here (``CURRENT_UPDATE``, set
by ``bot.intake.IntakeApplication``), and the first transaction of that update records its id
in the update log (``uow.updates.mark``) together with its effects. If the id was recorded
before, the update was handled already (Telegram redelivered it): ``AlreadyHandled`` stops it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Concatenate, ParamSpec, TypeVar

from telegram.ext import ApplicationHandlerStop

from bot.settings import Settings
from coach import onboarding
from coach.errors import CoachError
from coach.models import Contact, Lang, Person, Reminders, Schedule
from coach.ports import Clock, UnitOfWork
from storage.uow import Database

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Handling:
    """One processing of one update, and what became of it.

    ``marked``: a transaction of this processing committed the update id (its effects are
    stored, so a redelivery must be dropped). ``duplicate``: the id was found already recorded,
    and processing stopped. ``error``: the first exception a handler raised (set by the
    application's error path). ``active`` turns false once processing has ended, so work
    started by it later (a job, a task) never records the id.
    """

    update_id: int
    active: bool = True
    marked: bool = False
    duplicate: bool = False
    error: Exception | None = None


CURRENT_UPDATE: ContextVar[Handling | None] = ContextVar("salescoach_update", default=None)


class AlreadyHandled(ApplicationHandlerStop):
    """The update was handled before: stop it quietly (no further handler, no error reply)."""

    def __init__(self, update_id: int) -> None:
        super().__init__()
        self.update_id = update_id


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class Refusal(Exception):
    """A use case refused; carries who asked, so the answer can be in their language."""

    def __init__(self, person: Person, error: CoachError) -> None:
        super().__init__(error.code)
        self.person = person
        self.error = error


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    clock: Clock
    executor: Executor | None = None
    """The threads transactions run on; ``None``: the event loop's default pool. ``salescoach
    run`` gives it ``database.threads`` of its own (``bot.runner``)."""

    @property
    def default_language(self) -> Lang:
        return Lang(self.settings.team_defaults.language)

    @property
    def team_defaults(self) -> onboarding.TeamDefaults:
        cfg = self.settings.team_defaults
        return onboarding.TeamDefaults(
            timezone=cfg.timezone,
            schedule=Schedule(
                plan_time=cfg.plan_time,
                review_time=cfg.review_time,
                sharing_time=cfg.sharing_time,
                workdays=frozenset(cfg.workdays),
                review_deadline=cfg.review_deadline,
                week_end_day=cfg.week_end_day,
                week_end_time=cfg.week_end_time,
                country=cfg.country or None,
                reminders=Reminders(
                    daily_cap=cfg.nudge_daily_cap,
                    nudge_after_minutes=cfg.nudge_after_minutes,
                    quiet_start=cfg.quiet_start,
                    quiet_end=cfg.quiet_end,
                    escalate_after_days=cfg.escalate_after_days,
                ),
            ),
            invite_ttl_days=self.settings.invites.ttl_days or None,  # 0 means "never expires"
        )

    async def as_person(
        self,
        contact: Contact,
        use_case: Callable[Concatenate[UnitOfWork, Person, datetime, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> tuple[Person, R]:
        """Run ``use_case(uow, person, now, …)`` in one transaction, off the event loop.

        The person is met (recorded or refreshed) in the same transaction. A refusal rolls
        everything back and is raised as ``Refusal``.
        """
        return await self._in_thread(self._as_person, contact, use_case, args, kwargs)

    async def run(
        self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run ``use_case(uow, …)`` in one transaction, off the event loop; commit on success."""
        return await self._in_thread(self._run, use_case, args, kwargs)

    async def seen(self, update_id: int) -> bool:
        """Whether a committed transaction already recorded this update (nothing is written)."""
        return await self._in_thread(self._seen, update_id)

    async def prune_update_log(self, keep: timedelta) -> int:
        """Forget update ids recorded more than ``keep`` ago; return how many."""
        cutoff = self.clock.now() - keep
        return await self.run(lambda uow: uow.updates.prune(cutoff))

    async def _in_thread(self, function: Callable[..., R], *args: object) -> R:
        """``function(*args)`` on the executor, in a copy of this context (as ``to_thread``)."""
        context = contextvars.copy_context()
        call = functools.partial(context.run, function, *args)
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    def _as_person(self, contact, use_case, args, kwargs):  # type: ignore[no-untyped-def]
        with self.database.unit_of_work() as uow:
            now = self.clock.now()
            handling = _claim_update(uow, now)
            uow.load_person(contact.user_id)
            person = onboarding.meet(uow, contact, now, self.default_language)
            try:
                result = use_case(uow, person, now, *args, **kwargs)
            except CoachError as error:
                if handling is not None:
                    # The refusal is this update's answer: record the id alone, so a
                    # redelivery is not refused (and answered) a second time.
                    uow.rollback()
                    if not uow.updates.mark(handling.update_id, now):
                        raise _duplicate(handling) from None
                    uow.commit()
                    handling.marked = True
                raise Refusal(person, error) from None
            uow.commit()
            if handling is not None:
                handling.marked = True
            return person, result

    def _run(self, use_case, args, kwargs):  # type: ignore[no-untyped-def]
        with self.database.unit_of_work() as uow:
            handling = _claim_update(uow, self.clock.now())
            result = use_case(uow, *args, **kwargs)
            uow.commit()
            if handling is not None:
                handling.marked = True
            return result

    def _seen(self, update_id: int) -> bool:
        return self.database.update_recorded(update_id, self.clock.now())


def _claim_update(uow: UnitOfWork, now: datetime) -> Handling | None:
    """Record the current update in this transaction if none of its transactions did yet.

    Returns the handling to flag as ``marked`` once the transaction commits, or ``None`` when
    there is nothing to record (no update, or an earlier transaction of it committed).
    Raises ``AlreadyHandled`` when the update was recorded before.
    """
    handling = CURRENT_UPDATE.get()
    if handling is None or not handling.active or handling.marked:
        return None
    if not uow.updates.mark(handling.update_id, now):
        raise _duplicate(handling)
    return handling


def _duplicate(handling: Handling) -> AlreadyHandled:
    handling.duplicate = True
    log.info("update %s was handled before; dropped", handling.update_id)
    return AlreadyHandled(handling.update_id)
