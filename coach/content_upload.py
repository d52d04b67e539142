"""Content packs through the bot: a manager's upload, the built-in packs, what a team uses.

An upload goes in three steps, so that reading a large file never holds a transaction open
(SQLite transactions take the write lock at once): ``check_upload`` refuses early what the
document's name and size already tell, ``read_upload`` validates the downloaded bytes outside
any transaction, and ``upload_pack`` imports the valid pack into the manager's team in one
transaction, whole or not at all.

The built-in packs (``coach/packs/default.*.yaml``) are imported into scope ``BUILT_IN`` when
the bot starts, by ``seed_builtin``, only when the stored version is older or missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import ClassVar

import yaml

from coach import errors
from coach.content import MAX_PACK_BYTES, InvalidPack, Pack, PackProblem, read_pack
from coach.content_import import ImportReport, import_pack
from coach.models import Lang, Person, Role, Team
from coach.onboarding import team_of
from coach.ports import UnitOfWork
from coach.team_content import BUILT_IN

PACK_SUFFIXES = (".yaml", ".yml")


@dataclass(eq=False)
class PackRefused(errors.CoachError):
    """The file is no valid pack; ``problems`` lists all that is wrong, in file order."""

    code: ClassVar[str] = "pack_refused"
    problems: tuple[PackProblem, ...]

    def context(self) -> dict[str, object]:
        return {"problems": list(self.problems)}  # the problems themselves, not dicts of them


@dataclass(frozen=True, slots=True)
class Uploaded:
    """A pack imported into a team, and what the import changed."""

    team: Team
    pack: Pack
    report: ImportReport


@dataclass(frozen=True, slots=True)
class Seeded:
    """One bundled pack at start: ``report`` is ``None`` when the stored version was current."""

    name: str
    pack_id: str
    language: str
    version: int
    report: ImportReport | None


@dataclass(frozen=True, slots=True)
class PackInUse:
    """A pack with live items in a team's reach, and how many of each kind."""

    built_in: bool
    pack_id: str
    language: str
    version: int | None
    objections: int
    questions: int


@dataclass(frozen=True, slots=True)
class TeamContent:
    team: Team
    packs: tuple[PackInUse, ...]


# ----------------------------------------------------------------------------- upload
def is_pack_file_name(file_name: str | None) -> bool:
    return file_name is not None and file_name.strip().lower().endswith(PACK_SUFFIXES)


def check_upload(
    uow: UnitOfWork, person: Person, now: datetime, file_name: str | None, size: int | None
) -> Team:
    """Refuse a document before it is downloaded; return the team it would go to.

    Raises:
        NotAPackFile: the name does not end in ``.yaml`` or ``.yml``.
        PackWithoutTeam: the sender is in no team.
        NotAManager: the sender is a rep.
        PackTooBig: ``size`` (when Telegram gave one) is over ``MAX_PACK_BYTES``.
    """
    if not is_pack_file_name(file_name):
        raise errors.NotAPackFile(file_name=file_name or "")
    team = _uploading_team(uow, person)
    if size is not None and size > MAX_PACK_BYTES:
        raise errors.PackTooBig(size=size, limit=MAX_PACK_BYTES)
    return team


def read_upload(raw: bytes) -> Pack:
    """Validate a downloaded pack file; no storage is touched.

    Raises:
        PackTooBig: more than ``MAX_PACK_BYTES``.
        PackNotUtf8: not UTF-8 text.
        PackRefused: every problem ``read_pack`` found, each with its line.
    """
    if len(raw) > MAX_PACK_BYTES:
        raise errors.PackTooBig(size=len(raw), limit=MAX_PACK_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.PackNotUtf8(line=raw[: error.start].count(b"\n") + 1) from None
    try:
        return read_pack(text)
    except InvalidPack as invalid:
        raise PackRefused(tuple(invalid.problems)) from None


def upload_pack(uow: UnitOfWork, person: Person, now: datetime, pack: Pack) -> Uploaded:
    """Import a validated pack into the manager's team, in the caller's one transaction.

    The manager check is made again: the sender's role may have changed while the file was
    downloaded and read. Raises ``NotAManager``, ``PackWithoutTeam`` or ``StalePackVersion``.
    """
    team = _uploading_team(uow, person)
    report = import_pack(uow, team.id, pack, now, by=person.user_id)
    return Uploaded(team, pack, report)


# ----------------------------------------------------------------------------- built in
def seed_builtin(
    uow: UnitOfWork, now: datetime, packs: Iterable[tuple[str, bytes]]
) -> list[Seeded]:
    """Import each bundled ``(name, file bytes)`` pack whose stored version is older or missing.

    A pack already current is recognised from the top of its file, so a restart costs a few
    lookups rather than a full read. A bundled file that is invalid raises ``InvalidPack``:
    it shipped broken, which the tests of the bundled packs are there to prevent.
    """
    seeded: list[Seeded] = []
    for name, raw in packs:
        header = pack_header(raw)
        if header is not None and _current(uow, *header):
            seeded.append(Seeded(name, *header, report=None))
            continue
        pack = _read_bundled(raw)
        if _current(uow, pack.id, pack.language, pack.version):
            seeded.append(Seeded(name, pack.id, pack.language, pack.version, None))
            continue
        report = import_pack(uow, BUILT_IN, pack, now)
        seeded.append(Seeded(name, pack.id, pack.language, pack.version, report))
    return seeded


def pack_header(raw: bytes) -> tuple[str, str, int] | None:
    """``(id, language, version)`` from a pack file's top-level keys, without reading its items.

    YAML events are read only until the three are seen (they open every pack). ``None`` when
    they are not there as plain top-level values: the caller then reads the whole file.
    """
    found: dict[str, str] = {}
    depth, expect_key, key = 0, True, None
    try:
        for event in yaml.parse(raw.decode("utf-8-sig"), Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                    return None
                if depth == 1:
                    expect_key, key = not expect_key, None
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and depth == 1:
                plain = isinstance(event, yaml.ScalarEvent) and event.style is None
                value = event.value if plain else None  # a quoted "3" is no version
                if expect_key:
                    key = value
                elif key in ("id", "language", "version") and isinstance(value, str):
                    found.setdefault(key, value)
                expect_key = not expect_key
            if len(found) == 3:
                break
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    version = found.get("version", "")
    if len(found) < 3 or not version.isascii() or not version.isdigit():
        return None
    return found["id"], found["language"], int(version)


def _current(uow: UnitOfWork, pack_id: str, language: str, version: int) -> bool:
    stored = uow.content.pack_version(BUILT_IN, pack_id, language)
    return stored is not None and stored >= version


@lru_cache(maxsize=8)
def _read_bundled(raw: bytes) -> Pack:
    """The bundled files never change while the process runs: read each once."""
    return read_pack(raw)


# ----------------------------------------------------------------------------- /packs
def team_content(uow: UnitOfWork, person: Person, now: datetime) -> TeamContent:
    """The packs the person's team draws on: built-in ones first, then the team's own.

    Reps and managers may ask. ``now`` is unused; kept for the common signature.
    Raises ``NotInTeam``.
    """
    team = team_of(uow, person)
    scopes = (BUILT_IN, team.id)
    counts: dict[tuple[int, str, str], list[int]] = {}
    for lang in Lang:
        for objection in uow.content.objections(scopes, lang.value):
            counts.setdefault((objection.scope, objection.pack_id, lang.value), [0, 0])[0] += 1
        for question in uow.content.questions(scopes, lang.value):
            counts.setdefault((question.scope, question.pack_id, lang.value), [0, 0])[1] += 1
    packs = [
        PackInUse(
            built_in=scope == BUILT_IN,
            pack_id=pack_id,
            language=language,
            version=uow.content.pack_version(scope, pack_id, language),
            objections=objections,
            questions=questions,
        )
        for (scope, pack_id, language), (objections, questions) in counts.items()
    ]
    packs.sort(key=lambda p: (not p.built_in, p.language != team.language.value, p.pack_id))
    return TeamContent(team, tuple(packs))


def _uploading_team(uow: UnitOfWork, person: Person) -> Team:
    membership = uow.members.get(person.user_id)
    team = uow.teams.get(membership.team_id) if membership else None
    if membership is None or team is None:
        raise errors.PackWithoutTeam()
    if membership.role is not Role.MANAGER:
        raise errors.NotAManager(team_name=team.name)
    return team
