"""xAPI 1.0.3 Communication 2.1 "Statement Resource" (PUT, POST, GET and every query parameter)
and Data 2.5 "Retrieval of Statements" (StatementResult, `more`)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest

from tests.lrs.conftest import (
    LrsClient,
    activity_id,
    agent,
    statement,
    wait_until_server_clock_passes,
)


def ids(reply: Any) -> list[str]:
    assert reply.status == 200, reply.text
    return [s["id"] for s in reply.json()["statements"]]


def verb() -> dict[str, str]:
    return {"id": f"http://example.org/verbs/{uuid.uuid4().hex}"}


# -- 2.1.1 PUT -----------------------------------------------------------------------------------
def test_put_stores_with_the_given_id_and_answers_204(lrs: LrsClient) -> None:
    sid = str(uuid.uuid4())
    reply = lrs.put("statements", statement(), {"statementId": sid})
    assert reply.status == 204 and reply.body == b""
    assert lrs.get("statements", {"statementId": sid}).json()["id"] == sid


def test_put_needs_a_valid_statement_id_that_matches_the_body(lrs: LrsClient) -> None:
    assert lrs.put("statements", statement()).status == 400
    assert lrs.put("statements", statement(), {"statementId": "nope"}).status == 400
    reply = lrs.put(
        "statements", statement(id=str(uuid.uuid4())), {"statementId": str(uuid.uuid4())}
    )
    assert reply.status == 400 and "statementId" in reply.text


def test_put_of_an_array_is_rejected(lrs: LrsClient) -> None:
    assert lrs.put("statements", [statement()], {"statementId": str(uuid.uuid4())}).status == 400


# -- 2.1.2 POST ----------------------------------------------------------------------------------
def test_post_returns_the_ids_in_order(lrs: LrsClient) -> None:
    given = str(uuid.uuid4())
    reply = lrs.post("statements", [statement(), statement(id=given), statement()])
    assert reply.status == 200
    got = reply.json()
    assert len(got) == 3 and got[1] == given and len(set(got)) == 3


def test_post_of_a_single_statement(lrs: LrsClient) -> None:
    reply = lrs.post("statements", statement())
    assert reply.status == 200 and len(reply.json()) == 1


def test_a_batch_with_one_invalid_statement_stores_none_of_it(lrs: LrsClient) -> None:
    good = statement(id=str(uuid.uuid4()))
    reply = lrs.post("statements", [good, statement(verb={"id": "bad"})])
    assert reply.status == 400 and "statements[1]" in reply.json()["error"]
    assert lrs.get("statements", {"statementId": good["id"]}).status == 404


def test_a_batch_with_the_same_id_twice_is_rejected(lrs: LrsClient) -> None:
    sid = str(uuid.uuid4())
    reply = lrs.post("statements", [statement(id=sid), statement(id=sid)])
    assert reply.status == 400 and sid in reply.text
    assert lrs.get("statements", {"statementId": sid}).status == 404


def test_a_batch_with_a_conflicting_id_stores_none_of_it(lrs: LrsClient) -> None:
    old = statement(id=str(uuid.uuid4()))
    lrs.store(old)
    new = statement(id=str(uuid.uuid4()))
    assert lrs.post("statements", [new, {**old, "verb": verb()}]).status == 409
    assert lrs.get("statements", {"statementId": new["id"]}).status == 404


def test_post_with_a_wrong_content_type_is_rejected(lrs: LrsClient) -> None:
    reply = lrs.post("statements", '{"a": 1}', content_type="text/plain")
    assert reply.status == 400 and "Content-Type" in reply.text


def test_post_of_broken_json_is_rejected(lrs: LrsClient) -> None:
    assert lrs.post("statements", "{not json", content_type="application/json").status == 400


# -- 2.1.3 GET -----------------------------------------------------------------------------------
def test_get_by_statement_id_returns_the_statement_with_last_modified(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    reply = lrs.get("statements", {"statementId": sid})
    assert reply.status == 200 and reply.json()["id"] == sid
    assert reply.header("Last-Modified") and reply.header("X-Experience-API-Consistent-Through")


def test_get_of_an_unknown_statement_is_404(lrs: LrsClient) -> None:
    assert lrs.get("statements", {"statementId": str(uuid.uuid4())}).status == 404


def test_statement_id_and_voided_statement_id_together_are_rejected(lrs: LrsClient) -> None:
    params = {"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())}
    assert lrs.get("statements", params).status == 400


@pytest.mark.parametrize(
    "other",
    [
        "agent",
        "verb",
        "activity",
        "registration",
        "since",
        "until",
        "limit",
        "ascending",
        "related_agents",
        "related_activities",
    ],
)
def test_statement_id_with_other_filters_is_rejected(lrs: LrsClient, other: str) -> None:
    values = {
        "agent": agent(),
        "verb": "http://example.org/v",
        "activity": activity_id(),
        "registration": str(uuid.uuid4()),
        "since": "2020-01-01T00:00:00Z",
        "until": "2030-01-01T00:00:00Z",
        "limit": "1",
        "ascending": "true",
        "related_agents": "true",
        "related_activities": "true",
    }
    for single in ("statementId", "voidedStatementId"):
        assert (
            lrs.get("statements", {single: str(uuid.uuid4()), other: values[other]}).status == 400
        )


def test_statement_id_with_format_and_attachments_is_allowed(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    assert (
        lrs.get("statements", {"statementId": sid, "format": "ids", "attachments": "false"}).status
        == 200
    )


def test_no_match_is_200_with_an_empty_list(lrs: LrsClient) -> None:
    reply = lrs.get("statements", {"verb": "http://example.org/verbs/nobody-did-this"})
    assert reply.status == 200 and reply.json()["statements"] == []
    assert reply.json().get("more", "") == ""


def test_results_are_newest_first_by_stored_or_ascending(lrs: LrsClient) -> None:
    act = activity_id()
    stored = [lrs.store(statement(object={"id": act}))[0] for _ in range(3)]
    assert ids(lrs.get("statements", {"activity": act})) == stored[::-1]
    assert ids(lrs.get("statements", {"activity": act, "ascending": True})) == stored


def test_agent_filter_matches_actor_object_and_group_members(lrs: LrsClient) -> None:
    me = agent()
    as_actor = lrs.store(statement(actor=me))[0]
    as_object = lrs.store(statement(object=me))[0]
    in_group = lrs.store(statement(actor={"objectType": "Group", "member": [agent(), me]}))[0]
    lrs.store(statement(context={"instructor": me}))  # only a related agent
    assert set(ids(lrs.get("statements", {"agent": me}))) == {as_actor, as_object, in_group}


def test_agent_filter_matches_on_any_one_identifier_kind(lrs: LrsClient) -> None:
    for who in (
        {"account": {"homePage": "http://example.org", "name": uuid.uuid4().hex}},
        {"openid": f"http://openid.example.org/{uuid.uuid4().hex}"},
        {"mbox_sha1sum": uuid.uuid4().hex[:40].ljust(40, "0")},
    ):
        sid = lrs.store(statement(actor=who))[0]
        assert ids(lrs.get("statements", {"agent": who})) == [sid]


def test_related_agents_includes_authority_instructor_team_and_substatements(
    lrs: LrsClient,
) -> None:
    me = agent()
    team = {"objectType": "Group", "mbox": f"mailto:{uuid.uuid4().hex}@example.org", "member": [me]}
    instructor = lrs.store(statement(context={"instructor": me}))[0]
    in_team = lrs.store(statement(context={"team": team}))[0]
    sub = {
        "objectType": "SubStatement",
        "actor": me,
        "verb": verb(),
        "object": {"id": activity_id()},
    }
    in_sub = lrs.store(statement(object=sub))[0]
    got = set(ids(lrs.get("statements", {"agent": me, "related_agents": True})))
    assert {instructor, in_team, in_sub} <= got
    assert not {instructor, in_sub} & set(ids(lrs.get("statements", {"agent": me})))


def test_related_agents_finds_the_authority(lrs: LrsClient) -> None:
    authority = lrs.get("statements", {"statementId": lrs.store(statement())[0]}).json()[
        "authority"
    ]
    reply = lrs.get("statements", {"agent": authority, "related_agents": True, "limit": 1})
    assert len(ids(reply)) == 1


def test_verb_filter(lrs: LrsClient) -> None:
    v = verb()
    sid = lrs.store(statement(verb=v))[0]
    lrs.store(statement())
    assert ids(lrs.get("statements", {"verb": v["id"]})) == [sid]


def test_activity_and_related_activities_filters(lrs: LrsClient) -> None:
    act = activity_id()
    direct = lrs.store(statement(object={"id": act}))[0]
    parent = lrs.store(statement(context={"contextActivities": {"parent": [{"id": act}]}}))[0]
    sub = {"objectType": "SubStatement", "actor": agent(), "verb": verb(), "object": {"id": act}}
    in_sub = lrs.store(statement(object=sub))[0]
    assert ids(lrs.get("statements", {"activity": act})) == [direct]
    assert set(ids(lrs.get("statements", {"activity": act, "related_activities": True}))) == {
        direct,
        parent,
        in_sub,
    }


def test_registration_filter(lrs: LrsClient) -> None:
    reg = str(uuid.uuid4())
    sid = lrs.store(statement(context={"registration": reg}))[0]
    lrs.store(statement(context={"registration": str(uuid.uuid4())}))
    assert ids(lrs.get("statements", {"registration": reg})) == [sid]
    assert ids(lrs.get("statements", {"registration": reg.upper()})) == [sid]


def test_filters_combine(lrs: LrsClient) -> None:
    me, v, act = agent(), verb(), activity_id()
    both = lrs.store(statement(actor=me, verb=v, object={"id": act}))[0]
    lrs.store(
        statement(actor=me, object={"id": act}),
        statement(actor=agent(), verb=v, object={"id": act}),
    )
    assert ids(lrs.get("statements", {"agent": me, "verb": v["id"], "activity": act})) == [both]


def test_since_is_exclusive_and_until_inclusive(lrs: LrsClient) -> None:
    act = activity_id()
    first = lrs.store(statement(object={"id": act}))[0]
    first_stored = lrs.get("statements", {"statementId": first}).json()["stored"]
    wait_until_server_clock_passes(lrs, first_stored)
    second = lrs.store(statement(object={"id": act}))[0]
    stored = {
        s["id"]: s["stored"] for s in lrs.get("statements", {"activity": act}).json()["statements"]
    }
    assert ids(lrs.get("statements", {"activity": act, "since": stored[first]})) == [second]
    assert ids(lrs.get("statements", {"activity": act, "until": stored[first]})) == [first]
    assert ids(lrs.get("statements", {"activity": act, "since": stored[second]})) == []


def test_limit_and_more_page_through_everything_once(lrs: LrsClient) -> None:
    act = activity_id()
    stored = [lrs.store(statement(object={"id": act}))[0] for _ in range(5)]
    seen: list[str] = []
    reply = lrs.get("statements", {"activity": act, "limit": 2})
    while True:
        body = reply.json()
        assert len(body["statements"]) <= 2
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?")  # relative IRL, full path
        reply = lrs.request("GET", body["more"].removeprefix("/xapi/"))
    assert seen == stored[::-1]


def test_limit_zero_means_the_server_maximum(lrs: LrsClient) -> None:
    act = activity_id()
    lrs.store(*[statement(object={"id": act}) for _ in range(3)])
    assert len(ids(lrs.get("statements", {"activity": act, "limit": 0}))) == 3


def test_more_stays_stable_while_others_write(lrs: LrsClient) -> None:
    act = activity_id()
    stored = lrs.store(*[statement(object={"id": act}) for _ in range(6)])
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            lrs.store(statement(object={"id": act}))

    thread = threading.Thread(target=writer)
    first = lrs.get("statements", {"activity": act, "limit": 2, "ascending": True}).json()
    thread.start()
    try:
        seen = [s["id"] for s in first["statements"]]
        more = first["more"]
        while more:
            page = lrs.request("GET", more.removeprefix("/xapi/")).json()
            seen += [s["id"] for s in page["statements"]]
            more = page["more"]
    finally:
        stop.set()
        thread.join()
    assert seen == stored  # nothing repeated, nothing skipped, nothing stored later slipped in


def test_broken_more_is_rejected(lrs: LrsClient) -> None:
    assert lrs.get("statements", {"more": "garbage"}).status == 400


def test_bad_parameter_values_are_rejected(lrs: LrsClient) -> None:
    for params in (
        {"limit": "-1"},
        {"limit": "ten"},
        {"ascending": "yes"},
        {"format": "full"},
        {"related_agents": "1"},
        {"attachments": "True"},
        {"agent": "not json"},
        {"agent": {"objectType": "Group", "member": []}},
    ):
        assert lrs.get("statements", params).status == 400, params


def test_format_ids_keeps_only_identifiers(lrs: LrsClient) -> None:
    st = statement(
        actor={**agent(), "name": "Someone"},
        verb={"id": "http://example.org/verbs/x", "display": {"en": "x"}},
        object={"objectType": "Activity", "id": activity_id(), "definition": {"name": {"en": "A"}}},
        context={
            "contextActivities": {
                "parent": [{"id": activity_id(), "definition": {"name": {"en": "P"}}}]
            },
            "instructor": {"name": "I", "mbox": "mailto:i@example.org"},
        },
    )
    sid = lrs.store(st)[0]
    got = lrs.get("statements", {"statementId": sid, "format": "ids"}).json()
    assert "name" not in got["actor"] and got["actor"]["mbox"] == st["actor"]["mbox"]
    assert got["verb"] == {"id": "http://example.org/verbs/x"}
    # Only the id: no definition and no objectType (Communication 2.1.3, XAPI-00171).
    assert got["object"] == {"id": st["object"]["id"]}
    assert got["context"]["contextActivities"]["parent"][0] == {
        "id": st["context"]["contextActivities"]["parent"][0]["id"]
    }
    assert "name" not in got["context"]["instructor"]


def test_format_ids_keeps_anonymous_group_members(lrs: LrsClient) -> None:
    members = [{**agent(), "name": "M"}]
    sid = lrs.store(statement(actor={"objectType": "Group", "name": "G", "member": members}))[0]
    got = lrs.get("statements", {"statementId": sid, "format": "ids"}).json()
    assert got["actor"]["member"] == [{"objectType": "Agent", "mbox": members[0]["mbox"]}]


def test_format_exact_returns_what_was_sent(lrs: LrsClient) -> None:
    st = statement(verb={"id": "http://example.org/verbs/x", "display": {"en": "x", "nb": "y"}})
    sid = lrs.store(st)[0]
    assert (
        lrs.get("statements", {"statementId": sid, "format": "exact"}).json()["verb"] == st["verb"]
    )


def test_format_canonical_returns_one_language_per_map_by_accept_language(lrs: LrsClient) -> None:
    st = statement(
        verb={"id": "http://example.org/verbs/x", "display": {"en-US": "did", "nb": "gjorde"}},
        object={
            "id": activity_id(),
            "definition": {
                "name": {"en-US": "Course", "nb": "Kurs"},
                "description": {"en-US": "D", "nb": "B"},
            },
        },
    )
    sid = lrs.store(st)[0]
    got = lrs.get(
        "statements",
        {"statementId": sid, "format": "canonical"},
        headers={"Accept-Language": "nb, en;q=0.5"},
    ).json()
    assert got["verb"]["display"] == {"nb": "gjorde"}
    assert got["object"]["definition"]["name"] == {"nb": "Kurs"}
    assert got["object"]["definition"]["description"] == {"nb": "B"}


def test_consistent_through_is_recent_on_every_statement_response(lrs: LrsClient) -> None:
    for reply in (
        lrs.get("statements", {"limit": 1}),
        lrs.get("statements", {"statementId": str(uuid.uuid4())}),
    ):
        through = dt.datetime.fromisoformat(
            reply.header("X-Experience-API-Consistent-Through").replace("Z", "+00:00")
        )
        assert abs((dt.datetime.now(dt.UTC) - through).total_seconds()) < 5


def test_a_statement_is_retrievable_once_post_answers(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    assert lrs.get("statements", {"statementId": sid}).status == 200


# -- 2.1.3.s3 filter conditions for StatementRefs -------------------------------------------------
def test_statements_targeting_a_match_are_returned_recursively(lrs: LrsClient) -> None:
    ben, confirmer, act = agent(), agent(), activity_id()
    passed = lrs.store(statement(actor=ben, object={"id": act}))[0]
    confirmed = lrs.store(
        statement(actor=confirmer, object={"objectType": "StatementRef", "id": passed})
    )[0]
    again = lrs.store(
        statement(actor=agent(), object={"objectType": "StatementRef", "id": confirmed})
    )[0]
    assert set(ids(lrs.get("statements", {"agent": ben}))) == {passed, confirmed, again}
    assert set(ids(lrs.get("statements", {"activity": act}))) == {passed, confirmed, again}


def test_statement_refs_in_context_do_not_count(lrs: LrsClient) -> None:
    ben = agent()
    passed = lrs.store(statement(actor=ben))[0]
    lrs.store(statement(context={"statement": {"objectType": "StatementRef", "id": passed}}))
    assert ids(lrs.get("statements", {"agent": ben})) == [passed]


def test_time_filters_apply_to_the_targeting_statement(lrs: LrsClient) -> None:
    ben = agent()
    passed = lrs.store(statement(actor=ben))[0]
    stored = lrs.get("statements", {"statementId": passed}).json()["stored"]
    wait_until_server_clock_passes(lrs, stored)
    confirmed = lrs.store(statement(object={"objectType": "StatementRef", "id": passed}))[0]
    assert ids(lrs.get("statements", {"agent": ben, "since": stored})) == [confirmed]


def test_a_reference_stored_before_its_target_matches_once_the_target_arrives(
    lrs: LrsClient,
) -> None:
    ben, target = agent(), str(uuid.uuid4())
    ref = lrs.store(statement(object={"objectType": "StatementRef", "id": target}))[0]
    lrs.store(statement(id=target, actor=ben))
    assert set(ids(lrs.get("statements", {"agent": ben}))) == {ref, target}
