"""``salescoach report week|today`` and ``salescoach export``: the managers' views for the admin.

The admin is trusted (no ``coach.access`` check): the CLI reads any team by id. Reports are
the bot's own messages as plain text, in ``--lang``; the export writes the same XLSX (and
optionally CSV) as ``/export``, with a progress bar on standard error, one step per sheet.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from coach.models import Team
    from coach.ports import UnitOfWork


def add_commands(commands: argparse._SubParsersAction, instant: Callable[[str], datetime]) -> None:  # type: ignore[type-arg]
    """Add ``report`` and ``export`` to the ``salescoach`` parser (``instant`` reads ``--at``)."""
    report = commands.add_parser("report", help="a team's reports as text (week, today)")
    kinds = report.add_subparsers(dest="report_command", required=True)
    week = kinds.add_parser("week", help="a week of the team: per rep checklist, score, practice")
    week.add_argument("--team", type=int, required=True, help="team id")
    week.add_argument("--week", help="any date in the week (YYYY-MM-DD) or 'last'; default: this")
    _common(week, instant)
    week.set_defaults(handler=report_week)
    today = kinds.add_parser("today", help="the team's day so far: check-ins, totals vs pace")
    today.add_argument("--team", type=int, required=True, help="team id")
    _common(today, instant)
    today.set_defaults(handler=report_today)

    export = commands.add_parser("export", help="a date range of a team as XLSX (and CSV)")
    export.add_argument("--team", type=int, required=True, help="team id")
    export.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    export.add_argument("--out", type=Path, required=True, help="the XLSX file to write")
    export.add_argument("--csv", type=Path, help="also write one row per rep and day as CSV")
    export.add_argument("--lang", choices=("zh", "en"), default="en", help="headers' language")
    export.set_defaults(handler=export_team)


def _common(parser: argparse.ArgumentParser, instant: Callable[[str], datetime]) -> None:
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language")
    parser.add_argument(
        "--at", type=instant, help="the instant to report as of (ISO 8601 with offset)"
    )


def report_week(settings: Settings, args: argparse.Namespace) -> int:
    from coach.periods import week_asked
    from coach.repdays import team_zone
    from coach.week_report import week_report

    def build(uow: UnitOfWork, team: Team) -> str:
        today = _now(args).astimezone(team_zone(team)).date()
        words = [args.week] if args.week else []
        return _text(args.lang, "report/week", r=week_report(uow, team, week_asked(words, today)))

    return _with_team(settings, args, build)


def report_today(settings: Settings, args: argparse.Namespace) -> int:
    from coach.today import today_of_team

    def build(uow: UnitOfWork, team: Team) -> str:
        return _text(args.lang, "manager/today", t=today_of_team(uow, team, _now(args)))

    return _with_team(settings, args, build)


def export_team(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bot.export_files import csv_bytes, xlsx_bytes
    from coach.export import TeamExport, load_export
    from coach.models import Lang
    from coach.periods import check_range, parse_date

    lang = Lang(args.lang)
    holder: dict[str, object] = {}

    def build(uow: UnitOfWork, team: Team) -> str:
        start, end = parse_date(args.start), parse_date(args.end)
        check_range(start, end)
        holder["export"] = load_export(uow, team, start, end)
        return ""

    code = _with_team(settings, args, build)
    if code:
        return code
    found = holder["export"]
    assert isinstance(found, TeamExport)
    with tqdm(
        total=len(found.people) + 1, desc="export", unit="sheet", file=sys.stderr, leave=True
    ) as bar:
        workbook = xlsx_bytes(found, lang, progress=lambda _title: bar.update(1))
    try:
        args.out.write_bytes(workbook)
        if args.csv is not None:
            args.csv.write_bytes(csv_bytes(found, lang))
    except OSError as error:
        print(f"salescoach: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    rows = sum(len(p.days) for p in found.people)
    written = f"{args.out}" + (f" and {args.csv}" if args.csv is not None else "")
    print(
        f"team {found.team.id} {found.start.isoformat()}..{found.end.isoformat()}: "
        f"{len(found.people)} people, {rows} day rows -> {written}"
    )
    return 0


def _with_team(
    settings: Settings, args: argparse.Namespace, build: Callable[[UnitOfWork, Team], str]
) -> int:
    """Open the database, find ``--team``, run ``build(uow, team)`` and print its text."""
    from bot.cli import _database
    from coach.errors import CoachError

    database = _database(settings)
    if database is None:
        return 3
    try:
        with database.unit_of_work() as uow:
            team = uow.teams.get(args.team)
            if team is None:
                print(f"salescoach: no team with id {args.team}", file=sys.stderr)
                return 2
            text = build(uow, team)
    except CoachError as error:
        print(_text(args.lang, f"errors/{error.code}", **error.context()), file=sys.stderr)
        return 2
    finally:
        database.dispose()
    if text:
        print(text)
    return 0


def _text(lang: str, template: str, **values: object) -> str:
    from bot.render import plain_text, render

    return plain_text(render(lang, template, **values))


def _now(args: argparse.Namespace) -> datetime:
    return args.at if args.at is not None else datetime.now(UTC)
