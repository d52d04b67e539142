"""The LAER grader agrees with hand labels often enough (bench/laer_labelled.yaml, issue 4).

The labelled set is for development: its author wrote the answers, the labels and the grader,
and most of it (``set: dev``, ``set: check``) was used to tune the grader, so agreement on it
is higher than on answers the grader has never seen. The floor below guards against a change
that makes the grader worse; the fair estimate is the ``blind`` row of ``python -m
bench.grader``.
"""

from __future__ import annotations

import pytest

from bench.grader import LANGUAGES, agreement, graded, pairs

FLOOR = 0.70
"""Exact agreement on every labelled step of a language, all sets together."""


@pytest.fixture(scope="module")
def items():
    return graded()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exact_agreement_per_language_is_at_least_the_floor(items, lang: str):
    result = agreement(pairs(items, lang))
    assert result.n >= 45 * 4
    assert result.exact >= FLOOR, f"{lang}: {result.exact:.0%} exact on {result.n} steps"


def test_agreement_counts_as_documented():
    result = agreement([(0, 0), (1, 2), (2, 2), (2, 0)])
    assert (result.n, result.exact, result.within_one) == (4, 0.5, 0.75)
    assert result.kappa == pytest.approx((0.5 - 0.375) / (1 - 0.375))
