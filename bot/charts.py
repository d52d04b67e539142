"""Charts as PNG bytes: a board as horizontal bars, and the team's totals against targets.

A chart is described by a small JSON-able *spec* (it travels through the outbox,
``OutgoingMessage.chart``) and drawn here with matplotlib's Agg backend (no GUI, no pyplot
state, so it is safe in a worker thread). Sized for a phone: 1080 px wide, large type, at
most :data:`MAX_ROWS` bars and a "…" line for the rest.

Chinese names need a CJK font: the Noto Sans CJK SC shipped by the ``mplfonts`` package is
registered with matplotlib's font manager and used as the family, with DejaVu Sans behind it
for Latin, digits and symbols. Nothing depends on fonts installed on the host.

Specs:

* ``{"kind": "bars", "title": str, "rows": [{"label": str, "value": number, "mark": bool,
  "note": str}], "more": int}`` — rows best first; ``mark`` highlights the reader's own bar;
  ``note`` is printed at the end of the bar (defaults to the value); ``more`` counts rows left
  out.
* ``{"kind": "totals", "title": str, "rows": [{"label": str, "actual": number,
  "target": number | None, "note": str}]}`` — one bullet bar per KPI: the actual in percent of
  the target (bars stop at :data:`TOTALS_AXIS_CAP` %), a line at 100 %.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported where a chart is drawn, not here: building a spec (a handler, the
# weekly brief) and starting the bot stay free of its import time.

MAX_ROWS = 10
WIDTH_INCHES = 10.8
DPI = 100  # 1080 px wide
ROW_INCHES = 0.8
FRAME_INCHES = 1.9
TOTALS_AXIS_CAP = 150.0
FONT_FILE = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")

_BAR = "#4C72B0"
_MARK = "#DD8452"
_TARGET = "#2F2F2F"
_TRACK = "#E8E8E8"
_TITLE_SIZE = 30
_LABEL_SIZE = 26
_NOTE_SIZE = 22


@cache
def cjk_family() -> str:
    """Register the bundled CJK font once and return its family name."""
    from matplotlib import font_manager

    package, name = FONT_FILE
    font = resources.files(package).joinpath(name)
    with resources.as_file(font) as path:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()


@cache
def _covered() -> frozenset[int]:
    """Code points the CJK font or DejaVu Sans can draw."""
    from matplotlib import font_manager, ft2font

    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
    points: set[int] = set()
    package, name = FONT_FILE
    with resources.as_file(resources.files(package).joinpath(name)) as path:
        for file in (str(path), dejavu):
            points.update(ft2font.FT2Font(file).get_charmap())
    return frozenset(points)


def printable(label: str) -> str:
    """``label`` without the characters no bundled font draws (emoji in a first name), so a
    name never turns into empty boxes or a "missing glyph" warning; ``?`` if nothing is left."""
    covered = _covered()
    kept = "".join(ch for ch in label if ord(ch) in covered).strip()
    return kept or "?"


def render_chart(spec: Mapping[str, Any]) -> bytes:
    """Draw ``spec`` (see the module doc) and return the PNG.

    Raises:
        ValueError: an unknown ``kind``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    kind = spec.get("kind")
    if kind == "bars":
        figure = _bars(spec)
    elif kind == "totals":
        figure = _totals(spec)
    else:
        raise ValueError(f"unknown chart kind {kind!r}")
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _figure(rows: int) -> Figure:
    from matplotlib.figure import Figure

    height = FRAME_INCHES + ROW_INCHES * max(rows, 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    figure.set_facecolor("white")
    figure.get_layout_engine().set(h_pad=0.15, w_pad=0.2)  # type: ignore[union-attr]
    return figure


def _text(size: int, **more: Any) -> dict[str, Any]:
    """Text properties: the CJK font first, DejaVu Sans as matplotlib's fallback after it
    (each text object gets the family; global rcParams are left alone)."""
    return {"fontfamily": [cjk_family(), "DejaVu Sans"], "fontsize": size, **more}


def _rows(spec: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], int]:
    rows = list(spec.get("rows") or [])
    more = int(spec.get("more") or 0) + max(0, len(rows) - MAX_ROWS)
    return rows[:MAX_ROWS], more


def _bars(spec: Mapping[str, Any]) -> Figure:
    rows, more = _rows(spec)
    lines = len(rows) + (1 if more else 0)
    figure = _figure(lines)
    axes = figure.add_subplot()
    labels = [printable(str(row.get("label", ""))) for row in rows]
    values = [float(row.get("value") or 0) for row in rows]
    colours = [_MARK if row.get("mark") else _BAR for row in rows]
    positions = list(range(len(rows)))
    axes.barh(positions, values, color=colours, height=0.65)
    top = max([*values, 0.0]) or 1.0
    axes.set_xlim(0, top * 1.25)
    for position, row, value in zip(positions, rows, values, strict=True):
        note = printable(str(row["note"])) if row.get("note") is not None else _number(value)
        axes.text(value + top * 0.02, position, note, va="center", **_text(_NOTE_SIZE))
    if more:
        positions.append(len(rows))
        labels.append(f"… +{more}")
    axes.set_yticks(positions, labels, **_text(_LABEL_SIZE))
    axes.set_ylim(max(len(positions), 1) - 0.5, -0.5)  # best at the top
    _finish(axes, spec)
    return figure


def _totals(spec: Mapping[str, Any]) -> Figure:
    rows, more = _rows(spec)
    figure = _figure(len(rows) + (1 if more else 0))
    axes = figure.add_subplot()
    labels, positions = [], []
    for position, row in enumerate(rows):
        actual = float(row.get("actual") or 0)
        target = row.get("target")
        share = actual * 100 / float(target) if target else None
        positions.append(position)
        labels.append(printable(str(row.get("label", ""))))
        axes.barh(position, TOTALS_AXIS_CAP, color=_TRACK, height=0.65)
        shown = min(share, TOTALS_AXIS_CAP) if share is not None else 0.0
        axes.barh(position, shown, color=_BAR if (share or 0) < 100 else _MARK, height=0.65)
        note = row.get("note")
        if note is None:
            note = f"{_number(actual)} / {_number(float(target))}" if target else _number(actual)
        axes.text(2, position, printable(str(note)), va="center", **_text(_NOTE_SIZE))
    axes.axvline(100, color=_TARGET, linewidth=3)
    if more:
        positions.append(len(rows))
        labels.append(f"… +{more}")
    axes.set_xlim(0, TOTALS_AXIS_CAP)
    axes.set_xticks([0, 50, 100, 150], ["0%", "50%", "100%", "150%"], **_text(_NOTE_SIZE))
    axes.set_yticks(positions, labels, **_text(_LABEL_SIZE))
    axes.set_ylim(max(len(positions), 1) - 0.5, -0.5)
    _finish(axes, spec, hide_x=False)
    return figure


def _finish(axes: Any, spec: Mapping[str, Any], hide_x: bool = True) -> None:
    axes.set_title(printable(str(spec.get("title", ""))), loc="left", pad=14, **_text(_TITLE_SIZE))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if hide_x:
        axes.set_xticks([])
        axes.spines["bottom"].set_visible(False)
    axes.tick_params(axis="y", length=0)


def _number(value: float) -> str:
    """``12``, ``81.5``, ``120,000``: whole numbers without decimals, thousands grouped."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def bars_spec(
    title: str, rows: Sequence[tuple[str, float, bool, str | None]], more: int = 0
) -> dict[str, Any]:
    """A ``bars`` spec from ``(label, value, mark, note)`` rows, best first."""
    return {
        "kind": "bars",
        "title": title,
        "rows": [
            {"label": label, "value": value, "mark": mark, "note": note}
            for label, value, mark, note in rows
        ],
        "more": more,
    }


def totals_spec(
    title: str, rows: Sequence[tuple[str, float, float | None, str | None]]
) -> dict[str, Any]:
    """A ``totals`` spec from ``(label, actual, target, note)`` rows."""
    return {
        "kind": "totals",
        "title": title,
        "rows": [
            {"label": label, "actual": actual, "target": target, "note": note}
            for label, actual, target, note in rows
        ],
    }
