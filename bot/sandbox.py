"""The sandbox: the real bot against the local Bot API stand-in, chatted with from a terminal.

A person plays a manager, reps and the team group. Everything the bot does goes through the
real PTB Application and real HTTP, only to the stand-in instead of Telegram; data lands in an
SQLite file. Lines starting with ``:`` are sandbox commands (``:help``); anything else is sent
as the current persona into the current chat.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import ALLOWED_UPDATES, build_application
from bot.intake import Intake, Poller
from bot.services import Services
from bot.settings import Settings, TelegramSettings
from bot.standin import (
    CallbackAnswer,
    FakeGroup,
    FakeUser,
    MessageEdited,
    PlayerError,
    SentMessage,
    StandIn,
)
from coach.outbox import Delivery
from storage.db import make_engine
from storage.migrate import upgrade
from storage.uow import Database

SANDBOX_TOKEN = "100000001:SANDBOX-not-a-real-token"
BOT_USERNAME = "SalesCoachBot"
DONE_GROUP = 10_000  # after every real handler group
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")

HELP = """sandbox commands:
  :who                 list personas (* = you)          :as NAME      switch persona
  :new NAME [zh|en]    add a persona (a rep-to-be)     :group / :dm  talk in the group / privately
  :addbot / :kick      add the bot to / remove it from the group (as you)
  :admin NAME          make NAME a group admin          :join         open the last invite link
  :N  (e.g. :1)        press button N of the last message with buttons here
  :vote N              answer option N of the last quiz poll here
  :file PATH           send a file (e.g. a content pack .yaml, as a manager)
  :sticker  :photo     send non-text input             :help  :quit
  :time [HH:MM|ISO]    jump the sandbox clock (team zone) and run the scheduler; alone: show it
anything else is sent as a message; t.me invite links are opened like Telegram does."""


class ShiftedClock:
    """The real time moved by an offset, so a sandbox session can jump to 08:30 or 19:00."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump(self, to: datetime) -> None:
        self.offset = to - datetime.now(UTC)


def parse_jump(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """``19:00`` (the next such time in ``zone``, today or tomorrow) or an ISO instant.

    Raises:
        ValueError: neither.
    """
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        hour, minute = (int(part) for part in text.split(":"))
        local = now.astimezone(zone)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= local:
            target += timedelta(days=1)
        return target.astimezone(UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


@dataclass
class Terminal:
    """The person at the keyboard: who they play, where they talk, what they last saw."""

    out: TextIO
    files: Path
    personas: dict[str, FakeUser] = field(default_factory=dict)
    me: str = ""
    in_group: bool = False
    last_link: str | None = None
    last_buttons: dict[int, SentMessage] = field(default_factory=dict)
    last_poll: dict[int, SentMessage] = field(default_factory=dict)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, message: SentMessage, names: dict[int, str], edited: bool = False) -> None:
        """Print a bot message, its buttons numbered, and save any file it carries."""
        where = names.get(message.chat_id, str(message.chat_id))
        body = message.text or ""
        for match in LINK.finditer(body):
            self.last_link = match.group(0)
        label = "bot edited its message" if edited else "bot"
        self.say(f"\n[{label} → {where}]\n{body}".rstrip())
        for sent_file, fallback in ((message.photo, "photo.jpg"), (message.document, "file")):
            if sent_file is not None:
                self.files.mkdir(parents=True, exist_ok=True)
                name = Path(sent_file.filename or fallback).name  # no directories from a name
                path = self.files / f"{message.chat_id}-{message.message_id}-{name}"
                path.write_bytes(sent_file.content)
                self.say(f"  (file saved: {path})")
        if message.poll is not None:
            self.last_poll[message.chat_id] = message
            poll = message.poll
            self.say(f"📊 {poll.question}")
            for number, option in enumerate(poll.options, 1):
                self.say(f"  ({number}) {option}")
            self.say("  (closed)" if poll.is_closed else "  (:vote N to answer)")
        if message.buttons:
            self.last_buttons[message.chat_id] = message
            flat = [button for row in message.buttons for button in row]
            self.say("  " + "  ".join(f"[{i}] {b.text}" for i, b in enumerate(flat, 1)))


async def run_sandbox(
    settings: Settings,
    *,
    fresh: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Start the stand-in and the bot, then read lines until ``:quit`` or end of input."""
    stdin = stdin or sys.stdin
    # The chat is the interface here: routine INFO lines would drown it (DEBUG stays DEBUG).
    root = logging.getLogger()
    if root.level == logging.INFO:
        root.setLevel(logging.WARNING)
    terminal = Terminal(out=stdout or sys.stdout, files=Path(settings.sandbox.files_dir))
    database_url = _prepare_database(settings.sandbox.database_url, fresh)
    async with StandIn(token=SANDBOX_TOKEN, bot_username=BOT_USERNAME) as standin:
        sandbox_settings = settings.model_copy(
            update={
                "telegram": TelegramSettings(
                    token=SANDBOX_TOKEN,  # type: ignore[arg-type]
                    api_base_url=standin.base_url,
                    api_base_file_url=standin.base_file_url,
                ),
            }
        )
        database = Database(make_engine(database_url))
        clock = ShiftedClock()
        services = Services(settings=sandbox_settings, database=database, clock=clock)
        application = build_application(services)
        finished = _track_finished(application)
        cast = _cast(standin, terminal)
        names = {user.id: name for name, user in terminal.personas.items()}
        names[cast.id] = cast.title
        standin.subscribe(lambda event: _on_bot_event(terminal, names, event))
        try:
            async with application:
                # run_polling would call post_init (the command menus); started by hand, we do.
                if application.post_init is not None:
                    await application.post_init(application)
                await application.start()
                poller = Poller(
                    Intake(application, seen=services.seen),  # type: ignore[arg-type]
                    ALLOWED_UPDATES,
                    timeout=timedelta(seconds=5),
                )
                polling = asyncio.create_task(poller.run())
                terminal.say(_banner(database_url, terminal))
                travel = _traveller(services, clock, application, terminal)
                await _repl(stdin, terminal, standin, cast, names, finished, travel)
                poller.stop()
                await polling
                await application.stop()
        finally:
            database.dispose()
    return 0


def _prepare_database(url: str, fresh: bool) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(url)
    return url


def _cast(standin: StandIn, terminal: Terminal) -> FakeGroup:
    """The default personas: a manager, two reps (zh and en), and their team group."""
    terminal.personas = {
        "wang": standin.add_user(first_name="王经理", username="wang_mgr", language_code="zh"),
        "lina": standin.add_user(first_name="李娜", username="lina", language_code="zh-hans"),
        "tom": standin.add_user(first_name="Tom", username="tom_sales", language_code="en"),
    }
    terminal.me = "wang"
    wang, lina, tom = terminal.personas.values()
    return standin.add_group(
        title="华东一组 群", members={wang: "creator", lina: "member", tom: "member"}
    )


def _track_finished(application: object) -> dict[int, asyncio.Event]:
    """Events set once an update went through every handler group (so output is complete)."""
    events: dict[int, asyncio.Event] = {}

    async def done(update: Update, _context: object) -> None:
        events.setdefault(update.update_id, asyncio.Event()).set()

    application.add_handler(TypeHandler(Update, done), group=DONE_GROUP)  # type: ignore[attr-defined]
    return events


def _on_bot_event(terminal: Terminal, names: dict[int, str], event: object) -> None:
    """Show what the bot did: new and edited messages, and pop-up answers to button presses."""
    if isinstance(event, SentMessage):
        terminal.show(event, names)
    elif isinstance(event, MessageEdited):
        if event.message.text != event.previous.text:
            terminal.show(event.message, names, edited=True)
        elif event.message.buttons != event.previous.buttons and not event.message.buttons:
            terminal.last_buttons.pop(event.message.chat_id, None)
    elif isinstance(event, CallbackAnswer) and event.text:
        terminal.say(f"  (pop-up from the bot: {event.text})")


async def _repl(
    stdin: TextIO,
    terminal: Terminal,
    standin: StandIn,
    group: FakeGroup,
    names: dict[int, str],
    finished: dict[int, asyncio.Event],
    travel: Callable[[str], Awaitable[None]],
) -> None:
    interactive = stdin.isatty()
    while True:
        where = group.title if terminal.in_group else "private"
        if interactive:
            terminal.out.write(f"\n{terminal.me} @ {where} > ")
            terminal.out.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        if not interactive:
            terminal.say(f"\n{terminal.me} @ {where} > {line}")
        if line in {":quit", ":q", ":exit"}:
            return
        if line == ":time" or line.startswith(":time "):
            await travel(line.removeprefix(":time").strip())
            continue
        try:
            update = _act(line, terminal, standin, group, names)
        except PlayerError as exc:  # e.g. posting in a group one is not a member of
            terminal.say(f"  (not possible: {exc})")
            continue
        if update is not None:
            await _wait(finished, update, terminal)


def _act(
    line: str,
    terminal: Terminal,
    standin: StandIn,
    group: FakeGroup,
    names: dict[int, str],
) -> dict[str, object] | None:
    """Carry out one line; return the update it produced, if any."""
    me = terminal.personas[terminal.me]
    chat = group if terminal.in_group else None
    if not line.startswith(":"):
        link = LINK.fullmatch(line)
        if link:
            terminal.say(f"  (opening the link: /start {link.group(2)})")
            return me.send(f"/start {link.group(2)}")
        return me.send(line, chat=chat)
    words = shlex.split(line[1:]) or [""]
    verb, rest = words[0], words[1:]
    actions: dict[str, Callable[[], dict[str, object] | None]] = {
        "help": lambda: terminal.say(HELP),
        "who": lambda: terminal.say(_who(terminal)),
        "group": lambda: _set_group(terminal, True),
        "dm": lambda: _set_group(terminal, False),
        "addbot": lambda: group.add_bot(by=me),
        "kick": lambda: group.remove_bot(by=me),
        "sticker": lambda: me.send_sticker(),
        "photo": lambda: me.send_photo(),
    }
    if verb in actions:
        return actions[verb]()
    if verb == "as" and rest and rest[0] in terminal.personas:
        terminal.me = rest[0]
        terminal.say(f"  (you are now {rest[0]})")
        return None
    if verb == "new" and rest:
        lang = rest[1] if len(rest) > 1 else "zh"
        user = standin.add_user(first_name=rest[0], username=None, language_code=lang)
        group.set_status(user, "member")
        terminal.personas[rest[0]] = user
        names[user.id] = rest[0]
        terminal.say(f"  (added {rest[0]}, language {lang}; :as {rest[0]} to play them)")
        return None
    if verb == "admin" and rest and rest[0] in terminal.personas:
        group.set_status(terminal.personas[rest[0]], "administrator")
        terminal.say(f"  ({rest[0]} is now a group admin)")
        return None
    if verb == "join":
        if terminal.last_link is None:
            terminal.say("  (no invite link seen yet: as a manager, send /newteam or /invite)")
            return None
        token = terminal.last_link.rsplit("=", 1)[1]
        terminal.say(f"  (opening {terminal.last_link})")
        return me.send(f"/start {token}")
    if verb.isdigit():
        return _press(int(verb), terminal, me, group)
    if verb == "vote" and rest and rest[0].isdigit():
        poll = terminal.last_poll.get(group.id if terminal.in_group else me.id)
        if poll is None:
            terminal.say("  (no poll here yet: try /quiz)")
            return None
        return me.answer_poll(poll, int(rest[0]) - 1, chat=chat)
    if verb == "file" and rest:
        path = Path(rest[0]).expanduser()
        if not path.is_file():
            terminal.say(f"  (no file {path})")
            return None
        return me.send_document(path.name, path.read_bytes(), chat=chat)
    terminal.say(f"  (unknown sandbox command :{verb}; :help lists them)")
    return None


def _press(
    number: int, terminal: Terminal, me: FakeUser, group: FakeGroup
) -> dict[str, object] | None:
    chat_id = group.id if terminal.in_group else me.id
    message = terminal.last_buttons.get(chat_id)
    flat = [b for row in message.buttons for b in row] if message else []
    if message is None or not 1 <= number <= len(flat):
        terminal.say("  (no such button here)")
        return None
    return me.press(message, flat[number - 1])


def _set_group(terminal: Terminal, in_group: bool) -> None:
    terminal.in_group = in_group
    terminal.say("  (talking in the group)" if in_group else "  (talking privately to the bot)")


def _who(terminal: Terminal) -> str:
    return "\n".join(
        f"  {'*' if name == terminal.me else ' '} {name}: {user.first_name} "
        f"(id {user.id}, {user.language_code})"
        for name, user in terminal.personas.items()
    )


async def _wait(
    finished: dict[int, asyncio.Event], update: dict[str, object], terminal: Terminal
) -> None:
    update_id = int(update["update_id"])  # type: ignore[call-overload]
    event = finished.setdefault(update_id, asyncio.Event())
    try:
        await asyncio.wait_for(event.wait(), timeout=15)
    except TimeoutError:
        terminal.say("  (the bot has not finished answering yet; its reply will show up here)")
    finished.pop(update_id, None)


def _traveller(
    services: Services, clock: ShiftedClock, application: object, terminal: Terminal
) -> Callable[[str], Awaitable[None]]:
    zone = ZoneInfo(services.settings.team_defaults.timezone)

    async def travel(text: str) -> None:
        from bot.delivery import sender_of
        from bot.scheduler import run_tick

        if text:
            try:
                clock.jump(parse_jump(text, clock.now(), zone))
            except ValueError:
                terminal.say("  (use :time 19:00 or :time 2026-11-23T08:30+08:00)")
                return
        local = clock.now().astimezone(zone)
        terminal.say(f"  (sandbox time: {local:%Y-%m-%d %a %H:%M} {zone.key})")
        if not text:
            return
        report = await run_tick(services)
        if not report.stored:
            terminal.say("  (nothing is due at this time)")
            return
        sender = sender_of(application)  # type: ignore[arg-type]
        sender.wake()
        for _ in range(100):  # wait until what this tick queued has been sent
            counts = await services.run(lambda uow: uow.outbox.counts())
            if not counts.get(Delivery.PENDING):
                break
            await asyncio.sleep(0.1)

    return travel


def _banner(database_url: str, terminal: Terminal) -> str:
    return (
        "Sales Coach sandbox: the real bot, a local stand-in for Telegram, data in "
        f"{database_url}\n"
        "You play 王经理 (wang, a manager-to-be), 李娜 (lina) and Tom (tom), and the group "
        "'华东一组 群'.\n"
        "Try: /newteam 华东一组   then  :as lina  and  :join   then  :as wang  :group  :addbot  "
        "/bindgroup\n" + HELP
    )
