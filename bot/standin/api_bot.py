"""Bot API methods about the bot itself: getMe, logOut, close and the command menu."""

from __future__ import annotations

import re
from typing import Any

from bot.standin.errors import bad_request
from bot.standin.params import Params
from bot.standin.records import BotCommand
from bot.standin.registry import api_method
from bot.standin.world import World

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
MAX_COMMANDS = 100
MAX_DESCRIPTION_LENGTH = 256


@api_method("getMe")
def get_me(world: World, p: Params) -> dict[str, Any]:
    """Return the bot's User object."""
    return world.bot_profile()


@api_method("logOut")
def log_out(world: World, p: Params) -> bool:
    """Pretend to log out from the cloud Bot API server."""
    return True


@api_method("close")
def close(world: World, p: Params) -> bool:
    """Pretend to close the bot instance."""
    return True


def _language(p: Params) -> str:
    language = p.string("language_code") or ""
    if language and not _LANGUAGE_RE.match(language):
        raise bad_request("invalid language code specified")
    return language


def _commands(raw: Any) -> list[BotCommand]:
    if raw is None:
        raise bad_request('parameter "commands" is required')
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    commands: list[BotCommand] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if (
            not isinstance(description, str)
            or not description.strip()
            or len(description) > MAX_DESCRIPTION_LENGTH
        ):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append(BotCommand(command, description))
    return commands


@api_method("setMyCommands")
def set_my_commands(world: World, p: Params) -> bool:
    """Store the command list for one (scope, language_code)."""
    commands = _commands(p.json_value("commands"))
    key = (world.scope_key(p.json_value("scope")), _language(p))
    if commands:
        world.commands[key] = commands
    else:
        world.commands.pop(key, None)
    world.notifier.notify()
    return True


@api_method("getMyCommands")
def get_my_commands(world: World, p: Params) -> list[dict[str, str]]:
    """Return the command list stored for exactly this (scope, language_code)."""
    key = (world.scope_key(p.json_value("scope")), _language(p))
    return [command.as_dict() for command in world.commands.get(key, [])]


@api_method("deleteMyCommands")
def delete_my_commands(world: World, p: Params) -> bool:
    """Delete the command list of one (scope, language_code)."""
    key = (world.scope_key(p.json_value("scope")), _language(p))
    world.commands.pop(key, None)
    world.notifier.notify()
    return True
