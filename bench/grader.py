"""LAER grader against hand labels: how often ``coach.laer`` gives the points a coach gave.

    .venv/bin/python -m bench.grader                  # the Markdown table
    .venv/bin/python -m bench.grader --disagreements  # and every step where the two differ

Reads ``bench/laer_labelled.yaml`` (a development set: the same person wrote the answers, the
labels and the grader, labels first; see the file's head) and the default packs. An answer given
as one ``text`` is cut with ``split_answer`` first, so its rows also measure the split. Per
language and per step: N, exact agreement, agreement within one point, and Cohen's kappa
(unweighted, on the three classes 0/1/2).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from coach.content import LAER, LaerStep, Objection, read_pack
from coach.laer import DrillGrade, grade_answer, split_answer

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "bench" / "laer_labelled.yaml"
PACKS = ROOT / "coach" / "packs"
LANGUAGES = ("zh", "en")
SETS = ("dev", "check", "blind")


@dataclass(frozen=True, slots=True)
class Graded:
    """One labelled answer and what the grader made of it."""

    id: str
    lang: str
    set: str
    kind: str
    objection: Objection
    labels: dict[LaerStep, int]
    answers: dict[LaerStep, str]
    grade: DrillGrade


@dataclass(frozen=True, slots=True)
class Agreement:
    n: int
    exact: float
    within_one: float
    kappa: float | None


def objections(lang: str) -> dict[str, Objection]:
    pack = read_pack((PACKS / f"default.{lang}.yaml").read_bytes())
    return {o.id: o for o in pack.objections}


def graded(path: Path = LABELLED) -> list[Graded]:
    """Every labelled answer, graded."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    packs = {lang: objections(lang) for lang in LANGUAGES}
    out = []
    for item in items:
        lang = item["lang"]
        objection = packs[lang][item["objection"]]
        if "text" in item:
            answers = split_answer(item["text"], lang)
        else:
            answers = {step: item["steps"].get(step.value, "") for step in LAER}
        out.append(
            Graded(
                id=item["id"],
                lang=lang,
                set=item.get("set", "dev"),
                kind=item.get("kind", ""),
                objection=objection,
                labels={step: int(item["labels"][step.value]) for step in LAER},
                answers=answers,
                grade=grade_answer(objection, answers, lang),
            )
        )
    return out


def agreement(pairs: Sequence[tuple[int, int]]) -> Agreement:
    """Exact and within-one agreement and Cohen's kappa of (label, grader) pairs."""
    n = len(pairs)
    if n == 0:
        return Agreement(0, 0.0, 0.0, None)
    exact = sum(a == b for a, b in pairs) / n
    within = sum(abs(a - b) <= 1 for a, b in pairs) / n
    labels = Counter(a for a, _ in pairs)
    grades = Counter(b for _, b in pairs)
    chance = sum(labels[k] * grades[k] for k in (0, 1, 2)) / (n * n)
    kappa = None if chance == 1 else (exact - chance) / (1 - chance)
    return Agreement(n, exact, within, kappa)


def pairs(
    items: Iterable[Graded], lang: str, step: LaerStep | None = None, subset: str | None = None
) -> list[tuple[int, int]]:
    """(label, grader) per step of ``lang``'s answers: one step or all, one set or both."""
    return [
        (g.labels[s], g.grade.steps[s].points)
        for g in items
        if g.lang == lang and (subset is None or g.set == subset)
        for s in LAER
        if step is None or s == step
    ]


def _row(first: str, second: str, a: Agreement) -> str:
    kappa = "–" if a.kappa is None else f"{a.kappa:.2f}"
    return f"| {first} | {second} | {a.n} | {a.exact:.0%} | {a.within_one:.0%} | {kappa} |"


def table(items: Sequence[Graded]) -> str:
    """Agreement per language and step on every answer, then per set (dev, check)."""
    head = [
        "| language | {} | N | exact | within one | Cohen's kappa |",
        "|---|---|---|---|---|---|",
    ]
    rows = [head[0].format("step"), head[1]]
    for lang in LANGUAGES:
        for step in (*LAER, None):
            name = step.value if step else "**all steps**"
            rows.append(_row(lang, name, agreement(pairs(items, lang, step))))
    rows += ["", head[0].format("set (all steps)"), head[1]]
    for lang in LANGUAGES:
        for subset in sorted({g.set for g in items}, key=SETS.index):
            rows.append(_row(lang, subset, agreement(pairs(items, lang, subset=subset))))
    answers = Counter((g.lang, g.set) for g in items)
    counts = ", ".join(f"{lang} {s} {n}" for (lang, s), n in sorted(answers.items()))
    rows += [
        "",
        f"N counts steps. Answers: {counts}. `{LABELLED.relative_to(ROOT)}`, labels by hand."
        " `dev` tuned the grader; `check` was graded blind once, then tuned on; `blind` was"
        " written after the last change and never tuned on.",
    ]
    return "\n".join(rows)


def disagreements(items: Sequence[Graded]) -> str:
    lines = []
    for g in items:
        for step in LAER:
            grade = g.grade.steps[step]
            if grade.points != g.labels[step]:
                reasons = ", ".join(r.code for r in grade.reasons)
                lines.append(
                    f"- [{g.set}] {g.id} {step.value}: label {g.labels[step]},"
                    f" grader {grade.points} ({reasons}) — {g.answers[step]!r}"
                )
    return "\n".join(lines) or "(none)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--disagreements", action="store_true", help="also list every step graded differently"
    )
    args = parser.parse_args(argv)
    items = graded()
    print(table(items))
    if args.disagreements:
        print()
        print(disagreements(items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
