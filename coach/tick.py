"""The scheduler's tick: from the database and ``now``, what to send (and which misses to record).

:func:`decide` is called every few seconds (and by ``salescoach tick --at``). It keeps no state:
everything comes from storage, so a restart loses nothing. Per team it first works out, from
the schedule alone, which events are due (:func:`coach.rhythm.due_slots`); a team with nothing
due costs no query. For a due event it loads only what that event needs.

Events (team-local times, working days of the team calendar unless said otherwise):

* ``plan`` at the plan time: a :class:`PlanPrompt` to every rep who is not blocked, not absent,
  and has not planned yet;
* ``plan_nudge`` at plan time + ``nudge_after_minutes``: a :class:`Nudge` to such a rep who
  still has no plan, if the plan prompt went out in an earlier tick, it is not quiet hours
  (team-local time of ``now``), and the rep's budget for the day is not spent;
* ``review`` / ``review_nudge`` likewise for the review (a rep who joined after the plan time
  still gets the review prompt);
* ``deadline`` at the review deadline: :class:`~coach.days.Miss` rows for check-ins owed and
  not made, a :class:`DailySummary` to the group (or to each manager privately when there is
  no group), and an :class:`Escalation` privately to each manager for a rep whose run of
  missed reviews reaches ``escalate_after_days`` or a multiple of it;
* ``sharing`` at the sharing time, for a team with a bound group: the day's session is opened
  (one per team and day) and a :class:`SharingOpened` goes to the group; every tick also
  closes the sessions whose time is up, with a :class:`SharingDigest` to the group
  (``coach.sharing_flow``);
* ``week_end`` on ``week_end_day`` at ``week_end_time`` (working day or not): a
  :class:`WeeklySummary` to every rep not blocked who had a working day that week, and the
  :class:`CoachingBrief` (``coach.brief``) to the team's group and to each manager privately
  (only the managers' copies carry the 1:1 topics).

Rep-facing prompts and nudges are not sent at or after the day's deadline. An event is due
from its instant until ``grace`` later; after that it is stale and produces nothing.
Idempotence: each notice has a key unique forever and those already in the outbox are
dropped; misses are stored once by their repository. So a caller that stores each call's
notices in the outbox, in the same transaction, never sends anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coach.brief import build_brief
from coach.calendar import WorkCalendar
from coach.days import CheckIn, DayRecord, Miss
from coach.kpis import Kpi
from coach.models import Membership, Person, Role, Team
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
    WeeklySummary,
    brief_key,
    nudge_key,
    plan_key,
    practice_key,
    review_key,
    summary_key,
    week_key,
)
from coach.pace import day_pace, focus_kpi, team_weekly_targets
from coach.ports import UnitOfWork
from coach.repdays import (
    CARRY_OVER_LOOKBACK,
    by_user,
    carry_over,
    month_bounds,
    rep_calendar,
    team_calendar,
    team_zone,
    week_bounds,
)
from coach.rhythm import TICK_EVENTS, PromptKind, Slot, deadline_instant, due_slots, event_instant
from coach.sharing import SESSION_LENGTH
from coach.sharing_flow import close_sessions, open_session
from coach.streaks import Run, missed_run, should_escalate
from coach.team_day import missed_check_ins, owed_check_ins, rep_lines, team_totals
from coach.weekly import week_checklists

log = logging.getLogger(__name__)

MISS_WINDOW = timedelta(days=64)
"""History loaded first for a run of misses; doubled while the run reaches its start."""
MISS_WINDOW_MAX = timedelta(days=366 * 3)


def decide(
    uow: UnitOfWork, now: datetime, grace: timedelta, sharing_length: timedelta = SESSION_LENGTH
) -> list[Notice]:
    """Everything due at ``now`` across all teams, minus what the outbox already has.

    Records misses at review deadlines as a side effect (``uow.misses.add``); the caller stores
    the returned notices in the outbox and commits both together.

    Args:
        uow: an open unit of work.
        now: the instant of the tick (aware).
        grace: how long after its instant an event is still sent.
        sharing_length: how long an evening sharing session stays open.

    Returns:
        New notices, by due instant, team, kind and key.

    Raises:
        ValueError: ``now`` is naive or ``grace`` is not positive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if grace <= timedelta(0):
        raise ValueError("grace must be positive")
    notices: list[Notice] = list(close_sessions(uow, now, grace))
    for team in uow.teams.all():
        try:
            tz, cal = team_zone(team), team_calendar(team)
        except (ValueError, KeyError):
            log.exception("team %s has an unusable time zone or country; skipped", team.id)
            continue
        slots = due_slots(now, tz, team.schedule, cal.is_working_day, grace, TICK_EVENTS)
        if slots:
            tick = _TeamTick(uow, team, tz, cal, now, sharing_length)
            notices.extend(tick.decide(slots))
    return sorted(notices, key=lambda n: (n.due_at, n.team_id, n.kind, n.key))


BACKFILL_DAYS = 7
"""How far back a restart looks for deadlines that passed while the bot was down."""


def backfill_misses(uow: UnitOfWork, now: datetime, days: int = BACKFILL_DAYS) -> int:
    """Record the misses of every working day whose deadline passed in the last ``days`` days.

    A deadline the scheduler missed (the bot was down longer than the grace window) sends no
    late summary, but the day's explicit missed records must still exist: run this once when
    the bot starts. Misses already recorded stay as they are (``misses.add`` is idempotent).

    Returns:
        How many new misses were recorded.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    recorded = 0
    for team in uow.teams.all():
        try:
            tz, cal = team_zone(team), team_calendar(team)
        except (ValueError, KeyError):
            log.exception("team %s has an unusable time zone or country; skipped", team.id)
            continue
        tick = _TeamTick(uow, team, tz, cal, now)
        people = tick._known(tick._rep_ids())
        if not people:
            continue
        today = now.astimezone(tz).date()
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            deadline = deadline_instant(day, tz, team.schedule)
            if deadline > now or not cal.is_working_day(day):
                continue
            before = len(uow.misses.of_team(team.id, day, day))
            records = {r.user_id: r for r in uow.days.of_team(team.id, day, day)}
            tick._record_misses(Slot(PromptKind.DEADLINE, day, deadline), people, records)
            recorded += len(uow.misses.of_team(team.id, day, day)) - before
    return recorded


class _TeamTick:
    """One team's share of a tick; loads lazily and caches what several events share."""

    def __init__(
        self,
        uow: UnitOfWork,
        team: Team,
        tz: ZoneInfo,
        cal: WorkCalendar,
        now: datetime,
        sharing_length: timedelta = SESSION_LENGTH,
    ) -> None:
        self.uow, self.team, self.tz, self.cal, self.now = uow, team, tz, cal, now
        self.sharing_length = sharing_length
        self.schedule = team.schedule
        self.reminders = team.schedule.reminders
        self._reps: dict[int, Membership] | None = None
        self._people: dict[int, Person] = {}
        self._asked: set[int] = set()
        self._records: tuple[date, date, list[DayRecord]] | None = None
        self._nudged: dict[tuple[int, date], int] = {}

    def decide(self, slots: Iterable[Slot]) -> list[Notice]:
        """The team's new notices for ``slots``."""
        handlers: Mapping[PromptKind, Callable[[Slot], list[Notice]]] = {
            PromptKind.PLAN: self._plan,
            PromptKind.PLAN_NUDGE: lambda slot: self._nudge(slot, CheckIn.PLAN),
            PromptKind.REVIEW: self._review,
            PromptKind.REVIEW_NUDGE: lambda slot: self._nudge(slot, CheckIn.REVIEW),
            PromptKind.DEADLINE: self._deadline,
            PromptKind.WEEK_END: self._week_end,
            PromptKind.PRACTICE: self._practice,
            PromptKind.SHARING: self._sharing,
        }
        notices = [notice for slot in slots for notice in handlers[slot.kind](slot)]
        if not notices:
            return []
        existing = self.uow.outbox.existing(notice.key for notice in notices)
        fresh: dict[str, Notice] = {}
        for notice in notices:
            if notice.key not in existing:
                fresh.setdefault(notice.key, notice)
        return list(fresh.values())

    # --- events ----------------------------------------------------------------------------

    def _plan(self, slot: Slot) -> list[Notice]:
        if self._closed(slot.day):
            return []
        todo = self._reps_without(lambda uid: plan_key(uid, slot.day))
        people = self._reachable(todo)
        if not people:
            return []
        first, last = self._plan_range(slot.day)
        mine = by_user(self._load(first, last))
        targets_of = self._targets(people)
        prompts: list[Notice] = []
        for uid, person in people.items():
            records = mine.get(uid, [])
            today = _on(records, slot.day)
            if today is not None and (today.has_plan or today.absence is not None):
                continue
            targets = targets_of[uid]
            prompts.append(
                PlanPrompt(
                    person=person,
                    team=self.team,
                    day=slot.day,
                    due_at=slot.due_at,
                    pace=day_pace(targets, records, rep_calendar(self.cal, records), slot.day),
                    focus=focus_kpi(slot.day),
                    carry_over=carry_over(records, slot.day),
                    reminders=self.reminders,
                )
            )
        return prompts

    def _review(self, slot: Slot) -> list[Notice]:
        if self._closed(slot.day):
            return []
        todo = self._reps_without(lambda uid: review_key(uid, slot.day))
        people = self._reachable(todo)
        if not people:
            return []
        records = self._day_records(slot.day)
        prompts: list[Notice] = []
        for uid, person in people.items():
            record = records.get(uid)
            if record is not None and (record.has_review or record.absence is not None):
                continue
            prompts.append(ReviewPrompt(person, self.team, slot.day, slot.due_at, record))
        return prompts

    def _nudge(self, slot: Slot, check_in: CheckIn) -> list[Notice]:
        local_now = self.now.astimezone(self.tz).time()
        if self._closed(slot.day) or self.reminders.is_quiet(local_now):
            return []
        prompt = plan_key if check_in is CheckIn.PLAN else review_key
        reps = self._rep_ids()
        existing = self.uow.outbox.existing(
            [prompt(uid, slot.day) for uid in reps]
            + [nudge_key(check_in, uid, slot.day) for uid in reps]
        )
        todo = [
            uid
            for uid in reps
            if prompt(uid, slot.day) in existing
            and nudge_key(check_in, uid, slot.day) not in existing
        ]
        people = self._reachable(todo)
        if not people:
            return []
        records = self._day_records(slot.day)
        waiting = [uid for uid in people if not _done(records.get(uid), check_in)]
        if not waiting:
            return []
        spent = self.uow.outbox.budget_spent(waiting, slot.day)
        nudges: list[Notice] = []
        for uid in waiting:
            used = spent.get(uid, 0) + self._nudged.get((uid, slot.day), 0)
            if used >= self.reminders.daily_cap:
                continue
            self._nudged[(uid, slot.day)] = self._nudged.get((uid, slot.day), 0) + 1
            left = self.reminders.daily_cap - used - 1
            nudges.append(
                Nudge(people[uid], self.team, slot.day, slot.due_at, check_in, left, self.reminders)
            )
        return nudges

    def _deadline(self, slot: Slot) -> list[Notice]:
        day = slot.day
        managers = self._managers()
        recipients = self._summary_recipients(managers)
        keys = [summary_key(self.team.id, day, chat) for chat, _ in recipients]
        if keys and self.uow.outbox.existing(keys) == set(keys):
            return []  # decided (and its misses stored) in an earlier tick
        reps = self._rep_ids()
        people = self._known(reps)
        first, last = self._plan_range(day)
        all_records = self._load(first, last)
        records = {r.user_id: r for r in all_records if r.day == day}
        missed = self._record_misses(slot, people, records)
        targets = self._targets(people)
        lines = rep_lines(people, records, missed)
        totals = team_totals(day, all_records, targets, self.cal)
        notices: list[Notice] = [
            DailySummary(self.team, day, slot.due_at, chat, person, lines, totals)
            for chat, person in recipients
        ]
        notices.extend(self._escalations(slot, missed, people, managers))
        return notices

    def _week_end(self, slot: Slot) -> list[Notice]:
        week_start, _ = week_bounds(slot.day)
        todo = self._reps_without(lambda uid: week_key(uid, week_start))
        summaries: list[Notice] = []
        people = self._reachable(todo)
        checklists = week_checklists(self.uow, self.team, people, week_start, slot.day)
        for uid, person in people.items():
            checklist = checklists[uid]
            if checklist.working_days:
                summaries.append(WeeklySummary(person, self.team, slot.day, slot.due_at, checklist))
        return summaries + self._briefs(slot, week_start)

    def _briefs(self, slot: Slot, week_start: date) -> list[Notice]:
        """The coaching brief: to the group (if bound) and to every manager privately."""
        recipients: list[tuple[int, Person | None]] = [
            (uid, person) for uid, person in self._managers().items() if not person.blocked
        ]
        if self.team.group_chat_id is not None:
            recipients.insert(0, (self.team.group_chat_id, None))
        keys = {brief_key(self.team.id, week_start, chat) for chat, _ in recipients}
        if not self._rep_ids() or not keys or self.uow.outbox.existing(keys) == keys:
            return []
        brief = build_brief(self.uow, self.team, slot.day)
        notices: list[Notice] = []
        for chat, person in recipients:
            notices.append(CoachingBrief(self.team, slot.day, slot.due_at, chat, person, brief))
            if brief.totals:
                notices.append(BriefChart(self.team, slot.day, slot.due_at, chat, person, brief))
        return notices

    def _practice(self, slot: Slot) -> list[Notice]:
        """The practice push, for reps with quiz reviews due today or no drill this week; it
        takes one push of the budget and only when one is left after it for the review nudge."""
        local_now = self.now.astimezone(self.tz).time()
        if self._closed(slot.day) or self.reminders.is_quiet(local_now):
            return []
        todo = self._reps_without(lambda uid: practice_key(uid, slot.day))
        people = self._reachable(todo)
        records = self._day_records(slot.day) if people else {}
        present = [uid for uid in people if _absence(records.get(uid)) is None]
        if not present:
            return []
        spent = self.uow.outbox.budget_spent(present, slot.day)
        end_of_day = datetime.combine(slot.day + timedelta(days=1), time(0), self.tz)
        monday, _ = week_bounds(slot.day)
        week_start = datetime.combine(monday, time(0), self.tz)
        due = self.uow.practice.due_cards(present, end_of_day)
        drilled = self.uow.practice.drill_counts(present, week_start)
        pushes: list[Notice] = []
        for uid in present:
            left = self.reminders.daily_cap - spent.get(uid, 0) - 1
            if left < 1:
                continue
            if due.get(uid, 0) == 0 and drilled.get(uid, 0) > 0:
                continue
            pushes.append(
                PracticePrompt(
                    people[uid],
                    self.team,
                    slot.day,
                    slot.due_at,
                    due.get(uid, 0),
                    drilled.get(uid, 0),
                    left,
                    self.reminders,
                )
            )
        return pushes

    def _sharing(self, slot: Slot) -> list[Notice]:
        """Open the evening sharing in the team's group (once per team and day)."""
        opened = open_session(
            self.uow, self.team, slot.day, slot.due_at, self.now, self.sharing_length
        )
        return [opened] if opened is not None else []

    # --- the deadline's parts ------------------------------------------------------------------

    def _record_misses(
        self, slot: Slot, people: Mapping[int, Person], records: Mapping[int, DayRecord]
    ) -> dict[int, tuple[CheckIn, ...]]:
        """Store a miss for each check-in owed and not made; return them per rep."""
        plan_at = event_instant(PromptKind.PLAN, slot.day, self.tz, self.schedule)
        review_at = event_instant(PromptKind.REVIEW, slot.day, self.tz, self.schedule)
        reps = self._reps_map()
        missed: dict[int, tuple[CheckIn, ...]] = {}
        for uid in people:
            record = records.get(uid)
            owed = owed_check_ins(reps[uid], record, plan_at, review_at)
            kinds = missed_check_ins(owed, record)
            for kind in kinds:
                self.uow.misses.add(Miss(uid, self.team.id, slot.day, kind, self.now))
            if kinds:
                missed[uid] = kinds
        return missed

    def _escalations(
        self,
        slot: Slot,
        missed: Mapping[int, tuple[CheckIn, ...]],
        people: Mapping[int, Person],
        managers: Mapping[int, Person],
    ) -> list[Notice]:
        """An escalation to each reachable manager per rep whose missed-review run calls for it."""
        every = self.reminders.escalate_after_days
        reachable = [manager for manager in managers.values() if not manager.blocked]
        reps = [uid for uid, kinds in missed.items() if CheckIn.REVIEW in kinds]
        if every <= 0 or not reachable or not reps:
            return []
        notices: list[Notice] = []
        for uid, run in self._missed_runs(reps, slot.day).items():
            if should_escalate(run, every) and run.since is not None:
                notices.extend(
                    Escalation(
                        m, self.team, people[uid], slot.day, slot.due_at, run.length, run.since
                    )
                    for m in reachable
                )
        return notices

    def _missed_runs(self, user_ids: Iterable[int], day: date) -> dict[int, Run]:
        """Each rep's run of missed reviews ending at ``day`` (which they all missed).

        The team's misses and records of :data:`MISS_WINDOW` are loaded once; a rep whose run
        reaches back to the window's start is looked up again, alone, further back.
        """
        start = day - MISS_WINDOW
        misses: dict[int, list[Miss]] = {}
        for miss in self.uow.misses.of_team(self.team.id, start, day):
            misses.setdefault(miss.user_id, []).append(miss)
        records = by_user(self._load(start, day))
        runs: dict[int, Run] = {}
        for uid in user_ids:
            run = self._run(uid, day, start, misses.get(uid, []), records.get(uid, []))
            runs[uid] = run if run is not None else self._missed_run(uid, day, MISS_WINDOW * 2)
        return runs

    def _run(
        self, user_id: int, day: date, start: date, misses: list[Miss], records: list[DayRecord]
    ) -> Run | None:
        """The run in history loaded from ``start``, or ``None`` if it may reach further back.

        Today's miss counts even if storage does not show it yet.
        """
        today = Miss(user_id, self.team.id, day, CheckIn.REVIEW, self.now)
        cal = rep_calendar(self.cal, records)
        run = missed_run([*misses, today], cal, day)
        if run.since is not None and cal.add_working_days(run.since, -1) < start:
            return None
        return run

    def _missed_run(self, user_id: int, day: date, window: timedelta) -> Run:
        """One rep's run of missed reviews, loading history until the run fits in it."""
        while True:
            start = day - window
            misses = self.uow.misses.of_user(user_id, start, day)
            records = self.uow.days.of_user(user_id, start, day)
            run = self._run(user_id, day, start, misses, records)
            if run is not None:
                return run
            if window >= MISS_WINDOW_MAX:  # give up on exactness: report what is known
                today = Miss(user_id, self.team.id, day, CheckIn.REVIEW, self.now)
                return missed_run([*misses, today], rep_calendar(self.cal, records), day)
            window *= 2

    def _summary_recipients(
        self, managers: Mapping[int, Person]
    ) -> list[tuple[int, Person | None]]:
        """The group, or else every manager who has not blocked the bot."""
        if self.team.group_chat_id is not None:
            return [(self.team.group_chat_id, None)]
        return [(uid, person) for uid, person in managers.items() if not person.blocked]

    # --- loading -------------------------------------------------------------------------------

    def _reps_map(self) -> dict[int, Membership]:
        if self._reps is None:
            members = self.uow.members.of_team(self.team.id, Role.REP)
            self._reps = {
                m.user_id: m
                for m in sorted(members, key=lambda m: m.user_id)
                if m.joined_at <= self.now  # a tick run for a past instant (tick --at)
            }
        return self._reps

    def _rep_ids(self) -> list[int]:
        return list(self._reps_map())

    def _reps_without(self, key: Callable[[int], str]) -> list[int]:
        """The reps whose notice ``key(user_id)`` is not in the outbox yet."""
        reps = self._rep_ids()
        if not reps:
            return []
        existing = self.uow.outbox.existing(key(uid) for uid in reps)
        return [uid for uid in reps if key(uid) not in existing]

    def _known(self, user_ids: Iterable[int]) -> dict[int, Person]:
        """The people among ``user_ids`` storage knows, in the order given."""
        ids = list(user_ids)
        missing = [uid for uid in ids if uid not in self._asked]
        if missing:
            self._people.update(self.uow.people.many(missing))
            self._asked.update(missing)
        return {uid: self._people[uid] for uid in ids if uid in self._people}

    def _reachable(self, user_ids: Iterable[int]) -> dict[int, Person]:
        """The known people among ``user_ids`` who have not blocked the bot."""
        return {uid: p for uid, p in self._known(user_ids).items() if not p.blocked}

    def _managers(self) -> dict[int, Person]:
        members = self.uow.members.of_team(self.team.id, Role.MANAGER)
        return self._known(sorted(m.user_id for m in members))

    def _targets(self, user_ids: Iterable[int]) -> dict[int, dict[Kpi, Decimal]]:
        """The reps' weekly targets (defaults, the team's, their own), one query a team."""
        return team_weekly_targets(self.uow, self.team.id, user_ids)

    def _load(self, first: date, last: date) -> list[DayRecord]:
        """The team's records from ``first`` to ``last``, from one query per tick if possible."""
        lo, hi = first, last
        if self._records is not None:
            lo, hi = min(first, self._records[0]), max(last, self._records[1])
        if self._records is None or (lo, hi) != self._records[:2]:
            self._records = (lo, hi, self.uow.days.of_team(self.team.id, lo, hi))
        return [record for record in self._records[2] if first <= record.day <= last]

    def _day_records(self, day: date) -> dict[int, DayRecord]:
        return {record.user_id: record for record in self._load(day, day)}

    def _plan_range(self, day: date) -> tuple[date, date]:
        """Days whose records pace, roll-over and the daily summary need for ``day``."""
        month_first, month_last = month_bounds(day)
        monday, sunday = week_bounds(day)
        return min(month_first, monday, day - CARRY_OVER_LOOKBACK), max(month_last, sunday)

    def _closed(self, day: date) -> bool:
        """Whether ``day`` is past its deadline (no more prompts or nudges for it)."""
        return self.now >= deadline_instant(day, self.tz, self.schedule)


def _absence(record: DayRecord | None) -> object | None:
    return record.absence if record is not None else None


def _on(records: Iterable[DayRecord], day: date) -> DayRecord | None:
    return next((record for record in records if record.day == day), None)


def _done(record: DayRecord | None, check_in: CheckIn) -> bool:
    """Whether a nudge about ``check_in`` is pointless: done already, or away that day."""
    if record is None:
        return False
    if record.absence is not None:
        return True
    return record.has_plan if check_in is CheckIn.PLAN else record.has_review
