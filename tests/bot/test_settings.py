"""Settings: file + environment, validated, secrets never shown."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_is_valid_and_complete():
    settings = load_settings(ROOT / "config.example.toml", {})
    assert settings.team_defaults.plan_time == time(8, 30)
    assert settings.telegram.token is None
    assert settings.database.url == "sqlite:///salescoach.db"


def test_missing_file_means_defaults(tmp_path: Path):
    assert load_settings(tmp_path / "absent.toml", {}).invites.ttl_days == 30


def test_environment_beats_the_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "sqlite:///file.db"\n')
    settings = load_settings(
        path, {"DATABASE_URL": "postgresql+psycopg://db/x", "TELEGRAM_BOT_TOKEN": "1:abc"}
    )
    assert settings.database.url == "postgresql+psycopg://db/x"
    assert settings.telegram.token.get_secret_value() == "1:abc"


def test_the_token_never_shows(tmp_path: Path):
    settings = load_settings(None, {"TELEGRAM_BOT_TOKEN": "123456:SECRET-value"})
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "SECRET-value" not in text


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[database]\nurll = 'x'\n", "database.urll: unknown key"),
        ("[team_defaults]\ntimezone = 'Mars/Base'\n", "team_defaults.timezone: unknown time zone"),
        ("[team_defaults]\nplan_time = '25:00'\n", "team_defaults.plan_time"),
        ("[team_defaults]\nworkdays = [0, 8]\n", "team_defaults.workdays: working days"),
        ("[webhook]\nport = 70000\n", "webhook.port"),
        ("[invites]\nttl_days = 'soon'\n", "invites.ttl_days"),
        ("[logging]\nlevel = 'LOUD'\n", "logging.level"),
        ("database = 3\n", "database"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, message: str):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(SettingsError) as caught:
        load_settings(path, {"TELEGRAM_BOT_TOKEN": "123:TOPSECRET"})
    assert message in str(caught.value)
    assert "TOPSECRET" not in str(caught.value)
