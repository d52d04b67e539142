"""Content packs in private chat: a manager sends a ``.yaml`` file; /packs lists what is used."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Update

from bot.context import CoachContext
from bot.handlers.common import contact_of, reply, reply_text
from bot.render import MESSAGE_LIMIT, render
from bot.services import Refusal
from coach import content_upload
from coach.content import PackProblem
from coach.errors import CoachError
from coach.models import Lang


async def document(update: Update, context: CoachContext) -> None:
    """Imports a manager's pack and reports the changes, or lists its problems with their lines."""
    message = update.effective_message
    assert message is not None and message.document is not None
    sent = message.document
    services = context.services
    contact = contact_of(update)
    # Refuse what the name and size already tell before downloading anything. This records
    # the update as handled: a crash before the import loses the upload, which the manager
    # sees unanswered and sends again.
    person, _ = await services.as_person(
        contact, content_upload.check_upload, sent.file_name, sent.file_size
    )
    file = await sent.get_file()
    raw = bytes(await file.download_as_bytearray())
    try:
        # Outside any transaction: a large file takes seconds to read.
        pack = await asyncio.to_thread(content_upload.read_upload, raw)
    except content_upload.PackRefused as refused:
        await reply_text(update, problems_message(person.language, refused.problems))
        return
    except CoachError as error:
        raise Refusal(person, error) from None
    person, uploaded = await services.as_person(contact, content_upload.upload_pack, pack)
    await reply(
        update, person.language, "content/imported", pack=uploaded.pack, report=uploaded.report
    )


async def packs(update: Update, context: CoachContext) -> None:
    """Lists the built-in and team packs the person's team uses, with versions and counts."""
    person, content = await context.services.as_person(
        contact_of(update), content_upload.team_content
    )
    await reply(update, person.language, "content/list", content=content)


def problems_message(lang: Lang, problems: Sequence[PackProblem]) -> str:
    """The problems of a refused pack in one message: as many as fit, then how many more."""
    full = render(lang, "content/problems", problems=problems, limit=len(problems))
    if len(full) <= MESSAGE_LIMIT:
        return full
    fits, too_many = 0, len(problems)
    best = render(lang, "content/problems", problems=problems, limit=0)
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        text = render(lang, "content/problems", problems=problems, limit=middle)
        if len(text) <= MESSAGE_LIMIT:
            fits, best = middle, text
        else:
            too_many = middle
    return best
