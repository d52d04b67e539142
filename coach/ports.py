"""What the domain needs from the outside world, as Protocols.

``storage`` implements these with SQLAlchemy; ``tests/fakes.py`` implements them in memory.
Repositories never commit: the unit of work, owned by the adapter, does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from coach.content import (
    Category,
    Objection,
    Pack,
    Question,
    StoredObjection,
    StoredQuestion,
)
from coach.days import DayRecord, Miss, Reflection
from coach.kpis import Kpi
from coach.models import (
    Dialog,
    Invite,
    Membership,
    NewTeam,
    Person,
    Role,
    Schedule,
    Team,
)
from coach.outbox import Delivery, OutgoingMessage, QueuedMessage
from coach.practice import (
    Battle,
    DrillRecord,
    FieldObjection,
    FieldStatus,
    QuizAnswer,
    QuizPoll,
)
from coach.quiz import Card
from coach.sharing_records import Share, SharingSession, Teamwork
from coach.team_settings import TeamSettings


class Clock(Protocol):
    """Tells the time; always aware."""

    def now(self) -> datetime: ...


class PeopleRepository(Protocol):
    def get(self, user_id: int) -> Person | None: ...

    def save(self, person: Person, now: datetime) -> None: ...

    def many(self, user_ids: Iterable[int]) -> dict[int, Person]:
        """The known people among ``user_ids``."""
        ...

    def set_blocked(self, user_id: int, blocked: bool, now: datetime) -> None:
        """Record that the person blocked (or unblocked) the bot; unknown ids are ignored."""
        ...


class TeamRepository(Protocol):
    def add(self, team: NewTeam, now: datetime) -> Team: ...

    def get(self, team_id: int) -> Team | None: ...

    def by_group(self, chat_id: int) -> Team | None: ...

    def set_group(self, team_id: int, chat_id: int | None, title: str | None) -> None: ...

    def all(self) -> list[Team]:
        """Every team, by id."""
        ...

    def update_schedule(self, team_id: int, schedule: Schedule, timezone: str) -> None:
        """Replace the team's schedule (reminders included) and time zone."""
        ...


class MemberRepository(Protocol):
    def get(self, user_id: int) -> Membership | None: ...

    def add(self, membership: Membership) -> None: ...

    def remove(self, user_id: int) -> None: ...

    def of_team(self, team_id: int, role: Role | None = None) -> list[Membership]: ...


class InviteRepository(Protocol):
    def add(
        self,
        team_id: int,
        role: Role,
        token_hash: str,
        created_by: int,
        now: datetime,
        expires_at: datetime | None,
    ) -> Invite: ...

    def by_token_hash(self, token_hash: str) -> Invite | None: ...

    def revoke_active(self, team_id: int, role: Role, now: datetime) -> int: ...


class DialogRepository(Protocol):
    def get(self, user_id: int) -> Dialog | None: ...

    def save(self, dialog: Dialog) -> None: ...

    def clear(self, user_id: int) -> bool: ...


class DayRepository(Protocol):
    """Reps' days: plan, review, absence. ``save`` replaces the whole record for its day."""

    def get(self, user_id: int, day: date) -> DayRecord | None: ...

    def save(self, record: DayRecord) -> None: ...

    def of_user(self, user_id: int, start: date, end: date) -> list[DayRecord]:
        """The rep's records with ``start <= day <= end``, oldest first."""
        ...

    def of_team(self, team_id: int, start: date, end: date) -> list[DayRecord]:
        """Every record of the team's days in the range, by day then user id."""
        ...

    def marks(self, user_ids: Iterable[int], start: date, end: date) -> dict[int, list[DayRecord]]:
        """Per person, their records in the range **without** tasks, figures or texts (when
        they planned and reviewed, and absences): enough for streaks and calendars, and much
        cheaper to load than whole records. Oldest first; people with none left out."""
        ...


class MissRepository(Protocol):
    def add(self, miss: Miss) -> bool:
        """Record a miss; ``False`` if that (user, day, kind) was already recorded."""
        ...

    def of_team(self, team_id: int, start: date, end: date) -> list[Miss]: ...

    def of_user(self, user_id: int, start: date, end: date) -> list[Miss]: ...


class TargetRepository(Protocol):
    """Weekly targets per KPI: a team's own (``user_id=None``) and per-rep overrides."""

    def weekly(self, team_id: int, user_id: int | None = None) -> dict[Kpi, Decimal]:
        """The targets set at exactly this level (empty when none were set)."""
        ...

    def levels(self, team_id: int) -> dict[int | None, dict[Kpi, Decimal]]:
        """Every level of the team that has targets set: ``None`` for the team's own, a user id
        for a rep's; one query for a whole team."""
        ...

    def set_weekly(
        self, team_id: int, user_id: int | None, targets: Mapping[Kpi, Decimal | None]
    ) -> None:
        """Set (or, with ``None``, remove) targets at this level; others are left alone."""
        ...


class ReflectionRepository(Protocol):
    def get(self, user_id: int, week_start: date) -> Reflection | None: ...

    def save(self, reflection: Reflection) -> None:
        """Insert or replace the rep's answers for that week."""
        ...


class OutboxRepository(Protocol):
    """The durable outbox (see ``coach.outbox``)."""

    def add(self, messages: Iterable[OutgoingMessage], now: datetime) -> int:
        """Store the messages whose key is new; return how many were stored."""
        ...

    def has(self, key: str) -> bool: ...

    def existing(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already in the outbox."""
        ...

    def budget_spent(self, user_ids: Iterable[int], day: date) -> dict[int, int]:
        """How many budgeted messages each rep has for ``day`` (any state); absent means 0."""
        ...

    def claim(self, now: datetime, limit: int) -> list[QueuedMessage]:
        """Up to ``limit`` pending messages due by ``now``, oldest first.

        On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED`` until the
        transaction ends, so several senders never take the same message.
        """
        ...

    def close_blocked(self, now: datetime) -> int:
        """Make the due pending messages to people who blocked the bot ``BLOCKED``, unsent;
        return how many."""
        ...

    def start_sending(self, message_ids: Iterable[int], now: datetime) -> None:
        """Mark these pending messages ``SENDING``: about to be handed to Telegram.

        Committed before the first byte goes out, so that after a crash the sender knows which
        messages may have arrived (``settle_interrupted``) instead of sending them again.
        """
        ...

    def requeue_unwritten(self, message_ids: Collection[int]) -> int:
        """Make these ``SENDING`` messages pending again; return how many.

        Called when a sender starts, for the messages the previous process marked but, by its
        journal, never began to write: they cannot have arrived.
        """
        ...

    def settle_interrupted(self, now: datetime) -> int:
        """Make every ``SENDING`` message ``UNKNOWN`` (final); return how many.

        Called when a sender starts: one left ``SENDING`` was under way when the previous
        process stopped, and it may or may not have reached the chat.
        """
        ...

    def mark_sent(
        self, message_id: int, now: datetime, telegram_message_id: int | None
    ) -> None: ...

    def mark_sent_many(self, sent: Iterable[tuple[int, datetime, int | None]]) -> None:
        """``mark_sent`` for many ``(message_id, now, telegram_message_id)`` in one statement."""
        ...

    def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        """Count a failed attempt and make the message pending again until ``not_before``."""
        ...

    def give_up(self, message_id: int, state: Delivery, now: datetime, error: str) -> None:
        """Set a final state (``BLOCKED`` or ``FAILED``)."""
        ...

    def block_chat(self, chat_id: int, now: datetime) -> int:
        """Mark every pending message to ``chat_id`` ``BLOCKED``; return how many."""
        ...

    def counts(self) -> dict[Delivery, int]:
        """How many messages are in each state."""
        ...


class UpdateLog(Protocol):
    """Telegram update ids already handled, so a redelivered update is handled once."""

    def mark(self, update_id: int, now: datetime) -> bool:
        """Record the id; ``False`` if it was recorded before (by a committed transaction)."""
        ...

    def prune(self, before: datetime) -> int:
        """Forget ids recorded before ``before``; return how many."""
        ...


class ContentRepository(Protocol):
    """Imported content packs and their items, per scope (a team id, or 0: built in)."""

    def pack_version(self, scope: int, pack_id: str, language: str) -> int | None:
        """The version imported last, or ``None``."""
        ...

    def item_fingerprints(
        self, scope: int, pack_id: str, language: str
    ) -> dict[tuple[str, str], tuple[str, bool]]:
        """``(kind, item id)`` → ``(fingerprint, retired)`` of every item ever imported."""
        ...

    def save_pack(self, scope: int, pack: Pack, now: datetime, by: int | None) -> None:
        """Record ``pack``'s version and title (items are saved with ``save_items``)."""
        ...

    def save_items(
        self, scope: int, pack: Pack, items: Sequence[Objection | Question], now: datetime
    ) -> None:
        """Insert these items, or replace the content of those already stored (same row)."""
        ...

    def retire(
        self, scope: int, pack_id: str, language: str, keys: Iterable[tuple[str, str]]
    ) -> None:
        """Mark these ``(kind, item id)`` retired: no longer offered, history kept."""
        ...

    def objections(self, scopes: Sequence[int], language: str) -> list[StoredObjection]:
        """The live objections of these scopes, in the order they were imported."""
        ...

    def questions(self, scopes: Sequence[int], language: str) -> list[StoredQuestion]:
        """The live questions of these scopes, in the order they were imported."""
        ...


class PracticeRepository(Protocol):
    """Drills, quiz cards, quiz polls and answers, battles and field objections."""

    def add_drill(self, record: DrillRecord) -> None: ...

    def drills(self, user_id: int, limit: int) -> list[DrillRecord]:
        """The person's latest finished drills, newest first."""
        ...

    def team_drills(self, team_id: int, since: datetime) -> list[DrillRecord]:
        """The team's drills finished at or after ``since``, oldest first."""
        ...

    def due_cards(self, user_ids: Iterable[int], by: datetime) -> dict[int, int]:
        """Per person, how many of their cards are due by ``by`` (people with none left out)."""
        ...

    def drill_counts(self, user_ids: Iterable[int], since: datetime) -> dict[int, int]:
        """Per person, drills finished since ``since`` (people with none left out)."""
        ...

    def cards(self, user_id: int) -> dict[int, Card]:
        """The person's spaced-repetition cards by question key."""
        ...

    def save_card(self, user_id: int, card: Card) -> None: ...

    def add_poll(self, poll: QuizPoll) -> None: ...

    def poll(self, poll_id: str) -> QuizPoll | None: ...

    def battle_polls(self, battle_id: int) -> list[QuizPoll]: ...

    def add_answer(self, answer: QuizAnswer) -> bool:
        """Store a first answer; ``False`` (nothing stored) when that person answered already."""
        ...

    def answers(self, team_id: int, since: datetime) -> list[QuizAnswer]: ...

    def battle_answers(self, battle_id: int) -> list[QuizAnswer]: ...

    def quiz_answers(self, user_id: int, since: datetime, limit: int) -> list[QuizAnswer]:
        """The person's latest private-quiz answers (no battles) since ``since``, newest first."""
        ...

    def answered(self, user_id: int, since: datetime) -> int: ...

    def add_battle(self, battle: Battle) -> Battle | None:
        """Store a battle and return it with its id; ``None`` if the team has one that week."""
        ...

    def battle(self, battle_id: int) -> Battle | None: ...

    def battle_of_week(self, team_id: int, week: date) -> Battle | None: ...

    def due_battles(self, now: datetime) -> list[Battle]:
        """Running battles whose next step is due by ``now``."""
        ...

    def save_battle(self, battle: Battle) -> None: ...

    def replace_field(self, item: FieldObjection) -> FieldObjection:
        """Store a rep's objection of the day, replacing the day's earlier one if unhandled."""
        ...

    def add_field(self, item: FieldObjection) -> FieldObjection: ...

    def field_counts(self, team_id: int, since: date) -> dict[Category, int]:
        """Matched field objections per category since ``since``."""
        ...

    def field_items(
        self, team_id: int, statuses: Iterable[FieldStatus], limit: int = 50
    ) -> list[FieldObjection]:
        """The team's field objections in these states, newest first."""
        ...

    def field_item(self, item_id: int) -> FieldObjection | None: ...

    def set_field(self, item_id: int, status: FieldStatus, objection_key: int | None) -> None: ...


class TeamSettingsRepository(Protocol):
    """A team's score weights, relay focus, sharing themes and monthly revenue target."""

    def get(self, team_id: int) -> TeamSettings:
        """The team's settings; ``coach.team_settings.DEFAULT_SETTINGS`` if never saved."""
        ...

    def save(self, team_id: int, settings: TeamSettings) -> None:
        """Insert or replace the team's settings."""
        ...


class SharingRepository(Protocol):
    """Evening sharing sessions, shares and kudos (``coach.sharing_records``)."""

    def teamwork(self, team_id: int, start: date, end: date) -> dict[int, Teamwork]:
        """Per rep, named shares of sessions with ``start <= day <= end``, the kudos those
        shares received and the kudos the rep gave in those sessions (reps with none left out).
        """
        ...

    def open(self, session: SharingSession) -> SharingSession | None:
        """Store a new session and return it with its id; ``None`` (nothing stored) when the
        team already has a session that day."""
        ...

    def session(self, session_id: int) -> SharingSession | None: ...

    def session_on(self, team_id: int, day: date) -> SharingSession | None:
        """The team's session of team-local ``day``, if there was one."""
        ...

    def latest(self, team_id: int) -> SharingSession | None:
        """The team's most recent session (the latest day), open or closed."""
        ...

    def due_to_close(self, now: datetime) -> list[SharingSession]:
        """Open sessions (of any team) whose ``closes_at`` is at or before ``now``, oldest first."""
        ...

    def close(self, session_id: int) -> None: ...

    def add_share(self, share: Share) -> Share:
        """Store a share; return it with its id."""
        ...

    def share(self, share_id: int) -> Share | None: ...

    def shares_of(self, session_id: int) -> list[Share]:
        """A session's shares in the order they were made."""
        ...

    def shares_between(self, team_id: int, start: date, end: date) -> list[Share]:
        """The team's shares of sessions with ``start <= day <= end``, in the order made."""
        ...

    def add_kudos(self, share: Share, user_id: int, now: datetime) -> bool:
        """Record ``user_id``'s kudos for ``share``; ``False`` (nothing stored) if given before."""
        ...

    def has_kudos(self, share_id: int, user_id: int) -> bool: ...

    def kudos_counts(self, share_ids: Iterable[int]) -> dict[int, int]:
        """Kudos per share among ``share_ids`` (shares without any left out)."""
        ...

    def keep(self, share_id: int, by: int, now: datetime) -> None:
        """Mark a share kept (the week's best lesson) by manager ``by``."""
        ...

    def unkeep(self, share_id: int) -> None: ...

    def kept(self, team_id: int, limit: int) -> list[Share]:
        """The team's kept shares, most recently kept first."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything a use case reads and writes, committed once by the caller."""

    people: PeopleRepository
    teams: TeamRepository
    members: MemberRepository
    invites: InviteRepository
    dialogs: DialogRepository
    days: DayRepository
    misses: MissRepository
    targets: TargetRepository
    reflections: ReflectionRepository
    outbox: OutboxRepository
    updates: UpdateLog
    content: ContentRepository
    practice: PracticeRepository
    settings: TeamSettingsRepository
    sharing: SharingRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
