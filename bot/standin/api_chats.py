"""Bot API methods about chats: getChat, getChatMember, getChatAdministrators, leaveChat."""

from __future__ import annotations

from typing import Any

from bot.standin.errors import bad_request
from bot.standin.params import Params
from bot.standin.registry import api_method
from bot.standin.state import PRIVATE
from bot.standin.world import World


@api_method("getChat")
def get_chat(world: World, p: Params) -> dict[str, Any]:
    """Return the ChatFullInfo of a chat the bot can see."""
    chat = world.chat_for_bot(p.chat_id(), write=False)
    return {
        **world.chat_dict(chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@api_method("getChatMember")
def get_chat_member(world: World, p: Params) -> dict[str, Any]:
    """Return the ChatMember of a user (owner, administrator, member, left, kicked ...)."""
    chat = world.chat_for_bot(p.chat_id(), write=False)
    user_id = p.integer("user_id", missing="user_id is empty")
    if user_id != world.bot_id and user_id not in world.users:
        raise bad_request("user not found")
    assert user_id is not None
    if chat.type == PRIVATE and user_id not in (chat.id, world.bot_id):
        raise bad_request("user not found")
    return world.member_dict(chat, user_id)


@api_method("getChatAdministrators")
def get_chat_administrators(world: World, p: Params) -> list[dict[str, Any]]:
    """Return the owner and administrators of a group (including the bot if promoted)."""
    chat = world.chat_for_bot(p.chat_id(), write=False)
    if chat.type == PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    admins = [
        world.member_dict(chat, user_id)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]
    if chat.bot_status == "administrator":
        admins.append(world.member_dict(chat, world.bot_id))
    return admins


@api_method("leaveChat")
def leave_chat(world: World, p: Params) -> bool:
    """Make the bot leave a group (emits my_chat_member member -> left)."""
    chat = world.chat_for_bot(p.chat_id(), write=False)
    if chat.type == PRIVATE:
        raise bad_request("chat member status can't be changed in private chats")
    world.chat_member_update(chat, world.bot_id, chat.bot_status, "left")
    return True
