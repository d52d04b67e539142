"""An aiohttp transport for PTB: the Application's ``getUpdates`` requests, and the requests
with files that ``bot.delivery.wire.WireRequest`` (the bot's transport) passes on.

PTB's default transport, httpx, costs more CPU per request: in a standalone loop of
``send_message`` calls to the stand-in this machine spent about 1.7 ms of client CPU per call
with httpx and 0.35 ms with this class; in the fan-out benchmark a bare ``send_message`` loop
reached about 420 msg/s on httpx and 600-1,100 on this (bench/README.md). It speaks what PTB's
``HTTPXRequest`` speaks: form-encoded parameters, multipart when files are attached, PTB's
timeouts (there is no separate write timeout: aiohttp has none), and ``TimedOut`` /
``NetworkError`` for PTB to handle.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_BODY = {"Content-Type": "application/json"}


Timeouts = tuple[float | None, float | None, float | None]
"""Read, connect and pool timeouts, in seconds (``None``: wait as long as it takes)."""


def chosen_timeouts(given: tuple[ODVInput[float], ...], defaults: Timeouts) -> Timeouts:
    """The timeouts of one request: each one PTB passed, or the transport's own default."""
    read, connect, pool = (
        default if isinstance(value, DefaultValue) else value
        for value, default in zip(given, defaults, strict=True)
    )
    return read, connect, pool


class AiohttpRequest(BaseRequest):
    """A PTB request backend on one ``aiohttp.ClientSession``."""

    __slots__ = ("_connect_timeout", "_pool_size", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read, connect, pool = chosen_timeouts(
            (read_timeout, connect_timeout, pool_timeout),
            (self._read_timeout, self._connect_timeout, self._pool_timeout),
        )
        # aiohttp's "connect" covers waiting for a pooled connection and connecting.
        waiting = None if pool is None and connect is None else (pool or 0) + (connect or 0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect, sock_read=read
        )
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mime_type) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mime_type)
                data = form
            else:
                data = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                headers = JSON_BODY
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
