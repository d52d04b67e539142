"""Writes a team export (``coach.export``) as an XLSX workbook and a CSV file, in zh or en.

The workbook has the team sheet first, then one sheet per person. Text typed by reps is
written as string cells, never formulas, and flagged with Excel's quote prefix, so ``=1+1``
in a lesson shows as ``=1+1``; in the CSV such text gets a leading ``'`` (``coach.export
.neutralize``). The CSV is UTF-8 with a byte-order mark, which is what makes Excel read
Chinese text in a CSV correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, time
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from coach.days import Absence, CheckIn
from coach.export import (
    CSV_COLUMNS,
    FORMULA_STARTS,
    PERSON_COLUMNS,
    TEAM_COLUMNS,
    Cell,
    Column,
    TeamExport,
    csv_rows,
    neutralize,
    person_rows,
    sheet_titles,
    team_row,
)
from coach.models import Lang

_HEADERS: dict[str, tuple[str, str]] = {
    "day": ("日期", "Date"),
    "working": ("工作日", "Working day"),
    "absence": ("请假", "Away"),
    "planned": ("已计划", "Planned"),
    "plan_time": ("计划时间", "Plan time"),
    "reviewed": ("已复盘", "Reviewed"),
    "review_time": ("复盘时间", "Review time"),
    "missed": ("缺少", "Missed"),
    "tasks_done": ("完成任务", "Tasks done"),
    "tasks_total": ("计划任务", "Tasks planned"),
    "win": ("收获", "Win"),
    "lesson": ("问题/教训", "Lesson"),
    "objection": ("客户异议", "Objection"),
    "tomorrow_first": ("明天第一件事", "Tomorrow first"),
    "name": ("姓名", "Name"),
    "user_id": ("用户ID", "User id"),
    "working_days": ("工作日数", "Working days"),
    "planned_days": ("计划天数", "Days planned"),
    "reviewed_days": ("复盘天数", "Days reviewed"),
    "missed_plans": ("缺计划", "Missed plans"),
    "missed_reviews": ("缺复盘", "Missed reviews"),
    "absent_days": ("请假天数", "Days away"),
    "composite": ("综合分", "Composite"),
    "results": ("结果分", "Results"),
    "process": ("过程分", "Process"),
    "capability": ("能力分", "Capability"),
    "teamwork": ("协作分", "Teamwork"),
    "points": ("积分", "Points"),
}
_KPI_HEADERS: dict[str, tuple[str, str]] = {
    "plan": ("{} 计划", "{} plan"),
    "actual": ("{} 实际", "{} actual"),
    "target": ("{} 目标", "{} target"),
}
_ABSENCE: dict[Absence, tuple[str, str]] = {
    Absence.LEAVE: ("请假", "leave"),
    Absence.SICK: ("病假", "sick"),
    Absence.TRAINING: ("培训", "training"),
    Absence.TRAVEL: ("出差", "travel"),
}
_CHECK_IN: dict[CheckIn, tuple[str, str]] = {
    CheckIn.PLAN: ("计划", "plan"),
    CheckIn.REVIEW: ("复盘", "review"),
}
_TEAM_SHEET = ("团队", "Team")
_BOLD = Font(bold=True)


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang is Lang.ZH else pair[1]


def header(column: Column, lang: Lang) -> str:
    """A column's title in ``lang``."""
    if column.kpi is not None:
        return _pick(_KPI_HEADERS[column.key], lang).format(column.kpi.label(lang))
    return _pick(_HEADERS[column.key], lang)


def headers(columns: Sequence[Column], lang: Lang) -> list[str]:
    return [header(column, lang) for column in columns]


def word(value: Cell, lang: Lang) -> Cell:
    """Codes (an absence, missed check-ins) as words in ``lang``; other values unchanged."""
    if isinstance(value, Absence):
        return _pick(_ABSENCE[value], lang)
    if isinstance(value, tuple):
        return ("、" if lang is Lang.ZH else ", ").join(_pick(_CHECK_IN[k], lang) for k in value)
    return value


def file_stem(export: TeamExport) -> str:
    """``salescoach-team3-2026-11-01-2026-11-30``: ASCII only, safe on every system."""
    return f"salescoach-team{export.team.id}-{export.start.isoformat()}-{export.end.isoformat()}"


# --- XLSX ------------------------------------------------------------------------------------


def xlsx_bytes(
    export: TeamExport, lang: Lang, progress: Callable[[str], None] | None = None
) -> bytes:
    """The workbook: the team sheet, then one sheet per person; ``progress`` after each sheet."""
    book = Workbook()
    team_title = _pick(_TEAM_SHEET, lang)
    team_sheet = book.active
    assert team_sheet is not None
    team_sheet.title = team_title
    _write(team_sheet, headers(TEAM_COLUMNS, lang), (team_row(p) for p in export.people), lang)
    if progress is not None:
        progress(team_title)
    titles = sheet_titles([p.name for p in export.people], reserved=[team_title])
    for person, title in zip(export.people, titles, strict=True):
        sheet = book.create_sheet(title)
        _write(sheet, headers(PERSON_COLUMNS, lang), person_rows(person, export.zone), lang)
        if progress is not None:
            progress(title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(sheet: Worksheet, titles: list[str], rows: Iterable[Sequence[Cell]], lang: Lang) -> None:
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = _BOLD
    for row_index, row in enumerate(rows, start=2):
        for column_index, value in enumerate(row, start=1):
            _put(sheet, row_index, column_index, word(value, lang))
    sheet.freeze_panes = "B2"
    for index, title in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(title) + 4))


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # stays text when someone edits the cell in Excel
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, time):
        cell.value = value
        cell.number_format = "hh:mm"
    else:
        cell.value = value


# --- CSV -------------------------------------------------------------------------------------


def csv_bytes(export: TeamExport, lang: Lang) -> bytes:
    """One row per person and day (:data:`coach.export.CSV_COLUMNS`), UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(CSV_COLUMNS, lang))
    for row in csv_rows(export):
        writer.writerow([_csv_text(word(value, lang)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
