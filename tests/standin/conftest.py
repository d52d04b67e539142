"""Fixtures for the stand-in tests: a running StandIn and a real PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, TelegramObject

from bot.standin import StandIn


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods (otherwise RetryAfter & co. emit deprecation warnings)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    """Yield a started stand-in; fail the test if the stand-in hit an internal bug."""
    server = StandIn()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert server.internal_errors == []


@pytest.fixture
async def bot(standin: StandIn) -> AsyncIterator[Bot]:
    """Yield an initialized PTB Bot talking to the stand-in over HTTP."""
    async with Bot(
        standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url
    ) as ptb_bot:
        yield ptb_bot


def assert_clean(obj: Any, path: str = "result") -> None:
    """Assert PTB parsed every field: no unknown keys ended up in ``api_kwargs`` anywhere."""
    if isinstance(obj, TelegramObject):
        assert obj.api_kwargs == {}, f"{path} has unexpected fields {dict(obj.api_kwargs)}"
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if not name.startswith("_"):
                    assert_clean(getattr(obj, name, None), f"{path}.{name}")
    elif isinstance(obj, (tuple, list)):
        for index, item in enumerate(obj):
            assert_clean(item, f"{path}[{index}]")
