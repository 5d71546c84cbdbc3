"""One organisation's clients can neither change, nor read, nor learn of another organisation's
records (issue 12, hostile-input findings): voiding, attachments, statement ids, StatementRefs,
and activity definitions for clients without a read scope. Communication 4.0.s3.b2: the LRS
decides what operations may be performed based on the credentials used."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from flask import Flask

from tests.lrs.conftest import LrsClient, activity_id, agent, new_client, statement
from tests.lrs.test_comm_1_requests import multipart

VOIDED = {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}}


def _orgs(lrs_app: Flask, lrs: LrsClient) -> tuple[LrsClient, LrsClient]:
    a = lrs.with_credentials(*new_client(lrs_app, "all", "kommune-a"))
    b = lrs.with_credentials(*new_client(lrs_app, "all", "kommune-b"))
    return a, b


def _void(target: str) -> dict[str, Any]:
    return statement(verb=VOIDED, object={"objectType": "StatementRef", "id": target})


def test_a_client_cannot_void_another_organisations_statement(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    a, b = _orgs(lrs_app, lrs)
    victim = b.store(statement())[0]
    assert a.post("statements", [_void(victim)]).status == 200
    assert b.get("statements", {"statementId": victim}).status == 200
    assert b.get("statements", {"voidedStatementId": victim}).status == 404
    # ... while its own statements it voids as before (Data 2.3.2).
    own = a.store(statement())[0]
    a.store(_void(own))
    assert a.get("statements", {"statementId": own}).status == 404
    assert a.get("statements", {"voidedStatementId": own}).status == 200


def test_a_voiding_statement_stored_first_voids_only_what_its_client_could_read(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    a, b = _orgs(lrs_app, lrs)
    future = str(uuid.uuid4())
    a.store(_void(future))
    b.store(statement(id=future))
    assert b.get("statements", {"statementId": future}).status == 200


def test_a_client_that_reads_only_its_own_statements_voids_only_those(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    writer = lrs.with_credentials(*new_client(lrs_app, "statements/write", "kommune-a"))
    other = lrs.with_credentials(*new_client(lrs_app, "all", "kommune-a"))
    target = other.store(statement())[0]
    writer.store(_void(target))
    assert other.get("statements", {"statementId": target}).status == 200


def test_another_organisations_statement_id_is_as_good_as_a_fresh_one(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    """No 409 oracle: the answer to a PUT does not depend on other organisations' ids."""
    a, b = _orgs(lrs_app, lrs)
    taken = b.store(statement())[0]
    mine = statement(actor=agent("a-side"))
    assert a.put("statements", mine, {"statementId": taken}).status == 204
    got = a.get("statements", {"statementId": taken}).json()
    assert got["id"] == taken and got["actor"] == mine["actor"]
    # Both organisations keep their own statement under the id; a resend is still checked.
    assert b.get("statements", {"statementId": taken}).json()["actor"] != mine["actor"]
    assert a.put("statements", mine, {"statementId": taken}).status == 204
    assert a.put("statements", statement(), {"statementId": taken}).status == 409
    assert a.post("statements", [{**mine, "id": taken}]).status == 200


def test_a_statement_ref_to_another_organisations_statement_matches_nothing_through_it(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    a, b = _orgs(lrs_app, lrs)
    registration = str(uuid.uuid4())
    learner = agent()
    target = b.store(statement(actor=learner, context={"registration": registration}))[0]
    ref = a.store(statement(object={"objectType": "StatementRef", "id": target}))[0]
    for params in ({"registration": registration}, {"agent": learner}):
        assert a.get("statements", params).json()["statements"] == [], params
    # Within one organisation a StatementRef matches what its target matches (2.1.3.s3).
    own = a.store(statement(actor=learner, context={"registration": registration}))[0]
    ref2 = a.store(statement(object={"objectType": "StatementRef", "id": own}))[0]
    ids = {
        s["id"] for s in a.get("statements", {"registration": registration}).json()["statements"]
    }
    assert ids == {own, ref2} and ref not in ids


def test_a_statement_ref_stored_before_another_organisations_target_matches_nothing(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    a, b = _orgs(lrs_app, lrs)
    registration = str(uuid.uuid4())
    future = str(uuid.uuid4())
    a.store(statement(object={"objectType": "StatementRef", "id": future}))
    b.store(statement(id=future, context={"registration": registration}))
    assert a.get("statements", {"registration": registration}).json()["statements"] == []


def test_attachments_are_served_only_from_statements_the_reader_may_see(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    a, b = _orgs(lrs_app, lrs)
    secret = b"Bergen's confidential report " + uuid.uuid4().bytes
    sha = hashlib.sha256(secret).hexdigest()
    att = {
        "usageType": "http://example.org/usage/report",
        "display": {"en-US": "report"},
        "contentType": "text/plain",
        "length": len(secret),
        "sha2": sha,
    }
    owned = statement(attachments=[att])
    body, ctype = multipart(owned, [(secret, "text/plain")])
    assert b.post("statements", body, content_type=ctype).status == 200
    thief = statement(attachments=[{**att, "fileUrl": "http://example.org/x"}])
    sid = a.store(thief)[0]
    got = a.get("statements", {"statementId": sid, "attachments": True})
    assert got.status == 200
    assert secret not in got.body
    # The owner still gets its data.
    mine = b.get("statements", {"activity": owned["object"]["id"], "attachments": True})
    assert secret in mine.body


def test_definitions_need_a_read_scope(lrs_app: Flask, lrs: LrsClient) -> None:
    act = activity_id()
    writer = lrs.with_credentials(*new_client(lrs_app, "all", "kommune-a"))
    writer.store(statement(object={"id": act, "definition": {"name": {"nb": "Hemmeleg"}}}))
    for scopes in ("state", "define", "profile"):
        client = lrs.with_credentials(*new_client(lrs_app, scopes, "kommune-a"))
        reply = client.get("activities", {"activityId": act})
        assert reply.status == 403, (scopes, reply.text)
    reader = lrs.with_credentials(*new_client(lrs_app, "statements/read", "kommune-a"))
    assert reader.get("activities", {"activityId": act}).json()["definition"]["name"] == {
        "nb": "Hemmeleg"
    }
