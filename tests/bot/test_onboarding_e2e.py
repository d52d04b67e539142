"""End to end through the stand-in: create a team, join by invite, bind a group, refusals."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.commands import GROUP_ADMIN, MANAGER, REP
from bot.standin import FakeGroup, FakeUser, StandIn
from coach.invites import new_token
from storage.models import InviteRow, MembershipRow, TeamRow
from tests.fakes import FixedClock
from tests.harness import Harness, text_of

LINK = re.compile(r"https://t\.me/SalesCoachBot\?start=([A-Za-z0-9_-]+)")


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match, f"no invite link in: {text!r}"
    return match.group(1)


def rows(harness: Harness, model) -> int:
    database = harness.app.bot_data.services.database
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def group_of(harness: Harness, name: str | None = None) -> int | None:
    """The bound group's chat id of the only team, or of the team called ``name``."""
    query = select(TeamRow.group_chat_id)
    if name is not None:
        query = query.where(TeamRow.name == name)
    database = harness.app.bot_data.services.database
    with database.engine.connect() as connection:
        return connection.execute(query).scalar_one()


class Team:
    """A manager (zh), two reps (en, zh), an outsider, and the team group."""

    def __init__(self, standin: StandIn) -> None:
        self.manager = standin.add_user(first_name="王经理", username="wang", language_code="zh")
        self.tom = standin.add_user(first_name="Tom", username="tom", language_code="en-US")
        self.lina = standin.add_user(first_name="李娜", username="lina", language_code="zh-hans")
        self.outsider = standin.add_user(first_name="Eve", username="eve", language_code="en")
        self.group: FakeGroup = standin.add_group(
            title="华东一组 群",
            members={
                self.manager: "creator",
                self.tom: "member",
                self.lina: "member",
                self.outsider: "member",
            },
        )


async def make_team(harness: Harness, people: Team, text: str = "华东一组 | 华东") -> str:
    replies = await harness.send(people.manager, f"/newteam {text}")
    return token_in(text_of(replies))


async def test_manager_creates_team_reps_join_and_the_group_is_bound(harness: Harness):
    people = Team(harness.standin)

    welcome = text_of(await harness.send(people.manager, "/start"))
    assert "/newteam" in welcome and "日清周结" in welcome

    created = text_of(await harness.send(people.manager, "/newteam 华东一组 | 华东"))
    assert "团队 华东一组 已创建（区域：华东）" in created
    token = token_in(created)

    joined_en = text_of(await harness.send(people.tom, f"/start {token}"))
    assert "Welcome to 华东一组, Tom! You joined as a rep." in joined_en
    assert "08:30" in joined_en and "Evening review" in joined_en
    joined_zh = text_of(await harness.send(people.lina, f"/start {token}"))
    assert "欢迎加入 华东一组，李娜！你的身份是销售。" in joined_zh

    hello = text_of(await harness.feed(people.group.add_bot(by=people.manager)))
    assert "/bindgroup" in hello
    bound = text_of(await harness.send(people.manager, "/bindgroup", chat=people.group))
    assert "本群已绑定为 华东一组 的团队群" in bound
    assert group_of(harness) == people.group.id
    assert rows(harness, MembershipRow) == 3

    again = text_of(await harness.send(people.manager, "/bindgroup", chat=people.group))
    assert "已经是" in again

    # Removed from the group: no trace of the binding is left.
    await harness.feed(people.group.remove_bot(by=people.manager))
    assert group_of(harness) is None


async def test_step_by_step_team_creation_with_skip_and_cancel(harness: Harness):
    people = Team(harness.standin)
    asked = await harness.send(people.manager, "/newteam")
    assert "团队叫什么名字" in text_of(asked)
    assert "团队名称太长" in text_of(await harness.send(people.manager, "名" * 80))
    region = await harness.send(people.manager, "西南三组")
    assert "哪个区域" in text_of(region)
    created = await harness.press(people.manager, region[-1], "跳过")
    assert "团队 西南三组 已创建，时区 Asia/Shanghai" in text_of(created)
    assert rows(harness, TeamRow) == 1

    await harness.send(people.outsider, "/newteam")
    assert "Stopped; nothing was saved." in text_of(await harness.send(people.outsider, "/cancel"))
    assert "nothing to cancel" in text_of(await harness.send(people.outsider, "/cancel"))
    assert "invite link" in text_of(await harness.send(people.outsider, "Team Eve"))
    assert rows(harness, TeamRow) == 1


async def test_invite_links_revoked_expired_and_invalid(harness: Harness, clock: FixedClock):
    people = Team(harness.standin)
    first = await make_team(harness, people)

    issued = text_of(await harness.send(people.manager, "/invite 7"))
    second = token_in(issued)
    assert "之前的销售邀请链接已失效" in issued and second != first

    revoked = text_of(await harness.send(people.tom, f"/start {first}"))
    assert "was replaced and no longer works" in revoked
    assert "not valid" in text_of(await harness.send(people.tom, f"/start {new_token()}"))
    assert "not valid" in text_of(await harness.send(people.tom, "/start <script>"))

    clock.set(clock.now() + timedelta(days=7))
    assert "has expired" in text_of(await harness.send(people.tom, f"/start {second}"))
    assert rows(harness, MembershipRow) == 1  # only the manager

    unusual = text_of(await harness.send(people.manager, "/invite soon"))
    assert "/invite [manager] [天数]" in unusual
    assert rows(harness, InviteRow) == 2


async def test_a_rep_is_asked_before_moving_teams(harness: Harness, standin: StandIn):
    people = Team(standin)
    other_manager = standin.add_user(first_name="Bob", username="bob", language_code="en")
    token_a = await make_team(harness, people, "A")
    token_b = token_in(text_of(await harness.send(other_manager, "/newteam B")))
    await harness.send(people.tom, f"/start {token_a}")

    asked = await harness.send(people.tom, f"/start {token_b}")
    assert "You are in A now. Leave it and join B as a rep?" in text_of(asked)
    stayed = await harness.press(people.tom, asked[-1], "Stay where I am")
    assert "you stay in A" in text_of(stayed)

    asked = await harness.send(people.tom, f"/start {token_b}")
    moved = await harness.press(people.tom, asked[-1], "Join the new team")
    assert "Welcome to B, Tom!" in text_of(moved) and "You left A." in text_of(moved)
    assert "already in" in text_of(await harness.send(people.tom, f"/start {token_b}"))

    # The last manager of a team cannot walk away from it.
    asked = await harness.send(people.manager, f"/start {token_b}")
    refused = await harness.press(people.manager, asked[-1], "加入新团队")
    assert "唯一的主管" in text_of(refused)


async def test_refusal_matrix(harness: Harness, standin: StandIn):
    people = Team(standin)
    manager_b = standin.add_user(first_name="Bob", username="bob", language_code="en")
    token = await make_team(harness, people, "A")
    await harness.send(manager_b, "/newteam B")
    await harness.send(people.tom, f"/start {token}")
    group = people.group
    group.set_status(manager_b, "administrator")
    group.set_status(people.tom, "administrator")
    await harness.feed(group.add_bot(by=people.manager))
    before = (rows(harness, InviteRow), rows(harness, MembershipRow), rows(harness, TeamRow))

    cases: list[tuple[FakeUser, str, FakeGroup | None, str]] = [
        (people.tom, "/invite", None, "Only the managers of A can do this."),
        (people.tom, "/invite manager", None, "Only the managers of A can do this."),
        (people.outsider, "/invite", None, "You are not in a team yet."),
        (people.tom, "/newteam Mine", None, "You are already a rep in A"),
        (people.tom, "/bindgroup", group, "Only the managers of A can do this."),
        (people.outsider, "/bindgroup", group, "You are not in a team yet."),
        (people.lina, "/bindgroup", group, "你还没有加入团队"),
        (people.tom, "/bindgroup", None, "/bindgroup is sent in the team group"),
    ]
    for actor, command, chat, expected in cases:
        answer = text_of(await harness.send(actor, command, chat=chat))
        assert expected in answer, (command, answer)

    # A manager who is not an admin of the group cannot bind it...
    group.set_status(people.manager, "member")
    assert "本群管理员" in text_of(await harness.send(people.manager, "/bindgroup", chat=group))
    group.set_status(people.manager, "administrator")
    await harness.send(people.manager, "/bindgroup", chat=group)
    # ...and team B's manager cannot take team A's group, even as its admin.
    taken = text_of(await harness.send(manager_b, "/bindgroup", chat=group))
    assert "already bound to another team" in taken
    assert group_of(harness, "A") == group.id
    assert before == (
        rows(harness, InviteRow),
        rows(harness, MembershipRow),
        rows(harness, TeamRow),
    )


async def test_anonymous_admins_and_migrated_groups(harness: Harness):
    people = Team(harness.standin)
    await make_team(harness, people)
    await harness.feed(people.group.add_bot(by=people.manager))
    anonymous = text_of(await harness.feed(people.group.send_as_anonymous_admin("/bindgroup")))
    assert "匿名" in anonymous
    await harness.send(people.manager, "/bindgroup", chat=people.group)
    old_id = people.group.id
    await harness.feed(people.group.migrate_to_supergroup())
    assert group_of(harness) not in (None, old_id)
    assert group_of(harness) == people.group.migrated_to.id


async def test_odd_input_always_gets_an_answer(harness: Harness):
    people = Team(harness.standin)
    tom = people.tom
    cases = [
        (tom.send_sticker(), "text and commands only"),
        (tom.send_photo(), "text and commands only"),
        (tom.send_document("pack.yaml", b"a: 1", mime_type="text/yaml"), "text and commands only"),
        (tom.send("/frobnicate"), "I don't know the command /frobnicate"),
        (tom.send("/plan"), "You are not in a team yet"),
        (tom.send("hello?"), "I don't know your team yet"),
        (tom.send("<b>{{ 7*7 }}</b> 🙂"), "I don't know your team yet"),
        (tom.send("x" * 5000), "too long"),
    ]
    for update, expected in cases:
        assert expected in text_of(await harness.feed(update)), expected
    sent = tom.send("hi")
    assert "send it again" in text_of(await harness.feed(tom.edit(sent_message(sent), "hi!")))


def sent_message(update: dict) -> dict:
    return update["message"]


async def test_hostile_names_are_escaped_and_telegram_accepts_them(harness: Harness):
    people = Team(harness.standin)
    name = "<b>Evil</b> & {{ 7*7 }}"
    created = await harness.send(people.manager, f"/newteam {name}")
    assert f"团队 {name} 已创建" in text_of(created)
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp;" in created[-1].html
    failed = [c for c in harness.standin.calls if not c.ok]
    assert failed == []


async def test_forged_and_stale_buttons(harness: Harness):
    people = Team(harness.standin)
    token = await make_team(harness, people)
    await harness.send(people.tom, f"/start {token}")
    asked = await harness.send(people.tom, "/lang")
    mark = len(harness.standin.calls)
    await harness.feed(people.tom.press_data(asked[-1], "drill:9:listen"))
    answers = [c for c in harness.standin.calls[mark:] if c.method == "answerCallbackQuery"]
    assert answers and "expired" in answers[0].params["text"]
    forged = await harness.feed(people.tom.press_data(asked[-1], f"move:{new_token()}:1"))
    assert "not valid" in text_of(forged)
    assert rows(harness, MembershipRow) == 2


async def test_language_switch_and_menus(harness: Harness, standin: StandIn):
    people = Team(standin)
    # Menus for everyone, set at start, in both languages and three scopes.
    zh_private = standin.commands(scope={"type": "all_private_chats"}, language_code="zh")
    assert [c.command for c in zh_private] == ["start", "help", "newteam", "lang", "cancel"]
    en_admins = standin.commands(scope={"type": "all_chat_administrators"}, language_code="en")
    assert [c.command for c in en_admins] == list(GROUP_ADMIN)
    assert {"bindgroup", "battle"} <= set(GROUP_ADMIN)

    await make_team(harness, people)
    manager_menu = standin.commands(scope={"type": "chat", "chat_id": people.manager.id})
    assert [c.command for c in manager_menu] == list(MANAGER)  # the manager's, not a rep's
    assert {"invite", "objections"} <= set(MANAGER) - set(REP)
    invite = [c.command for c in manager_menu].index("invite")
    assert manager_menu[invite].description == "生成新的邀请链接"

    asked = await harness.send(people.manager, "/lang")
    switched = await harness.press(people.manager, asked[-1], "English")
    assert "I'll speak English with you" in text_of(switched)
    help_text = text_of(await harness.send(people.manager, "/help"))
    assert "You are a manager in" in help_text
    manager_menu = standin.commands(scope={"type": "chat", "chat_id": people.manager.id})
    assert manager_menu[invite].description == "Make a new invite link"
    assert "以后我用中文" in text_of(await harness.send(people.manager, "/lang 中文"))


async def test_the_token_and_rep_text_never_reach_the_logs(harness: Harness):
    from bot.logs import configure_logging
    from tests.bot.conftest import TOKEN

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN], stream=stream)
    try:
        people = Team(harness.standin)
        token = await make_team(harness, people)
        await harness.send(people.tom, f"/start {token}")
        await harness.send(people.tom, "my secret deal with ACME")
        await harness.feed(people.tom.press_data(harness.standin.sent_messages()[-1], "x:1"))
        await harness.send(people.tom, "/plan\nClose ACME\nvisits 99999")  # refused
        await harness.send(people.tom, "/plan\nClose ACME\nvisits 3")
        await harness.send(people.tom, "/review")
        await harness.send(people.tom, "calls 4")
        await harness.send(people.tom, "ACME signed")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = stream.getvalue()
    assert "Calling Bot API endpoint" in logged  # PTB's debug lines were captured
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert "ACME" not in logged


def test_the_redaction_filter_scrubs_what_slips_through():
    from bot.logs import RedactSecrets

    record = logging.LogRecord("x", logging.INFO, "f", 1, "url %s/%s", ("bot1:SECRET", "x"), None)
    RedactSecrets(["1:SECRET"]).filter(record)
    assert record.getMessage() == "url bot[token]/x"


async def test_blocking_and_unblocking_the_bot_sends_nothing(harness: Harness):
    people = Team(harness.standin)
    await harness.send(people.tom, "/start")
    assert await harness.feed(people.tom.block_bot()) == []
    assert blocked(harness, people.tom.id) is True  # no pushes to Tom from now on
    assert await harness.feed(people.tom.unblock_bot()) == []
    assert blocked(harness, people.tom.id) is False


def blocked(harness: Harness, user_id: int) -> bool:
    with harness.app.bot_data.services.database.unit_of_work() as uow:
        person = uow.people.get(user_id)
        assert person is not None
        return person.blocked
