"""xAPI 1.0.3 Data 2.3 "Statement Lifecycle": immutability, comparison and voiding, plus the
voided-statement rules of Communication 2.1.4."""

from __future__ import annotations

import uuid

from tests.lrs.conftest import LrsClient, activity_id, agent, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def voiding(target: str, actor: dict | None = None) -> dict:
    return statement(
        actor=actor or agent(),
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target},
    )


# -- 2.3.1 immutability -------------------------------------------------------------------------
def test_the_same_statement_again_changes_nothing(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    assert lrs.put("statements", st, {"statementId": st["id"]}).status == 204
    first = lrs.get("statements", {"statementId": st["id"]}).json()
    assert lrs.put("statements", st, {"statementId": st["id"]}).status == 204
    assert lrs.post("statements", [st]).status == 200
    assert lrs.get("statements", {"statementId": st["id"]}).json() == first  # stored unchanged


def test_the_same_id_with_different_content_is_a_409_and_nothing_changes(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    lrs.store(st)
    other = {**st, "verb": {"id": "http://example.org/verbs/changed"}}
    reply = lrs.put("statements", other, {"statementId": st["id"]})
    assert reply.status == 409 and st["id"] in reply.json()["error"]
    assert lrs.post("statements", [other]).status == 409
    assert lrs.get("statements", {"statementId": st["id"]}).json()["verb"] == st["verb"]


def test_comparison_ignores_what_the_spec_lists_as_exceptions(lrs: LrsClient) -> None:
    # Data 2.3.1: timestamp serialisation, verb display, activity definitions, a single context
    # activity versus a list of one, group member order, authority/stored/version.
    parent = {"id": activity_id()}
    members = [agent(), agent()]
    st = statement(
        id=str(uuid.uuid4()),
        actor={"objectType": "Group", "member": members},
        timestamp="2026-01-02T03:04:05.000Z",
        context={"contextActivities": {"parent": parent}},
    )
    lrs.store(st)
    same = {
        **st,
        "actor": {"objectType": "Group", "member": list(reversed(members))},
        "timestamp": "2026-01-02T04:04:05+01:00",
        "verb": {**st["verb"], "display": {"nb": "opplevde"}},
        "object": {**st["object"], "definition": {"name": {"en": "renamed"}}},
        "context": {"contextActivities": {"parent": [parent]}},
        "version": "1.0.0",
        "stored": "2000-01-01T00:00:00Z",
    }
    assert lrs.put("statements", same, {"statementId": st["id"]}).status == 204


def test_comparison_does_not_ignore_the_result_duration(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()), result={"duration": "PT60S"})
    lrs.store(st)
    other = {**st, "result": {"duration": "PT1M"}}
    assert lrs.put("statements", other, {"statementId": st["id"]}).status == 409


# -- 2.3.2 voiding ------------------------------------------------------------------------------
def test_a_voided_statement_is_only_returned_by_voided_statement_id(lrs: LrsClient) -> None:
    st = statement()
    sid = lrs.store(st)[0]
    lrs.store(voiding(sid))
    assert lrs.get("statements", {"statementId": sid}).status == 404
    got = lrs.get("statements", {"voidedStatementId": sid})
    assert got.status == 200 and got.json()["id"] == sid
    listed = lrs.get("statements", {"activity": st["object"]["id"]}).json()["statements"]
    assert sid not in [s["id"] for s in listed]


def test_voided_statement_id_of_a_statement_not_voided_is_404(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    assert lrs.get("statements", {"voidedStatementId": sid}).status == 404


def test_statements_targeting_a_voided_statement_are_still_returned(lrs: LrsClient) -> None:
    # Communication 2.1.4.s1.b2: the voiding statement matches the voided one's filters.
    st = statement(verb={"id": f"http://example.org/verbs/{uuid.uuid4().hex}"})
    sid = lrs.store(st)[0]
    void_id = lrs.store(voiding(sid))[0]
    for params in (
        {"agent": st["actor"]},
        {"activity": st["object"]["id"]},
        {"verb": st["verb"]["id"]},
    ):
        ids = [s["id"] for s in lrs.get("statements", params).json()["statements"]]
        assert ids == [void_id], params


def test_voiding_an_unknown_statement_is_accepted(lrs: LrsClient) -> None:
    assert lrs.post("statements", voiding(str(uuid.uuid4()))).status == 200


def test_a_statement_stored_after_its_voiding_statement_is_voided(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    lrs.store(voiding(st["id"]))
    lrs.store(st)
    assert lrs.get("statements", {"statementId": st["id"]}).status == 404
    assert lrs.get("statements", {"voidedStatementId": st["id"]}).status == 200


def test_a_voiding_statement_cannot_be_voided(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    void_id = lrs.store(voiding(sid))[0]
    lrs.store(voiding(void_id))
    assert lrs.get("statements", {"statementId": void_id}).status == 200
    assert lrs.get("statements", {"voidedStatementId": void_id}).status == 404


def test_voiding_in_the_same_batch_as_the_target(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    lrs.store(st, voiding(st["id"]))
    assert lrs.get("statements", {"statementId": st["id"]}).status == 404


def test_a_voiding_statement_must_target_a_statement_ref(lrs: LrsClient) -> None:
    st = statement(verb={"id": VOIDED})
    reply = lrs.post("statements", st)
    assert reply.status == 400 and "StatementRef" in reply.text
