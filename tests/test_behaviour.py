"""Behaviour any reasonable stance model must show, checked on the shipped weights.

The cases are the ``must=True`` subset of ``benchmarks/behaviour.py``: clear calls for
a ceasefire, clear rejections, clear conditions, plain neutral facts, and invariance
to swapping names, places and numbers in such clear sentences. The full suite (with
the hard cases, allowed to fail) is measured by ``python -m benchmarks.accuracy``.
"""

from __future__ import annotations

import re

import pytest

from benchmarks.behaviour import INVARIANCE, MINIMUM_FUNCTIONALITY, run_behaviour

MUST_MFT = [case for case in MINIMUM_FUNCTIONALITY if case.must]
MUST_INV = [case for case in INVARIANCE if case.must]


def _slug(text: str, words: int = 7) -> str:
    return "-".join(re.findall(r"\w+", text.lower())[:words])


@pytest.mark.parametrize("case", MUST_MFT, ids=[f"{c.label}-{_slug(c.text)}" for c in MUST_MFT])
def test_clear_sentence_gets_its_label(model, case):
    assert model.predict([case.text]) == [case.label]


@pytest.mark.parametrize("case", MUST_INV, ids=[_slug(c.capability, 4) for c in MUST_INV])
def test_swapping_names_places_numbers_keeps_the_label(model, case):
    predicted = model.predict(case.texts)
    assert predicted == [case.label] * len(case.texts), list(zip(case.texts, predicted))


def test_must_cases_cover_every_label(model):
    assert {case.label for case in MUST_MFT} == set(model.labels)
    assert {case.label for case in MUST_INV} == set(model.labels)


def test_runner_counts_every_case(model):
    report = run_behaviour(model, must_only=True)
    assert report.total == {"MFT": len(MUST_MFT), "INV": len(MUST_INV), "DIR": 0}
    assert report.passed == report.total, report.failures
    assert set(report.pass_rates) == {"MFT", "INV"}
