"""The aiohttp application serving ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``.

Parameters are read from the query string and from url-encoded, JSON or multipart bodies
(multipart parts with a filename become UploadedFile). The access log is disabled because
request paths contain the bot token.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from bot.standin.errors import ApiError, bad_request, not_found, unauthorized
from bot.standin.params import UploadedFile
from bot.standin.state import StoredFile

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024

Dispatch = Callable[[str, dict[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]
FileLookup = Callable[[str], StoredFile | None]
BugReporter = Callable[[BaseException], None]


def json_response(status: int, payload: dict[str, Any]) -> web.Response:
    """Return a JSON response with the given HTTP status."""
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def error_response(error: ApiError) -> web.Response:
    """Return Telegram's error body with HTTP status equal to error_code."""
    return json_response(error.error_code, error.payload())


async def read_params(request: web.Request) -> dict[str, Any]:
    """Collect parameters from the query string and a form, JSON or multipart body."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected as request body")
        params.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read(decode=False))
                mime = part.headers.get("Content-Type", "application/octet-stream")
                params[part.name] = UploadedFile(part.filename, mime, content)
            else:
                params[part.name] = await part.text()
    else:
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


def build_app(
    token: str, dispatch: Dispatch, find_file: FileLookup, report_bug: BugReporter
) -> web.Application:
    """Create the web application for one bot token; unexpected exceptions become 500s."""

    def token_ok(request: web.Request) -> bool:
        return hmac.compare_digest(request.match_info["token"].encode(), token.encode())

    async def api(request: web.Request) -> web.Response:
        if not token_ok(request):
            return error_response(unauthorized())
        try:
            params = await read_params(request)
        except ApiError as error:
            return error_response(error)
        except Exception as error:
            logger.exception("stand-in bug while reading a request")
            report_bug(error)
            return error_response(ApiError(500, "Internal Server Error"))
        status, payload = await dispatch(request.match_info["method"], params)
        return json_response(status, payload)

    async def file(request: web.Request) -> web.Response:
        if not token_ok(request):
            return error_response(unauthorized())
        found = find_file(request.match_info["path"])
        if found is None:
            return error_response(not_found())
        return web.Response(
            body=found.content,
            headers={"Content-Type": found.mime_type or "application/octet-stream"},
        )

    async def fallback(request: web.Request) -> web.Response:
        return error_response(not_found())

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/bot{token}/{method}", api)
    app.router.add_get("/file/bot{token}/{path:.+}", file)
    app.router.add_route("*", "/{tail:.*}", fallback)
    return app
