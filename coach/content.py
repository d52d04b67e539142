"""Content packs: objections for LAER drills and questions for quizzes (docs/content-packs.md).

``read_pack`` turns the YAML text of a pack into a ``Pack`` or raises ``InvalidPack`` with
*every* problem found, each with its line and column in the file, so a manager can fix the
file in one go. The schema checks are pydantic's; this module adds what a schema cannot say
(unique ids, the correct option in range, distinct options, keys given twice) and the place of
each problem, from the YAML node tree. Messages are codes with values: the adapter words them
in the reader's language.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

MAX_PACK_BYTES = 1_000_000
"""A pack file larger than this is refused unread."""

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Category(StrEnum):
    PRICE = "price"
    BUDGET = "budget"
    COMPETITOR = "competitor"
    TIMING = "timing"
    AUTHORITY = "authority"
    NEED = "need"
    TRUST = "trust"
    THINK = "think"
    STATUS_QUO = "status_quo"
    RISK = "risk"


class LaerStep(StrEnum):
    LISTEN = "listen"
    ACKNOWLEDGE = "acknowledge"
    EXPLORE = "explore"
    RESPOND = "respond"


LAER = tuple(LaerStep)


# ----------------------------------------------------------------------------- the domain
CueGroup = tuple[str, ...]
"""One idea a good answer may contain: its synonyms, normalized (``normalize``)."""


@dataclass(frozen=True, slots=True)
class Step:
    aim: str
    cues: tuple[CueGroup, ...]
    model: str


@dataclass(frozen=True, slots=True)
class Objection:
    id: str
    category: Category
    customer: str
    concerns: tuple[str, ...]
    steps: dict[LaerStep, Step]
    tags: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    tags: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self)


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    version: int
    language: str
    title: str
    objections: tuple[Objection, ...] = ()
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredObjection:
    """An objection as stored: ``key`` is its row, which history points at."""

    key: int
    scope: int
    pack_id: str
    objection: Objection


@dataclass(frozen=True, slots=True)
class StoredQuestion:
    key: int
    scope: int
    pack_id: str
    question: Question


def _fingerprint(item: Objection | Question) -> str:
    """A digest of what a rep sees and is graded on: equal digests mean an unchanged item."""

    def plain(value: Any) -> Any:
        if isinstance(value, Step):
            return [value.aim, [list(g) for g in value.cues], value.model]
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    fields = {name: plain(getattr(item, name)) for name in item.__slots__}  # type: ignore[attr-defined]
    encoded = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, case folded: for matching only."""
    return unicodedata.normalize("NFKC", text).casefold()


# ----------------------------------------------------------------------------- problems
@dataclass(frozen=True, slots=True)
class PackProblem:
    """One thing wrong with a pack file: where (1-based line and column, a path) and what."""

    code: str
    path: str
    line: int | None = None
    column: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class InvalidPack(Exception):
    """The pack is refused whole; ``problems`` lists everything found, in file order."""

    problems: list[PackProblem]

    def __str__(self) -> str:
        return f"{len(self.problems)} problem(s) in the content pack"


# ----------------------------------------------------------------------------- the schema
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[StrictStr, StringConstraints(pattern=SLUG, max_length=30)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # strictness is per type: YAML "1" is no number


class _Step(_Strict):
    aim: Annotated[Text, StringConstraints(max_length=200)]
    cues: Annotated[
        list[Annotated[Text, StringConstraints(max_length=200)]], Field(min_length=2, max_length=8)
    ]
    model: Annotated[Text, StringConstraints(max_length=400)]


class _Steps(_Strict):
    listen: _Step
    acknowledge: _Step
    explore: _Step
    respond: _Step


class _Objection(_Strict):
    id: Annotated[StrictStr, StringConstraints(pattern=SLUG, min_length=2, max_length=60)]
    category: Category
    customer: Annotated[Text, StringConstraints(max_length=300)]
    concerns: Annotated[
        list[Annotated[Text, StringConstraints(max_length=120)]], Field(min_length=1, max_length=5)
    ]
    tags: Annotated[list[Tag], Field(max_length=8)] = []
    steps: _Steps


class _Question(_Strict):
    id: Annotated[StrictStr, StringConstraints(pattern=SLUG, min_length=2, max_length=60)]
    text: Annotated[Text, StringConstraints(max_length=300)]
    options: Annotated[
        list[Annotated[Text, StringConstraints(max_length=100)]], Field(min_length=2, max_length=10)
    ]
    correct: Annotated[StrictInt, Field(ge=0)]
    explanation: Annotated[Text, StringConstraints(max_length=200)]
    tags: Annotated[list[Tag], Field(min_length=1, max_length=5)]


class _Pack(_Strict):
    schema_: Literal[1] = Field(alias="schema")
    id: Annotated[StrictStr, StringConstraints(pattern=SLUG, min_length=2, max_length=40)]
    version: Annotated[StrictInt, Field(ge=1)]
    language: Literal["zh", "en"]
    title: Annotated[Text, StringConstraints(max_length=100)]
    objections: list[_Objection] = []
    questions: list[_Question] = []


# ----------------------------------------------------------------------------- reading
def read_pack(text: str | bytes) -> Pack:
    """Parse and validate a pack; raise ``InvalidPack`` listing every problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_PACK_BYTES:
            raise InvalidPack([PackProblem("too_big", "", values={"limit": MAX_PACK_BYTES})])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidPack([PackProblem("not_utf8", "", values={"at": error.start})]) from None
    if len(text.encode()) > MAX_PACK_BYTES:
        raise InvalidPack([PackProblem("too_big", "", values={"limit": MAX_PACK_BYTES})])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise InvalidPack(
            [PackProblem("yaml", "", line, column, {"problem": str(problem)})]
        ) from None
    places = _Places(root)
    problems = list(places.duplicate_keys())
    if not isinstance(data, dict):
        problems.append(places.problem("not_a_mapping", ()))
        raise InvalidPack(problems)
    problems.extend(_semantic_problems(data, places))
    try:
        model = _Pack.model_validate(data)
    except ValidationError as error:
        problems.extend(places.problem(*_describe(e)) for e in error.errors())
    if problems:
        raise InvalidPack(_in_file_order(problems))
    return _to_domain(model)


def _describe(error: Any) -> tuple[str, tuple[str | int, ...], dict[str, Any]]:
    kind: str = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    context = dict(error.get("ctx") or {})
    values: dict[str, Any] = {}
    match kind:
        case "missing":
            code = "missing"
            values["key"] = loc[-1]
        case "extra_forbidden":
            code = "unknown_key"
            values["key"] = loc[-1]
        case "string_too_long":
            code, values["limit"] = "too_long", context.get("max_length")
        case "string_too_short" if (context.get("min_length") or 1) > 1:
            code, values["limit"] = "too_short", context.get("min_length")
        case "string_too_short":
            code = "empty"
        case "too_long":
            code, values["limit"] = "too_many", context.get("max_length")
        case "too_short":
            code, values["limit"] = "too_few", context.get("min_length")
        case "string_pattern_mismatch":
            code = "bad_id" if loc and loc[-1] == "id" else "bad_tag"
        case "enum":
            code, values["allowed"] = "bad_choice", ", ".join(c.value for c in Category)
        case "literal_error":
            expected = str(context.get("expected", ""))
            code, values["allowed"] = "bad_choice", expected.replace("'", "").replace(" or ", ", ")
        case "greater_than_equal":
            code, values["limit"] = "too_small", context.get("ge")
        case "string_type":
            code = "want_text"
        case "int_type" | "int_parsing" | "int_from_float":
            code = "want_number"
        case "list_type":
            code = "want_list"
        case "model_type" | "dict_type" | "model_attributes_type":
            code = "want_mapping"
        case _:
            code, values["detail"] = "invalid", error.get("msg", kind)
    path = tuple("schema" if part == "schema_" else part for part in loc)
    return code, path, values


def _semantic_problems(data: dict[Any, Any], places: _Places) -> Iterator[PackProblem]:
    """What the schema cannot say, checked on the raw data (so alongside the schema's problems)."""

    def items(section: str) -> list[tuple[int, dict[Any, Any]]]:
        value = data.get(section)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    for section in ("objections", "questions"):
        seen: dict[str, int] = {}
        for index, item in items(section):
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                yield places.problem(
                    "duplicate_id",
                    (section, index, "id"),
                    {"id": item_id, "first": seen[item_id] + 1},
                )
            else:
                seen[item_id] = index
    for index, question in items("questions"):
        options, correct = question.get("options"), question.get("correct")
        if not isinstance(options, list):
            continue
        if isinstance(correct, int) and not isinstance(correct, bool) and correct >= len(options):
            yield places.problem(
                "correct_out_of_range",
                ("questions", index, "correct"),
                {"count": len(options), "last": len(options) - 1},
            )
        folded = [normalize(o) if isinstance(o, str) else o for o in options]
        for position, option in enumerate(folded):
            if isinstance(option, str) and option in folded[:position]:
                yield places.problem("duplicate_option", ("questions", index, "options", position))
    if not items("objections") and not items("questions"):
        yield places.problem("empty_pack", ())


def _to_domain(model: _Pack) -> Pack:
    def step(s: _Step) -> Step:
        groups = tuple(
            tuple(dict.fromkeys(normalize(a).strip() for a in cue.split("|") if a.strip()))
            for cue in s.cues
        )
        return Step(s.aim, tuple(g for g in groups if g), s.model)

    return Pack(
        id=model.id,
        version=model.version,
        language=model.language,
        title=model.title,
        objections=tuple(
            Objection(
                id=o.id,
                category=o.category,
                customer=o.customer,
                concerns=tuple(o.concerns),
                steps={s: step(getattr(o.steps, s.value)) for s in LAER},
                tags=tuple(o.tags),
            )
            for o in model.objections
        ),
        questions=tuple(
            Question(q.id, q.text, tuple(q.options), q.correct, q.explanation, tuple(q.tags))
            for q in model.questions
        ),
    )


def _in_file_order(problems: Sequence[PackProblem]) -> list[PackProblem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


class _Places:
    """Line and column of a path (``("questions", 3, "options")``) in the composed YAML."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def problem(
        self, code: str, path: tuple[str | int, ...], values: dict[str, Any] | None = None
    ) -> PackProblem:
        node = self._find(path)
        mark = node.start_mark if node is not None else None
        return PackProblem(
            code,
            _path_text(path),
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            values or {},
        )

    def _find(self, path: tuple[str | int, ...]) -> yaml.Node | None:
        """The deepest node on ``path`` that exists (a missing key points at its mapping)."""
        node = self._root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                found = next(
                    (
                        v
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == part
                    ),
                    None,
                )
                if found is None:
                    return node
                node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return node
                node = node.value[part]
            else:
                return node
        return node

    def duplicate_keys(self) -> Iterator[PackProblem]:
        """Keys given twice in one mapping: YAML loaders keep the last silently; we refuse."""
        stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = (
            [(self._root, ())] if self._root is not None else []
        )
        while stack:
            node, path = stack.pop()
            if isinstance(node, yaml.MappingNode):
                seen: set[object] = set()
                for key, value in node.value:
                    name = _key(key)
                    if name in seen:
                        mark = key.start_mark
                        yield PackProblem(
                            "duplicate_key",
                            _path_text((*path, str(name))),
                            mark.line + 1,
                            mark.column + 1,
                            {"key": name},
                        )
                    seen.add(name)
                    stack.append((value, (*path, str(name))))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((child, (*path, i)) for i, child in enumerate(node.value))


def _key(node: yaml.Node) -> object:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _path_text(path: tuple[str | int, ...]) -> str:
    """``questions #4 › options #2``: items counted from 1, as a reader counts them."""
    return " › ".join(f"#{part + 1}" if isinstance(part, int) else part for part in path).replace(
        " › #", " #"
    )
