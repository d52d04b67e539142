"""``/board``: the boards as text (private, with buttons) or as text and a chart (the group).

* **Private** (any team member): this week's hero board with the reader's own line marked,
  and buttons that switch in place to the month, the KPI boards, streaks, the quiz champion,
  the most improved, the 区域PK and the relay race.
* **The team's group** (anyone in it): the board as a text reply, then its chart as a photo,
  sent **directly** (an interactive answer, not the outbox: it answers a command at once, and
  the chart is drawn in a worker thread so the event loop never waits on matplotlib).
  ``/board month``, ``/board kpi``… pick another board.

Boards show first names and figures only, never anything a rep wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.charts import bars_spec, render_chart, totals_spec
from bot.context import CoachContext
from bot.handlers.common import contact_of, reply, reply_text, sender_language
from bot.keyboards import BoardButton, buttons_keyboard
from bot.render import plain_text, render
from coach.board_view import BoardView, Period, board_for_group, board_for_member
from coach.boards import BoardKind, Row
from coach.models import Lang

log = logging.getLogger(__name__)

TEXT_ROWS = 10
"""Rows a text board lists (the reader's own line is added below when it is further down)."""
KPI_TEXT_ROWS = 3

WORDS: dict[str, BoardKind | Period] = {
    **{w: Period.WEEK for w in ("week", "w", "本周", "周", "周榜")},
    **{w: Period.MONTH for w in ("month", "m", "本月", "月", "月榜")},
    **{w: BoardKind.HERO for w in ("hero", "英雄榜", "综合")},
    **{w: BoardKind.KPI for w in ("kpi", "kpis", "指标")},
    **{w: BoardKind.STREAK for w in ("streak", "streaks", "连续", "连续复盘")},
    **{w: BoardKind.QUIZ for w in ("quiz", "答题", "答题冠军")},
    **{w: BoardKind.IMPROVED for w in ("improved", "进步", "进步榜")},
    **{w: BoardKind.REGION for w in ("region", "regions", "pk", "区域", "区域pk")},
    **{w: BoardKind.RELAY for w in ("relay", "接力", "接力赛")},
}


class UnknownWord(ValueError):
    """An argument of ``/board`` that names no board and no period."""


def parse_args(args: Sequence[str]) -> tuple[BoardKind, Period]:
    """``/board [board] [period]`` in any order; the hero board of this week by default."""
    kind, period = BoardKind.HERO, Period.WEEK
    for word in args:
        meaning = WORDS.get(word.strip().lower())
        if meaning is None:
            raise UnknownWord(word)
        if isinstance(meaning, Period):
            period = meaning
        else:
            kind = meaning
    return kind, period


@dataclass(frozen=True, slots=True)
class Shown:
    """The rows a text board lists: the top ones, the reader's own line if further down,
    and how many are left out."""

    rows: tuple[Row, ...]
    own: Row | None
    hidden: int


def shown(rows: Sequence[Row], viewer: int | None, limit: int = TEXT_ROWS) -> Shown:
    top = tuple(rows[:limit])
    own = next((r for r in rows[limit:] if viewer is not None and r.user_id == viewer), None)
    return Shown(top, own, max(0, len(rows) - limit))


def board_text(lang: Lang, view: BoardView) -> str:
    rows = view.board.rows if view.board else ()
    return render(
        lang,
        "board/show",
        view=view,
        shown=shown(rows, view.viewer),
        kpis=[(b, shown(b.rows, view.viewer, KPI_TEXT_ROWS)) for b in view.kpis],
    )


def board_keyboard(lang: Lang, view: BoardView) -> InlineKeyboardMarkup:
    """Week / month, then the other boards for the period shown."""

    def button(kind: BoardKind, period: Period, label: str) -> tuple[BoardButton, str]:
        return BoardButton(kind, period), plain_text(render(lang, "board/button", button=label))

    period = view.period
    return buttons_keyboard(
        [
            [
                button(BoardKind.HERO, Period.WEEK, "week"),
                button(BoardKind.HERO, Period.MONTH, "month"),
            ],
            [
                button(BoardKind.KPI, period, "kpi"),
                button(BoardKind.STREAK, period, "streak"),
                button(BoardKind.QUIZ, period, "quiz"),
            ],
            [
                button(BoardKind.IMPROVED, period, "improved"),
                button(BoardKind.REGION, period, "region"),
                button(BoardKind.RELAY, period, "relay"),
            ],
        ]
    )


def chart_spec(lang: Lang, view: BoardView) -> dict[str, Any] | None:
    """The chart for a board, or ``None`` when there is nothing to draw."""
    title = plain_text(render(lang, "board/title", view=view))
    if view.kind is BoardKind.KPI:
        if not view.totals:
            return None
        return totals_spec(
            title,
            [
                (
                    line.kpi.label(lang),
                    float(line.actual),
                    float(line.target) if line.target is not None else None,
                    None,
                )
                for line in view.totals
            ],
        )
    if view.kind is BoardKind.REGION:
        rows = [(r.region, float(r.completion), False, f"{r.completion}%") for r in view.regions]
        return bars_spec(title, rows) if rows else None
    board = view.board
    if board is None or not board.rows:
        return None
    notes = {
        BoardKind.HERO: lambda r: f"{r.value} · {r.extra}",
        BoardKind.IMPROVED: lambda r: f"+{r.value}",
    }
    note = notes.get(view.kind, lambda r: None)
    return bars_spec(
        title,
        [(r.name, float(r.value), r.user_id == view.viewer, note(r)) for r in board.rows],
    )


async def board(update: Update, context: CoachContext) -> None:
    """``/board [board] [week|month]`` in private."""
    try:
        kind, period = parse_args(context.args or [])
    except UnknownWord as word:
        await reply(update, sender_language(update, context), "board/usage", word=str(word))
        return
    person, view = await context.services.as_person(
        contact_of(update), board_for_member, kind, period
    )
    lang = person.language
    await reply_text(update, board_text(lang, view), reply_markup=board_keyboard(lang, view))


async def board_button(update: Update, context: CoachContext) -> None:
    """A board button in private: the message turns into that board."""
    query = update.callback_query
    assert query is not None
    data = BoardButton.unpack(query.data)
    person, view = await context.services.as_person(
        contact_of(update), board_for_member, data.kind, data.period
    )
    await query.answer()
    lang = person.language
    try:
        await query.edit_message_text(
            board_text(lang, view), reply_markup=board_keyboard(lang, view)
        )
    except BadRequest as exc:  # the same board pressed again: "message is not modified"
        log.debug("board message not edited: %s", type(exc).__name__)


async def board_in_group(update: Update, context: CoachContext) -> None:
    """``/board [board] [week|month]`` in the team's group: the text, then the chart."""
    chat = update.effective_chat
    assert chat is not None
    try:
        kind, period = parse_args(context.args or [])
    except UnknownWord as word:
        await reply(update, sender_language(update, context), "board/usage", word=str(word))
        return
    _, view = await context.services.as_person(
        contact_of(update), board_for_group, chat.id, kind, period
    )
    lang = Lang(view.team.language)
    await reply_text(update, board_text(lang, view))
    spec = chart_spec(lang, view)
    if spec is not None:
        png = await asyncio.to_thread(render_chart, spec)
        caption = render(lang, "board/caption", view=view)
        await chat.send_photo(png, caption=caption)
