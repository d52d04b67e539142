"""``salescoach report week|today`` and ``salescoach export`` on a migrated SQLite file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from storage.db import make_engine
from storage.uow import Database
from tests.coach.manager_seed import populate


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[str, int]:
    """A migrated database with the seeded week (no practice); returns the config and team A."""
    url = f"sqlite:///{tmp_path / 'reports.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    path = str(tmp_path / "none.toml")
    assert main(["--config", path, "db", "upgrade"]) == 0
    database = Database(make_engine(url))
    try:
        team_a, _ = populate(database.unit_of_work, practice=False)
    finally:
        database.dispose()
    capsys.readouterr()
    return path, team_a.id


def test_report_week_prints_the_week_as_text(config, capsys: pytest.CaptureFixture) -> None:
    path, team = config
    args = ["--config", path, "report", "week", "--team", str(team)]
    at = ["--at", "2026-11-23T09:00+08:00"]
    assert main([*args, "--week", "2026-11-18", *at]) == 0
    out = capsys.readouterr().out
    assert "华东一组 · week of Mon 16 Nov – Sun 22 Nov" in out
    assert "<b>华东一组" not in out and "&lt;" not in out  # plain text, entities decoded
    assert "1. Tom — composite" in out
    assert "New-customer visits: 10 / 10 (100%)" in out
    assert "Missed: Tue 17 Nov (review); Thu 19 Nov (plan, review)" in out
    assert "<b>good</b> calls" in out  # the reflection, as the rep typed it

    assert main([*args, "--week", "last", "--lang", "zh", *at]) == 0
    assert "新客户拜访：10 / 10（100%）" in capsys.readouterr().out

    assert main([*args, "--week", "2026-12-07", *at]) == 2
    assert "has not started yet" in capsys.readouterr().err
    assert main(["--config", path, "report", "week", "--team", "999"]) == 2
    assert "no team with id 999" in capsys.readouterr().err


def test_report_today(config, capsys: pytest.CaptureFixture) -> None:
    path, team = config
    at = ["--at", "2026-11-19T12:00+08:00"]
    assert main(["--config", path, "report", "today", "--team", str(team), *at]) == 0
    out = capsys.readouterr().out
    assert "华东一组 · today Thu 19 Nov" in out
    assert "Tom: ✅ plan · ✅ review" in out
    assert "Due and not done yet: 李娜 (plan)" in out


def test_export_writes_the_workbook_and_the_csv_with_a_progress_bar(
    config, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path, team = config
    out, table = tmp_path / "week.xlsx", tmp_path / "week.csv"
    args = ["--config", path, "export", "--team", str(team), "--from", "2026-11-16"]
    assert main([*args, "--to", "2026-11-22", "--out", str(out), "--csv", str(table)]) == 0
    captured = capsys.readouterr()
    assert "2 people, 10 day rows" in captured.out
    assert "export: 100%" in captured.err and "3/3" in captured.err  # team sheet + 2 reps

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Team", "Tom", "李娜"]
    rows = [[c.value for c in row] for row in book["Team"].iter_rows()]
    tom = dict(zip(rows[0], rows[1], strict=True))
    assert tom["New-customer visits actual"] == 10 and tom["Revenue actual"] == 50000
    assert tom["Days reviewed"] == 5 and tom["Deals target"] == 2
    lina = dict(zip(rows[0], rows[2], strict=True))
    assert (lina["Missed plans"], lina["Missed reviews"], lina["Days away"]) == (2, 3, 1)
    titles = [c.value for c in book["Tom"][1]]
    win = book["Tom"][2][titles.index("Win")]  # Monday's row
    assert win.data_type == "s" and win.value.startswith("=HYPERLINK")

    lines = list(csv.reader(io.StringIO(table.read_bytes().decode("utf-8-sig"))))
    assert lines[0][:3] == ["User id", "Name", "Date"] and len(lines) == 11

    assert main([*args, "--to", "2026-11-01", "--out", str(out)]) == 2
    assert "is before the start date" in capsys.readouterr().err
    assert main([*args, "--to", "2026-13-01", "--out", str(out)]) == 2
    assert "is not a date" in capsys.readouterr().err
