"""Shared fixtures: databases (SQLite always, PostgreSQL with --postgres URL) and a clock."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Base
from storage.uow import Database
from tests.fakes import FakeUnitOfWork, FixedClock

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        metavar="URL",
        default=None,
        help="also run storage and end-to-end tests on this PostgreSQL database "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/salescoach_test); "
        "its tables are dropped and recreated",
    )


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not config.getoption("--postgres"):
        raise pytest.UsageError("CI must run the PostgreSQL tests too: pass --postgres URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url = request.config.getoption("--postgres")
    if not url:
        pytest.skip("PostgreSQL tests need --postgres URL")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    yield from _empty_database(request, request.param)


def _empty_database(request: pytest.FixtureRequest, backend: str) -> Iterator[str]:
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path") / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=("fake", *BACKENDS))
def uow_factory(request: pytest.FixtureRequest) -> Iterator[object]:
    """Units of work over the in-memory fake and over each SQL backend (contract tests)."""
    if request.param == "fake":
        fake = FakeUnitOfWork()
        yield lambda: fake
        return
    for url in _empty_database(request, request.param):
        database = Database(make_engine(url))
        yield database.unit_of_work
        database.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # Monday 09:00 in Shanghai


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI installs its own log handler; put the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
