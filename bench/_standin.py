"""The Bot API stand-in in a process of its own, with a small control API for a benchmark.

``python -m bench._standin`` prints one JSON line ``{"api": ..., "control": ...}`` once both
servers listen, then serves until stdin closes or it is terminated. Control (HTTP, JSON):

- ``POST /users?count=N``: N users who have started the bot; answers their ids;
- ``POST /faults?rate=R&retry_after=S&seed=X``: answer a fraction R of sends with 429;
- ``GET /summary``: messages accepted, refusals by error code;
- ``GET /received``: every accepted message as ``[chat_id, monotonic seconds]``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from aiohttp import web

from bot.standin import SentMessage, StandIn
from bot.standin.records import StandInEvent

TOKEN = "424242:BENCH-token-never-logged"


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[int, float]] = []

    def __call__(self, event: StandInEvent) -> None:
        if isinstance(event, SentMessage):
            self.received.append((event.chat_id, time.monotonic()))


def control_app(standin: StandIn, recorder: Recorder) -> web.Application:
    async def users(request: web.Request) -> web.Response:
        count = int(request.query["count"])
        ids = []
        for i in range(count):
            user = standin.add_user(f"Rep {i}", language_code="zh-hans")
            user.send("/start")  # opens the private chat, as a real rep would
            ids.append(user.id)
        return web.json_response({"ids": ids})

    async def faults(request: web.Request) -> web.Response:
        rate = float(request.query.get("rate", "0"))
        if rate:
            standin.faults.random_429(
                rate=rate,
                retry_after=int(request.query.get("retry_after", "1")),
                seed=int(request.query.get("seed", "1")),
                methods=["sendMessage"],
            )
        else:
            standin.faults.clear()
        return web.json_response({"ok": True})

    async def summary(request: web.Request) -> web.Response:
        refused: dict[str, int] = {}
        for _, code in standin.faults.injected:
            refused[str(code)] = refused.get(str(code), 0) + 1
        body: dict[str, Any] = {"delivered": len(recorder.received), "refused": refused}
        return web.json_response(body)

    async def received(request: web.Request) -> web.Response:
        return web.json_response({"received": recorder.received})

    app = web.Application()
    app.router.add_post("/users", users)
    app.router.add_post("/faults", faults)
    app.router.add_get("/summary", summary)
    app.router.add_get("/received", received)
    return app


async def main() -> None:
    standin = StandIn(token=TOKEN, auto_deliver=False)
    recorder = Recorder()
    standin.subscribe(recorder)
    await standin.start()
    runner = web.AppRunner(control_app(standin, recorder), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    print(json.dumps({"api": standin.base_url, "control": f"http://{host}:{port}"}), flush=True)
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: closed.set() if not sys.stdin.read(1) else None)
    await closed.wait()
    await runner.cleanup()
    await standin.stop()


if __name__ == "__main__":
    asyncio.run(main())
