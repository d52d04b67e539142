"""In-memory implementations of coach's ports, for fast domain tests."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from coach.content import Category, Objection, Pack, Question, StoredObjection, StoredQuestion
from coach.content_import import OBJECTION, QUESTION, kind_of
from coach.days import DayRecord, Miss, Reflection
from coach.kpis import Kpi
from coach.models import Dialog, Invite, Membership, NewTeam, Person, Role, Schedule, Team
from coach.outbox import Delivery, OutgoingMessage, QueuedMessage
from coach.practice import (
    Battle,
    BattleState,
    DrillRecord,
    FieldObjection,
    FieldStatus,
    QuizAnswer,
    QuizPoll,
)
from coach.quiz import Card
from coach.sharing_records import SessionState, Share, SharingSession, Teamwork
from coach.team_settings import DEFAULT_SETTINGS, TeamSettings, Theme


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self._now = now


@dataclass
class _State:
    people: dict[int, Person]
    people_times: dict[int, datetime]
    teams: dict[int, Team]
    members: dict[int, Membership]
    invites: dict[int, Invite]
    dialogs: dict[int, Dialog]
    days: dict[tuple[int, date], DayRecord] = field(default_factory=dict)
    misses: dict[tuple[int, date, str], Miss] = field(default_factory=dict)
    targets: dict[tuple[int, int | None], dict[Kpi, Decimal]] = field(default_factory=dict)
    reflections: dict[tuple[int, date], Reflection] = field(default_factory=dict)
    outbox: dict[int, _Queued] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    packs: dict[tuple[int, str, str], int] = field(default_factory=dict)
    items: dict[tuple[int, str, str, str, str], _Item] = field(default_factory=dict)
    drills: list[DrillRecord] = field(default_factory=list)
    cards: dict[tuple[int, int], Card] = field(default_factory=dict)
    polls: dict[str, QuizPoll] = field(default_factory=dict)
    answers: list[QuizAnswer] = field(default_factory=list)
    battles: dict[int, Battle] = field(default_factory=dict)
    field_items: dict[int, FieldObjection] = field(default_factory=dict)
    team_settings: dict[int, TeamSettings] = field(default_factory=dict)
    sessions: dict[int, SharingSession] = field(default_factory=dict)
    shares: dict[int, Share] = field(default_factory=dict)
    kudos: dict[tuple[int, int], datetime] = field(default_factory=dict)  # (share, user) → when


@dataclass
class _Item:
    key: int
    item: Objection | Question
    retired: bool = False


@dataclass
class _Queued:
    message: OutgoingMessage
    created_at: datetime
    state: Delivery = Delivery.PENDING
    attempts: int = 0
    not_before: datetime | None = None
    error: str | None = None
    sent_at: datetime | None = None
    telegram_message_id: int | None = None


class _People:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int) -> Person | None:
        return self.s.people.get(user_id)

    def save(self, person: Person, now: datetime) -> None:
        self.s.people[person.user_id] = person
        self.s.people_times[person.user_id] = now

    def many(self, user_ids: Iterable[int]) -> dict[int, Person]:
        return {uid: self.s.people[uid] for uid in user_ids if uid in self.s.people}

    def set_blocked(self, user_id: int, blocked: bool, now: datetime) -> None:
        if user_id in self.s.people:
            self.s.people[user_id] = replace(self.s.people[user_id], blocked=blocked)
            self.s.people_times[user_id] = now


class _Teams:
    def __init__(self, state: _State) -> None:
        self.s = state

    def add(self, team: NewTeam, now: datetime) -> Team:
        new_id = max(self.s.teams, default=0) + 1
        created = Team(
            new_id, team.name, team.region, team.timezone, team.language, team.schedule, now
        )
        self.s.teams[new_id] = created
        return created

    def get(self, team_id: int) -> Team | None:
        return self.s.teams.get(team_id)

    def by_group(self, chat_id: int) -> Team | None:
        return next((t for t in self.s.teams.values() if t.group_chat_id == chat_id), None)

    def set_group(self, team_id: int, chat_id: int | None, title: str | None) -> None:
        self.s.teams[team_id] = replace(
            self.s.teams[team_id], group_chat_id=chat_id, group_title=title
        )

    def all(self) -> list[Team]:
        return [self.s.teams[k] for k in sorted(self.s.teams)]

    def update_schedule(self, team_id: int, schedule: Schedule, timezone: str) -> None:
        self.s.teams[team_id] = replace(self.s.teams[team_id], schedule=schedule, timezone=timezone)


class _Members:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int) -> Membership | None:
        return self.s.members.get(user_id)

    def add(self, membership: Membership) -> None:
        assert membership.user_id not in self.s.members, "one team per person"
        self.s.members[membership.user_id] = membership

    def remove(self, user_id: int) -> None:
        self.s.members.pop(user_id, None)

    def of_team(self, team_id: int, role: Role | None = None) -> list[Membership]:
        return [
            m
            for m in self.s.members.values()
            if m.team_id == team_id and (role is None or m.role is role)
        ]


class _Invites:
    def __init__(self, state: _State) -> None:
        self.s = state

    def add(
        self,
        team_id: int,
        role: Role,
        token_hash: str,
        created_by: int,
        now: datetime,
        expires_at: datetime | None,
    ) -> Invite:
        new_id = max(self.s.invites, default=0) + 1
        invite = Invite(new_id, team_id, role, token_hash, created_by, now, expires_at)
        self.s.invites[new_id] = invite
        return invite

    def by_token_hash(self, token_hash: str) -> Invite | None:
        return next((i for i in self.s.invites.values() if i.token_hash == token_hash), None)

    def revoke_active(self, team_id: int, role: Role, now: datetime) -> int:
        count = 0
        for key, invite in list(self.s.invites.items()):
            if invite.team_id == team_id and invite.role is role and invite.revoked_at is None:
                self.s.invites[key] = replace(invite, revoked_at=now)
                count += 1
        return count


class _Dialogs:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int) -> Dialog | None:
        return self.s.dialogs.get(user_id)

    def save(self, dialog: Dialog) -> None:
        self.s.dialogs[dialog.user_id] = dialog

    def clear(self, user_id: int) -> bool:
        return self.s.dialogs.pop(user_id, None) is not None


class _Days:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int, day: date) -> DayRecord | None:
        return self.s.days.get((user_id, day))

    def save(self, record: DayRecord) -> None:
        self.s.days[(record.user_id, record.day)] = record

    def of_user(self, user_id: int, start: date, end: date) -> list[DayRecord]:
        return sorted(
            (r for r in self.s.days.values() if r.user_id == user_id and start <= r.day <= end),
            key=lambda r: r.day,
        )

    def of_team(self, team_id: int, start: date, end: date) -> list[DayRecord]:
        return sorted(
            (r for r in self.s.days.values() if r.team_id == team_id and start <= r.day <= end),
            key=lambda r: (r.day, r.user_id),
        )

    def marks(self, user_ids: Iterable[int], start: date, end: date) -> dict[int, list[DayRecord]]:
        wanted = set(user_ids)
        marks: dict[int, list[DayRecord]] = {}
        for r in sorted(self.s.days.values(), key=lambda r: r.day):
            if r.user_id in wanted and start <= r.day <= end:
                thin = DayRecord(
                    user_id=r.user_id,
                    team_id=r.team_id,
                    day=r.day,
                    planned_at=r.planned_at,
                    reviewed_at=r.reviewed_at,
                    absence=r.absence,
                )
                marks.setdefault(r.user_id, []).append(thin)
        return marks


class _Misses:
    def __init__(self, state: _State) -> None:
        self.s = state

    def add(self, miss: Miss) -> bool:
        key = (miss.user_id, miss.day, miss.kind.value)
        if key in self.s.misses:
            return False
        self.s.misses[key] = miss
        return True

    def of_team(self, team_id: int, start: date, end: date) -> list[Miss]:
        return sorted(
            (m for m in self.s.misses.values() if m.team_id == team_id and start <= m.day <= end),
            key=lambda m: (m.day, m.user_id, m.kind),
        )

    def of_user(self, user_id: int, start: date, end: date) -> list[Miss]:
        return sorted(
            (m for m in self.s.misses.values() if m.user_id == user_id and start <= m.day <= end),
            key=lambda m: (m.day, m.kind),
        )


class _Targets:
    def __init__(self, state: _State) -> None:
        self.s = state

    def weekly(self, team_id: int, user_id: int | None = None) -> dict[Kpi, Decimal]:
        return dict(self.s.targets.get((team_id, user_id), {}))

    def levels(self, team_id: int) -> dict[int | None, dict[Kpi, Decimal]]:
        return {
            user: {kpi: level[kpi] for kpi in Kpi if kpi in level}
            for (team, user), level in self.s.targets.items()
            if team == team_id and level
        }

    def set_weekly(
        self, team_id: int, user_id: int | None, targets: Mapping[Kpi, Decimal | None]
    ) -> None:
        level = self.s.targets.setdefault((team_id, user_id), {})
        for kpi, value in targets.items():
            if value is None:
                level.pop(kpi, None)
            else:
                level[kpi] = value


class _Reflections:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int, week_start: date) -> Reflection | None:
        return self.s.reflections.get((user_id, week_start))

    def save(self, reflection: Reflection) -> None:
        self.s.reflections[(reflection.user_id, reflection.week_start)] = reflection


class _Outbox:
    def __init__(self, state: _State) -> None:
        self.s = state

    def add(self, messages: Iterable[OutgoingMessage], now: datetime) -> int:
        keys = {q.message.key for q in self.s.outbox.values()}
        next_id = max(self.s.outbox, default=0) + 1
        stored = 0
        for message in messages:
            if message.key in keys:
                continue
            keys.add(message.key)
            self.s.outbox[next_id + stored] = _Queued(message, now)
            stored += 1
        return stored

    def has(self, key: str) -> bool:
        return any(q.message.key == key for q in self.s.outbox.values())

    def existing(self, keys: Iterable[str]) -> set[str]:
        wanted = set(keys)
        return {q.message.key for q in self.s.outbox.values() if q.message.key in wanted}

    def budget_spent(self, user_ids: Iterable[int], day: date) -> dict[int, int]:
        wanted = set(user_ids)
        spent: dict[int, int] = {}
        for q in self.s.outbox.values():
            m = q.message
            if m.budgeted and m.day == day and m.user_id in wanted:
                spent[m.user_id] = spent.get(m.user_id, 0) + 1  # type: ignore[index]
        return spent

    def claim(self, now: datetime, limit: int) -> list[QueuedMessage]:
        due = sorted(
            (
                (i, q)
                for i, q in self.s.outbox.items()
                if q.state is Delivery.PENDING and (q.not_before or q.message.not_before) <= now
            ),
            key=lambda item: (item[1].not_before or item[1].message.not_before, item[0]),
        )
        # The message carries its effective not_before (moved by retry_later), as in SQL.
        return [
            QueuedMessage(
                i,
                replace(q.message, not_before=q.not_before or q.message.not_before),
                q.attempts,
                q.created_at,
            )
            for i, q in due[:limit]
        ]

    def close_blocked(self, now: datetime) -> int:
        blocked = {user_id for user_id, person in self.s.people.items() if person.blocked}
        closed = [
            q
            for q in self.s.outbox.values()
            if q.state is Delivery.PENDING
            and q.message.user_id in blocked
            and (q.not_before or q.message.not_before) <= now
        ]
        for q in closed:
            q.state, q.error = Delivery.BLOCKED, "blocked"
        return len(closed)

    def start_sending(self, message_ids: Iterable[int], now: datetime) -> None:
        for message_id in message_ids:
            q = self.s.outbox[message_id]
            if q.state is Delivery.PENDING:
                q.state = Delivery.SENDING

    def requeue_unwritten(self, message_ids: Collection[int]) -> int:
        requeued = [
            self.s.outbox[i]
            for i in message_ids
            if i in self.s.outbox and self.s.outbox[i].state is Delivery.SENDING
        ]
        for q in requeued:
            q.state = Delivery.PENDING
        return len(requeued)

    def settle_interrupted(self, now: datetime) -> int:
        interrupted = [q for q in self.s.outbox.values() if q.state is Delivery.SENDING]
        for q in interrupted:
            q.state, q.error = Delivery.UNKNOWN, "interrupted while sending"
        return len(interrupted)

    def mark_sent(self, message_id: int, now: datetime, telegram_message_id: int | None) -> None:
        q = self.s.outbox[message_id]
        q.state, q.sent_at, q.telegram_message_id = Delivery.SENT, now, telegram_message_id
        q.attempts += 1

    def mark_sent_many(self, sent: Iterable[tuple[int, datetime, int | None]]) -> None:
        for message_id, now, telegram_message_id in sent:
            self.mark_sent(message_id, now, telegram_message_id)

    def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        q = self.s.outbox[message_id]
        q.attempts += 1
        q.state, q.not_before, q.error = Delivery.PENDING, not_before, error

    def give_up(self, message_id: int, state: Delivery, now: datetime, error: str) -> None:
        q = self.s.outbox[message_id]
        q.state, q.error = state, error
        q.attempts += 1

    def block_chat(self, chat_id: int, now: datetime) -> int:
        count = 0
        for q in self.s.outbox.values():
            if q.message.chat_id == chat_id and q.state is Delivery.PENDING:
                q.state, q.error = Delivery.BLOCKED, "blocked"
                count += 1
        return count

    def counts(self) -> dict[Delivery, int]:
        counts: dict[Delivery, int] = {}
        for q in self.s.outbox.values():
            counts[q.state] = counts.get(q.state, 0) + 1
        return counts


class _Content:
    def __init__(self, state: _State) -> None:
        self.s = state

    def pack_version(self, scope: int, pack_id: str, language: str) -> int | None:
        return self.s.packs.get((scope, pack_id, language))

    def item_fingerprints(
        self, scope: int, pack_id: str, language: str
    ) -> dict[tuple[str, str], tuple[str, bool]]:
        return {
            (kind, item_id): (stored.item.fingerprint, stored.retired)
            for (s, p, lang, kind, item_id), stored in self.s.items.items()
            if (s, p, lang) == (scope, pack_id, language)
        }

    def save_pack(self, scope: int, pack: Pack, now: datetime, by: int | None) -> None:
        self.s.packs[(scope, pack.id, pack.language)] = pack.version

    def save_items(
        self, scope: int, pack: Pack, items: Sequence[Objection | Question], now: datetime
    ) -> None:
        for item in items:
            key = (scope, pack.id, pack.language, kind_of(item), item.id)
            known = self.s.items.get(key)
            number = known.key if known else len(self.s.items) + 1
            self.s.items[key] = _Item(number, item)

    def retire(
        self, scope: int, pack_id: str, language: str, keys: Iterable[tuple[str, str]]
    ) -> None:
        for kind, item_id in keys:
            self.s.items[(scope, pack_id, language, kind, item_id)].retired = True

    def objections(self, scopes: Sequence[int], language: str) -> list[StoredObjection]:
        return [
            StoredObjection(key, scope, pack_id, item)  # type: ignore[arg-type]
            for key, scope, pack_id, item in self._live(scopes, language, OBJECTION)
        ]

    def questions(self, scopes: Sequence[int], language: str) -> list[StoredQuestion]:
        return [
            StoredQuestion(key, scope, pack_id, item)  # type: ignore[arg-type]
            for key, scope, pack_id, item in self._live(scopes, language, QUESTION)
        ]

    def _live(
        self, scopes: Sequence[int], language: str, kind: str
    ) -> list[tuple[int, int, str, Objection | Question]]:
        """(row key, scope, pack id, item) of the items not retired, in import order."""
        rows = sorted(self.s.items.items(), key=lambda entry: entry[1].key)
        return [
            (stored.key, scope, pack_id, stored.item)
            for (scope, pack_id, lang, k, _), stored in rows
            if scope in scopes and lang == language and k == kind and not stored.retired
        ]


class _Practice:
    def __init__(self, state: _State) -> None:
        self.s = state

    def add_drill(self, record: DrillRecord) -> None:
        self.s.drills.append(record)

    def drills(self, user_id: int, limit: int) -> list[DrillRecord]:
        mine = [d for d in reversed(self.s.drills) if d.user_id == user_id]
        return sorted(mine, key=lambda d: d.finished_at, reverse=True)[:limit]

    def team_drills(self, team_id: int, since: datetime) -> list[DrillRecord]:
        return [d for d in self.s.drills if d.team_id == team_id and d.finished_at >= since]

    def due_cards(self, user_ids: Iterable[int], by: datetime) -> dict[int, int]:
        wanted = set(user_ids)
        counts: dict[int, int] = {}
        for (uid, _), card in self.s.cards.items():
            if uid in wanted and card.due <= by:
                counts[uid] = counts.get(uid, 0) + 1
        return counts

    def drill_counts(self, user_ids: Iterable[int], since: datetime) -> dict[int, int]:
        wanted = set(user_ids)
        counts: dict[int, int] = {}
        for d in self.s.drills:
            if d.user_id in wanted and d.finished_at >= since:
                counts[d.user_id] = counts.get(d.user_id, 0) + 1
        return counts

    def cards(self, user_id: int) -> dict[int, Card]:
        return {q: card for (u, q), card in self.s.cards.items() if u == user_id}

    def save_card(self, user_id: int, card: Card) -> None:
        self.s.cards[(user_id, card.question_key)] = card

    def add_poll(self, poll: QuizPoll) -> None:
        assert poll.poll_id not in self.s.polls
        self.s.polls[poll.poll_id] = poll

    def poll(self, poll_id: str) -> QuizPoll | None:
        return self.s.polls.get(poll_id)

    def battle_polls(self, battle_id: int) -> list[QuizPoll]:
        found = [p for p in self.s.polls.values() if p.battle_id == battle_id]
        return sorted(found, key=lambda p: p.index)

    def add_answer(self, answer: QuizAnswer) -> bool:
        if any((a.poll_id, a.user_id) == (answer.poll_id, answer.user_id) for a in self.s.answers):
            return False
        self.s.answers.append(answer)
        return True

    def answers(self, team_id: int, since: datetime) -> list[QuizAnswer]:
        return [a for a in self.s.answers if a.team_id == team_id and a.answered_at >= since]

    def quiz_answers(self, user_id: int, since: datetime, limit: int) -> list[QuizAnswer]:
        mine = [
            a
            for a in self.s.answers
            if a.user_id == user_id and a.battle_id is None and a.answered_at >= since
        ]
        # newest first; at the same instant the later stored first, like ``ORDER BY id DESC``
        return sorted(reversed(mine), key=lambda a: a.answered_at, reverse=True)[:limit]

    def battle_answers(self, battle_id: int) -> list[QuizAnswer]:
        return [a for a in self.s.answers if a.battle_id == battle_id]

    def answered(self, user_id: int, since: datetime) -> int:
        return sum(1 for a in self.s.answers if a.user_id == user_id and a.answered_at >= since)

    def add_battle(self, battle: Battle) -> Battle | None:
        if self.battle_of_week(battle.team_id, battle.week) is not None:
            return None
        stored = replace(battle, id=len(self.s.battles) + 1)
        self.s.battles[stored.id] = stored  # type: ignore[index]
        return stored

    def battle(self, battle_id: int) -> Battle | None:
        return self.s.battles.get(battle_id)

    def battle_of_week(self, team_id: int, week: date) -> Battle | None:
        return next(
            (b for b in self.s.battles.values() if (b.team_id, b.week) == (team_id, week)), None
        )

    def due_battles(self, now: datetime) -> list[Battle]:
        due = [
            b
            for b in self.s.battles.values()
            if b.state is BattleState.RUNNING and b.next_at is not None and b.next_at <= now
        ]
        return sorted(due, key=lambda b: (b.next_at, b.id))

    def save_battle(self, battle: Battle) -> None:
        assert battle.id in self.s.battles
        self.s.battles[battle.id] = battle

    def replace_field(self, item: FieldObjection) -> FieldObjection:
        open_ = (FieldStatus.MATCHED, FieldStatus.OFFERED)
        for key, old in list(self.s.field_items.items()):
            same_day = (old.team_id, old.user_id, old.day) == (item.team_id, item.user_id, item.day)
            if same_day and old.status in open_:
                del self.s.field_items[key]
        return self.add_field(item)

    def add_field(self, item: FieldObjection) -> FieldObjection:
        stored = replace(item, id=max(self.s.field_items, default=0) + 1)
        self.s.field_items[stored.id] = stored  # type: ignore[index]
        return stored

    def field_counts(self, team_id: int, since: date) -> dict[Category, int]:
        counts: dict[Category, int] = {}
        for item in self.s.field_items.values():
            if item.team_id == team_id and item.day >= since and item.category is not None:
                counts[item.category] = counts.get(item.category, 0) + 1
        return counts

    def field_items(
        self, team_id: int, statuses: Iterable[FieldStatus], limit: int = 50
    ) -> list[FieldObjection]:
        wanted = set(statuses)
        found = [
            i for i in self.s.field_items.values() if i.team_id == team_id and i.status in wanted
        ]
        return sorted(found, key=lambda i: (i.day, i.id), reverse=True)[:limit]

    def field_item(self, item_id: int) -> FieldObjection | None:
        return self.s.field_items.get(item_id)

    def set_field(self, item_id: int, status: FieldStatus, objection_key: int | None) -> None:
        item = self.s.field_items[item_id]
        self.s.field_items[item_id] = replace(item, status=status, objection_key=objection_key)


class _TeamSettings:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, team_id: int) -> TeamSettings:
        return self.s.team_settings.get(team_id, DEFAULT_SETTINGS)

    def save(self, team_id: int, settings: TeamSettings) -> None:
        self.s.team_settings[team_id] = settings


class _Sharing:
    def __init__(self, state: _State) -> None:
        self.s = state

    def teamwork(self, team_id: int, start: date, end: date) -> dict[int, Teamwork]:
        sessions = {
            sid
            for sid, session in self.s.sessions.items()
            if session.team_id == team_id and start <= session.day <= end
        }
        counts: dict[int, dict[str, int]] = {}

        def bump(user_id: int, name: str) -> None:
            parts = counts.setdefault(user_id, {})
            parts[name] = parts.get(name, 0) + 1

        for share in self.s.shares.values():
            if share.session_id in sessions and share.kind is not Theme.VENTING:
                bump(share.user_id, "shares")
        for share_id, user_id in self.s.kudos:
            share = self.s.shares[share_id]
            if share.session_id not in sessions:
                continue
            bump(user_id, "kudos_given")
            if share.kind is not Theme.VENTING:
                bump(share.user_id, "kudos_received")
        return {user_id: Teamwork(**parts) for user_id, parts in counts.items()}

    def open(self, session: SharingSession) -> SharingSession | None:
        if self.session_on(session.team_id, session.day) is not None:
            return None
        stored = replace(session, id=max(self.s.sessions, default=0) + 1)
        self.s.sessions[stored.id] = stored  # type: ignore[index]
        return stored

    def session(self, session_id: int) -> SharingSession | None:
        return self.s.sessions.get(session_id)

    def session_on(self, team_id: int, day: date) -> SharingSession | None:
        return next(
            (x for x in self.s.sessions.values() if x.team_id == team_id and x.day == day), None
        )

    def latest(self, team_id: int) -> SharingSession | None:
        mine = [x for x in self.s.sessions.values() if x.team_id == team_id]
        return max(mine, key=lambda x: x.day, default=None)

    def due_to_close(self, now: datetime) -> list[SharingSession]:
        due = [
            x
            for x in self.s.sessions.values()
            if x.state is SessionState.OPEN and x.closes_at <= now
        ]
        return sorted(due, key=lambda x: (x.closes_at, x.id or 0))

    def close(self, session_id: int) -> None:
        if session_id in self.s.sessions:
            self.s.sessions[session_id] = replace(
                self.s.sessions[session_id], state=SessionState.CLOSED
            )

    def add_share(self, share: Share) -> Share:
        stored = replace(share, id=max(self.s.shares, default=0) + 1)
        self.s.shares[stored.id] = stored  # type: ignore[index]
        return stored

    def share(self, share_id: int) -> Share | None:
        return self.s.shares.get(share_id)

    def shares_of(self, session_id: int) -> list[Share]:
        return self._ordered(x for x in self.s.shares.values() if x.session_id == session_id)

    def shares_between(self, team_id: int, start: date, end: date) -> list[Share]:
        sessions = {
            sid
            for sid, x in self.s.sessions.items()
            if x.team_id == team_id and start <= x.day <= end
        }
        return self._ordered(x for x in self.s.shares.values() if x.session_id in sessions)

    def keep(self, share_id: int, by: int, now: datetime) -> None:
        if share_id in self.s.shares:
            self.s.shares[share_id] = replace(self.s.shares[share_id], kept_at=now, kept_by=by)

    def unkeep(self, share_id: int) -> None:
        if share_id in self.s.shares:
            self.s.shares[share_id] = replace(self.s.shares[share_id], kept_at=None, kept_by=None)

    def kept(self, team_id: int, limit: int) -> list[Share]:
        kept = [x for x in self.s.shares.values() if x.team_id == team_id and x.kept_at]
        kept.sort(key=lambda x: (x.kept_at, x.id or 0), reverse=True)
        return kept[:limit]

    def add_kudos(self, share: Share, user_id: int, now: datetime) -> bool:
        assert share.id is not None
        if (share.id, user_id) in self.s.kudos:
            return False
        self.s.kudos[(share.id, user_id)] = now
        return True

    def has_kudos(self, share_id: int, user_id: int) -> bool:
        return (share_id, user_id) in self.s.kudos

    def kudos_counts(self, share_ids: Iterable[int]) -> dict[int, int]:
        wanted = set(share_ids)
        counts: dict[int, int] = {}
        for share_id, _user in self.s.kudos:
            if share_id in wanted:
                counts[share_id] = counts.get(share_id, 0) + 1
        return counts

    @staticmethod
    def _ordered(shares: Iterable[Share]) -> list[Share]:
        return sorted(shares, key=lambda x: (x.created_at, x.id or 0))


class _Updates:
    def __init__(self, state: _State) -> None:
        self.s = state

    def mark(self, update_id: int, now: datetime) -> bool:
        if update_id in self.s.updates:
            return False
        self.s.updates[update_id] = now
        return True

    def prune(self, before: datetime) -> int:
        old = [k for k, at in self.s.updates.items() if at < before]
        for k in old:
            del self.s.updates[k]
        return len(old)


class FakeUnitOfWork:
    """Transactions by copy: work happens on a copy that ``commit`` makes the truth."""

    def __init__(self) -> None:
        self.committed = _State({}, {}, {}, {}, {}, {})
        self.commits = 0

    def __enter__(self) -> Self:
        self._bind(copy.deepcopy(self.committed))
        return self

    def _bind(self, work: _State) -> None:
        self._work = work
        self.people = _People(self._work)
        self.teams = _Teams(self._work)
        self.members = _Members(self._work)
        self.invites = _Invites(self._work)
        self.dialogs = _Dialogs(self._work)
        self.days = _Days(self._work)
        self.misses = _Misses(self._work)
        self.targets = _Targets(self._work)
        self.reflections = _Reflections(self._work)
        self.outbox = _Outbox(self._work)
        self.updates = _Updates(self._work)
        self.content = _Content(self._work)
        self.practice = _Practice(self._work)
        self.settings = _TeamSettings(self._work)
        self.sharing = _Sharing(self._work)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self._work

    def commit(self) -> None:
        self.committed = copy.deepcopy(self._work)
        self.commits += 1

    def rollback(self) -> None:
        self._bind(copy.deepcopy(self.committed))  # the repositories must see the rollback too
