"""Charts render Chinese without a missing glyph and decode as phone-sized PNGs.

pytest turns warnings into errors (pyproject), so matplotlib's "Glyph … missing from font"
warning fails these tests; the last test shows that warning does fire for a glyph no font has.
"""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from bot.charts import (
    DPI,
    MAX_ROWS,
    WIDTH_INCHES,
    bars_spec,
    cjk_family,
    printable,
    render_chart,
    totals_spec,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["李娜", "王芳", "张伟", "Tom", "刘洋", "陈静"]
NAMES += ["杨帆", "赵磊", "黄敏", "周杰", "吴昊", "郑爽"]


def decoded(png: bytes):
    assert png.startswith(PNG_SIGNATURE)
    return imread(io.BytesIO(png), format="png")


def test_a_chinese_board_renders_every_glyph_and_is_phone_sized():
    rows = [(name, 95 - 7.5 * i, name == "王芳", None) for i, name in enumerate(NAMES)]
    png = render_chart(bars_spec("销售英雄榜 · 本周（11/23–11/29）", rows))
    image = decoded(png)
    height, width = image.shape[:2]
    assert width == int(WIDTH_INCHES * DPI)
    # ten bars and a "… +2" line, not twelve bars: the height follows the rows shown
    fewer = decoded(render_chart(bars_spec("榜", rows[:3])))
    assert height > fewer.shape[0]
    assert len(rows) > MAX_ROWS


def test_the_totals_chart_renders_kpis_with_and_without_targets():
    spec = totals_spec(
        "团队合计 vs 目标",
        [
            ("新客户拜访", 34, 30, None),
            ("业绩", 250_000, 300_000, None),
            ("电话", 120, None, None),
            ("成交", 9, 6, "9 / 6 ✅"),
        ],
    )
    image = decoded(render_chart(spec))
    assert image.shape[1] == int(WIDTH_INCHES * DPI)


def test_an_empty_board_still_renders():
    decoded(render_chart(bars_spec("Hero board", [])))


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        render_chart({"kind": "pie"})


def test_names_lose_only_what_no_font_draws():
    assert printable("李娜✨") == "李娜"
    assert printable("José Ñ") == "José Ñ"
    assert printable("✨") == "?"


def test_the_missing_glyph_warning_is_real():
    """Without the CJK family matplotlib warns for Chinese: the tests above would catch it."""
    figure = Figure()
    figure.text(0.5, 0.5, "销售", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in str(w.message) for w in caught)
    assert cjk_family() == "Noto Sans CJK SC"
