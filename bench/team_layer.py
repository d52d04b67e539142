"""Team layer: the week's summaries, coaching briefs and boards for 200 teams and 10,000 reps,
and how their cost grows with the length of history (target: flat).

    .venv/bin/python -m bench.team_layer                       # SQLite, and PostgreSQL when
                                                               # TEST_POSTGRES_URL is set
    .venv/bin/python -m bench.team_layer --reps 2000 --teams 40 --months 1,3 --databases sqlite

The database gets 200 teams in four regions, 10,000 reps and a manager per team
(``bench._history``). History is then added **backwards** from the measured week (Monday 16 to
Friday 20 November 2026): first one month, measured; then older months up to 3, 6 and 12,
measured each time. Every working day of the history has each rep's day record, tasks, planned
and actual figures, misses, drills, quiz polls and answers, and each team's evening sharing with
shares and kudos.

Measured at each history length, each pass in one read-only transaction that is rolled back:

* **week-end tick** — ``coach.tick.decide`` at Friday 21:00 team-local, as the scheduler runs
  it: the weekly checklist of every rep and the coaching brief of every team (scores of this
  week and the last, drills, quiz gaps, 1:1 topics), to the group and each manager;
* **boards** — for every team ``coach.score_data.team_scores`` for the week and for the month
  (the hero boards), plus the region PK across all teams.

Each pass runs ``--repeat`` times; the best is shown (the first warms the caches).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta

from bench._common import fresh_database, machine, table
from bench._history import Roster, add_history, populate
from coach.boards import TeamResult, region_pk, team_completion, team_totals
from coach.repdays import month_bounds
from coach.score_data import team_scores
from coach.tick import decide
from storage.db import make_engine
from storage.uow import Database

WEEK_START = date(2026, 11, 16)
FRIDAY = date(2026, 11, 20)
WEEK_END_TICK = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai
JOINED = datetime(2025, 10, 1, tzinfo=UTC)
GRACE = timedelta(minutes=30)


def history_start(months: int) -> date:
    """The first day of ``months`` months of history ending on :data:`FRIDAY`."""
    year, month = FRIDAY.year, FRIDAY.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, FRIDAY.day + 1)


def week_end_tick(database: Database) -> tuple[float, int]:
    """Seconds for one week-end tick over every team, and how many notices it decided."""
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        notices = decide(uow, WEEK_END_TICK, GRACE)
        elapsed = time.perf_counter() - started
        uow.rollback()
    return elapsed, len(notices)


def boards(database: Database, roster: Roster) -> tuple[float, int]:
    """Seconds to score every team for the week and the month, and the region PK; and how
    many rep scores that made."""
    month_start, _ = month_bounds(FRIDAY)
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        scored = 0
        results = []
        for team_id in roster.teams:
            team = uow.teams.get(team_id)
            assert team is not None
            week = team_scores(uow, team, WEEK_START, FRIDAY)
            month = team_scores(uow, team, month_start, FRIDAY)
            scored += len(week) + len(month)
            completion = team_completion(team_totals(week))
            results.append(TeamResult(team.id, team.name, team.region, completion))
        region_pk(results)
        elapsed = time.perf_counter() - started
        uow.rollback()
    return elapsed, scored


def best(runs: int, work) -> tuple[float, int]:
    results = [work() for _ in range(runs)]
    return min(r[0] for r in results), results[0][1]


def run_backend(backend: str, url: str, args: argparse.Namespace) -> list[list[object]]:
    database = Database(make_engine(url))
    rows: list[list[object]] = []
    try:
        started = time.perf_counter()
        roster = populate(database, args.teams, args.reps, JOINED)
        print(
            f"[{backend}] {roster.rep_count} reps in {len(roster.teams)} teams stored "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        covered_from = FRIDAY + timedelta(days=1)
        stored = 0
        for months in args.months:
            first = history_start(months)
            started = time.perf_counter()
            counts = add_history(url, roster, first, covered_from - timedelta(days=1))
            stored += sum(counts.values())
            covered_from = first
            print(
                f"[{backend}] history to {months} months: +{sum(counts.values()):,} rows "
                f"in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            tick_s, notices = best(args.repeat, lambda: week_end_tick(database))
            board_s, _ = best(args.repeat, lambda: boards(database, roster))
            rows.append(
                [
                    backend,
                    months,
                    f"{stored:,}",
                    f"{tick_s:.1f}",
                    f"{notices:,}",
                    f"{board_s:.1f}",
                    f"{1000 * (tick_s + board_s) / len(roster.teams):.0f}",
                ]
            )
            print(table(HEADERS, rows[-1:]), file=sys.stderr)
    finally:
        database.dispose()
    return rows


HEADERS = (
    "database",
    "history (months)",
    "rows of history",
    "week-end tick (s)",
    "notices",
    "boards week+month (s)",
    "ms per team",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--months", default="1,3,6,12", help="history lengths, ascending")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    args.months = sorted(int(m) for m in args.months.split(","))
    backends = [b for b in args.databases.split(",") if b]
    if "postgresql" in backends and not args.postgres:
        print("no PostgreSQL URL: SQLite only", file=sys.stderr)
        backends = [b for b in backends if b != "postgresql"]
    rows: list[list[object]] = []
    for backend in backends:
        with fresh_database(backend, args.postgres) as url:
            rows += run_backend(backend, url, args)
    print(f"### Team layer: {args.reps:,} reps in {args.teams} teams, week of {WEEK_START}\n")
    print(machine(args.postgres if "postgresql" in backends else None) + "\n")
    print(table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
