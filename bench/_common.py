"""What every benchmark shares: the machine description, fresh databases, a Markdown table."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def postgres_version(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


def machine(postgres_url: str | None = None) -> str:
    """One Markdown paragraph: date, CPU, cores, RAM, Python, SQLite and PostgreSQL versions."""
    parts = [
        f"**Date** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"**CPU** {_cpu_model()}, {os.cpu_count()} cores",
        f"**RAM** {_ram_gib()}",
        f"**Python** {sys.version.split()[0]}",
        f"**SQLite** {sqlite3.sqlite_version}",
    ]
    if postgres_url:
        parts.append(f"**PostgreSQL** {postgres_version(postgres_url)}")
    return " · ".join(parts)


@contextmanager
def fresh_database(backend: str, postgres_url: str | None) -> Iterator[str]:
    """A migrated, empty database: a temporary SQLite file, or the PostgreSQL one wiped."""
    if backend == "sqlite":
        with TemporaryDirectory(prefix="salescoach-bench-") as directory:
            url = f"sqlite:///{directory}/bench.db"
            upgrade(url)
            yield url
        return
    if not postgres_url:
        raise SystemExit("PostgreSQL needs --postgres URL (or run under scripts/with-postgres)")
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(postgres_url)
    yield postgres_url


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)
