"""Teams, invites, joining and groups, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach import errors, onboarding
from coach.invites import TOKEN_BYTES, looks_like_token, new_token, token_hash
from coach.models import Contact, Lang, Person, Role, Schedule
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
DEFAULTS = onboarding.TeamDefaults("Asia/Shanghai", Schedule(), invite_ttl_days=30)


def person(uow: FakeUnitOfWork, user_id: int, name: str = "x", code: str = "zh") -> Person:
    with uow:
        met = onboarding.meet(uow, Contact(user_id, name, None, code), NOW, Lang.ZH)
        uow.commit()
    return met


def call(uow: FakeUnitOfWork, use_case, who: Person, *args, now=NOW, **kwargs):
    with uow:
        result = use_case(uow, who, now, *args, **kwargs)
        uow.commit()
        return result


def new_team(uow: FakeUnitOfWork, manager: Person, text: str = "华东一组"):
    return call(uow, onboarding.new_team_command, manager, text, DEFAULTS)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


# --- people and languages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", Lang.ZH), ("zh", Lang.ZH), ("en-US", Lang.EN), ("de", Lang.ZH), (None, Lang.ZH)],
)
def test_language_comes_from_telegram_until_chosen(uow, code, expected):
    assert person(uow, 1, code=code).language is expected


def test_chosen_language_survives_a_new_telegram_language(uow):
    rep = person(uow, 1, code="zh")
    chosen = call(uow, onboarding.choose_language, rep, Lang.EN)
    assert chosen.person.language is Lang.EN
    assert person(uow, 1, code="zh").language is Lang.EN


def test_meeting_again_without_changes_writes_nothing(uow):
    person(uow, 1, name="Li")
    commits_before = uow.committed.people_times[1]
    with uow:
        onboarding.meet(uow, Contact(1, "Li", None, "zh"), NOW + timedelta(days=1), Lang.ZH)
        uow.commit()
    assert uow.committed.people_times[1] == commits_before


# --- teams ------------------------------------------------------------------------------


def test_new_team_makes_the_creator_manager_and_an_invite(uow):
    manager = person(uow, 1)
    created = new_team(uow, manager, "华东一组 | 华东 | Asia/Tokyo")
    assert (created.team.name, created.team.region, created.team.timezone) == (
        "华东一组",
        "华东",
        "Asia/Tokyo",
    )
    assert uow.committed.members[1].role is Role.MANAGER
    assert created.invite.invite.role is Role.REP
    assert created.invite.invite.token_hash == token_hash(created.invite.token)
    assert created.invite.invite.expires_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("text", "name", "region", "zone"),
    [
        ("East 1", "East 1", None, None),
        ("East 1 | Europe/Berlin", "East 1", None, "Europe/Berlin"),
        ("华东一组｜华东", "华东一组", "华东", None),  # full-width bar
        ("A | UTC | West", "A", "West", "UTC"),
    ],
)
def test_parse_new_team(text, name, region, zone):
    assert onboarding.parse_new_team(text) == onboarding.NewTeamArgs(name, region, zone)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", errors.InvalidText),
        ("x" * 65, errors.InvalidText),
        ("A | B | C | D", errors.InvalidText),
        ("A | " + "r" * 33, errors.InvalidText),
    ],
)
def test_bad_new_team_input_stores_nothing(uow, text, error):
    manager = person(uow, 1)
    with pytest.raises(error):
        new_team(uow, manager, text)
    assert uow.committed.teams == {} and uow.committed.members == {}


def test_unknown_default_zone_is_refused(uow):
    manager = person(uow, 1)
    bad = onboarding.TeamDefaults("Mars/Olympus", Schedule(), None)
    with pytest.raises(errors.UnknownTimezone):
        call(uow, onboarding.new_team_command, manager, "A", bad)


def test_someone_in_a_team_cannot_create_another(uow):
    manager = person(uow, 1)
    new_team(uow, manager)
    with pytest.raises(errors.AlreadyInTeam) as caught:
        new_team(uow, manager, "Second")
    assert caught.value.team_name == "华东一组"


def test_step_by_step_new_team(uow):
    manager = person(uow, 1)
    dialog = call(uow, onboarding.begin_new_team, manager)
    assert (dialog.kind, dialog.step) == ("newteam", "name")
    asked = call(uow, onboarding.answer_dialog, manager, "  West  2 ", DEFAULTS)
    assert asked.step == "region" and asked.data == {"name": "West 2"}
    created = call(uow, onboarding.answer_dialog, manager, None, DEFAULTS)  # skipped
    assert created.team.name == "West 2" and created.team.region is None
    assert uow.committed.dialogs == {}


def test_bad_answer_keeps_the_flow_at_the_same_step(uow):
    manager = person(uow, 1)
    call(uow, onboarding.begin_new_team, manager)
    with pytest.raises(errors.InvalidText):
        call(uow, onboarding.answer_dialog, manager, "x" * 100, DEFAULTS)
    assert uow.committed.dialogs[1].step == "name"


def test_expired_flow_is_ignored_and_cancel_ends_a_flow(uow):
    manager = person(uow, 1)
    call(uow, onboarding.begin_new_team, manager)
    later = NOW + onboarding.DIALOG_TTL
    assert call(uow, onboarding.answer_dialog, manager, "Team", DEFAULTS, now=later) is None
    call(uow, onboarding.begin_new_team, manager)
    assert call(uow, onboarding.cancel, manager) is True
    assert call(uow, onboarding.cancel, manager) is False


# --- invites ----------------------------------------------------------------------------


def test_tokens_are_long_random_and_url_safe():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert TOKEN_BYTES * 8 >= 128
    assert all(looks_like_token(t) and len(t) <= 64 for t in tokens)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], (Role.REP, 30)),
        (["7"], (Role.REP, 7)),
        (["manager", "14d"], (Role.MANAGER, 14)),
        (["0"], (Role.REP, None)),
        (["主管", "3天"], (Role.MANAGER, 3)),
    ],
)
def test_parse_invite_args(words, expected):
    assert onboarding.parse_invite_args(words, 30) == expected


@pytest.mark.parametrize("word", ["soon", "-1", "400", "7w"])
def test_bad_invite_args(word):
    with pytest.raises(errors.InvalidInviteTtl):
        onboarding.parse_invite_args([word], 30)


def test_rep_joins_by_token(uow):
    manager, rep = person(uow, 1), person(uow, 2)
    created = new_team(uow, manager)
    joined = call(uow, onboarding.join, rep, created.invite.token)
    assert isinstance(joined, onboarding.Joined)
    assert joined.role is Role.REP and joined.moved_from is None
    assert uow.committed.members[2].team_id == created.team.id


def test_new_invite_revokes_the_old_one(uow):
    manager, rep = person(uow, 1), person(uow, 2)
    created = new_team(uow, manager)
    issued = call(uow, onboarding.invite_command, manager, [], 30)
    assert issued.revoked == 1
    with pytest.raises(errors.InviteRevoked):
        call(uow, onboarding.join, rep, created.invite.token)
    assert isinstance(call(uow, onboarding.join, rep, issued.invite.token), onboarding.Joined)


def test_manager_invite_does_not_revoke_the_rep_invite(uow):
    manager, rep = person(uow, 1), person(uow, 2)
    created = new_team(uow, manager)
    issued = call(uow, onboarding.invite_command, manager, ["manager"], 30)
    assert issued.revoked == 0 and issued.invite.invite.role is Role.MANAGER
    assert isinstance(call(uow, onboarding.join, rep, created.invite.token), onboarding.Joined)


def test_expired_invite(uow):
    manager, rep = person(uow, 1), person(uow, 2)
    new_team(uow, manager)
    issued = call(uow, onboarding.invite_command, manager, ["1"], 30)
    with pytest.raises(errors.InviteExpired):
        call(uow, onboarding.join, rep, issued.invite.token, now=NOW + timedelta(days=1))
    joined = call(uow, onboarding.join, rep, issued.invite.token, now=NOW + timedelta(hours=23))
    assert isinstance(joined, onboarding.Joined)


@pytest.mark.parametrize("token", ["", "short", "a" * 65, "with space in it ok", "!" * 24])
def test_malformed_or_unknown_tokens(uow, token):
    rep = person(uow, 2)
    with pytest.raises(errors.InviteInvalid):
        call(uow, onboarding.join, rep, token)
    with pytest.raises(errors.InviteInvalid):
        call(uow, onboarding.join, rep, new_token())


def test_joining_another_team_asks_first_and_moves_only_on_yes(uow):
    a_manager, b_manager, rep = person(uow, 1), person(uow, 2), person(uow, 3)
    team_a = new_team(uow, a_manager, "A")
    team_b = new_team(uow, b_manager, "B")
    call(uow, onboarding.join, rep, team_a.invite.token)
    asked = call(uow, onboarding.join, rep, team_b.invite.token)
    assert isinstance(asked, onboarding.MoveNeeded)
    assert (asked.current.name, asked.target.name) == ("A", "B")
    assert uow.committed.members[3].team_id == team_a.team.id
    moved = call(uow, onboarding.join, rep, team_b.invite.token, confirm_move=True)
    assert moved.moved_from.name == "A" and uow.committed.members[3].team_id == team_b.team.id


def test_joining_the_same_team_twice(uow):
    manager, rep = person(uow, 1), person(uow, 2)
    created = new_team(uow, manager)
    call(uow, onboarding.join, rep, created.invite.token)
    with pytest.raises(errors.AlreadyMember):
        call(uow, onboarding.join, rep, created.invite.token)


def test_sole_manager_cannot_move_but_a_co_managed_one_can(uow):
    a_manager, b_manager, co = person(uow, 1), person(uow, 2), person(uow, 3)
    team_a = new_team(uow, a_manager, "A")
    team_b = new_team(uow, b_manager, "B")
    with pytest.raises(errors.SoleManager):
        call(uow, onboarding.join, a_manager, team_b.invite.token, confirm_move=True)
    co_invite = call(uow, onboarding.invite_command, a_manager, ["manager"], 30)
    call(uow, onboarding.join, co, co_invite.invite.token)
    moved = call(uow, onboarding.join, a_manager, team_b.invite.token, confirm_move=True)
    assert moved.team.id == team_b.team.id and uow.committed.members[3].role is Role.MANAGER
    assert team_a.team.id != team_b.team.id


# --- authorisation ----------------------------------------------------------------------


def test_only_managers_issue_invites(uow):
    manager, rep, outsider = person(uow, 1), person(uow, 2), person(uow, 3)
    created = new_team(uow, manager)
    call(uow, onboarding.join, rep, created.invite.token)
    with pytest.raises(errors.NotAManager):
        call(uow, onboarding.invite_command, rep, ["manager"], 30)
    with pytest.raises(errors.NotInTeam):
        call(uow, onboarding.invite_command, outsider, [], 30)
    # the manager check comes before the arguments, so a rep learns nothing from bad ones
    with pytest.raises(errors.NotAManager):
        call(uow, onboarding.invite_command, rep, ["garbage"], 30)


# --- groups -----------------------------------------------------------------------------


def test_group_binding_rules(uow):
    a_manager, b_manager, rep = person(uow, 1), person(uow, 2), person(uow, 3)
    team_a = new_team(uow, a_manager, "A")
    new_team(uow, b_manager, "B")
    call(uow, onboarding.join, rep, team_a.invite.token)
    with pytest.raises(errors.NotAManager):
        call(uow, onboarding.bind_group, rep, -100, "G", is_group_admin=True)
    with pytest.raises(errors.NotGroupAdmin):
        call(uow, onboarding.bind_group, a_manager, -100, "G", is_group_admin=False)
    bound = call(uow, onboarding.bind_group, a_manager, -100, "G", is_group_admin=True)
    assert bound.team.group_chat_id == -100 and not bound.already
    with pytest.raises(errors.GroupOfOtherTeam):
        call(uow, onboarding.bind_group, b_manager, -100, "G", is_group_admin=True)
    again = call(uow, onboarding.bind_group, a_manager, -100, "G", is_group_admin=True)
    assert again.already
    moved = call(uow, onboarding.bind_group, a_manager, -200, "H", is_group_admin=True)
    assert moved.previous_chat_id == -100


def test_group_gone_and_migrated(uow):
    manager = person(uow, 1)
    team = new_team(uow, manager).team
    call(uow, onboarding.bind_group, manager, -100, "G", is_group_admin=True)
    with uow:
        assert onboarding.group_migrated(uow, -100, -1001234).id == team.id
        uow.commit()
    assert uow.committed.teams[team.id].group_chat_id == -1001234
    with uow:
        assert onboarding.group_gone(uow, -1001234).id == team.id
        assert onboarding.group_gone(uow, -5) is None
        uow.commit()
    assert uow.committed.teams[team.id].group_chat_id is None
