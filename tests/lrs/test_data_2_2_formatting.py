"""xAPI 1.0.3 Data 2.2 "Formatting Requirements": what the LRS MUST reject (2.2.s4.b1) and what
it must keep (2.2.s4.b3, extensions 4.1.s3.b2). Every rejection is a 400 naming the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.lrs.conftest import LrsClient, statement


def _with(path: str, value: Any) -> dict[str, Any]:
    st = statement(
        result={
            "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
            "success": True,
            "completion": True,
        },
        context={"registration": "6a1c3ae0-6f4a-4c4d-9b55-3f0a2e2b6a10", "language": "nb-NO"},
    )
    target = st
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return st


_DELETE = object()

REJECTED = {
    # 2.2.s4.b1.b1 null values
    "null actor name": ("actor.name", None, "actor.name"),
    "null result": ("result", None, "result"),
    "null verb display": ("verb.display", None, "verb.display"),
    # 2.2.s4.b1.b2 strings where numbers are required
    "string score": ("result.score.raw", "5", "result.score.raw"),
    "string scaled": ("result.score.scaled", "0.5", "result.score.scaled"),
    # 2.2.s4.b1.b3 strings where booleans are required
    "string success": ("result.success", "true", "result.success"),
    "string completion": ("result.completion", "false", "result.completion"),
    # 2.2.s4.b1.b4 values not following their format (including the empty string)
    "bad statement id": ("id", "not-a-uuid", "statement.id"),
    "empty statement id": ("id", "", "statement.id"),
    "bad registration": ("context.registration", "1234", "context.registration"),
    "mbox without mailto": ("actor.mbox", "someone@example.org", "actor.mbox"),
    "empty mbox": ("actor.mbox", "", "actor.mbox"),
    "bad language tag": ("context.language", "not a tag", "context.language"),
    "bad language map key": ("verb.display", {"not a tag!": "x"}, "verb.display"),
    # 2.2.s4.b1.b5 key case
    "wrong case key": ("Actor", {"mbox": "mailto:a@example.org"}, "Actor"),
    # 2.2.s4.b1.b6 enumerated value case
    "objectType case": ("object.objectType", "activity", "object.objectType"),
    # 2.2.s4.b1.b7 keys not allowed
    "unknown top-level key": ("foo", "bar", "statement.foo"),
    "unknown actor key": ("actor.age", 30, "actor.age"),
    # 2.2.s4.b1.b8 IRIs and IRLs without a scheme
    "verb without scheme": ("verb.id", "example.org/verbs/did", "verb.id"),
    "activity without scheme": ("object.id", "activities/1", "object.id"),
    "empty verb id": ("verb.id", "", "verb.id"),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_statements_breaking_a_formatting_rule_are_rejected_with_the_field_named(
    lrs: LrsClient, case: str
) -> None:
    path, value, named = REJECTED[case]
    reply = lrs.post("statements", _with(path, value))
    assert reply.status == 400, (case, reply.text)
    assert named.split(".")[-1] in reply.json()["error"], reply.text


def test_null_inside_extensions_is_allowed(lrs: LrsClient) -> None:
    st = statement(context={"extensions": {"http://example.org/ext": None}})
    assert lrs.post("statements", st).status == 200


def test_extension_values_of_any_json_type_are_kept(lrs: LrsClient) -> None:
    value = {"a": [1, "two", None, {"three": 3.5}], "b": False}
    st = statement(result={"extensions": {"http://example.org/ext/any": value}})
    sid = lrs.store(st)[0]
    got = lrs.get("statements", {"statementId": sid}).json()
    assert got["result"]["extensions"]["http://example.org/ext/any"] == value


def test_extension_keys_must_be_iris(lrs: LrsClient) -> None:
    st = statement(result={"extensions": {"not-an-iri": 1}})
    reply = lrs.post("statements", st)
    assert reply.status == 400 and "extensions" in reply.text


def test_numbers_keep_at_least_32_bit_float_precision(lrs: LrsClient) -> None:
    st = statement(result={"score": {"scaled": 0.123456789, "raw": 1234567.5}})
    sid = lrs.store(st)[0]
    score = lrs.get("statements", {"statementId": sid}).json()["result"]["score"]
    assert abs(score["scaled"] - 0.123456789) < 1e-7 and score["raw"] == 1234567.5


def test_language_tags_with_region_script_and_private_use_are_accepted(lrs: LrsClient) -> None:
    display = {"en-US": "a", "nb-NO": "b", "zh-Hant-TW": "c", "x-klingon": "d", "nn": "e"}
    st = statement(verb={"id": "http://example.org/verbs/did", "display": display})
    assert lrs.post("statements", st).status == 200


def test_a_rejected_statement_is_not_stored(lrs: LrsClient) -> None:
    st = statement(id="6f2b9a9e-55c4-4b8f-9a7c-b8a0a3c9e001", result={"success": "yes"})
    assert lrs.post("statements", st).status == 400
    assert lrs.get("statements", {"statementId": st["id"]}).status == 404


def test_parameters_are_validated_like_statement_values(lrs: LrsClient) -> None:
    # 2.2.s4.b4: the agent parameter follows the Agent rules, verb the IRI rules.
    assert lrs.get("statements", {"agent": {"mbox": "nomailto@example.org"}}).status == 400
    assert lrs.get("statements", {"verb": "no scheme"}).status == 400
    assert lrs.get("statements", {"registration": "nope"}).status == 400
    assert lrs.get("statements", {"since": "yesterday"}).status == 400


def test_everything_in_a_valid_statement_comes_back_unchanged(lrs: LrsClient) -> None:
    st = _with("id", "0b7b3a56-9e0f-4a3e-8a65-3a8f8d3c0b11")
    sid = lrs.store(copy.deepcopy(st))[0]
    got = lrs.get("statements", {"statementId": sid}).json()
    for key in ("actor", "verb", "object", "result"):
        assert got[key] == st[key]
