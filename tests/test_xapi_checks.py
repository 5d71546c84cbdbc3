"""The statement checker the tests lean on must itself catch what it claims to catch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.xapi_checks import problems

GOOD: dict[str, Any] = {
    "id": "6fa459ea-ee8a-3ca4-894e-db77e160355e",
    "actor": {"account": {"homePage": "https://example.org", "name": "p-1"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered"}},
    "object": {
        "id": "https://example.org/courses/c",
        "definition": {"name": {"nb-NO": "Kurs"}, "interactionType": "choice"},
    },
    "result": {"score": {"raw": 2, "min": 0, "max": 4, "scaled": 0.5}, "duration": "PT1.50S"},
    "context": {
        "registration": "6fa459ea-ee8a-3ca4-894e-db77e160355e",
        "contextActivities": {"parent": [{"id": "https://example.org/courses/c"}]},
    },
    "timestamp": "2026-12-03T10:00:00.000Z",
}


def _with(path: str, value: Any) -> dict[str, Any]:
    st = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = st
    for key in parents:
        target = target[key]
    target[last] = value
    return st


def test_a_good_statement_has_no_problems() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("id", "not-a-uuid", "id: must be a UUID"),
        ("actor", {"mbox": "mailto:a@b", "account": {"homePage": "h", "name": "n"}}, "actor:"),
        ("verb.id", "answered", "verb.id"),
        ("object.definition.interactionType", "essay", "interactionType"),
        ("result.score.raw", 9, "above max"),
        ("result.duration", "90 seconds", "duration"),
        ("context.registration", "r-1", "registration"),
        ("context.contextActivities", {"cousin": [{"id": "x:y"}]}, "cousin"),
        ("timestamp", "yesterday", "timestamp"),
        ("version", "2.0.0", "version"),
    ],
)
def test_each_planted_problem_is_reported(path: str, value: Any, expected: str) -> None:
    found = problems(_with(path, value))
    assert any(expected in p for p in found), found
