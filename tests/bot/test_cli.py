"""The console script: config errors, the schema check, and the sandbox driven by a script."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_bad_config_exits_with_the_key_named(tmp_path: Path, capsys: pytest.CaptureFixture):
    config = tmp_path / "config.toml"
    config.write_text("[webhook]\nport = 'eighty'\n")
    assert main(["--config", str(config), "config", "check"]) == 2
    assert "webhook.port" in capsys.readouterr().err


def test_run_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:never-used")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["--config", str(tmp_path / "none.toml"), "run"]) == 3
    assert "Run: salescoach db upgrade" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "none.toml"), "db", "status"]) == 1
    assert main(["--config", str(tmp_path / "none.toml"), "db", "upgrade"]) == 0
    assert main(["--config", str(tmp_path / "none.toml"), "db", "status"]) == 0


SCRIPT = """\
/start
/newteam 华东一组 | 华东
:as lina
:join
:as tom
:join
:as wang
:group
:addbot
/bindgroup
:dm
/lang
:2
:kick
:as tom
:time 2030-03-05T08:30+08:00
:time 2030-03-05T22:00+08:00
:quit
"""


def test_run_without_token_opens_the_sandbox(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in {"TELEGRAM_BOT_TOKEN", "DATABASE_URL"}}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert "starting the local sandbox" in done.stderr
    assert "[bot → wang]" in out or "[bot → 王经理]" in out
    assert "团队 华东一组 已创建（区域：华东）" in out
    assert "欢迎加入 华东一组，李娜！" in out
    assert "Welcome to 华东一组, Tom!" in out
    assert "本群已绑定为 华东一组 的团队群" in out
    assert "[1] 中文  [2] English" in out
    assert "I'll speak English with you" in out
    # :time jumps the sandbox clock and runs the scheduler: prompts and summaries arrive.
    assert "(sandbox time: 2030-03-05 Tue 08:30 Asia/Shanghai)" in out
    assert "Good morning, Tom! Your plan for Tue 5 Mar?" in out
    assert "早上好，李娜！3月5日 周二 的计划？" in out
    # The bot was kicked from the group: the day's summary goes to the manager privately.
    assert "[bot → wang]\n📋 华东一组 · daily clear Tue 5 Mar" in out
    assert "· Tom: plan, review\n· 李娜: plan, review" in out
    assert (tmp_path / "sandbox" / "sandbox.db").exists()
    assert "Traceback" not in done.stderr


def test_tick_at_an_instant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tick.db'}")
    config = str(tmp_path / "none.toml")
    assert main(["--config", config, "tick", "--at", "2026-11-23T08:30+08:00"]) == 3
    assert "salescoach db upgrade" in capsys.readouterr().err
    assert main(["--config", config, "db", "upgrade"]) == 0
    assert main(["--config", config, "tick", "--at", "2026-11-23T08:30+08:00"]) == 0
    assert "tick at 2026-11-23T00:30:00+00:00: 0 message(s) queued" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--config", config, "tick", "--at", "2026-11-23T08:30"])
    assert "has no UTC offset" in capsys.readouterr().err


def test_targets_from_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    url = f"sqlite:///{tmp_path / 'targets.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = str(tmp_path / "none.toml")
    assert main(["--config", config, "db", "upgrade"]) == 0
    from storage.db import make_engine
    from storage.uow import Database

    database = Database(make_engine(url))
    with database.unit_of_work() as uow:
        from coach.models import Lang, NewTeam

        team = uow.teams.add(NewTeam("A", None, "Asia/Shanghai", Lang.ZH), NOW)
        uow.commit()
    database.dispose()
    capsys.readouterr()
    args = ["--config", config, "targets", "--team", str(team.id)]
    assert main([*args, "new_visits=12", "revenue=150000"]) == 0
    shown = capsys.readouterr().out
    assert "new_visits           12" in shown and "revenue              150000" in shown
    assert "follow_ups           15" in shown  # the seeds' default stays
    assert main([*args, "visits=3"]) == 2
    assert "bad_target (value=visits=3)" in capsys.readouterr().err
    assert main(["--config", config, "targets", "--team", "999"]) == 2


def test_webhook_options_come_from_the_url_and_always_carry_a_secret():
    from bot.runner import webhook_options
    from bot.settings import load_settings

    plain = load_settings(None, {})
    assert webhook_options(plain, None, None, None, "random") is None  # long polling
    options = webhook_options(plain, "https://bot.example.com/tg/hook", None, 8443, "random")
    assert (options.path, options.listen, options.port) == ("tg/hook", "0.0.0.0", 8443)
    assert options.secret_token == "random"
    configured = load_settings(None, {"WEBHOOK_SECRET_TOKEN": "from-env"})
    chosen = webhook_options(configured, "https://h/x", "127.0.0.1", None, "random")
    assert (chosen.secret_token, chosen.listen, chosen.port) == ("from-env", "127.0.0.1", 8443)


def test_content_validate_lists_every_problem_or_sums_the_pack_up(
    tmp_path: Path, capsys: pytest.CaptureFixture
):
    config = str(tmp_path / "none.toml")
    default = ROOT / "coach" / "packs" / "default.zh.yaml"
    assert main(["--config", config, "content", "validate", str(default), "--lang", "zh"]) == 0
    assert "36 个异议（10 类），72 道题" in capsys.readouterr().out

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema: 1\nid: team-pack\nversion: 0\nlanguage: en\ntitle: <b>{{ 7*7 }}</b>\n"
        "questions:\n  - id: q\n    text: Why?\n    options: [a]\n    correct: 1\n"
        "    explanation: e\n    tags: [x]\n",
        encoding="utf-8",
    )
    assert main(["--config", config, "content", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "4 problems found" in err
    assert "questions #1 › id: too short: at least 2 characters" in err
    assert "line 3, column 10 · version: at least 1" in err
    assert "line 9, column 14 · questions #1 › options: too few: at least 2" in err
    assert "line 10, column 14 · questions #1 › correct: correct should be 0 to 0" in err
    assert main(["--config", config, "content", "validate", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_content_import_is_whole_and_forward_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    url = f"sqlite:///{tmp_path / 'content.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = str(tmp_path / "none.toml")
    assert main(["--config", config, "db", "upgrade"]) == 0
    default = str(ROOT / "coach" / "packs" / "default.en.yaml")
    capsys.readouterr()
    assert main(["--config", config, "content", "import", default]) == 0
    assert "108 added, 0 changed, 0 unchanged" in capsys.readouterr().out
    assert main(["--config", config, "content", "import", default]) == 2
    assert "already at version 1; this file is version 1" in capsys.readouterr().err
    assert main(["--config", config, "content", "import", default, "--team", "5"]) == 2
    assert "no team with id 5" in capsys.readouterr().err

    from storage.db import make_engine
    from storage.uow import Database

    database = Database(make_engine(url))
    try:
        with database.unit_of_work() as uow:
            assert len(uow.content.objections([0], "en")) == 36
            assert len(uow.content.questions([0], "en")) == 72
    finally:
        database.dispose()
