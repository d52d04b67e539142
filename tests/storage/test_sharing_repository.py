"""Sharing sessions, shares and kudos on the fake and both SQL backends (one contract)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coach.models import Lang, NewTeam
from coach.sharing_records import SessionState, Share, SharingSession, Teamwork
from coach.team_settings import Theme

NOW = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 20:30 in Shanghai
MONDAY = date(2026, 11, 23)
HOUR = timedelta(hours=1)


def session(team_id: int, day: date = MONDAY, theme: Theme = Theme.SUCCESS) -> SharingSession:
    opened = NOW + (day - MONDAY)
    return SharingSession(team_id, day, theme, -100, opened, opened + HOUR)


def share(stored: SharingSession, user_id: int, kind: Theme, minute: int) -> Share:
    assert stored.id is not None
    return Share(
        stored.id,
        stored.team_id,
        user_id,
        kind,
        f"share by {user_id} <b>{{{{ 7*7 }}}}</b>",
        stored.opened_at + timedelta(minutes=minute),
    )


def teams(uow_factory) -> tuple[int, int]:
    with uow_factory() as uow:
        a = uow.teams.add(NewTeam("A", None, "Asia/Shanghai", Lang.ZH), NOW - 30 * HOUR)
        b = uow.teams.add(NewTeam("B", None, "Asia/Shanghai", Lang.EN), NOW - 30 * HOUR)
        uow.commit()
    return a.id, b.id


def test_one_session_per_team_and_day(uow_factory) -> None:
    a, b = teams(uow_factory)
    with uow_factory() as uow:
        first = uow.sharing.open(session(a))
        assert first is not None and first.id is not None
        assert uow.sharing.open(session(a, theme=Theme.VENTING)) is None  # a second tick
        other = uow.sharing.open(session(b))
        assert other is not None and other.id != first.id
        tomorrow = uow.sharing.open(session(a, MONDAY + timedelta(days=1)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sharing.session(first.id) == first
        assert uow.sharing.session_on(a, MONDAY) == first
        assert uow.sharing.session_on(a, MONDAY - timedelta(days=1)) is None
        assert uow.sharing.latest(a) == tomorrow
        assert uow.sharing.latest(999) is None
        assert uow.sharing.session(999) is None


def test_sessions_due_to_close_and_closing_them(uow_factory) -> None:
    a, b = teams(uow_factory)
    with uow_factory() as uow:
        early = uow.sharing.open(session(a))
        later = uow.sharing.open(session(b, MONDAY + timedelta(days=1)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sharing.due_to_close(NOW + HOUR - timedelta(seconds=1)) == []
        assert uow.sharing.due_to_close(NOW + HOUR) == [early]
        assert uow.sharing.due_to_close(NOW + 30 * HOUR) == [early, later]
        uow.sharing.close(early.id)
        uow.commit()
    with uow_factory() as uow:
        assert uow.sharing.due_to_close(NOW + 30 * HOUR) == [later]
        assert uow.sharing.session(early.id).state is SessionState.CLOSED


def test_shares_are_stored_whole_and_listed_in_order(uow_factory) -> None:
    a, b = teams(uow_factory)
    with uow_factory() as uow:
        monday = uow.sharing.open(session(a))
        tuesday = uow.sharing.open(session(a, MONDAY + timedelta(days=1)))
        elsewhere = uow.sharing.open(session(b))
        second = uow.sharing.add_share(share(monday, 11, Theme.SUCCESS, minute=5))
        first = uow.sharing.add_share(share(monday, 12, Theme.VENTING, minute=1))
        later = uow.sharing.add_share(share(tuesday, 11, Theme.PROBLEMS, minute=1))
        uow.sharing.add_share(share(elsewhere, 21, Theme.SUCCESS, minute=1))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sharing.share(first.id) == first
        assert first.text == "share by 12 <b>{{ 7*7 }}</b>" and first.anonymous
        assert uow.sharing.shares_of(monday.id) == [first, second]
        assert uow.sharing.shares_between(a, MONDAY, MONDAY + timedelta(days=6)) == [
            first,
            second,
            later,
        ]
        assert (
            uow.sharing.shares_between(a, MONDAY + timedelta(days=2), MONDAY + timedelta(days=3))
            == []
        )
        assert uow.sharing.share(10_000) is None


def test_kudos_once_per_person_and_counted_for_teamwork(uow_factory) -> None:
    a, _ = teams(uow_factory)
    with uow_factory() as uow:
        stored = uow.sharing.open(session(a))
        named = uow.sharing.add_share(share(stored, 11, Theme.SUCCESS, minute=1))
        vent = uow.sharing.add_share(share(stored, 12, Theme.VENTING, minute=2))
        assert uow.sharing.add_kudos(named, 12, NOW)
        assert not uow.sharing.add_kudos(named, 12, NOW + HOUR)  # a double press
        assert uow.sharing.add_kudos(named, 13, NOW)
        assert uow.sharing.add_kudos(vent, 11, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.sharing.has_kudos(named.id, 12) and not uow.sharing.has_kudos(named.id, 11)
        assert uow.sharing.kudos_counts([named.id, vent.id, 10_000]) == {named.id: 2, vent.id: 1}
        assert uow.sharing.kudos_counts([]) == {}
        assert uow.sharing.teamwork(a, MONDAY, MONDAY) == {
            11: Teamwork(shares=1, kudos_received=2, kudos_given=1),
            12: Teamwork(kudos_given=1),  # the venting share counts for nobody
            13: Teamwork(kudos_given=1),
        }


def test_kept_lessons_newest_first(uow_factory) -> None:
    a, b = teams(uow_factory)
    with uow_factory() as uow:
        stored = uow.sharing.open(session(a))
        theirs = uow.sharing.open(session(b))
        one = uow.sharing.add_share(share(stored, 11, Theme.SUCCESS, minute=1))
        two = uow.sharing.add_share(share(stored, 12, Theme.EXPERIENCE, minute=2))
        three = uow.sharing.add_share(share(stored, 13, Theme.PROBLEMS, minute=3))
        other = uow.sharing.add_share(share(theirs, 21, Theme.SUCCESS, minute=1))
        uow.sharing.keep(one.id, 1, NOW + HOUR)
        uow.sharing.keep(two.id, 1, NOW + 2 * HOUR)
        uow.sharing.keep(three.id, 1, NOW + 3 * HOUR)
        uow.sharing.keep(other.id, 2, NOW + 4 * HOUR)
        uow.sharing.unkeep(three.id)
        uow.commit()
    with uow_factory() as uow:
        kept = uow.sharing.kept(a, 10)
        assert [s.id for s in kept] == [two.id, one.id]
        assert (kept[0].kept_at, kept[0].kept_by) == (NOW + 2 * HOUR, 1)
        assert [s.id for s in uow.sharing.kept(a, 1)] == [two.id]
        assert uow.sharing.share(three.id).kept_at is None
        assert [s.id for s in uow.sharing.kept(b, 10)] == [other.id]
