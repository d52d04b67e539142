"""Manager commands in private chat: /team, /report, /targets, /schedule, /export.

Thin: each runs one use case (which refuses reps, outsiders and other teams' managers through
``coach.access``) and renders its result. /export writes the XLSX and CSV off the event loop
and sends both as documents.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import CoachContext
from bot.export_files import csv_bytes, file_stem, xlsx_bytes
from bot.handlers.common import contact_of, reply
from bot.render import render
from coach import export, schedule_edit, team_targets, today, week_report
from coach.kpis import Kpi


def _words(context: CoachContext) -> list[str]:
    return list(context.args or [])


async def team(update: Update, context: CoachContext) -> None:
    """The team's day so far: who planned, reviewed, is away or missing; totals vs pace."""
    person, found = await context.services.as_person(contact_of(update), today.team_today)
    await reply(update, person.language, "manager/today", t=found)


async def report(update: Update, context: CoachContext) -> None:
    """``/report [last | DATE]``: a week of the team, rep by rep."""
    person, found = await context.services.as_person(
        contact_of(update), week_report.team_report, _words(context)
    )
    await reply(update, person.language, "report/week", r=found)


async def targets(update: Update, context: CoachContext) -> None:
    """``/targets`` shows the targets; with ``kpi=value`` words (and ``@rep``) it sets them."""
    words = _words(context)
    if words:
        person, result = await context.services.as_person(
            contact_of(update), team_targets.set_targets, words
        )
    else:
        person, result = await context.services.as_person(
            contact_of(update), team_targets.show_targets
        )
    saved = result if isinstance(result, team_targets.TargetsSet) else None
    view = saved.view if saved is not None else result
    await reply(
        update, person.language, "manager/targets", v=view, saved=saved, revenue=Kpi.REVENUE
    )


async def schedule(update: Update, context: CoachContext) -> None:
    """``/schedule`` shows the team's schedule; with ``key=value`` words it changes it."""
    words = _words(context)
    if not words:
        person, found = await context.services.as_person(
            contact_of(update), schedule_edit.show_schedule
        )
        await reply(update, person.language, "manager/schedule", team=found)
        return
    person, change = await context.services.as_person(
        contact_of(update), schedule_edit.change_schedule, " ".join(words)
    )
    await reply(
        update, person.language, "manager/schedule", team=change.after, changed=change.changed
    )


async def export_command(update: Update, context: CoachContext) -> None:
    """``/export [FROM [TO] | YYYY-MM]``: the range as an XLSX workbook and a CSV file."""
    person, found = await context.services.as_person(
        contact_of(update), export.export_for, _words(context)
    )
    lang = person.language
    workbook, table = await asyncio.to_thread(
        lambda: (xlsx_bytes(found, lang), csv_bytes(found, lang))
    )
    chat = update.effective_chat
    assert chat is not None
    stem = file_stem(found)
    await chat.send_document(
        document=workbook,
        filename=f"{stem}.xlsx",
        caption=render(lang, "manager/export_sent", e=found),
    )
    await chat.send_document(document=table, filename=f"{stem}.csv")
