"""PTB's HTTP backends: ``WireRequest`` (the bot's, with the outbox's send gate) and
``AiohttpRequest`` (its files, and getUpdates), against the stand-in and small raw servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest

from bot.delivery.http import AiohttpRequest
from bot.delivery.wire import SEND_GATE, SendGate, WireRequest
from bot.standin import StandIn

TOKEN = "424242:TEST-token-never-logged"
TRANSPORTS: dict[str, Callable[..., BaseRequest]] = {
    "wire": WireRequest,
    "aiohttp": AiohttpRequest,
}


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, auto_deliver=False) as running:
        yield running


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_transport_speaks_the_bot_api(standin: StandIn, transport: str):
    async with Bot(TOKEN, base_url=standin.base_url, request=TRANSPORTS[transport]()) as bot:
        alice = standin.add_user("Alice")
        alice.send("/start")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])

        sent = await bot.send_message(alice.id, "<b>hi</b> &amp; bye", "HTML", reply_markup=markup)
        document = await bot.send_document(alice.id, b"a,b\n1,2\n", filename="kpis.csv")

        assert (sent.text, sent.reply_markup) == ("hi & bye", markup)
        assert document.document is not None and document.document.file_name == "kpis.csv"
        (stored,) = [m for m in standin.sent_messages(alice.id) if m.document]
        assert stored.document is not None and stored.document.content == b"a,b\n1,2\n"
        standin.faults.fail_next("sendMessage", error_code=429, retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(alice.id, "again")
        alice.block_bot()
        with pytest.raises(Forbidden):
            await bot.send_message(alice.id, "again")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_transport_reports_network_errors(transport: str):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    async with TRANSPORTS[transport](connect_timeout=1) as request:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")


async def test_wire_reuses_its_connections(standin: StandIn):
    async with Bot(TOKEN, base_url=standin.base_url, request=WireRequest()) as bot:
        alice = standin.add_user("Alice")
        alice.send("/start")
        for i in range(5):
            await bot.send_message(alice.id, f"#{i}")
        await asyncio.gather(*(bot.send_message(alice.id, f"together {i}") for i in range(3)))
        pool = next(iter(bot.request._pools.values()))  # type: ignore[attr-defined]
        assert len(pool._idle) == 3  # five in a row on one connection, then three at once
    assert [m.text for m in standin.sent_messages(alice.id)][:5] == [f"#{i}" for i in range(5)]


async def gated_sends(
    bot: Bot, chat_id: int, gate: SendGate, count: int
) -> list[asyncio.Task[int]]:
    """``count`` messages sent through ``gate``; returns once every request waits there."""

    async def send(text: str) -> int:
        SEND_GATE.set(gate)
        return (await bot.send_message(chat_id, text)).message_id

    sends = [asyncio.create_task(send(f"m{i}")) for i in range(count)]
    await asyncio.wait_for(gate.assembled(), 5)
    return sends


async def test_requests_under_a_gate_wait_for_it_and_go_out_together(standin: StandIn):
    async with Bot(TOKEN, base_url=standin.base_url, request=WireRequest()) as bot:
        alice = standin.add_user("Alice")
        alice.send("/start")
        sends = await gated_sends(bot, alice.id, gate := SendGate(3), 3)
        assert (await bot.get_me()).is_bot  # a call outside the gate is not held
        assert standin.sent_messages(alice.id) == []
        gate.open()
        ids = await asyncio.gather(*sends)
    assert len(set(ids)) == 3
    assert sorted(m.text for m in standin.sent_messages(alice.id)) == ["m0", "m1", "m2"]


async def test_a_closed_gate_calls_its_requests_off_unwritten(standin: StandIn):
    async with Bot(TOKEN, base_url=standin.base_url, request=WireRequest()) as bot:
        alice = standin.add_user("Alice")
        alice.send("/start")
        sends = await gated_sends(bot, alice.id, gate := SendGate(2), 2)
        gate.close()
        results = await asyncio.gather(*sends, return_exceptions=True)
        assert all(isinstance(r, NetworkError) and "CalledOff" in str(r) for r in results)
        assert gate.opened is False
        after = await bot.send_message(alice.id, "after")  # the pool is still usable
    assert [m.text for m in standin.sent_messages(alice.id)] == [after.text]


async def test_a_gate_counts_a_request_that_failed_before_it():
    gate = SendGate(2)

    async def fails_early() -> None:
        SEND_GATE.set(gate)
        gate.passed_by()

    async def waits() -> None:
        await gate.hold(lambda: None)

    waiting = asyncio.create_task(waits())
    await asyncio.create_task(fails_early())
    await asyncio.wait_for(gate.assembled(), 5)
    gate.open()
    await waiting
    gate.passed_by()  # after the gate is open: nothing to count, nothing breaks
    assert gate.opened is True


@contextlib.asynccontextmanager
async def serve(answer: bytes) -> AsyncIterator[tuple[int, list[int]]]:
    """A raw HTTP server that reads one request per connection and writes ``answer`` (or
    nothing, if empty); yields its port and a list that grows by one per connection."""
    connections: list[int] = []
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        writers.append(writer)
        await reader.readuntil(b"\r\n\r\n")
        if answer:
            writer.write(answer)
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        server.close()
        for writer in writers:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await server.wait_closed()


async def test_wire_opens_a_new_connection_when_the_server_closed_the_last_one():
    body = b'{"ok":true,"result":true}'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    async with serve(answer) as (port, connections), WireRequest() as request:
        for _ in range(3):
            assert await request.post(f"http://127.0.0.1:{port}/bot1:x/close") is True
    assert len(connections) == 3


async def test_wire_times_out_a_server_that_never_answers():
    async with serve(b"") as (port, _), WireRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
