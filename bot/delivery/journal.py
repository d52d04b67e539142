"""``SendJournal``: which marked outbox messages a process never began to write.

A message is marked ``SENDING`` (committed) before its request is written, because
``sendMessage`` cannot be made idempotent. A process killed between the two leaves a row
``SENDING`` whose request never left: without more knowledge the next process must record it
``UNKNOWN`` and never send it, since an identical row may have arrived. The journal is that
knowledge. It is a small memory-mapped file, kept where a killed process's memory writes
survive (the page cache; ``/dev/shm`` by default) but a reboot's do not count:

- before the mark's commit, each message of the group is **armed** (its id in a slot);
- right before its request's bytes are handed to the socket, it is **passed** (one byte).

After a SIGKILL, a row still ``SENDING`` whose slot says *armed* was never written: it goes back
to pending and is sent once. Every other ``SENDING`` row (passed, or not in the journal) stays
uncertain and becomes ``UNKNOWN`` as before. Passing *before* the write keeps the old promise
-- never a duplicate -- and leaves a loss possible only between that one-byte store and the
write call, about a microsecond per message instead of the whole group's commit and writes.

The file is trusted only by the same boot (Linux's ``boot_id``; elsewhere the journal is off)
and the same database (a digest of its URL without the password); otherwise every ``SENDING``
row becomes ``UNKNOWN``, exactly as without a journal. Slots are ``id % slots``: a slot taken
over by a newer message only makes the older one uncertain, never resent.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

MAGIC = b"SCSJRNL1"
HEADER = struct.Struct("<8s16s16sI")  # magic, boot id, database digest, slots
HEADER_SIZE = 64
SLOT = struct.Struct("<qB7x")  # message id, state
SLOT_SIZE = SLOT.size
DEFAULT_SLOTS = 4096
EMPTY, ARMED, PASSED = 0, 1, 2
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> bytes | None:
    """This boot's id (Linux), or ``None`` where the system does not say."""
    try:
        return bytes.fromhex(BOOT_ID.read_text().strip().replace("-", ""))
    except (OSError, ValueError):
        return None


def default_directory() -> Path:
    """``/dev/shm`` (memory, gone at reboot) where it exists, else the temporary directory."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return Path(tempfile.gettempdir())


class SendJournal:
    """The journal of one database's sender; see the module doc."""

    def __init__(self, path: Path, database: str, slots: int = DEFAULT_SLOTS) -> None:
        if slots < 1:
            raise ValueError("a journal needs at least one slot")
        self.path = path
        self._digest = hashlib.blake2b(database.encode(), digest_size=16).digest()
        self._slots = slots
        self._map: mmap.mmap | None = None

    @classmethod
    def for_database(
        cls, database: str, directory: Path | None = None, slots: int = DEFAULT_SLOTS
    ) -> SendJournal | None:
        """The journal file for ``database`` (a URL without its password) in ``directory``;
        ``None`` where this system has no boot id (a file could outlive a reboot unnoticed)."""
        if boot_id() is None:
            return None
        digest = hashlib.blake2b(database.encode(), digest_size=8).hexdigest()
        folder = directory if directory is not None else default_directory()
        return cls(folder / f"salescoach-send-{digest}.journal", database, slots)

    def unwritten(self) -> frozenset[int]:
        """The ids the previous process armed and never began to write.

        Empty when there is no file or it is not trusted (another boot, another database, a
        different size). Read before ``reset``; call it while no sender uses the file.
        """
        try:
            data = self.path.read_bytes()
        except OSError:
            return frozenset()
        if len(data) < HEADER_SIZE:
            return frozenset()
        magic, boot, digest, slots = HEADER.unpack_from(data)
        current = boot_id()
        if (
            magic != MAGIC
            or current is None
            or boot != current
            or digest != self._digest
            or len(data) != HEADER_SIZE + slots * SLOT_SIZE
        ):
            return frozenset()
        return frozenset(
            message_id
            for message_id, state in SLOT.iter_unpack(data[HEADER_SIZE:])
            if state == ARMED
        )

    def reset(self) -> None:
        """Start a fresh journal for this process (after the previous one is settled)."""
        self.close()
        boot = boot_id()
        if boot is None:
            raise RuntimeError("no boot id on this system: the journal cannot be trusted")
        size = HEADER_SIZE + self._slots * SLOT_SIZE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.ftruncate(descriptor, 0)  # every slot empty
            os.ftruncate(descriptor, size)
            journal = mmap.mmap(descriptor, size)
        finally:
            os.close(descriptor)
        HEADER.pack_into(journal, 0, MAGIC, boot, self._digest, self._slots)
        self._map = journal

    def arm(self, message_ids: Iterable[int]) -> None:
        """Record that these messages are about to be marked ``SENDING``, none written yet.

        The state byte is cleared before the id is written and set after it, so a process
        killed in between leaves a slot that reads as empty, never a torn id that is armed.
        """
        journal = self._opened()
        for message_id in message_ids:
            offset = self._offset(message_id)
            journal[offset + 8] = EMPTY
            journal[offset : offset + 8] = message_id.to_bytes(8, "little", signed=True)
            journal[offset + 8] = ARMED

    def passing(self, message_id: int) -> Callable[[], None]:
        """What to call right before the message's request is written: marks it passed."""
        journal = self._opened()
        offset = self._offset(message_id) + 8

        def passed() -> None:
            journal[offset] = PASSED

        return passed

    def state(self, message_id: int) -> int:
        """``EMPTY``, ``ARMED`` or ``PASSED`` for this message in the current journal."""
        journal = self._opened()
        offset = self._offset(message_id)
        held, state = SLOT.unpack_from(journal, offset)
        return state if held == message_id else EMPTY

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def _offset(self, message_id: int) -> int:
        return HEADER_SIZE + (message_id % self._slots) * SLOT_SIZE

    def _opened(self) -> mmap.mmap:
        if self._map is None:
            raise RuntimeError("the journal is not open: call reset() first")
        return self._map
