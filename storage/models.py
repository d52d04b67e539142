"""ORM tables. Rows never leave storage/: repositories turn them into coach dataclasses."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from coach import team_content
from storage.types import UTCDateTime

# Named constraints make Alembic migrations deterministic on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PersonRow(Base):
    __tablename__ = "people"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamRow(Base):
    """A team and its rhythm.

    The server defaults (``coach.models.Schedule()`` and ``Reminders()`` when the columns were
    added) fill in teams created before the columns existed; the repository always writes them.
    No CHECK constraint here: adding one later would make SQLite rebuild the table, and
    dropping ``teams`` with foreign keys on would cascade to its members.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    plan_time: Mapped[time] = mapped_column(Time())
    review_time: Mapped[time] = mapped_column(Time())
    sharing_time: Mapped[time] = mapped_column(Time())
    workdays: Mapped[str] = mapped_column(String(7))
    review_deadline: Mapped[time] = mapped_column(Time(), server_default="22:00:00")
    week_end_day: Mapped[int] = mapped_column(SmallInteger, server_default=text("5"))
    week_end_time: Mapped[time] = mapped_column(Time(), server_default="21:00:00")
    # Nullable ("no public holidays") so no server default: the ORM would take None for "use
    # the default". Migration 0002 set the teams of its time to "CN" with an UPDATE.
    country: Mapped[str | None] = mapped_column(String(8))
    daily_cap: Mapped[int] = mapped_column(Integer, server_default=text("2"))
    nudge_after_minutes: Mapped[int] = mapped_column(Integer, server_default=text("60"))
    quiet_start: Mapped[time] = mapped_column(Time(), server_default="21:30:00")
    quiet_end: Mapped[time] = mapped_column(Time(), server_default="08:00:00")
    escalate_after_days: Mapped[int] = mapped_column(Integer, server_default=text("3"))
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    group_title: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MembershipRow(Base):
    """One row per person: a person belongs to at most one team."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('manager', 'rep')", name="role"),
        Index("ix_memberships_team_role", "team_id", "role"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InviteRow(Base):
    __tablename__ = "invites"
    __table_args__ = (
        CheckConstraint("role IN ('manager', 'rep')", name="role"),
        Index("ix_invites_team_role", "team_id", "role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.user_id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DialogRow(Base):
    """The one multi-step flow a person is in, so a restart loses no conversation."""

    __tablename__ = "dialogs"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- the daily rhythm ----------------------------------------------------------------------------

MONEY = Numeric(14, 2)
"""KPI figures and targets: revenue has two decimals, counts are whole (normalised when read)."""


class DayRow(Base):
    """One rep's one team-local day (``coach.days.DayRecord``) without its tasks and figures."""

    __tablename__ = "days"
    __table_args__ = (
        CheckConstraint(
            "absence IS NULL OR absence IN ('leave', 'sick', 'training', 'travel')",
            name="absence",
        ),
        Index("ix_days_team_day", "team_id", "day"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    win: Mapped[str | None] = mapped_column(String(1000))
    lesson: Mapped[str | None] = mapped_column(String(1000))
    objection: Mapped[str | None] = mapped_column(String(1000))
    tomorrow_first: Mapped[str | None] = mapped_column(String(1000))
    absence: Mapped[str | None] = mapped_column(String(16))


class DayTaskRow(Base):
    """A task of a day's plan; ``position`` keeps the plan's order."""

    __tablename__ = "day_tasks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "day"],
            ["days.user_id", "days.day"],
            ondelete="CASCADE",
        ),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(200))
    must: Mapped[bool] = mapped_column(Boolean)
    done: Mapped[bool] = mapped_column(Boolean)


class DayKpiRow(Base):
    """One planned or actual KPI figure of a day.

    ``team_id`` repeats the day's team so team totals over a date range (the manager summary,
    the weekly checklist, boards) read one index range without joining ``days``.
    """

    __tablename__ = "day_kpis"
    __table_args__ = (
        CheckConstraint("source IN ('plan', 'actual')", name="source"),
        ForeignKeyConstraint(
            ["user_id", "day"],
            ["days.user_id", "days.day"],
            ondelete="CASCADE",
        ),
        Index("ix_day_kpis_team_day", "team_id", "day"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(8), primary_key=True)
    kpi: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(MONEY)


class MissRow(Base):
    """An explicit missed check-in; one per (rep, day, kind)."""

    __tablename__ = "misses"
    __table_args__ = (
        CheckConstraint("kind IN ('plan', 'review')", name="kind"),
        Index("ix_misses_team_day", "team_id", "day"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


TEAM_LEVEL = 0
"""``targets.user_id`` of a team's own targets. SQL treats NULLs as distinct, so a nullable
``user_id`` could not be part of the primary key; 0 is never a Telegram user id."""


class TargetRow(Base):
    """A weekly target for one KPI: the team's own (``user_id`` = ``TEAM_LEVEL``) or a rep's."""

    __tablename__ = "targets"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kpi: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Decimal] = mapped_column(MONEY)


class ReflectionRow(Base):
    """A rep's answers to the week's three questions."""

    __tablename__ = "reflections"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    went_well: Mapped[str] = mapped_column(String(1000))
    to_improve: Mapped[str] = mapped_column(String(1000))
    next_actions: Mapped[str] = mapped_column(String(1000))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- delivery ------------------------------------------------------------------------------------


class OutboxRow(Base):
    """A message the bot sends on its own (``coach.outbox``).

    No foreign keys: the outbox is a record of what was sent, and a bulk push of thousands of
    rows should not pay for lookups. ``not_before`` is the effective time: ``retry_later`` moves
    it. ``last_error`` holds an error class or code, never anything a person wrote.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'unknown')", name="state"
        ),
        Index("ix_outbox_state_not_before", "state", "not_before", "id"),
        Index("ix_outbox_user_day", "user_id", "day"),
        Index("ix_outbox_chat_state", "chat_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    team_id: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date | None] = mapped_column(Date)
    budgeted: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A chart to send as a photo with ``text`` as its caption (``coach.outbox.OutgoingMessage``).
    chart: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProcessedUpdateRow(Base):
    """Telegram update ids already handled (``coach.ports.UpdateLog``)."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


BUILT_IN = team_content.BUILT_IN
"""``team_id`` of the content packs that ship with the bot (every team sees them)."""


class ContentPackRow(Base):
    """An imported content pack: its latest version per scope (a team, or ``BUILT_IN``)."""

    __tablename__ = "content_packs"

    team_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    pack_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[int | None] = mapped_column(BigInteger)


class ContentItemRow(Base):
    """One objection or question of a pack. Rows are never deleted: history points at ``id``.

    Re-importing keeps the row (and so reps' history) of an item whose ``fingerprint`` did not
    change; a changed item gets its new content in the same row, an item the new version lacks
    is ``retired``.
    """

    __tablename__ = "content_items"
    __table_args__ = (
        UniqueConstraint("team_id", "pack_id", "language", "kind", "item_id"),
        CheckConstraint("kind IN ('objection', 'question')", name="kind"),
        Index("ix_content_items_scope", "team_id", "language", "kind", "retired"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer)
    pack_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(60))
    category: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[str]] = mapped_column(JSON)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    retired: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DrillRow(Base):
    """A finished LAER drill: points per step (0–2). The rep's answer itself is not kept."""

    __tablename__ = "drills"
    __table_args__ = (
        Index("ix_drills_user_finished", "user_id", "finished_at"),
        Index("ix_drills_team_finished", "team_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger)
    objection_key: Mapped[int] = mapped_column(ForeignKey("content_items.id"))
    category: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))
    listen: Mapped[int] = mapped_column(SmallInteger)
    acknowledge: Mapped[int] = mapped_column(SmallInteger)
    explore: Mapped[int] = mapped_column(SmallInteger)
    respond: Mapped[int] = mapped_column(SmallInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuizCardRow(Base):
    """Spaced-repetition state of one rep for one question (``coach.quiz.Card``)."""

    __tablename__ = "quiz_cards"
    __table_args__ = (Index("ix_quiz_cards_user_due", "user_id", "due"),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question_key: Mapped[int] = mapped_column(
        ForeignKey("content_items.id"), primary_key=True, autoincrement=False
    )
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    reviews: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_correct: Mapped[bool | None] = mapped_column(Boolean)


class BattleRow(Base):
    """A team's quiz battle in its group; at most one a week."""

    __tablename__ = "battles"
    __table_args__ = (
        UniqueConstraint("team_id", "week"),
        CheckConstraint("state IN ('running', 'done')", name="state"),
        Index("ix_battles_state_next", "state", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    week: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    question_keys: Mapped[list[int]] = mapped_column(JSON)
    open_seconds: Mapped[int] = mapped_column(Integer)
    asked: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(8))


class QuizPollRow(Base):
    """A quiz poll the bot sent (private quiz or battle); answers name only the poll id."""

    __tablename__ = "quiz_polls"
    __table_args__ = (
        CheckConstraint("kind IN ('quiz', 'battle')", name="kind"),
        Index("ix_quiz_polls_battle", "battle_id"),
    )

    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    team_id: Mapped[int] = mapped_column(Integer)
    question_key: Mapped[int] = mapped_column(ForeignKey("content_items.id"))
    correct: Mapped[int] = mapped_column(SmallInteger)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    battle_id: Mapped[int | None] = mapped_column(ForeignKey("battles.id"))
    position: Mapped[int] = mapped_column(Integer)


class QuizAnswerRow(Base):
    """One person's first answer to one quiz poll."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("poll_id", "user_id"),
        Index("ix_quiz_answers_team_at", "team_id", "answered_at"),
        Index("ix_quiz_answers_battle", "battle_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[str] = mapped_column(ForeignKey("quiz_polls.poll_id"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    team_id: Mapped[int] = mapped_column(Integer)
    question_key: Mapped[int] = mapped_column(ForeignKey("content_items.id"))
    option: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    battle_id: Mapped[int | None] = mapped_column(Integer)


class FieldObjectionRow(Base):
    """An objection met in the field, as a rep wrote it (visible to the rep and managers)."""

    __tablename__ = "field_objections"
    __table_args__ = (
        CheckConstraint("status IN ('matched', 'offered', 'added', 'dismissed')", name="status"),
        Index("ix_field_objections_team_status", "team_id", "status"),
        Index("ix_field_objections_user_day", "user_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))
    objection_key: Mapped[int | None] = mapped_column(ForeignKey("content_items.id"))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- the team layer: settings, evening sharing ---------------------------------------------------


class TeamSettingsRow(Base):
    """A team's ``coach.team_settings.TeamSettings``; no row means the defaults."""

    __tablename__ = "team_settings"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    relay: Mapped[dict[str, Any]] = mapped_column(JSON)
    themes: Mapped[list[Any]] = mapped_column(JSON)
    monthly_revenue: Mapped[Decimal | None] = mapped_column(MONEY)


THEMES = "'problems', 'success', 'experience', 'venting'"


class SharingSessionRow(Base):
    """One evening's sharing in a team's group (``coach.sharing_records.SharingSession``)."""

    __tablename__ = "sharing_sessions"
    __table_args__ = (
        UniqueConstraint("team_id", "day"),
        CheckConstraint(f"theme IN ({THEMES})", name="theme"),
        CheckConstraint("state IN ('open', 'closed')", name="state"),
        Index("ix_sharing_sessions_state_closes", "state", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    theme: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(8))


class ShareRow(Base):
    """A rep's share (``coach.sharing_records.Share``); a venting share's author is never shown."""

    __tablename__ = "shares"
    __table_args__ = (
        CheckConstraint(f"kind IN ({THEMES})", name="kind"),
        Index("ix_shares_session", "session_id"),
        Index("ix_shares_team_kept", "team_id", "kept_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sharing_sessions.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kept_by: Mapped[int | None] = mapped_column(BigInteger)


class KudosRow(Base):
    """One person's 👍 on one share: at most one each."""

    __tablename__ = "kudos"
    __table_args__ = (Index("ix_kudos_session", "session_id"),)

    share_id: Mapped[int] = mapped_column(
        ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    session_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
