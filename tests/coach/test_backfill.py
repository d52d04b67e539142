"""Misses of deadlines that passed while the bot was down are recorded at start."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coach import onboarding
from coach.models import Contact, Lang, Schedule
from coach.tick import backfill_misses
from tests.fakes import FakeUnitOfWork

FRIDAY_NOON = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_only_passed_working_day_deadlines_are_filled_once():
    uow = FakeUnitOfWork()
    with uow:
        manager = onboarding.meet(uow, Contact(1, "m"), FRIDAY_NOON, Lang.ZH)
        rep = onboarding.meet(uow, Contact(2, "r"), FRIDAY_NOON, Lang.ZH)
        defaults = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), None)
        created = onboarding.new_team_command(uow, manager, FRIDAY_NOON, "A", defaults)
        onboarding.join(uow, rep, FRIDAY_NOON, created.invite.token)
        uow.commit()
    tuesday_morning = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    with uow:
        # Friday (joined after the plan time: only the review was owed) and Monday; the
        # weekend and Tuesday (deadline still ahead) are not missed days.
        assert backfill_misses(uow, tuesday_morning) == 3
        days = sorted(
            {
                (m.day, m.kind.value)
                for m in uow.misses.of_user(2, date(2026, 11, 1), date(2026, 12, 1))
            }
        )
        assert days == [
            (date(2026, 11, 20), "review"),
            (date(2026, 11, 23), "plan"),
            (date(2026, 11, 23), "review"),
        ]
        assert backfill_misses(uow, tuesday_morning) == 0


def test_a_naive_instant_is_refused():
    with FakeUnitOfWork() as uow, pytest.raises(ValueError):
        backfill_misses(uow, datetime(2026, 11, 24, 1, 0))  # noqa: DTZ001
