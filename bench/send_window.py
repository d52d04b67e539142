"""How long a SIGKILL can still lose a message with the send journal: the Python time between a
message's journal store and its ``send`` system call.

``.venv/bin/python -m bench.send_window [--groups 2000] [--size 64]``

Opens ``--size`` keep-alive connections to a local server that reads and discards, holds one
request of a typical push's size (about 600 bytes) per connection at a ``SendGate`` with the
journal's ``passing`` hook, and times ``gate.open()``: per request, the journal store, the
gate's call, ``StreamWriter.write`` and asyncio's transport down to ``socket.send``. The same
bytes then go out through ``socket.send`` alone on the same connections. The difference is
Python's share; the window (after the store, before the call) is a part of it, so it is an upper
bound. It is compared with the same for the gate without a journal and, for scale, with the
window without any journal: from the mark's commit to the last write of its group.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from pathlib import Path

from bot.delivery.journal import SendJournal
from bot.delivery.wire import SendGate

REQUEST = (
    b"POST /bot424242:TOKEN/sendmessage HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n"
    b"User-Agent: python-telegram-bot v22 (https://python-telegram-bot.org)\r\n"
    b"Content-Type: application/json\r\nContent-Length: 420\r\n\r\n" + b"x" * 420
)


HANDLERS: set[asyncio.Task[None]] = set()


async def discard(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    task = asyncio.current_task()
    assert task is not None
    HANDLERS.add(task)
    while await reader.read(65536):
        pass
    writer.close()


async def one_group(
    writers: list[asyncio.StreamWriter], journal: SendJournal | None, first_id: int
) -> float:
    """Seconds ``gate.open()`` takes for one request per connection."""
    gate = SendGate(len(writers))
    for index, writer in enumerate(writers):
        before = journal.passing(first_id + index) if journal is not None else None
        gate.hold(lambda w=writer: w.write(REQUEST), before)  # type: ignore[misc]
    if journal is not None:
        journal.arm(range(first_id, first_id + len(writers)))
    started = time.perf_counter()
    gate.open()
    return time.perf_counter() - started


def raw_group(sockets: list[socket.socket]) -> float:
    started = time.perf_counter()
    for sock in sockets:
        sock.send(REQUEST)
    return time.perf_counter() - started


async def main(groups: int, size: int) -> None:
    server = await asyncio.start_server(discard, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    writers = []
    for _ in range(size):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)
    raw = [socket.create_connection(("127.0.0.1", port)) for _ in range(size)]
    with tempfile.TemporaryDirectory() as folder:
        journal = SendJournal(Path(folder) / "bench.journal", "bench")
        journal.reset()
        timings: dict[str, list[float]] = {"gate + journal": [], "gate": [], "socket.send": []}
        for group in range(groups):
            timings["gate + journal"].append(await one_group(writers, journal, group * size))
            await asyncio.sleep(0)  # let the server read
            timings["gate"].append(await one_group(writers, None, 0))
            await asyncio.sleep(0)
            timings["socket.send"].append(raw_group(raw))
            await asyncio.sleep(0)
        journal.close()
    for sock in raw:
        sock.close()
    for writer in writers:
        writer.close()
        await writer.wait_closed()
    await asyncio.gather(*HANDLERS)  # each sees its connection end
    server.close()
    await server.wait_closed()

    per_request = {name: statistics.median(t) / size * 1e6 for name, t in timings.items()}
    send = per_request["socket.send"]
    print(f"{groups} groups of {size} requests of {len(REQUEST)} bytes, median per request:")
    print("| path | µs per request | Python share (µs) |")
    print("|---|---|---|")
    for name, micros in per_request.items():
        share = "—" if name == "socket.send" else f"{micros - send:.2f}"
        print(f"| {name} | {micros:.2f} | {share} |")
    group = per_request["gate"] * size
    print(f"without a journal a group's writes alone take {group:.0f} µs after its commit")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.groups, arguments.size))
