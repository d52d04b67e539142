"""Content packs through the bot, on the fake and both SQL backends: upload, seeding, /packs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coach import content_upload, errors
from coach.content import MAX_PACK_BYTES
from coach.content_import import StalePackVersion
from coach.content_upload import (
    BUILT_IN,
    PackRefused,
    check_upload,
    pack_header,
    read_upload,
    seed_builtin,
    team_content,
    upload_pack,
)
from coach.models import Lang, Membership, NewTeam, Person, Role, Team

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PACKS = Path(__file__).parents[2] / "coach" / "packs"

MANAGER = Person(1, "Wang", None, Lang.ZH)
REP = Person(2, "Tom", None, Lang.EN)
LONER = Person(3, "Eve", None, Lang.EN)


def pack_text(
    version: int = 1,
    *,
    pack_id: str = "acme",
    customer: str = "Too dear.",
    questions: tuple[str, ...] = ("pilot",),
) -> str:
    text = f"""\
schema: 1
id: {pack_id}
version: {version}
language: en
title: "Acme <b>CRM</b> {{{{ 7*7 }}}}"
objections:
  - id: cheap
    category: price
    customer: "{customer}"
    concerns: ["budget"]
    steps:
      listen: {{aim: a, cues: ["price|cost", "budget"], model: "So the price?"}}
      acknowledge: {{aim: a, cues: ["fair", "budget"], model: "Fair."}}
      explore: {{aim: a, cues: ["compare", "budget"], model: "Compared with what?"}}
      respond: {{aim: a, cues: ["payback", "case"], model: "7 months."}}
"""
    if questions:
        text += "questions:\n"
    for question in questions:
        text += f"""\
  - id: {question}
    text: "How long is a pilot?"
    options: ["2 weeks", "6 months"]
    correct: 0
    explanation: "Two weeks is enough to see the value."
    tags: [deployment]
"""
    return text


@dataclass(frozen=True)
class World:
    team: Team


@pytest.fixture
def world(uow_factory) -> World:
    """A team with a manager and a rep; a third person in no team."""
    with uow_factory() as uow:
        for person in (MANAGER, REP, LONER):
            uow.people.save(person, NOW)
        team = uow.teams.add(NewTeam("华东一组", None, "Asia/Shanghai", Lang.ZH), NOW)
        uow.members.add(Membership(MANAGER.user_id, team.id, Role.MANAGER, NOW))
        uow.members.add(Membership(REP.user_id, team.id, Role.REP, NOW))
        uow.commit()
    return World(team)


def snapshot(uow_factory, scope: int) -> tuple[list, list, int | None]:
    """What a scope holds: live objections and questions (row keys included), the version."""
    with uow_factory() as uow:
        return (
            uow.content.objections([scope], "en"),
            uow.content.questions([scope], "en"),
            uow.content.pack_version(scope, "acme", "en"),
        )


def upload(uow_factory, person: Person, text: str | bytes, now: datetime = NOW):
    raw = text.encode() if isinstance(text, str) else text
    with uow_factory() as uow:
        check_upload(uow, person, now, "acme.yaml", len(raw))
    pack = read_upload(raw)
    with uow_factory() as uow:
        uploaded = upload_pack(uow, person, now, pack)
        uow.commit()
    return uploaded


# ----------------------------------------------------------------------------- upload
def test_a_good_pack_is_imported_into_the_managers_team(uow_factory, world):
    uploaded = upload(uow_factory, MANAGER, pack_text(questions=("pilot", "trial")))
    assert uploaded.team.id == world.team.id
    assert uploaded.pack.title == "Acme <b>CRM</b> {{ 7*7 }}"  # stored as written; escaped later
    report = uploaded.report
    assert (report.version, report.previous, report.added, report.changed) == (1, None, 3, 0)
    objections, questions, version = snapshot(uow_factory, world.team.id)
    assert [o.objection.id for o in objections] == ["cheap"]
    assert [q.question.id for q in questions] == ["pilot", "trial"]
    assert version == 1
    assert snapshot(uow_factory, BUILT_IN) == ([], [], None)


def test_a_new_version_updates_the_team_and_keeps_unchanged_rows(uow_factory, world):
    upload(uow_factory, MANAGER, pack_text(1))
    before, _, _ = snapshot(uow_factory, world.team.id)
    second = upload(uow_factory, MANAGER, pack_text(2, customer="Cheaper elsewhere."), NOW)
    assert (second.report.previous, second.report.changed, second.report.unchanged) == (1, 1, 1)
    after, _, version = snapshot(uow_factory, world.team.id)
    assert version == 2 and [o.key for o in after] == [o.key for o in before]
    assert after[0].objection.customer == "Cheaper elsewhere."


def test_a_bad_pack_is_refused_with_every_problem_and_nothing_is_stored(uow_factory, world):
    upload(uow_factory, MANAGER, pack_text(1))
    before = snapshot(uow_factory, world.team.id)
    bad = (
        pack_text(2, questions=("pilot", "pilot"))
        .replace("correct: 0", "correct: 5", 1)
        .replace("Two weeks is enough to see the value.", "x" * 250, 1)
        .replace('    concerns: ["budget"]\n', "")
    )
    with pytest.raises(PackRefused) as refused:
        read_upload(bad.encode())
    found = {(p.code, p.line) for p in refused.value.problems}
    assert found == {
        ("missing", 7),  # the objection without its concerns: at its first key
        ("correct_out_of_range", 19),
        ("too_long", 20),  # the 250-character explanation
        ("duplicate_id", 22),
    }
    assert refused.value.context() == {"problems": list(refused.value.problems)}
    assert snapshot(uow_factory, world.team.id) == before


@pytest.mark.parametrize(
    ("raw", "error", "values"),
    [
        (b"schema: 1\nid: [oops\n", PackRefused, None),
        (
            b"title: ok\n" + "标题: 中文\n".encode("gb18030"),
            errors.PackNotUtf8,
            {"line": 2},
        ),
        (b"#" * (MAX_PACK_BYTES + 1), errors.PackTooBig, {"size": MAX_PACK_BYTES + 1}),
    ],
    ids=["yaml-syntax", "not-utf8", "too-big"],
)
def test_unreadable_files_are_refused(raw: bytes, error, values):
    with pytest.raises(error) as refused:
        read_upload(raw)
    if values is None:
        assert [(p.code, p.line) for p in refused.value.problems] == [("yaml", 3)]
    else:
        assert values.items() <= refused.value.context().items()


def test_an_old_or_equal_version_is_refused_and_nothing_changes(uow_factory, world):
    upload(uow_factory, MANAGER, pack_text(2))
    before = snapshot(uow_factory, world.team.id)
    for version in (1, 2):
        pack = read_upload(pack_text(version, questions=("other",)).encode())
        with uow_factory() as uow, pytest.raises(StalePackVersion) as refused:
            upload_pack(uow, MANAGER, NOW, pack)
        assert (refused.value.imported, refused.value.given) == (2, version)
    assert snapshot(uow_factory, world.team.id) == before


def test_reps_people_without_a_team_and_other_files_are_refused(uow_factory, world):
    pack = read_upload(pack_text().encode())
    with uow_factory() as uow, pytest.raises(errors.NotAManager) as not_manager:
        upload_pack(uow, REP, NOW, pack)
    assert not_manager.value.team_name == "华东一组"
    with uow_factory() as uow, pytest.raises(errors.PackWithoutTeam):
        upload_pack(uow, LONER, NOW, pack)
    with uow_factory() as uow:
        with pytest.raises(errors.NotAManager):
            check_upload(uow, REP, NOW, "acme.yaml", 100)
        with pytest.raises(errors.PackWithoutTeam):
            check_upload(uow, LONER, NOW, "acme.yml", 100)
        with pytest.raises(errors.NotAPackFile) as not_pack:
            check_upload(uow, MANAGER, NOW, "notes.txt", 100)
        assert not_pack.value.file_name == "notes.txt"
        with pytest.raises(errors.NotAPackFile):
            check_upload(uow, MANAGER, NOW, None, 100)
        with pytest.raises(errors.PackTooBig):
            check_upload(uow, MANAGER, NOW, "acme.yaml", MAX_PACK_BYTES + 1)
        assert check_upload(uow, MANAGER, NOW, "ACME.YML", None) == world.team
    assert snapshot(uow_factory, world.team.id) == ([], [], None)


# ----------------------------------------------------------------------------- seeding
def bundled() -> list[tuple[str, bytes]]:
    return [(name, (PACKS / name).read_bytes()) for name in ("default.zh.yaml", "default.en.yaml")]


def test_seeding_twice_imports_once(uow_factory):
    with uow_factory() as uow:
        first = seed_builtin(uow, NOW, bundled())
        uow.commit()
    assert [(s.name, s.pack_id, s.language, s.version) for s in first] == [
        ("default.zh.yaml", "default", "zh", 1),
        ("default.en.yaml", "default", "en", 1),
    ]
    assert [s.report.added for s in first if s.report] == [108, 108]
    with uow_factory() as uow:
        keys = [o.key for o in uow.content.objections([BUILT_IN], "zh")]
    with uow_factory() as uow:
        again = seed_builtin(uow, NOW + timedelta(hours=1), bundled())
        uow.commit()
    assert [s.report for s in again] == [None, None]
    with uow_factory() as uow:
        assert [o.key for o in uow.content.objections([BUILT_IN], "zh")] == keys
        assert len(uow.content.questions([BUILT_IN], "en")) == 72
        assert uow.content.pack_version(BUILT_IN, "default", "en") == 1


def test_a_newer_bundled_version_updates_and_an_older_one_is_left(uow_factory):
    def seed(text: str) -> content_upload.Seeded:
        with uow_factory() as uow:
            [seeded] = seed_builtin(uow, NOW, [("acme.en.yaml", text.encode())])
            uow.commit()
        return seeded

    assert seed(pack_text(1)).report is not None
    newer = seed(pack_text(2, customer="Cheaper elsewhere.", questions=()))
    assert newer.report is not None
    assert (newer.report.previous, newer.report.changed, newer.report.retired) == (1, 1, 1)
    assert seed(pack_text(1)).report is None  # an older bundle never undoes a newer one
    objections, questions, version = snapshot(uow_factory, BUILT_IN)
    assert version == 2 and questions == []
    assert objections[0].objection.customer == "Cheaper elsewhere."


def test_the_version_is_read_from_the_top_of_the_file_or_from_the_whole():
    assert pack_header((PACKS / "default.zh.yaml").read_bytes()) == ("default", "zh", 1)
    assert pack_header(b"title: t\nid: x\nversion: 3\nlanguage: en\nobjections: []\n") == (
        "x",
        "en",
        3,
    )
    for unclear in (b"- 1", b'id: x\nversion: "3"\nlanguage: en', b"id: x\n", b"id: [x\n"):
        assert pack_header(unclear) is None


def test_a_pack_whose_header_is_unclear_is_seeded_from_a_full_read(uow_factory):
    text = pack_text(1).replace("id: acme\n", "").replace("language: en\n", "")
    text += "id: acme\nlanguage: en\n"  # legal, but after the items: the whole file is read
    with uow_factory() as uow:
        seeded = seed_builtin(uow, NOW, [("late.yaml", text.encode())])
        assert seed_builtin(uow, NOW, [("late.yaml", text.encode())])[0].report is None
        uow.commit()
    assert seeded[0].report is not None and seeded[0].report.added == 2


# ----------------------------------------------------------------------------- /packs
def test_team_content_lists_built_in_then_team_packs(uow_factory, world):
    with uow_factory() as uow:
        seed_builtin(uow, NOW, bundled())
        uow.commit()
    upload(uow_factory, MANAGER, pack_text(3, questions=("pilot", "trial")))
    for person in (MANAGER, REP):
        with uow_factory() as uow:
            listed = team_content(uow, person, NOW)
        assert listed.team == world.team
        assert [
            (p.built_in, p.pack_id, p.language, p.version, p.objections, p.questions)
            for p in listed.packs
        ] == [
            (True, "default", "zh", 1, 36, 72),  # the team's language first
            (True, "default", "en", 1, 36, 72),
            (False, "acme", "en", 3, 1, 2),
        ]
    with uow_factory() as uow, pytest.raises(errors.NotInTeam):
        team_content(uow, LONER, NOW)
