"""The send journal: what a killed process armed and never began to write, read back by the next
one; trusted only on the same boot and database."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.delivery.journal import (
    ARMED,
    EMPTY,
    HEADER_SIZE,
    PASSED,
    SLOT_SIZE,
    SendJournal,
    boot_id,
)
from bot.delivery.wiring import journal_for
from bot.settings import DeliverySettings
from storage.db import make_engine

pytestmark = pytest.mark.skipif(boot_id() is None, reason="the journal needs Linux's boot id")
DATABASE = "postgresql+psycopg://coach:***@db.example/coach"


def journal_at(tmp_path: Path, database: str = DATABASE, slots: int = 64) -> SendJournal:
    return SendJournal(tmp_path / "send.journal", database, slots)


def test_what_was_armed_and_not_passed_is_read_back_by_the_next_process(tmp_path: Path):
    first = journal_at(tmp_path)
    first.reset()
    first.arm([101, 102, 103])
    first.passing(102)()
    assert [first.state(i) for i in (101, 102, 103, 104)] == [ARMED, PASSED, ARMED, EMPTY]
    first.close()

    assert journal_at(tmp_path).unwritten() == {101, 103}


def test_a_fresh_journal_forgets_the_previous_process(tmp_path: Path):
    first = journal_at(tmp_path)
    first.reset()
    first.arm([7])
    second = journal_at(tmp_path)
    assert second.unwritten() == {7}
    second.reset()
    assert second.unwritten() == frozenset()
    assert stat.S_IMODE(second.path.stat().st_mode) == 0o600


def test_a_message_armed_again_after_being_passed_is_unwritten_until_passed_again(tmp_path: Path):
    journal = journal_at(tmp_path)
    journal.reset()
    journal.arm([5])
    journal.passing(5)()
    journal.arm([5])  # a retry: marked again, not yet written
    assert journal_at(tmp_path).unwritten() == {5}


def test_a_slot_taken_over_makes_the_older_message_uncertain_never_resent(tmp_path: Path):
    journal = journal_at(tmp_path, slots=64)
    journal.reset()
    journal.arm([3])
    journal.arm([3 + 64])  # same slot
    assert journal.state(3) == EMPTY
    assert journal_at(tmp_path).unwritten() == {67}


@pytest.mark.parametrize(("start", "end"), [(0, 8), (8, 24)], ids=["magic", "boot id"])
def test_a_journal_of_another_kind_or_boot_is_not_trusted(tmp_path: Path, start: int, end: int):
    journal = journal_at(tmp_path)
    journal.reset()
    journal.arm([1, 2])
    journal.close()
    data = bytearray(journal.path.read_bytes())
    data[start:end] = bytes(end - start)  # zeros: no magic / another boot
    journal.path.write_bytes(bytes(data))
    assert journal_at(tmp_path).unwritten() == frozenset()


def test_a_journal_of_another_database_or_size_is_not_trusted(tmp_path: Path):
    journal = journal_at(tmp_path)
    journal.reset()
    journal.arm([1])
    assert journal_at(tmp_path, database="sqlite:///other.db").unwritten() == frozenset()
    with journal.path.open("ab") as file:
        file.write(b"\x00" * SLOT_SIZE)
    assert journal_at(tmp_path).unwritten() == frozenset()


def test_no_file_or_a_short_one_means_nothing_to_send_again(tmp_path: Path):
    journal = journal_at(tmp_path)
    assert journal.unwritten() == frozenset()
    journal.path.write_bytes(b"\x00" * (HEADER_SIZE - 1))
    assert journal.unwritten() == frozenset()


def test_a_journal_must_be_reset_before_use(tmp_path: Path):
    journal = journal_at(tmp_path)
    with pytest.raises(RuntimeError, match="reset"):
        journal.arm([1])


CHILD = """
import os, signal, sys
from pathlib import Path
from bot.delivery.journal import SendJournal

journal = SendJournal(Path(sys.argv[1]), sys.argv[2], 64)
journal.reset()
journal.arm(range(1, 11))
for message_id in range(1, 5):
    journal.passing(message_id)()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_what_a_process_stored_survives_its_sigkill(tmp_path: Path):
    """The mapping is shared: a SIGKILL right after the stores loses none of them."""
    path = tmp_path / "send.journal"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), DATABASE],
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        capture_output=True,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert SendJournal(path, DATABASE, 64).unwritten() == set(range(5, 11))


def test_the_configured_journal_is_per_database_and_can_be_off(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    here = DeliverySettings(journal_dir=str(tmp_path))
    first, second = journal_for(here, engine.url), journal_for(here, other.url)
    assert first is not None and second is not None
    assert first.path.parent == tmp_path and first.path != second.path
    assert journal_for(DeliverySettings(journal_dir="off"), engine.url) is None
    automatic = journal_for(DeliverySettings(), engine.url)
    assert automatic is not None and automatic.path.parent.is_dir()
    engine.dispose()
    other.dispose()


def test_bots_started_from_two_folders_with_the_same_relative_url_have_two_journals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    here = DeliverySettings(journal_dir=str(tmp_path))
    paths = []
    for folder in ("team-a", "team-b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        journal = journal_for(here, make_url("sqlite:///salescoach.db"))
        assert journal is not None
        paths.append(journal.path)
    assert paths[0] != paths[1]


def test_the_password_never_reaches_the_journal(tmp_path: Path):
    engine = make_engine("postgresql+psycopg://coach:s3cret@db.example/coach")
    journal = journal_for(DeliverySettings(journal_dir=str(tmp_path)), engine.url)
    assert journal is not None
    journal.reset()
    assert b"s3cret" not in journal.path.read_bytes()
    assert "s3cret" not in journal.path.name
    assert os.path.getsize(journal.path) == HEADER_SIZE + 4096 * SLOT_SIZE
