"""Files: multipart uploads by the bot, re-sending by file_id, downloads via getFile."""

from __future__ import annotations

import pytest
from telegram import Bot, File, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.standin import StandIn
from bot.standin.media import image_size, tiny_png
from tests.standin.conftest import assert_clean

CSV = b"rep,calls\nalice,12\nbob,9\n"


async def test_send_document_upload_is_stored_with_bytes(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("/export")
    message = await bot.send_document(
        alice.id,
        InputFile(CSV, filename="week.csv"),
        caption="<b>Week</b> 42",
        parse_mode=ParseMode.HTML,
    )
    assert isinstance(message, Message)
    assert_clean(message)
    assert message.document is not None
    assert message.document.file_name == "week.csv"
    assert message.document.file_size == len(CSV)
    assert message.caption == "Week 42"
    assert message.caption_entities[0].type == "bold"

    sent = alice.last_message
    assert sent is not None
    assert sent.document is not None
    assert (sent.document.filename, sent.document.content) == ("week.csv", CSV)
    assert (sent.text, sent.caption, sent.html) == ("Week 42", "Week 42", "<b>Week</b> 42")
    upload = standin.calls[-1].params["document"]
    assert upload.content == CSV

    again = await bot.send_document(alice.id, message.document.file_id)
    assert again.document is not None
    assert again.document.file_id == message.document.file_id


async def test_send_photo_upload(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    alice.send("/chart")
    png = tiny_png(width=64, height=32)
    message = await bot.send_photo(alice.id, png, caption="Pipeline")
    assert_clean(message)
    assert message.photo[-1].width == 64
    assert message.photo[-1].height == 32
    sent = alice.last_message
    assert sent is not None
    assert sent.photo is not None
    assert sent.photo.content == png
    assert (sent.photo.width, sent.photo.height) == (64, 32)

    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, b"this is not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_photo(alice.id, "AgACnonexistent")
    with pytest.raises(BadRequest, match="Failed to get http url content"):
        await bot.send_photo(alice.id, "https://example.com/chart.png")
    document = await bot.send_document(alice.id, InputFile(CSV, filename="x.csv"))
    assert document.document is not None
    with pytest.raises(BadRequest, match="Can't use file of type document as photo"):
        await bot.send_photo(alice.id, document.document.file_id)
    assert len(alice.inbox) == 2


async def test_user_document_downloadable_by_bot(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    update = alice.send_document(
        "deals.xlsx", b"PK\x03\x04 spreadsheet", mime_type="application/vnd.ms-excel"
    )
    assert update is not None
    file_id = update["message"]["document"]["file_id"]
    tg_file = await bot.get_file(file_id)
    assert isinstance(tg_file, File)
    assert_clean(tg_file)
    assert tg_file.file_size == len(b"PK\x03\x04 spreadsheet")
    assert tg_file.file_path is not None
    assert tg_file.file_path.startswith(standin.base_file_url)
    assert bytes(await tg_file.download_as_bytearray()) == b"PK\x03\x04 spreadsheet"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_user_photo_downloadable_by_bot(standin: StandIn, bot: Bot) -> None:
    alice = standin.add_user("Alice")
    png = tiny_png(10, 20)
    update = alice.send_photo(caption="receipt", content=png)
    assert update is not None
    photo = update["message"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (10, 20)
    tg_file = await bot.get_file(photo["file_id"])
    data = bytes(await tg_file.download_as_bytearray())
    assert data == png
    assert image_size(data) == (10, 20)


def test_image_size_sniffing() -> None:
    gif = b"GIF89a" + (7).to_bytes(2, "little") + (5).to_bytes(2, "little")
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x04ab"  # SOI + APP0 segment
        + b"\xff\xc0\x00\x11\x08"  # SOF0 marker, length, precision
        + (30).to_bytes(2, "big")
        + (40).to_bytes(2, "big")
        + b"\x03"
    )
    assert image_size(gif) == (7, 5)
    assert image_size(jpeg) == (40, 30)
    assert image_size(b"plain text") is None
