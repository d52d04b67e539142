"""Chats and members: getChat, getChatMember variants, groups, privacy mode, migration."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatMemberUpdated,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.standin import PlayerError, StandIn
from tests.standin.conftest import assert_clean


async def test_get_chat_private_and_group(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice", "Smith", username="alice")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(alice.id)
    alice.send("hi")
    private = await bot.get_chat(alice.id)
    assert isinstance(private, ChatFullInfo)
    assert_clean(private)
    assert (private.type, private.first_name, private.last_name, private.username) == (
        "private",
        "Alice",
        "Smith",
        "alice",
    )
    team = standin.add_group("East team", members={alice: "creator"})
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(team.id)
    team.add_bot(by=alice)
    group = await bot.get_chat(team.id)
    assert_clean(group)
    assert (group.id, group.type, group.title) == (team.id, "group", "East team")


async def test_get_chat_member_variants(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    admin = standin.add_user("Adam")
    member = standin.add_user("Mia")
    gone = standin.add_user("Gil")
    banned = standin.add_user("Ben")
    limited = standin.add_user("Rita")
    stranger = standin.add_user("Stan")
    team = standin.add_group(
        "East team",
        members={
            owner: "creator", admin: "administrator", member: "member", gone: "left",
            banned: "kicked", limited: "restricted",
        },
        supergroup=True,
    )  # fmt: skip
    team.add_bot(by=owner)

    expected = [
        (owner, ChatMemberOwner),
        (admin, ChatMemberAdministrator),
        (member, ChatMemberMember),
        (gone, ChatMemberLeft),
        (banned, ChatMemberBanned),
        (limited, ChatMemberRestricted),
        (stranger, ChatMemberLeft),
    ]
    for user, cls in expected:
        chat_member = await bot.get_chat_member(team.id, user.id)
        assert type(chat_member) is cls, user
        assert chat_member.user.id == user.id
        assert_clean(chat_member)
    admin_member = await bot.get_chat_member(team.id, admin.id)
    assert isinstance(admin_member, ChatMemberAdministrator)
    assert admin_member.can_delete_messages is True
    assert admin_member.can_manage_topics is False

    me = await bot.get_chat_member(team.id, standin.bot_id)
    assert isinstance(me, ChatMemberMember)
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(team.id, 424242)

    team.set_status(member, "administrator")
    assert isinstance(await bot.get_chat_member(team.id, member.id), ChatMemberAdministrator)


async def test_get_chat_administrators(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    admin = standin.add_user("Adam")
    member = standin.add_user("Mia")
    team = standin.add_group(
        "East team", members={owner: "creator", admin: "administrator", member: "member"}
    )
    team.add_bot(by=owner)
    team.promote_bot(by=owner)
    admins = await bot.get_chat_administrators(team.id)
    for chat_member in admins:
        assert_clean(chat_member)
    assert [(type(m), m.user.id) for m in admins] == [
        (ChatMemberOwner, owner.id),
        (ChatMemberAdministrator, admin.id),
        (ChatMemberAdministrator, standin.bot_id),
    ]
    owner.send("hi")
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)


async def test_add_promote_remove_bot_emit_my_chat_member(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    team = standin.add_group("East team", members={owner: "creator"})
    added = Update.de_json(team.add_bot(by=owner), bot)
    promoted = Update.de_json(team.promote_bot(by=owner), bot)
    removed = Update.de_json(team.remove_bot(by=owner), bot)
    for update in (added, promoted, removed):
        assert_clean(update)
        assert isinstance(update.my_chat_member, ChatMemberUpdated)
        assert update.my_chat_member.from_user.id == owner.id
        assert update.my_chat_member.chat.id == team.id
    assert added.my_chat_member is not None
    assert isinstance(added.my_chat_member.old_chat_member, ChatMemberLeft)
    assert isinstance(added.my_chat_member.new_chat_member, ChatMemberMember)
    assert added.my_chat_member.new_chat_member.user.id == standin.bot_id
    assert promoted.my_chat_member is not None
    assert isinstance(promoted.my_chat_member.new_chat_member, ChatMemberAdministrator)
    assert removed.my_chat_member is not None
    assert isinstance(removed.my_chat_member.new_chat_member, ChatMemberBanned)
    assert team.bot_status == "kicked"


async def test_leave_chat(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    team = standin.add_group("East team", members={owner: "creator"})
    team.add_bot(by=owner)
    assert await bot.leave_chat(team.id) is True
    left = Update.de_json(standin.updates[-1], bot)
    assert left.my_chat_member is not None
    assert left.my_chat_member.from_user.id == standin.bot_id
    assert isinstance(left.my_chat_member.new_chat_member, ChatMemberLeft)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(team.id, "x")


async def test_block_and_unblock_updates(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("/start")
    blocked = Update.de_json(alice.block_bot(), bot)
    assert_clean(blocked)
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.chat.type == "private"
    assert isinstance(blocked.my_chat_member.new_chat_member, ChatMemberBanned)
    with pytest.raises(PlayerError, match="blocked the bot"):
        alice.send("hello?")
    unblocked = Update.de_json(alice.unblock_bot(), bot)
    assert unblocked.my_chat_member is not None
    assert isinstance(unblocked.my_chat_member.new_chat_member, ChatMemberMember)


async def test_group_messages_privacy_mode_and_membership(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    rep = standin.add_user("Ray")
    outsider = standin.add_user("Otto")
    team = standin.add_group("East team", members={owner: "creator", rep: "member"})
    assert rep.send("/bindgroup", chat=team) is None  # the bot is not in the group yet
    with pytest.raises(PlayerError, match="not a member"):
        outsider.send("/bindgroup", chat=team)
    team.add_bot(by=owner)

    command = rep.send("/bindgroup@SalesCoachBot", chat=team)
    assert command is not None
    update = Update.de_json(command, bot)
    assert_clean(update)
    assert update.message is not None
    assert update.message.chat.type == "group"
    assert update.message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 24),)
    assert rep.send("/bindgroup", chat=team) is not None
    assert rep.send("/bindgroup@OtherBot", chat=team) is None
    assert rep.send("closed two deals today", chat=team) is None  # privacy mode

    sent = await bot.send_message(team.id, "How many calls?")
    assert rep.reply(sent, "12 calls", chat=team) is not None  # replies to the bot arrive
    team.promote_bot(by=owner)
    assert rep.send("closed two deals today", chat=team) is not None  # admins see everything
    assert len(team.history) == 8  # every message is in the history, delivered or not


async def test_privacy_mode_off() -> None:
    async with StandIn(privacy_mode=False) as standin:
        owner = standin.add_user("Olga")
        team = standin.add_group("East team", members={owner: "creator"})
        team.add_bot(by=owner)
        assert owner.send("plain text", chat=team) is not None
        me = await standin.call("getMe")
        assert me["can_read_all_group_messages"] is True


async def test_migrate_to_supergroup(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    team = standin.add_group("East team", members={owner: "creator"})
    team.add_bot(by=owner)
    update_dict = team.migrate_to_supergroup()
    assert update_dict is not None
    update = Update.de_json(update_dict, bot)
    assert_clean(update)
    supergroup = team.migrated_to
    assert supergroup is not None
    assert supergroup.type == "supergroup"
    assert str(supergroup.id).startswith("-100")
    assert update.message is not None
    assert update.message.migrate_to_chat_id == supergroup.id
    from_update = Update.de_json(standin.updates[-1], bot)
    assert from_update.message is not None
    assert from_update.message.migrate_from_chat_id == team.id
    assert from_update.message.chat.id == supergroup.id

    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(team.id, "x")
    assert caught.value.new_chat_id == supergroup.id
    sent = await bot.send_message(supergroup.id, "hello supergroup")
    assert sent.chat.type == "supergroup"
    with pytest.raises(PlayerError, match="upgraded"):
        owner.send("/x", chat=team)
    assert owner.send("/x", chat=supergroup) is not None


async def test_anonymous_admin_message(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    team = standin.add_group("East team", members={owner: "creator"}, supergroup=True)
    team.add_bot(by=owner)
    update = Update.de_json(team.send_as_anonymous_admin("/bindgroup"), bot)
    assert_clean(update)
    assert update.message is not None
    assert update.message.from_user is not None
    assert update.message.from_user.id == 1087968824
    assert update.message.from_user.username == "GroupAnonymousBot"
    assert update.message.sender_chat is not None
    assert update.message.sender_chat.id == team.id


async def test_member_service_messages(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    newbie = standin.add_user("Nina")
    team = standin.add_group("East team", members={owner: "creator"})
    team.add_bot(by=owner, with_service_message=True)
    service = Update.de_json(standin.updates[-1], bot)
    assert service.message is not None
    assert [u.id for u in service.message.new_chat_members] == [standin.bot_id]
    joined = Update.de_json(team.add_member(newbie, by=owner), bot)
    assert_clean(joined)
    assert joined.message is not None
    assert [u.id for u in joined.message.new_chat_members] == [newbie.id]
    left = Update.de_json(team.remove_member(newbie), bot)
    assert left.message is not None
    assert left.message.left_chat_member is not None
    assert left.message.left_chat_member.id == newbie.id
    assert team.members[newbie] == "left"
