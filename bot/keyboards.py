"""Typed callback data: one dataclass per button family, packed as ``prefix:field:field``.

Buttons are routed by prefix (``CallbackQueryHandler(pattern=Family.pattern())``) and decoded in
exactly one place (``Family.unpack``). Labels never take part in routing, so copy and language
can change freely. Telegram allows at most 64 bytes; ``pack`` refuses anything longer.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import ClassVar, Self, get_type_hints

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from coach.board_view import Period
from coach.boards import BoardKind
from coach.models import Lang
from coach.team_settings import Theme

CALLBACK_DATA_LIMIT = 64


class BadCallbackData(ValueError):
    """Callback data that does not decode: a stale button, or forged data."""


@dataclasses.dataclass(frozen=True)
class CallbackData:
    prefix: ClassVar[str]

    def pack(self) -> str:
        values = [_encode(getattr(self, f.name)) for f in dataclasses.fields(self)]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.prefix}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(cls.prefix)}(:|$)")

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        parts = (data or "").split(":")
        fields = dataclasses.fields(cls)
        if parts[0] != cls.prefix or len(parts) != len(fields) + 1:
            raise BadCallbackData(data)
        hints = get_type_hints(cls)
        try:
            values = {
                f.name: _decode(hints[f.name], raw)
                for f, raw in zip(fields, parts[1:], strict=True)
            }
        except (ValueError, KeyError) as exc:
            raise BadCallbackData(data) from exc
        return cls(**values)

    def button(self, text: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=self.pack())


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    text = str(value)
    if ":" in text:
        raise ValueError("callback field may not hold ':'")
    return text


def _decode(kind: type, raw: str) -> object:
    if kind is bool:
        if raw not in {"0", "1"}:
            raise ValueError(raw)
        return raw == "1"
    if kind is int:
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is str:
        if not raw:
            raise ValueError("empty")
        return raw
    raise ValueError(f"unsupported field type {kind}")


@dataclasses.dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    prefix: ClassVar[str] = "lang"
    lang: Lang


@dataclasses.dataclass(frozen=True)
class ConfirmMove(CallbackData):
    """Yes or no to leaving one's team for the team behind an invite token."""

    prefix: ClassVar[str] = "move"
    token: str
    accept: bool


@dataclasses.dataclass(frozen=True)
class SkipRegion(CallbackData):
    prefix: ClassVar[str] = "ntskip"


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[ChooseLanguage(Lang.ZH).button("中文"), ChooseLanguage(Lang.EN).button("English")]]
    )


def move_keyboard(token: str, yes: str, no: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[ConfirmMove(token, True).button(yes), ConfirmMove(token, False).button(no)]]
    )


def skip_keyboard(label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[SkipRegion().button(label)]])


# --- the daily rhythm ------------------------------------------------------------------------


class PlanAction(Enum):
    CARRY = "carry"  # keep yesterday's unfinished tasks
    SKIP = "skip"  # no (more) answer for this step


class Start(Enum):
    PLAN = "plan"
    REVIEW = "review"
    REFLECT = "reflect"
    DRILL = "drill"


@dataclasses.dataclass(frozen=True)
class PlanButton(CallbackData):
    prefix: ClassVar[str] = "pl"
    action: PlanAction


@dataclasses.dataclass(frozen=True)
class TickTask(CallbackData):
    """Done ↔ not done for task ``index`` of today's plan, in the evening review."""

    prefix: ClassVar[str] = "rt"
    index: int


@dataclasses.dataclass(frozen=True)
class ReviewButton(CallbackData):
    """``next`` under the task list; ``skip`` for the figures or the objection."""

    prefix: ClassVar[str] = "rv"
    skip: bool


@dataclasses.dataclass(frozen=True)
class StartFlow(CallbackData):
    """The button under a pushed prompt: plan, review or answer the week's questions now."""

    prefix: ClassVar[str] = "go"
    flow: Start


@dataclasses.dataclass(frozen=True)
class SkipDays(CallbackData):
    """/skip: a reason, then how many working days (0 = ask for the length next)."""

    prefix: ClassVar[str] = "sk"
    reason: str
    days: int


@dataclasses.dataclass(frozen=True)
class BackToWork(CallbackData):
    prefix: ClassVar[str] = "back"


def tasks_keyboard(tasks: list[tuple[str, bool]], next_label: str) -> InlineKeyboardMarkup:
    """One toggle button per task (label already carries ☑/☐), then a "next" button."""
    rows = [[TickTask(i).button(label)] for i, (label, _done) in enumerate(tasks)]
    rows.append([ReviewButton(skip=False).button(next_label)])
    return InlineKeyboardMarkup(rows)


def one_button(data: CallbackData, label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[data.button(label)]])


def buttons_keyboard(rows: list[list[tuple[CallbackData, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[data.button(label) for data, label in row] for row in rows])


class DrillAction(Enum):
    ONE_ANSWER = "one"  # answer all four steps in one message
    AGAIN = "again"  # another drill


@dataclasses.dataclass(frozen=True)
class DrillButton(CallbackData):
    prefix: ClassVar[str] = "dr"
    action: DrillAction


FIELD_SORT = "sort"  # show the category buttons
FIELD_DISMISS = "drop"


@dataclasses.dataclass(frozen=True)
class FieldButton(CallbackData):
    """/objections: an unmatched field objection; ``choice`` is a category value, or
    :data:`FIELD_SORT` / :data:`FIELD_DISMISS`."""

    prefix: ClassVar[str] = "fo"
    item: int
    choice: str


# --- practice --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StartQuiz(CallbackData):
    """The button under a pushed message: start a quiz round now."""

    prefix: ClassVar[str] = "quiz"


# --- the evening sharing ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KudosButton(CallbackData):
    """👍 under a share in the group."""

    prefix: ClassVar[str] = "kd"
    share: int


@dataclasses.dataclass(frozen=True)
class ShareKind(CallbackData):
    """After ``/share`` alone: share the next message as this type."""

    prefix: ClassVar[str] = "shk"
    kind: Theme


@dataclasses.dataclass(frozen=True)
class KeepLesson(CallbackData):
    """``/tips`` for a manager: keep this share as the week's best lesson."""

    prefix: ClassVar[str] = "keep"
    share: int


# --- boards ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BoardButton(CallbackData):
    """``/board`` in private: show this board over this period (in place of the current one)."""

    prefix: ClassVar[str] = "bd"
    kind: BoardKind
    period: Period
