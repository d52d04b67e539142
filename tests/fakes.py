"""In-memory implementations of coach's ports, for fast domain tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from coach.models import Dialog, Invite, Membership, NewTeam, Person, Role, Team


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


class _People:
    def __init__(self, state: _State) -> None:
        self.s = state

    def get(self, user_id: int) -> Person | None:
        return self.s.people.get(user_id)

    def save(self, person: Person, now: datetime) -> None:
        self.s.people[person.user_id] = person
        self.s.people_times[person.user_id] = now


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


class FakeUnitOfWork:
    """Transactions by copy: work happens on a copy that ``commit`` makes the truth."""

    def __init__(self) -> None:
        self.committed = _State({}, {}, {}, {}, {}, {})
        self.commits = 0

    def __enter__(self) -> Self:
        self._work = copy.deepcopy(self.committed)
        self.people = _People(self._work)
        self.teams = _Teams(self._work)
        self.members = _Members(self._work)
        self.invites = _Invites(self._work)
        self.dialogs = _Dialogs(self._work)
        return self

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
        self._work = copy.deepcopy(self.committed)
