"""``WireRequest``: the bot's transport, with a gate that holds requests ready to be written.

The outbox sender must commit a message's ``SENDING`` mark before its request goes out (see
``bot.delivery.sender``), and every moment between that commit and the request's bytes
reaching the socket is a moment in which a crash loses the message. With aiohttp, PTB's part
(defaults, rate limiter, JSON) and aiohttp's (request object, pooled connection, headers, a
writer task) come after the commit: a SIGKILL in the middle of a 1000 msg/s push found about
13 marked messages not yet written, on average.

Here a request made under a ``SendGate`` (``SEND_GATE``, set by the sender for its own tasks)
does all of that first, takes a connection, lets h11 build the HTTP bytes and then waits.
``SendGate.open()``, called by the sender right after the mark commits, writes every waiting
request to its socket in one synchronous pass; ``close()`` calls them off unwritten. Requests
made outside a gate (handler replies, everything else) are written at once. A task may also set
``BEFORE_WRITE``: the gate calls it right before that task's request is written (the sender's
journal marks the message passed there, see ``bot.delivery.journal``).

HTTP/1.1 itself is h11's (python-hyper's sans-I/O implementation, which httpx also uses); this
module only keeps a pool of keep-alive connections per origin and maps failures to PTB's
``TimedOut`` / ``NetworkError``. Requests with files (multipart) go through
``AiohttpRequest``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import h11
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.delivery.http import AiohttpRequest, Timeouts, chosen_timeouts

READ_CHUNK = 65536


_Waiting = tuple[Callable[[], None], Callable[[], None] | None, asyncio.Future[None]]
"""A held request: its write, what runs right before it, and the future its task awaits."""


class CalledOff(Exception):
    """The gate was closed: the request was never written."""


class SendGate:
    """Requests that wait, their bytes built, until ``open`` writes them all at once.

    Made for ``expected`` requests; ``assembled()`` returns once each of them is waiting here
    or has ended without getting here (an error before its write).
    """

    def __init__(self, expected: int) -> None:
        self._expected = expected
        self._waiting: list[_Waiting] = []
        self._held_tasks: set[asyncio.Task[Any]] = set()
        self._arrived = 0
        self._assembled = asyncio.Event()
        self.opened: bool | None = None  # None until open() or close()
        if expected <= 0:
            self._assembled.set()

    async def assembled(self) -> None:
        await self._assembled.wait()

    def hold(
        self, write: Callable[[], None], before: Callable[[], None] | None = None
    ) -> asyncio.Future[None]:
        """Wait here; ``write`` runs when the gate opens, right after ``before`` (the future
        fails if the gate is closed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting = (write, before, future)
        if self.opened is not None:  # too late to wait: act on what was decided
            if self.opened:
                self._run(waiting)
            else:
                future.set_exception(CalledOff())
            return future
        self._waiting.append(waiting)
        task = asyncio.current_task()
        if task is not None:
            self._held_tasks.add(task)
        self._arrive()
        return future

    def passed_by(self) -> None:
        """The calling request ended without waiting here (it failed before its write)."""
        if self.opened is None and asyncio.current_task() not in self._held_tasks:
            self._arrive()

    def open(self) -> None:
        """Write every waiting request now, in the order they arrived."""
        self.opened = True
        waiting, self._waiting = self._waiting, []
        for held in waiting:
            self._run(held)

    def close(self) -> None:
        """Call off every waiting request: none of them is written."""
        self.opened = False
        waiting, self._waiting = self._waiting, []
        for _, _, future in waiting:
            future.set_exception(CalledOff())

    def _arrive(self) -> None:
        self._arrived += 1
        if self._arrived >= self._expected:
            self._assembled.set()

    @staticmethod
    def _run(waiting: _Waiting) -> None:
        write, before, future = waiting
        try:
            if before is not None:
                before()
            write()
        except Exception as error:
            future.set_exception(error)
        else:
            future.set_result(None)


SEND_GATE: ContextVar[SendGate | None] = ContextVar("salescoach_send_gate", default=None)
"""The gate of the current task's requests; ``None``: write at once."""

BEFORE_WRITE: ContextVar[Callable[[], None] | None] = ContextVar(
    "salescoach_before_write", default=None
)
"""Called by the gate right before it writes the current task's request (or, for a request
with files, right before that request is made)."""


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    http: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))

    def reusable(self) -> bool:
        return (
            self.http.our_state is h11.IDLE
            and self.http.their_state is h11.IDLE
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


class _Pool:
    """Keep-alive connections to one origin, at most ``size`` in use at once."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None, size: int) -> None:
        self.host, self.port, self.tls = host, port, tls
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Connection] = []

    async def acquire(
        self, pool_timeout: float | None, connect_timeout: float | None
    ) -> _Connection:
        if self._slots.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await self._slots.acquire()
            except TimeoutError as error:
                raise TimedOut("Pool timeout: all connections are in use") from error
        else:
            await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if connection.reusable():
                    return connection
                connection.close()
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port, ssl=self.tls)
            return _Connection(reader, writer)
        except BaseException:
            self._slots.release()
            raise

    def release(self, connection: _Connection, keep: bool) -> None:
        if keep and connection.reusable():
            self._idle.append(connection)
        else:
            connection.close()
        self._slots.release()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            with contextlib.suppress(OSError):
                await connection.writer.wait_closed()


class WireRequest(BaseRequest):
    """A PTB request backend: JSON calls on h11 keep-alive connections, files via aiohttp."""

    __slots__ = ("_files", "_pool_size", "_pools", "_timeouts", "_tls")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts: Timeouts = (read_timeout, connect_timeout, pool_timeout)
        self._pools: dict[tuple[str, str, int], _Pool] = {}
        self._tls: ssl.SSLContext | None = None
        self._files = AiohttpRequest(
            connection_pool_size, read_timeout, connect_timeout, pool_timeout
        )

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        await self._files.initialize()

    async def shutdown(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()
        await self._files.shutdown()

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
        if request_data is not None and request_data.multipart_data:
            gate = SEND_GATE.get()
            if gate is not None:  # no bytes to hold: aiohttp builds them after the mark
                await gate.hold(lambda: None, BEFORE_WRITE.get())
            return await self._files.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        read, connect, pool_wait = chosen_timeouts(
            (read_timeout, connect_timeout, pool_timeout), self._timeouts
        )
        body = b""
        if request_data is not None and request_data.parameters:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        parts = urlsplit(url)
        pool = self._pool(parts.scheme, parts.hostname or "", parts.port)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        gate = SEND_GATE.get()
        try:
            connection = await pool.acquire(pool_wait, connect)
        except TimeoutError as error:
            raise TimedOut("Timed out connecting to the Bot API") from error
        except OSError as error:
            raise NetworkError(f"{type(error).__name__}: {error}") from error
        keep = False
        try:
            data = self._head(connection, method, pool, target, body)
            if gate is None:
                connection.writer.write(data)
            else:
                await gate.hold(lambda: connection.writer.write(data), BEFORE_WRITE.get())
            status, answer = await self._answer(connection, read)
            keep = True
            return status, answer
        except TimeoutError as error:
            raise TimedOut("Timed out waiting for the Bot API") from error
        except (OSError, h11.ProtocolError) as error:
            raise NetworkError(f"{type(error).__name__}: {error}") from error
        finally:
            pool.release(connection, keep)

    def _pool(self, scheme: str, host: str, port: int | None) -> _Pool:
        key = (scheme, host, port or (443 if scheme == "https" else 80))
        pool = self._pools.get(key)
        if pool is None:
            tls = None
            if scheme == "https":
                if self._tls is None:
                    self._tls = ssl.create_default_context()
                tls = self._tls
            pool = self._pools[key] = _Pool(host, key[2], tls, self._pool_size)
        return pool

    def _head(
        self, connection: _Connection, method: str, pool: _Pool, target: str, body: bytes
    ) -> bytes:
        host = pool.host if pool.port in (80, 443) else f"{pool.host}:{pool.port}"
        headers = [("Host", host), ("User-Agent", self.USER_AGENT)]
        if body:
            headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        elif method != "GET":
            headers.append(("Content-Length", "0"))
        http = connection.http
        data = http.send(h11.Request(method=method, target=target, headers=headers)) or b""
        if body:
            data += http.send(h11.Data(data=body)) or b""
        return data + (http.send(h11.EndOfMessage()) or b"")

    @staticmethod
    async def _answer(connection: _Connection, read_timeout: float | None) -> tuple[int, bytes]:
        http = connection.http
        status = 0
        chunks: list[bytes] = []
        async with asyncio.timeout(read_timeout):
            while True:
                event = http.next_event()
                if event is h11.NEED_DATA:
                    http.receive_data(await connection.reader.read(READ_CHUNK))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise ConnectionResetError("the Bot API closed the connection")
        if http.our_state is h11.DONE and http.their_state is h11.DONE:
            http.start_next_cycle()
        return status, b"".join(chunks)
