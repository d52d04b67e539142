"""The command menus (setMyCommands), per language and per scope.

Defaults are set at start for private chats, groups and group admins. People with a team
get a menu of their own (``BotCommandScopeChat``) in the language they chose, so the menu
follows /lang and their role rather than the Telegram app's language.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from coach.models import Lang, Role

log = logging.getLogger(__name__)

DESCRIPTIONS: dict[str, dict[Lang, str]] = {
    "start": {Lang.ZH: "开始 / 加入团队", Lang.EN: "Start / join a team"},
    "help": {Lang.ZH: "我能做什么", Lang.EN: "What I can do"},
    "newteam": {Lang.ZH: "创建团队（主管）", Lang.EN: "Create a team (managers)"},
    "invite": {Lang.ZH: "生成新的邀请链接", Lang.EN: "Make a new invite link"},
    "lang": {Lang.ZH: "切换语言 / Language", Lang.EN: "Language / 切换语言"},
    "cancel": {Lang.ZH: "退出当前操作", Lang.EN: "Leave the current step"},
    "bindgroup": {Lang.ZH: "把本群绑定为团队群", Lang.EN: "Make this the team's group"},
    "plan": {Lang.ZH: "晨间计划（3+2）", Lang.EN: "Morning plan (3+2)"},
    "review": {Lang.ZH: "晚间复盘", Lang.EN: "Evening review"},
    "skip": {Lang.ZH: "请假 / 病假 / 培训 / 出差", Lang.EN: "Away: leave, sick, training, travel"},
    "week": {Lang.ZH: "本周总结与反思", Lang.EN: "This week's summary"},
    "packs": {Lang.ZH: "练习内容包", Lang.EN: "Practice content packs"},
    "drill": {Lang.ZH: "异议演练（LAER）", Lang.EN: "Objection drill (LAER)"},
    "me": {Lang.ZH: "我的练习与薄弱项", Lang.EN: "My practice and weak spots"},
    "objections": {Lang.ZH: "团队遇到的客户异议", Lang.EN: "Objections the team met"},
    "quiz": {Lang.ZH: "产品知识小测", Lang.EN: "Product quiz"},
    "gaps": {Lang.ZH: "团队知识薄弱点（主管）", Lang.EN: "Team knowledge gaps (managers)"},
    "battle": {Lang.ZH: "开始本周知识擂台", Lang.EN: "Start this week's quiz battle"},
    "board": {Lang.ZH: "榜单：英雄榜、KPI、接力赛", Lang.EN: "Boards: heroes, KPIs, relay"},
    "share": {Lang.ZH: "晚分享：分享到团队群", Lang.EN: "Evening sharing: share with the team"},
    "tips": {Lang.ZH: "团队留下的经验", Lang.EN: "Lessons the team kept"},
    "team": {Lang.ZH: "团队今天的情况", Lang.EN: "The team today"},
    "report": {Lang.ZH: "团队周报（可查往周）", Lang.EN: "The team's week (any week)"},
    "targets": {Lang.ZH: "查看和设置目标", Lang.EN: "See and set targets"},
    "schedule": {Lang.ZH: "查看和修改日程", Lang.EN: "See and change the schedule"},
    "export": {Lang.ZH: "导出数据（XLSX 和 CSV）", Lang.EN: "Export data (XLSX and CSV)"},
}

NEWCOMER = ("start", "help", "newteam", "lang", "cancel")
_DAILY = ("plan", "review", "skip", "week", "drill", "quiz", "share", "tips", "board", "me")
"""What every team member does: the rhythm, practice, sharing and the boards."""
_GENERAL = ("packs", "help", "lang", "cancel")

REP = (*_DAILY, *_GENERAL)
MANAGER = (
    *_DAILY,
    *("team", "report", "targets", "schedule", "export", "objections", "gaps", "invite"),
    *_GENERAL,
)
GROUP = ("help", "board", "share")
GROUP_ADMIN = ("help", "board", "share", "bindgroup", "battle")


def menu(names: tuple[str, ...], lang: Lang) -> list[BotCommand]:
    return [BotCommand(name, DESCRIPTIONS[name][lang]) for name in names]


def personal_menu(role: Role | None) -> tuple[str, ...]:
    if role is Role.MANAGER:
        return MANAGER
    if role is Role.REP:
        return REP
    return NEWCOMER


async def publish_default_menus(bot: Bot, default: Lang) -> None:
    """Set the menus everyone sees before they have a team, in every language."""
    scopes: list[tuple[BotCommandScope, tuple[str, ...]]] = [
        (BotCommandScopeAllPrivateChats(), NEWCOMER),
        (BotCommandScopeAllGroupChats(), GROUP),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN),
    ]
    for scope, names in scopes:
        await bot.set_my_commands(menu(names, default), scope=scope)
        for lang in Lang:
            await bot.set_my_commands(menu(names, lang), scope=scope, language_code=lang.value)


async def set_personal_menu(bot: Bot, user_id: int, lang: Lang, role: Role | None) -> None:
    """Give one person the menu for their role and language; a failure is logged, not raised."""
    try:
        await bot.set_my_commands(
            menu(personal_menu(role), lang), scope=BotCommandScopeChat(user_id)
        )
    except TelegramError as exc:
        log.warning("could not set the menu for user %s: %s", user_id, exc.__class__.__name__)
