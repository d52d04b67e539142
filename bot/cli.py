"""``salescoach``: run the bot, open the sandbox, migrate the database, check the config."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_reports import add_commands as add_report_commands
from bot.logs import configure_logging
from bot.settings import DEFAULT_CONFIG, Settings, SettingsError, load_settings
from coach.kpis import Kpi

if TYPE_CHECKING:
    from coach.content import Pack
    from storage.uow import Database


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config, os.environ)
    except SettingsError as exc:
        print(f"salescoach: bad configuration:\n{exc}", file=sys.stderr)
        return 2
    secret_values = [
        s.get_secret_value()
        for s in (settings.telegram.token, settings.webhook.secret_token)
        if s is not None
    ]
    configure_logging(settings.logging.level, secret_values)
    return int(args.handler(settings, args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salescoach", description=__doc__)
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: config.toml)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (the sandbox when no token is set)")
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram should POST updates to")
    run.add_argument("--listen", help="webhook server address (default from config)")
    run.add_argument("--port", type=int, help="webhook server port (default from config)")
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="the sandbox: the real bot with a local Telegram")
    chat.add_argument("--fresh", action="store_true", help="start from an empty sandbox database")
    chat.set_defaults(handler=_chat)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations").set_defaults(handler=_db_upgrade)
    db_commands.add_parser("status", help="show the schema revision").set_defaults(
        handler=_db_status
    )

    tick = commands.add_parser(
        "tick", help="run the scheduler once: queue what is due at an instant (default: now)"
    )
    tick.add_argument(
        "--at",
        type=_instant,
        help="ISO 8601 instant with an offset, e.g. 2026-11-23T08:30:00+08:00",
    )
    tick.set_defaults(handler=_tick)

    targets = commands.add_parser(
        "targets", help="weekly targets per KPI (seeds' defaults, per team, per rep)"
    )
    targets.add_argument("--team", type=int, required=True, help="team id")
    targets.add_argument("--rep", type=int, help="a rep's Telegram user id (default: the team)")
    targets.add_argument(
        "values",
        nargs="*",
        metavar="KPI=VALUE",
        help=f"e.g. new_visits=12 revenue=150000 demos=- (- removes); KPIs: "
        f"{', '.join(k.value for k in Kpi)}; none: show",
    )
    targets.set_defaults(handler=_targets)

    add_report_commands(commands, _instant)  # report week|today, export (bot/cli_reports.py)

    content = commands.add_parser("content", help="content packs: objections and quiz questions")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    validate = content_commands.add_parser(
        "validate", help="check a pack file and list every problem with its line"
    )
    validate.add_argument("file", type=Path, help="a YAML pack (docs/content-packs.md)")
    validate.add_argument("--lang", choices=("zh", "en"), default="en", help="message language")
    validate.set_defaults(handler=_content_validate)
    load = content_commands.add_parser(
        "import", help="validate a pack and store it whole (a team's, or built in for all teams)"
    )
    load.add_argument("file", type=Path, help="a YAML pack (docs/content-packs.md)")
    load.add_argument("--team", type=int, help="team id (default: built in, seen by every team)")
    load.add_argument("--lang", choices=("zh", "en"), default="en", help="message language")
    load.set_defaults(handler=_content_import)

    config = commands.add_parser("config", help="configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    config_commands.add_parser("check", help="validate and print the settings").set_defaults(
        handler=_config_check
    )
    return parser


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.telegram.token is None:
        print(
            "No TELEGRAM_BOT_TOKEN configured: starting the local sandbox instead.\n"
            "(Set the token in config.toml or the environment to run against Telegram.)",
            file=sys.stderr,
        )
        return _chat(settings, argparse.Namespace(fresh=False))
    from bot.runner import run_bot, webhook_options

    webhook = webhook_options(
        settings, args.webhook_url, args.listen, args.port, secrets.token_urlsafe(32)
    )
    return run_bot(settings, webhook)


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sandbox import run_sandbox

    return asyncio.run(run_sandbox(settings, fresh=bool(args.fresh)))


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database.url)
    print("database is up to date", file=sys.stderr)
    return 0


def _db_status(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import make_engine
    from storage.migrate import schema_state

    engine = make_engine(settings.database.url)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    verdict = "up to date" if state.up_to_date else "needs `salescoach db upgrade`"
    print(f"revision {state.current or '(none)'}; newest {state.head}: {verdict}")
    return 0 if state.up_to_date else 1


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; add one, e.g. {text}+08:00 or {text}Z"
        )
    return value.astimezone(UTC)


def _database(settings: Settings) -> Database | None:
    """The migrated database, or ``None`` after saying how to migrate it."""
    from bot.runner import SchemaOutOfDate, open_database

    try:
        return open_database(settings.database.url)
    except SchemaOutOfDate as exc:
        print(f"salescoach: {exc}", file=sys.stderr)
        return None


def _tick(settings: Settings, args: argparse.Namespace) -> int:
    from bot.scheduler import run_tick
    from bot.services import Services, SystemClock

    database = _database(settings)
    if database is None:
        return 3
    try:
        services = Services(settings=settings, database=database, clock=SystemClock())
        report = asyncio.run(run_tick(services, args.at))
    finally:
        database.dispose()
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.kinds.items()))
    print(
        f"tick at {report.at.isoformat(timespec='seconds')}: "
        f"{report.stored} message(s) queued{f' ({kinds})' if kinds else ''}"
    )
    return 0


def _targets(settings: Settings, args: argparse.Namespace) -> int:
    from coach.errors import CoachError
    from coach.targets import effective_targets, parse_target_args, set_weekly_targets

    database = _database(settings)
    if database is None:
        return 3
    try:
        with database.unit_of_work() as uow:
            if args.values:
                values = parse_target_args(list(args.values))
                result = set_weekly_targets(uow, args.team, args.rep, values)
                uow.commit()
            else:
                result = effective_targets(uow, args.team, args.rep)
    except CoachError as error:
        detail = ", ".join(f"{k}={v}" for k, v in error.context().items())
        print(f"salescoach: {error.code} ({detail})", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    who = f"rep {args.rep}" if args.rep else "the team's reps"
    print(f"weekly targets of {who} in team {args.team}:")
    for kpi, value in result.items():
        print(f"  {kpi.value:<20} {value}")
    return 0


def _read_pack_file(args: argparse.Namespace) -> Pack | None:
    """The valid pack in ``args.file``, or ``None`` once its problems are printed."""
    from bot.render import plain_text, render
    from coach.content import InvalidPack, read_pack

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"salescoach: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return None
    try:
        return read_pack(data)
    except InvalidPack as error:
        report = render(args.lang, "content/problems", problems=error.problems, limit=1000)
        print(plain_text(report), file=sys.stderr)
        return None


def _content_validate(_settings: Settings, args: argparse.Namespace) -> int:
    from bot.render import plain_text, render

    pack = _read_pack_file(args)
    if pack is None:
        return 2
    print(plain_text(render(args.lang, "content/summary", pack=pack)))
    return 0


def _content_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.render import plain_text, render
    from coach.content_import import StalePackVersion, import_pack
    from storage.models import BUILT_IN

    pack = _read_pack_file(args)
    if pack is None:
        return 2
    database = _database(settings)
    if database is None:
        return 3
    scope = BUILT_IN if args.team is None else args.team
    try:
        with database.unit_of_work() as uow:
            if args.team is not None and uow.teams.get(args.team) is None:
                print(f"salescoach: no team with id {args.team}", file=sys.stderr)
                return 2
            report = import_pack(uow, scope, pack, datetime.now(UTC))
            uow.commit()
    except StalePackVersion as error:
        print(plain_text(render(args.lang, "errors/stale_pack_version", **error.context())),
              file=sys.stderr)  # fmt: skip
        return 2
    finally:
        database.dispose()
    print(plain_text(render(args.lang, "content/imported", pack=pack, report=report)))
    return 0


def _config_check(settings: Settings, _args: argparse.Namespace) -> int:
    print(settings.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
