"""setMyCommands/getMyCommands/deleteMyCommands per scope and language, with validation."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
)
from telegram.error import BadRequest

from bot.standin import BotCommand as StoredCommand
from bot.standin import StandIn
from tests.standin.conftest import assert_clean

PRIVATE = [BotCommand("start", "Start"), BotCommand("report", "Daily report")]
PRIVATE_ZH = [BotCommand("start", "开始"), BotCommand("report", "日报")]


async def test_commands_are_stored_per_scope_and_language(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga", language_code="zh-hans")
    team = standin.add_group("East team", members={owner: "creator"})
    team.add_bot(by=owner)
    group_commands = [BotCommand("bindgroup", "Bind this group")]

    assert await bot.set_my_commands(PRIVATE, scope=BotCommandScopeAllPrivateChats()) is True
    await bot.set_my_commands(
        PRIVATE_ZH, scope=BotCommandScopeAllPrivateChats(), language_code="zh"
    )
    await bot.set_my_commands(group_commands, scope=BotCommandScopeChat(team.id))

    fetched = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert fetched == tuple(PRIVATE)
    for command in fetched:
        assert_clean(command)
    zh = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert zh == tuple(PRIVATE_ZH)
    assert await bot.get_my_commands() == ()
    assert await bot.get_my_commands(scope=BotCommandScopeChat(team.id)) == tuple(group_commands)

    assert standin.commands("all_private_chats") == [
        StoredCommand("start", "Start"),
        StoredCommand("report", "Daily report"),
    ]
    assert standin.commands(BotCommandScopeAllPrivateChats(), "zh")[1].description == "日报"
    assert standin.commands({"type": "chat", "chat_id": team.id})[0].command == "bindgroup"
    assert standin.commands() == []

    assert [c.description for c in standin.menu_commands(owner)] == ["开始", "日报"]
    assert [c.command for c in standin.menu_commands(owner, team)] == ["bindgroup"]

    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert standin.commands("all_private_chats", "zh") == []
    assert [c.description for c in standin.menu_commands(owner)] == ["Start", "Daily report"]


async def test_menu_fallback_for_group_admins(standin: StandIn, bot: Bot) -> None:
    owner = standin.add_user("Olga")
    rep = standin.add_user("Ray")
    team = standin.add_group("East team", members={owner: "creator", rep: "member"})
    team.add_bot(by=owner)
    await bot.set_my_commands([BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("week", "Weekly")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        [BotCommand("config", "Configure")], scope=BotCommandScopeChatAdministrators(team.id)
    )
    assert [c.command for c in standin.menu_commands(owner, team)] == ["config"]
    assert [c.command for c in standin.menu_commands(rep, team)] == ["week"]
    assert [c.command for c in standin.menu_commands(rep)] == ["help"]


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Start", "Upper case", "Bot_command_invalid"),
        ("/start", "Slash", "Bot_command_invalid"),
        ("a" * 33, "Too long", "Bot_command_invalid"),
        ("", "Empty", "Bot_command_invalid"),
        ("report-day", "Dash", "Bot_command_invalid"),
        ("report", "", "Bot_command_description_invalid"),
        ("report", "x" * 257, "Bot_command_description_invalid"),
    ],
)
async def test_invalid_commands(
    standin: StandIn, bot: Bot, command: str, description: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.set_my_commands([(command, description)])
    assert standin.commands() == []


async def test_limits(standin: StandIn, bot: Bot) -> None:
    await bot.set_my_commands([("c" + str(i), "d" * 256) for i in range(100)])
    assert len(standin.commands()) == 100
    with pytest.raises(BadRequest, match="Too many commands specified"):
        await bot.set_my_commands([("c" + str(i), "d") for i in range(101)])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([("x", "y")], scope=BotCommandScopeChat(-123))
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.set_my_commands([("x", "y")], language_code="chinese")
    assert len(standin.commands()) == 100
