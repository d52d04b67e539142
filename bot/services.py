"""What handlers and jobs reach: settings, database, clock, and the way to run a use case."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, TypeVar

from bot.settings import Settings
from coach import onboarding
from coach.errors import CoachError
from coach.models import Contact, Lang, Person, Reminders, Schedule
from coach.ports import Clock, UnitOfWork
from storage.uow import Database

P = ParamSpec("P")
R = TypeVar("R")


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
        return await asyncio.to_thread(self._as_person, contact, use_case, args, kwargs)

    async def run(
        self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run ``use_case(uow, …)`` in one transaction, off the event loop; commit on success."""
        return await asyncio.to_thread(self._run, use_case, args, kwargs)

    def _as_person(self, contact, use_case, args, kwargs):  # type: ignore[no-untyped-def]
        with self.database.unit_of_work() as uow:
            now = self.clock.now()
            person = onboarding.meet(uow, contact, now, self.default_language)
            try:
                result = use_case(uow, person, now, *args, **kwargs)
            except CoachError as error:
                raise Refusal(person, error) from None
            uow.commit()
            return person, result

    def _run(self, use_case, args, kwargs):  # type: ignore[no-untyped-def]
        with self.database.unit_of_work() as uow:
            result = use_case(uow, *args, **kwargs)
            uow.commit()
            return result
