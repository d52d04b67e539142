"""Bot API methods for files: sendPhoto, sendDocument and getFile.

Files can be uploaded (multipart) or re-sent by file_id. HTTP URLs are rejected with
Telegram's "failed to get HTTP URL content" because the stand-in never goes online.
"""

from __future__ import annotations

from typing import Any

from bot.standin.errors import bad_request
from bot.standin.keyboards import validate_markup
from bot.standin.media import image_size
from bot.standin.params import Params, UploadedFile
from bot.standin.registry import api_method
from bot.standin.state import StoredFile
from bot.standin.world import World

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_KIND_NAMES = {"photo": "Photo", "document": "Document", "voice": "Voice", "sticker": "Sticker"}


def _input_file(world: World, p: Params, kind: str) -> StoredFile:
    value = p.file(kind)
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        existing = world.files.get(value)
        if existing is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if existing.kind != kind and not (kind == "document" and existing.kind == "voice"):
            raise bad_request(
                f"can't use file of type {_KIND_NAMES[existing.kind]} as {_KIND_NAMES[kind]}"
            )
        return existing
    return _upload(world, value, kind)


def _upload(world: World, upload: UploadedFile, kind: str) -> StoredFile:
    if not upload.content:
        raise bad_request("file must be non-empty")
    if len(upload.content) > MAX_UPLOAD_BYTES:
        raise bad_request("file is too big")
    if kind == "photo":
        size = image_size(upload.content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if len(upload.content) > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return world.add_file(
            "photo", upload.content, filename=upload.filename, mime_type=upload.mime_type,
            width=size[0], height=size[1],
        )  # fmt: skip
    return world.add_file(
        "document", upload.content, filename=upload.filename, mime_type=upload.mime_type
    )


def _send_file(world: World, p: Params, kind: str) -> dict[str, Any]:
    markup = validate_markup(p.json_value("reply_markup"))
    chat = world.chat_for_bot(p.chat_id())
    caption, caption_entities = world.caption(p)
    reply_to = world.reply_target(chat, p)
    file = _input_file(world, p, kind)
    msg = world.add_bot_message(
        chat, p, caption=caption, caption_entities=caption_entities, markup=markup,
        reply_to=reply_to, **{kind: file.file_id},
    )  # fmt: skip
    return world.message_dict(msg)


@api_method("sendPhoto")
def send_photo(world: World, p: Params) -> dict[str, Any]:
    """Send a photo (upload or file_id) with an optional caption."""
    return _send_file(world, p, "photo")


@api_method("sendDocument")
def send_document(world: World, p: Params) -> dict[str, Any]:
    """Send a document (upload or file_id) with an optional caption."""
    return _send_file(world, p, "document")


@api_method("getFile")
def get_file(world: World, p: Params) -> dict[str, Any]:
    """Return the File object with the ``file_path`` to download it from the file route."""
    file = world.files.get(p.string("file_id") or "")
    if file is None:
        raise bad_request("invalid file_id")
    if len(file.content) > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.content),
        "file_path": file.file_path,
    }
