"""The evening sharing's use cases on the in-memory unit of work: sessions from the tick,
shares privately and in the group, kudos, the digest, kept lessons and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach import conversation, errors, onboarding, sharing_flow
from coach.models import Lang, Membership, NewTeam, Person, Role, Schedule, Team
from coach.notices import SharePost, SharingDigest, SharingOpened
from coach.outbox import OutgoingMessage
from coach.sharing import (
    KudosVerdict,
    NoTeamGroup,
    NotKeepable,
    NotTeamMember,
    ShareNotFound,
    SharingNotOpen,
    VentInGroup,
)
from coach.sharing_records import SessionState
from coach.team_settings import DEFAULT_SETTINGS, Theme
from coach.tick import decide
from tests.fakes import FakeUnitOfWork

SH = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # the Monday before, 09:00 in Shanghai
MONDAY = date(2026, 11, 23)
GROUP = -1001
GRACE = timedelta(minutes=60)
DEFAULTS = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), invite_ttl_days=30)
MANAGER, LINA, TOM, EVE = 1, 2, 3, 9


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=SH).astimezone(UTC)


def render(post: SharePost) -> OutgoingMessage:
    """The adapter's part: only the envelope matters here."""
    return OutgoingMessage(
        key=post.key,
        chat_id=post.chat_id,
        text=f"{post.share.kind}|{post.author.first_name if post.author else '-'}",
        kind=post.kind,
        not_before=post.due_at,
        team_id=post.team_id,
        day=post.day,
    )


class World:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        with self.uow as uow:
            team = uow.teams.add(NewTeam("华东一组", None, "Asia/Shanghai", Lang.ZH), CREATED)
            uow.teams.set_group(team.id, GROUP, "group")
            other = uow.teams.add(NewTeam("East", None, "Asia/Shanghai", Lang.EN), CREATED)
            for uid, name, role, team_id in (
                (MANAGER, "王经理", Role.MANAGER, team.id),
                (LINA, "李娜", Role.REP, team.id),
                (TOM, "Tom", Role.REP, team.id),
                (EVE, "Eve", Role.MANAGER, other.id),
            ):
                uow.people.save(Person(uid, name, None, Lang.ZH), CREATED)
                uow.members.add(Membership(uid, team_id, role, CREATED))
            uow.commit()
        self.team_id, self.other_id = team.id, other.id
        self.person = {uid: self.read(lambda uow, u=uid: uow.people.get(u)) for uid in (1, 2, 3, 9)}

    def read(self, fn):
        with self.uow as uow:
            return fn(uow)

    def team(self) -> Team:
        return self.read(lambda uow: uow.teams.get(self.team_id))

    def tick(self, now: datetime) -> list:
        with self.uow as uow:
            notices = decide(uow, now, GRACE)
            uow.outbox.add(
                [
                    OutgoingMessage(n.key, n.chat_id, n.kind, n.kind, n.due_at, team_id=n.team_id)
                    for n in notices
                ],
                now,
            )
            uow.commit()
        return notices

    def do(self, use_case, who: int, *args, now: datetime):
        """Run a use case like the adapter: committed on success, nothing kept on a refusal."""
        with self.uow as uow:
            result = use_case(uow, self.person[who], now, *args)
            uow.commit()
            return result

    def outbox(self) -> dict[str, str]:
        return self.read(
            lambda uow: {
                q.message.key: q.message.text for q in uow.outbox.claim(at(MONDAY, "23:59"), 100)
            }
        )


@pytest.fixture
def world() -> World:
    return World()


def test_the_tick_opens_one_session_per_team_and_day_in_the_bound_group(world: World):
    assert world.tick(at(MONDAY, "20:29")) == []
    opened = world.tick(at(MONDAY, "20:30"))
    assert [type(n) for n in opened] == [SharingOpened]
    session = opened[0].session
    assert (session.chat_id, session.day, session.state) == (GROUP, MONDAY, SessionState.OPEN)
    assert (session.opened_at, session.closes_at) == (at(MONDAY, "20:30"), at(MONDAY, "21:30"))
    # Created the Monday before: a week of 5 working days → the sixth theme in turn.
    assert session.theme == DEFAULT_SETTINGS.themes[5 % 4]
    assert world.tick(at(MONDAY, "20:31")) == []  # once
    assert opened[0].key == f"sharing:open:{world.team_id}:{MONDAY.isoformat()}"
    # The team without a group has no session.
    assert world.read(lambda uow: uow.sharing.session_on(world.other_id, MONDAY)) is None


def test_no_session_on_a_day_off_or_after_it_would_have_closed(world: World):
    saturday = MONDAY - timedelta(days=2)
    assert world.tick(at(saturday, "20:30")) == []
    team = world.team()
    with world.uow as uow:
        late = sharing_flow.open_session(
            uow, team, MONDAY, at(MONDAY, "20:30"), at(MONDAY, "21:30"), timedelta(minutes=60)
        )
    assert late is None


def test_a_private_share_is_queued_for_the_group_with_its_type(world: World):
    with pytest.raises(SharingNotOpen) as early:
        world.do(sharing_flow.share_privately, LINA, "早了", render, now=at(MONDAY, "19:00"))
    assert early.value.next_at == at(MONDAY, "20:30")
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:35")
    named = world.do(sharing_flow.share_privately, LINA, "#成功 签下了华东医药", render, now=now)
    vent = world.do(sharing_flow.share_privately, TOM, "#倒垃圾 客户又改需求", render, now=now)
    assert (named.share.kind, named.share.text, named.in_group) == (
        Theme.SUCCESS,
        "签下了华东医药",
        False,
    )
    assert vent.share.kind is Theme.VENTING and vent.share.anonymous
    posts = world.outbox()
    assert posts[f"share:{named.share.id}"] == "success|李娜"
    assert posts[f"share:{vent.share.id}"] == "venting|-"  # no name, ever


def test_a_bad_share_stores_nothing(world: World):
    world.tick(at(MONDAY, "20:30"))
    for text in ("   ", "#倒垃圾", "x" * 1001):
        with pytest.raises(errors.InvalidText):
            world.do(sharing_flow.share_privately, LINA, text, render, now=at(MONDAY, "20:40"))
    assert world.read(lambda uow: uow.sharing.shares_between(world.team_id, MONDAY, MONDAY)) == []
    assert not any(key.startswith("share:") for key in world.outbox())


def test_shares_in_the_group_are_named_and_venting_there_is_refused(world: World):
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:40")
    posted = world.do(sharing_flow.share_in_group, TOM, GROUP, "Ask for the budget first", now=now)
    assert posted is not None and posted.in_group and posted.share.user_id == TOM
    assert not any(key.startswith("share:") for key in world.outbox())  # answered directly
    with pytest.raises(VentInGroup):
        world.do(sharing_flow.share_in_group, TOM, GROUP, "#vent ugh", now=now)
    with pytest.raises(NotTeamMember):
        world.do(sharing_flow.share_in_group, EVE, GROUP, "hello", now=now)
    assert world.do(sharing_flow.share_in_group, TOM, -42, "hello", now=now) is None
    with pytest.raises(SharingNotOpen):
        world.do(sharing_flow.share_in_group, TOM, GROUP, "late", now=at(MONDAY, "21:30"))


def test_kudos_once_per_person_not_to_oneself_members_only(world: World):
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:40")
    share_id = world.do(sharing_flow.share_privately, LINA, "先问预算", render, now=now).share.id
    give = sharing_flow.give_kudos
    assert world.do(give, TOM, share_id, now=now) == sharing_flow.KudosGiven(
        KudosVerdict.THANKS, share_id, 1
    )
    assert world.do(give, TOM, share_id, now=now).verdict is KudosVerdict.ALREADY
    assert world.do(give, LINA, share_id, now=now).verdict is KudosVerdict.OWN
    assert world.do(give, EVE, share_id, now=now).verdict is KudosVerdict.NOT_MEMBER
    assert world.do(give, MANAGER, share_id, now=now).count == 2
    assert world.do(give, TOM, 999, now=now).verdict is KudosVerdict.GONE


def test_the_session_closes_with_a_digest_once(world: World):
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:40")
    first = world.do(sharing_flow.share_privately, LINA, "先问预算", render, now=now).share
    vent = world.do(sharing_flow.share_privately, TOM, "#倒垃圾 累", render, now=now).share
    world.do(sharing_flow.give_kudos, MANAGER, vent.id, now=now)
    world.do(sharing_flow.give_kudos, LINA, vent.id, now=now)
    world.do(sharing_flow.give_kudos, TOM, first.id, now=now)
    assert world.tick(at(MONDAY, "21:29")) == []
    (closing,) = world.tick(at(MONDAY, "21:30"))
    assert isinstance(closing, SharingDigest)
    assert (closing.digest.shares, closing.digest.kudos) == (2, 3)
    assert closing.digest.top == vent and closing.top_author is None  # the venting share won
    assert closing.chat_id == GROUP and closing.due_at == at(MONDAY, "21:30")
    assert world.tick(at(MONDAY, "21:31")) == []
    session = world.read(lambda uow: uow.sharing.session_on(world.team_id, MONDAY))
    assert session.state is SessionState.CLOSED


def test_a_session_found_long_after_closing_is_closed_without_a_digest(world: World):
    world.tick(at(MONDAY, "20:30"))
    next_morning = world.tick(at(MONDAY + timedelta(days=1), "08:30"))
    assert next_morning and not any(isinstance(n, SharingDigest) for n in next_morning)
    session = world.read(lambda uow: uow.sharing.session_on(world.team_id, MONDAY))
    assert session.state is SessionState.CLOSED


def test_share_then_text_with_the_chosen_type_or_missed_after_closing(world: World):
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:40")
    asked = world.do(sharing_flow.start_share, LINA, now=now)
    assert asked.kind is asked.session.theme
    assert world.do(sharing_flow.choose_kind, LINA, Theme.VENTING, now=now).kind is Theme.VENTING
    posted = world.do(conversation.answer, LINA, "今天好累", DEFAULTS, render, now=now)
    assert isinstance(posted, sharing_flow.SharePosted) and posted.share.kind is Theme.VENTING
    assert world.read(lambda uow: uow.dialogs.get(LINA)) is None

    world.do(sharing_flow.start_share, TOM, now=now)
    late = at(MONDAY, "21:35")
    missed = world.do(conversation.answer, TOM, "too late", DEFAULTS, render, now=late)
    assert isinstance(missed, sharing_flow.ShareMissed)
    assert missed.next_at == at(MONDAY + timedelta(days=1), "20:30")
    assert world.read(lambda uow: uow.dialogs.get(TOM)) is None
    assert (
        len(world.read(lambda uow: uow.sharing.shares_between(world.team_id, MONDAY, MONDAY))) == 1
    )


def test_managers_keep_one_lesson_a_week_reps_read_them(world: World):
    world.tick(at(MONDAY, "20:30"))
    now = at(MONDAY, "20:40")
    lina = world.do(sharing_flow.share_privately, LINA, "先问预算再报价", render, now=now).share
    tom = world.do(sharing_flow.share_privately, TOM, "#success Acme signed", render, now=now).share
    vent = world.do(sharing_flow.share_privately, TOM, "#vent ugh", render, now=now).share
    world.do(sharing_flow.give_kudos, TOM, lina.id, now=now)

    listed = world.do(sharing_flow.tips, MANAGER, now=now)
    assert listed.manager and listed.kept == ()
    assert [c.share.id for c in listed.candidates] == [lina.id, tom.id]  # most kudos first
    assert world.do(sharing_flow.tips, LINA, now=now).candidates == ()

    with pytest.raises(errors.NotAManager):
        world.do(sharing_flow.keep_lesson, LINA, lina.id, now=now)
    with pytest.raises(NotKeepable):
        world.do(sharing_flow.keep_lesson, MANAGER, vent.id, now=now)
    with pytest.raises(ShareNotFound):
        world.do(sharing_flow.keep_lesson, EVE, lina.id, now=now)  # another team's manager

    kept = world.do(sharing_flow.keep_lesson, MANAGER, lina.id, now=now)
    assert kept.replaced is None and kept.week_start == MONDAY
    assert kept.lesson.author.first_name == "李娜" and kept.lesson.kudos == 1
    moved = world.do(sharing_flow.keep_lesson, MANAGER, tom.id, now=now + timedelta(minutes=1))
    assert moved.replaced.id == lina.id

    seen = world.do(sharing_flow.tips, LINA, now=now)
    assert [lesson.share.id for lesson in seen.kept] == [tom.id]
    assert [c.share.id for c in world.do(sharing_flow.tips, MANAGER, now=now).candidates] == [
        lina.id
    ]


def test_no_group_no_sharing(world: World):
    with world.uow as uow:
        uow.teams.set_group(world.team_id, None, None)
        uow.commit()
    with pytest.raises(NoTeamGroup):
        world.do(sharing_flow.start_share, LINA, now=at(MONDAY, "20:40"))
