"""xAPI 1.0.3 Data 2.4 "Statement Properties": id, actor, verb, object, result, context,
timestamp, stored, authority, version, attachments — what the LRS sets and what it rejects."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.lrs.conftest import LrsClient, activity_id, agent, statement

MBOX = "mailto:x@example.org"
ACCOUNT = {"homePage": "http://example.org", "name": "x"}


def _stored(lrs: LrsClient, st: dict[str, Any]) -> dict[str, Any]:
    sid = lrs.store(st)[0]
    return lrs.get("statements", {"statementId": sid}).json()


def _rejected(lrs: LrsClient, st: dict[str, Any], needle: str) -> None:
    reply = lrs.post("statements", st)
    assert reply.status == 400, reply.text
    assert needle in reply.json()["error"], reply.text


# -- 2.4.1 id ----------------------------------------------------------------------------------
def test_the_lrs_generates_an_id_when_there_is_none(lrs: LrsClient) -> None:
    got = _stored(lrs, statement())
    uuid.UUID(got["id"])


def test_required_properties_are_required(lrs: LrsClient) -> None:
    for missing in ("actor", "verb", "object"):
        st = statement()
        del st[missing]
        _rejected(lrs, st, missing)


# -- 2.4.2 actor -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "actor",
    [
        {"mbox": MBOX},
        {"objectType": "Agent", "mbox_sha1sum": "a" * 40, "name": "A"},
        {"openid": "http://openid.example.org/x"},
        {"account": ACCOUNT},
        {"objectType": "Group", "member": [{"mbox": MBOX}]},
        {"objectType": "Group", "mbox": "mailto:group@example.org"},
        {"objectType": "Group", "account": ACCOUNT, "member": [{"account": ACCOUNT}]},
    ],
    ids=[
        "mbox",
        "sha1",
        "openid",
        "account",
        "anonymous group",
        "identified group",
        "group with members",
    ],
)
def test_valid_actors_are_accepted(lrs: LrsClient, actor: dict) -> None:
    assert _stored(lrs, statement(actor=actor))["actor"] == actor


@pytest.mark.parametrize(
    ("actor", "needle"),
    [
        ({"name": "no identifier"}, "inverse functional identifier"),
        ({"mbox": MBOX, "openid": "http://openid.example.org/x"}, "inverse functional identifier"),
        ({"mbox_sha1sum": "xyz"}, "mbox_sha1sum"),
        ({"openid": "not a uri"}, "openid"),
        ({"account": {"homePage": "http://example.org"}}, "account.name"),
        ({"account": {"name": "x"}}, "account.homePage"),
        ({"account": {"homePage": "no scheme", "name": "x"}}, "homePage"),
        ({"account": {**ACCOUNT, "extra": 1}}, "account.extra"),
        ({"objectType": "Group"}, "member"),
        ({"objectType": "Group", "member": []}, "member"),
        ({"objectType": "Group", "member": {"mbox": MBOX}}, "member"),
        ({"objectType": "Group", "member": [{"objectType": "Group", "mbox": MBOX}]}, "member[0]"),
        ({"objectType": "Group", "mbox": MBOX, "openid": "http://o.example.org"}, "identifier"),
        ({"objectType": "Person", "mbox": MBOX}, "objectType"),
    ],
)
def test_invalid_actors_are_rejected(lrs: LrsClient, actor: dict, needle: str) -> None:
    _rejected(lrs, statement(actor=actor), needle)


# -- 2.4.3 verb -------------------------------------------------------------------------------------
def test_verb_needs_an_iri_id_and_only_id_and_display(lrs: LrsClient) -> None:
    _rejected(lrs, statement(verb={"display": {"en": "x"}}), "verb.id")
    _rejected(lrs, statement(verb={"id": "http://example.org/v", "name": "x"}), "verb.name")
    _rejected(lrs, statement(verb={"id": "http://example.org/v", "display": "did"}), "verb.display")


# -- 2.4.4 object -----------------------------------------------------------------------------------
def test_object_defaults_to_activity(lrs: LrsClient) -> None:
    st = statement(object={"id": activity_id()})
    assert _stored(lrs, st)["object"]["id"] == st["object"]["id"]


def test_activity_definition_is_kept(lrs: LrsClient) -> None:
    definition = {
        "name": {"en": "Q1"},
        "description": {"en": "Pick"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "moreInfo": "http://example.org/more",
        "interactionType": "choice",
        "correctResponsesPattern": ["a[,]b"],
        "choices": [
            {"id": "a", "description": {"en": "A"}},
            {"id": "b", "description": {"en": "B"}},
        ],
        "extensions": {"http://example.org/e": 1},
    }
    st = statement(object={"objectType": "Activity", "id": activity_id(), "definition": definition})
    assert _stored(lrs, st)["object"]["definition"] == definition


@pytest.mark.parametrize(
    ("definition", "needle"),
    [
        ({"interactionType": "Choice"}, "interactionType"),
        ({"interactionType": "true-false", "choices": [{"id": "a"}]}, "choices"),
        ({"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}, "distinct"),
        ({"interactionType": "likert", "scale": [{"description": {"en": "x"}}]}, "scale[0].id"),
        ({"correctResponsesPattern": ["a"]}, "interactionType"),
        ({"interactionType": "fill-in", "correctResponsesPattern": "a"}, "correctResponsesPattern"),
        ({"type": "not an iri"}, "definition.type"),
        ({"moreInfo": "nope"}, "moreInfo"),
        ({"name": {"en": 5}}, "name.en"),
        ({"color": "red"}, "definition.color"),
    ],
)
def test_invalid_activity_definitions_are_rejected(
    lrs: LrsClient, definition: dict, needle: str
) -> None:
    _rejected(lrs, statement(object={"id": activity_id(), "definition": definition}), needle)


def test_agent_and_group_objects_need_their_object_type(lrs: LrsClient) -> None:
    assert (
        _stored(lrs, statement(object={"objectType": "Agent", "mbox": MBOX}))["object"]["mbox"]
        == MBOX
    )
    _rejected(lrs, statement(object={"mbox": MBOX}), "object")


def test_statement_ref_needs_a_uuid_and_nothing_else(lrs: LrsClient) -> None:
    ref = {"objectType": "StatementRef", "id": str(uuid.uuid4())}
    assert _stored(lrs, statement(object=ref))["object"] == ref
    _rejected(lrs, statement(object={"objectType": "StatementRef", "id": "x"}), "object.id")
    _rejected(lrs, statement(object={**ref, "definition": {}}), "object.definition")


def test_substatements(lrs: LrsClient) -> None:
    sub = {
        "objectType": "SubStatement",
        "actor": agent(),
        "verb": {"id": "http://example.org/verbs/will"},
        "object": {"id": activity_id()},
        "timestamp": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat(),  # future is fine
    }
    assert _stored(lrs, statement(object=sub))["object"]["actor"] == sub["actor"]
    for forbidden in ("id", "stored", "version", "authority"):
        value = {
            "id": str(uuid.uuid4()),
            "stored": "2020-01-01T00:00:00Z",
            "version": "1.0.0",
            "authority": agent(),
        }[forbidden]
        _rejected(lrs, statement(object={**sub, forbidden: value}), forbidden)
    _rejected(lrs, statement(object={**sub, "object": dict(sub)}), "SubStatement")
    _rejected(lrs, statement(object={k: v for k, v in sub.items() if k != "verb"}), "verb")


# -- 2.4.5 result -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("result", "needle"),
    [
        ({"score": {"scaled": 1.5}}, "scaled"),
        ({"score": {"scaled": -1.01}}, "scaled"),
        ({"score": {"raw": 11, "max": 10}}, "raw"),
        ({"score": {"raw": -1, "min": 0}}, "raw"),
        ({"score": {"min": 5, "max": 5}}, "min"),
        ({"score": {"points": 1}}, "score.points"),
        ({"duration": "1 hour"}, "duration"),
        ({"duration": "P4W1D"}, "duration"),
        ({"response": 5}, "response"),
        ({"grade": "A"}, "result.grade"),
    ],
)
def test_invalid_results_are_rejected(lrs: LrsClient, result: dict, needle: str) -> None:
    _rejected(lrs, statement(result=result), needle)


def test_valid_results_are_kept(lrs: LrsClient) -> None:
    result = {
        "score": {"scaled": -0.5, "raw": 0, "min": -10, "max": 10},
        "success": False,
        "completion": True,
        "response": "a[,]b",
        "duration": "P1DT2H3M4.5S",
    }
    assert _stored(lrs, statement(result=result))["result"] == result


# -- 2.4.6 context ---------------------------------------------------------------------------------
def test_context_activities_come_back_as_arrays(lrs: LrsClient) -> None:
    one = {"id": activity_id()}
    got = _stored(lrs, statement(context={"contextActivities": {"parent": one, "grouping": [one]}}))
    assert got["context"]["contextActivities"] == {"parent": [one], "grouping": [one]}


@pytest.mark.parametrize(
    ("context", "obj", "needle"),
    [
        ({"contextActivities": {"cousin": [{"id": "http://example.org/a"}]}}, None, "cousin"),
        ({"contextActivities": {"parent": [{"id": "nope"}]}}, None, "parent"),
        ({"revision": "1"}, {"objectType": "Agent", "mbox": MBOX}, "revision"),
        ({"platform": "x"}, {"objectType": "Group", "mbox": MBOX}, "platform"),
        ({"team": {"mbox": MBOX}}, None, "team"),
        ({"instructor": {"name": "no ifi"}}, None, "instructor"),
        ({"statement": {"id": str(uuid.uuid4())}}, None, "statement.objectType"),
        ({"language": "english please"}, None, "language"),
        ({"registration": "nope"}, None, "registration"),
    ],
)
def test_invalid_contexts_are_rejected(
    lrs: LrsClient, context: dict, obj: dict | None, needle: str
) -> None:
    st = statement(context=context, **({"object": obj} if obj else {}))
    _rejected(lrs, st, needle)


SUB = {
    "objectType": "SubStatement",
    "actor": {"mbox": MBOX},
    "verb": {"id": "http://example.org/verbs/x"},
    "object": {"id": "http://example.org/a"},
}
REF = {"objectType": "StatementRef", "id": "12345678-1234-4234-8234-123456789012"}


@pytest.mark.parametrize("key", ["revision", "platform"])
@pytest.mark.parametrize(
    ("obj", "where"),
    [
        (REF, "context"),
        (SUB, "context"),
        ({**SUB, "object": REF}, "object.context"),
    ],
    ids=["statementref", "substatement", "substatement-with-statementref"],
)
def test_revision_and_platform_only_with_an_activity_object(
    lrs: LrsClient, key: str, obj: dict, where: str
) -> None:
    """Data 2.4.6.s4.b1/b2 (XAPI-00084, XAPI-00085): only when the object is an Activity; ADL's
    suite found these accepted with a StatementRef or SubStatement object."""
    context = {key: "x"}
    if where == "context":
        st = statement(object=obj, context=context)
    else:
        st = statement(object={**obj, "context": context})
    _rejected(lrs, st, key)


def test_revision_and_platform_in_a_substatement_about_an_activity_are_fine(
    lrs: LrsClient,
) -> None:
    sub = {**SUB, "context": {"revision": "2", "platform": "p"}}
    assert lrs.post("statements", statement(object=sub)).status == 200


def test_a_full_context_is_kept(lrs: LrsClient) -> None:
    context = {
        "registration": str(uuid.uuid4()),
        "instructor": agent(),
        "team": {"objectType": "Group", "mbox": "mailto:team@example.org"},
        "contextActivities": {
            "category": [{"id": activity_id()}],
            "other": [{"id": activity_id()}],
        },
        "revision": "r2",
        "platform": "elearn",
        "language": "nn-NO",
        "statement": {"objectType": "StatementRef", "id": str(uuid.uuid4())},
        "extensions": {"http://example.org/e": {"any": "thing"}},
    }
    assert _stored(lrs, statement(context=context))["context"] == context


# -- 2.4.7 timestamp, 2.4.8 stored, 2.4.9 authority, 2.4.10 version --------------------------------
def test_timestamp_is_set_to_stored_when_missing(lrs: LrsClient) -> None:
    got = _stored(lrs, statement())
    assert got["timestamp"] == got["stored"]


def test_timestamps_need_iso_8601_and_not_minus_zero(lrs: LrsClient) -> None:
    for bad in (
        "2026-01-01",
        "01/02/2026 10:00",
        "2026-01-01T10:00:00-00:00",
        "2026-13-01T00:00:00Z",
    ):
        _rejected(lrs, statement(timestamp=bad), "timestamp")
    for good in (
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:00:00.123+02:00",
        "2026-01-01T10:00:00.123456Z",
    ):
        assert lrs.post("statements", statement(timestamp=good)).status == 200


def test_future_timestamps_are_accepted(lrs: LrsClient) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert lrs.post("statements", statement(timestamp=future)).status == 200


def test_stored_and_authority_are_set_by_the_lrs(lrs: LrsClient) -> None:
    fake = {"objectType": "Agent", "mbox": "mailto:boss@example.org"}
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    got = _stored(lrs, statement(stored="2001-01-01T00:00:00Z", authority=fake))
    stored = dt.datetime.fromisoformat(got["stored"].replace("Z", "+00:00"))
    assert stored >= before
    assert got["authority"]["account"]["name"] == lrs.key  # Data 2.4.9: the client, by account


OAUTH_CONSUMER = {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "app"}}
USER = {"mbox": "mailto:bob@example.com"}


@pytest.mark.parametrize(
    "ifi",
    [
        {"mbox": "mailto:group@example.org"},
        {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
        {"openid": "http://openid.example.org/12345"},
        {"account": {"homePage": "http://example.org", "name": "g"}},
    ],
    ids=["mbox", "mbox_sha1sum", "openid", "account"],
)
def test_an_authority_group_with_its_own_identifier_is_rejected(lrs: LrsClient, ifi: dict) -> None:
    """Data 2.4.9 / XAPI-00024: an authority Group is the anonymous OAuth pair."""
    authority = {"objectType": "Group", "member": [OAUTH_CONSUMER, USER], **ifi}
    _rejected(lrs, statement(authority=authority), "authority")


def test_an_authority_group_must_be_an_oauth_consumer_and_a_user(lrs: LrsClient) -> None:
    """Data 2.4.9.s3.b3 / XAPI-00100."""
    two_people = {"objectType": "Group", "member": [USER, {"mbox": "mailto:eve@example.org"}]}
    _rejected(lrs, statement(authority=two_people), "OAuth consumer")
    three = {"objectType": "Group", "member": [OAUTH_CONSUMER, USER, {"mbox": MBOX}]}
    _rejected(lrs, statement(authority=three), "exactly two")
    pair = {"objectType": "Group", "member": [OAUTH_CONSUMER, USER]}
    assert lrs.post("statements", statement(authority=pair)).status == 200


def test_version_is_kept_or_set_to_1_0_0(lrs: LrsClient) -> None:
    assert _stored(lrs, statement())["version"] == "1.0.0"
    assert _stored(lrs, statement(version="1.0.3"))["version"] == "1.0.3"
    for bad in ("0.95", "1.1.0", "2.0.0", "one"):
        _rejected(lrs, statement(version=bad), "version")


# -- 2.4.11 attachments (objects; the data itself is in test_comm_1_5_attachments) ----------------
@pytest.mark.parametrize("missing", ["usageType", "display", "contentType", "length", "sha2"])
def test_attachment_objects_need_their_required_properties(lrs: LrsClient, missing: str) -> None:
    attachment = {
        "usageType": "http://example.org/usage",
        "display": {"en": "file"},
        "contentType": "text/plain",
        "length": 3,
        "sha2": "a" * 64,
        "fileUrl": "http://example.org/file.txt",
    }
    del attachment[missing]
    _rejected(lrs, statement(attachments=[attachment]), missing)


def test_attachment_with_file_url_only_is_accepted_as_json(lrs: LrsClient) -> None:
    attachment = {
        "usageType": "http://example.org/usage",
        "display": {"en": "file"},
        "contentType": "text/plain",
        "length": 3,
        "sha2": "a" * 64,
        "fileUrl": "http://example.org/file.txt",
    }
    assert _stored(lrs, statement(attachments=[attachment]))["attachments"] == [attachment]
