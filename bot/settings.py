"""Settings: ``config.toml`` overlaid by the environment, validated once at start.

Precedence is environment > config file > default. A bad value stops the program with one
message naming the key (``database.url``), never a traceback. The token is a ``SecretStr``:
it shows as ``**********`` in reprs, logs and error messages.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)

DEFAULT_CONFIG = Path("config.toml")


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)"
        ) from exc
    return value


def _country(value: str) -> str:
    if value == "":
        return value  # no public holidays
    from coach.calendar import WorkCalendar

    try:
        WorkCalendar(country=value)
    except ValueError as exc:
        raise ValueError(
            f"unknown country code {value!r} for public holidays "
            '(an ISO code like "CN" or "US", or "" for none)'
        ) from exc
    return value


def _workdays(value: list[int]) -> list[int]:
    if not value or any(d < 1 or d > 7 for d in value):
        raise ValueError("working days are ISO weekday numbers 1 (Monday) to 7 (Sunday)")
    return sorted(set(value))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramSettings(_Section):
    token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_base_file_url: str = "https://api.telegram.org/file/bot"


class DatabaseSettings(_Section):
    url: str = "sqlite:///salescoach.db"
    threads: int = Field(default=2, ge=1, le=32)


class WebhookSettings(_Section):
    url: str | None = None
    listen: str = "0.0.0.0"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: SecretStr | None = None


class TeamDefaultsSettings(_Section):
    timezone: Annotated[str, AfterValidator(_zone)] = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    plan_time: time = time(8, 30)
    review_time: time = time(19, 0)
    sharing_time: time = time(20, 30)
    workdays: Annotated[list[int], AfterValidator(_workdays)] = [1, 2, 3, 4, 5]
    review_deadline: time = time(22, 0)
    week_end_day: int = Field(default=5, ge=1, le=7)
    week_end_time: time = time(21, 0)
    country: Annotated[str, AfterValidator(_country)] = "CN"
    nudge_daily_cap: int = Field(default=2, ge=0, le=20)
    nudge_after_minutes: int = Field(default=60, ge=1, le=720)
    quiet_start: time = time(21, 30)
    quiet_end: time = time(8, 0)
    escalate_after_days: int = Field(default=3, ge=1, le=60)


class RhythmSettings(_Section):
    tick_seconds: int = Field(default=30, ge=1, le=600)
    grace_minutes: int = Field(default=60, ge=1, le=1440)


class DeliverySettings(_Section):
    messages_per_second: float = Field(default=30, gt=0, le=1000)
    per_chat_seconds: float = Field(default=1.0, ge=0, le=60)
    group_messages_per_minute: int = Field(default=20, ge=1, le=60)
    allow_paid_broadcast: bool = False
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_seconds: float = Field(default=5.0, gt=0, le=3600)
    max_in_flight: int = Field(default=8, ge=1, le=500)
    journal_dir: str = Field(default="auto", min_length=1)
    """Where the send journal lives (``bot.delivery.journal``): ``auto`` is ``/dev/shm`` or the
    temporary directory, ``off`` keeps none (a crash then leaves every marked message
    ``unknown``)."""


class InviteSettings(_Section):
    ttl_days: int = Field(default=30, ge=0, le=365)


class PracticeSettings(_Section):
    battle_weekday: int = Field(default=5, ge=1, le=7)
    battle_time: time = time(17, 0)
    battle_questions: int = Field(default=5, ge=1, le=20)
    battle_open_seconds: int = Field(default=30, ge=10, le=600)


class SharingSettings(_Section):
    duration_minutes: int = Field(default=60, ge=10, le=360)


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class SandboxSettings(_Section):
    database_url: str = "sqlite:///sandbox/sandbox.db"
    files_dir: str = "sandbox/files"


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    webhook: WebhookSettings = WebhookSettings()
    team_defaults: TeamDefaultsSettings = TeamDefaultsSettings()
    invites: InviteSettings = InviteSettings()
    rhythm: RhythmSettings = RhythmSettings()
    delivery: DeliverySettings = DeliverySettings()
    practice: PracticeSettings = PracticeSettings()
    sharing: SharingSettings = SharingSettings()
    logging: LoggingSettings = LoggingSettings()
    sandbox: SandboxSettings = SandboxSettings()


# Environment variables that override one key each.
ENVIRONMENT = {
    "TELEGRAM_BOT_TOKEN": ("telegram", "token"),
    "TELEGRAM_API_BASE_URL": ("telegram", "api_base_url"),
    "DATABASE_URL": ("database", "url"),
    "WEBHOOK_SECRET_TOKEN": ("webhook", "secret_token"),
    "SALESCOACH_LOG_LEVEL": ("logging", "level"),
    "SALESCOACH_JOURNAL_DIR": ("delivery", "journal_dir"),
}


class SettingsError(Exception):
    """The configuration cannot be used; the message names the key and says why."""


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    """Read ``path`` (if it exists), apply the environment, validate.

    Raises:
        SettingsError: naming the first bad key, with the reason.
    """
    data: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    for variable, (section, key) in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            target = data.setdefault(section, {})
            if not isinstance(target, dict):
                raise SettingsError(f"{section}: must be a table")
            target[key] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, path)) from None


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f"{path}: " if path is not None and path.exists() else ""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        key = ".".join(str(part) for part in error["loc"])
        reason = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            reason = "unknown key (see config.example.toml)"
        lines.append(f"{where}{key}: {reason}")
    return "\n".join(lines)
