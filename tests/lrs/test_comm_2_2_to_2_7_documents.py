"""xAPI 1.0.3 Communication 2.2 "Document Resources", 2.3 "State", 2.4 "Agents", 2.5
"Activities", 2.6 "Agent Profile" and 2.7 "Activity Profile"."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from tests.lrs.conftest import (
    LrsClient,
    activity_id,
    agent,
    server_now,
    statement,
    wait_until_server_clock_passes,
)


def state_params(**extra: Any) -> dict[str, Any]:
    return {"activityId": activity_id(), "agent": agent(), "stateId": uuid.uuid4().hex} | extra


RESOURCES = {
    "state": ("activities/state", lambda: state_params(), "stateId"),
    "activity profile": (
        "activities/profile",
        lambda: {"activityId": activity_id(), "profileId": uuid.uuid4().hex},
        "profileId",
    ),
    "agent profile": (
        "agents/profile",
        lambda: {"agent": agent(), "profileId": uuid.uuid4().hex},
        "profileId",
    ),
}


@pytest.fixture(params=sorted(RESOURCES))
def resource(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], str]:
    path, make, id_param = RESOURCES[request.param]
    return path, make(), id_param


def create(lrs: LrsClient, path: str, params: dict[str, Any], body: Any, **kw: Any) -> None:
    headers = {} if path == "activities/state" else {"If-None-Match": "*"}
    reply = lrs.put(path, body, params, headers=headers, **kw)
    assert reply.status == 204, reply.text


# -- 2.2 all three resources -----------------------------------------------------------------
def test_put_then_get_returns_the_document_with_etag_and_last_modified(
    lrs: LrsClient, resource: tuple
) -> None:
    path, params, _ = resource
    create(lrs, path, params, b"\x00binary\xff", content_type="application/octet-stream")
    reply = lrs.get(path, params)
    assert reply.status == 200 and reply.body == b"\x00binary\xff"
    assert reply.header("Content-Type") == "application/octet-stream"
    # Communication 3.1.s4.b1-b4: quoted lower-case hex SHA-1 of the contents.
    assert reply.header("ETag") == '"' + hashlib.sha1(b"\x00binary\xff").hexdigest() + '"'
    assert reply.header("Last-Modified")


def test_post_merges_json_objects_top_level(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    create(lrs, path, params, {"x": "foo", "y": "bar", "o": {"a": 1}})
    assert lrs.post(path, {"x": "bash", "z": "faz", "o": {"b": 2}}, params).status == 204
    assert lrs.get(path, params).json() == {"x": "bash", "y": "bar", "z": "faz", "o": {"b": 2}}


def test_post_to_a_new_document_stores_it(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    assert lrs.post(path, {"a": 1}, params).status == 204
    assert lrs.get(path, params).json() == {"a": 1}


def test_post_with_non_json_is_rejected_and_changes_nothing(
    lrs: LrsClient, resource: tuple
) -> None:
    path, params, _ = resource
    create(lrs, path, params, {"a": 1})
    assert lrs.post(path, "plain", params, content_type="text/plain").status == 400
    assert lrs.post(path, "[1, 2]", params, content_type="application/json").status == 400
    assert lrs.post(path, "{broken", params, content_type="application/json").status == 400
    assert lrs.get(path, params).json() == {"a": 1}


def test_post_onto_a_non_json_document_is_rejected(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    create(lrs, path, params, "text", content_type="text/plain")
    assert lrs.post(path, {"a": 1}, params).status == 400
    assert lrs.get(path, params).text == "text"


def test_delete_removes_the_document(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    create(lrs, path, params, {"a": 1})
    assert lrs.delete(path, params).status == 204
    assert lrs.get(path, params).status == 404


def test_get_of_a_missing_document_is_404(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    assert lrs.get(path, params).status == 404


def test_listing_ids_with_since(lrs: LrsClient, resource: tuple) -> None:
    path, params, id_param = resource
    scope = {k: v for k, v in params.items() if k != id_param}
    create(lrs, path, scope | {id_param: "first"}, {"n": 1})
    listed = lrs.get(path, scope)
    assert listed.status == 200 and listed.json() == ["first"] and listed.header("ETag")
    # The LRS's own clock: "first" was stored at or before `since`, "second" after it.
    since = server_now(lrs)
    wait_until_server_clock_passes(lrs, since)
    create(lrs, path, scope | {id_param: "second"}, {"n": 2})
    assert sorted(lrs.get(path, scope).json()) == ["first", "second"]
    assert lrs.get(path, scope | {"since": since}).json() == ["second"]


def test_documents_are_accepted_for_unknown_activities_and_agents(
    lrs: LrsClient, resource: tuple
) -> None:
    path, params, _ = resource  # 2.2.s4.b2: fresh random ids, nothing known about them
    create(lrs, path, params, {"a": 1})


def test_required_parameters(lrs: LrsClient, resource: tuple) -> None:
    path, params, id_param = resource
    for name in params:
        if name == id_param:
            continue
        partial = {k: v for k, v in params.items() if k != name}
        assert lrs.put(path, {"a": 1}, partial).status == 400, name
        assert lrs.get(path, partial).status == 400, name
    assert lrs.put(path, {"a": 1}, {k: v for k, v in params.items() if k != id_param}).status == 400


def test_invalid_parameter_values(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    if "agent" in params:
        assert lrs.get(path, params | {"agent": {"mbox": "no-mailto"}}).status == 400
        assert lrs.get(path, params | {"agent": "not json"}).status == 400
    if "activityId" in params:
        assert lrs.get(path, params | {"activityId": "no scheme"}).status == 400
    assert lrs.get(path, params | {"unknown": "1"}).status == 400


def test_head_answers_like_get_without_body(lrs: LrsClient, resource: tuple) -> None:
    path, params, _ = resource
    create(lrs, path, params, {"a": 1})
    reply = lrs.request("HEAD", path, params)
    assert reply.status == 200 and reply.header("ETag")


# -- 2.3 state specifics --------------------------------------------------------------------
def test_state_put_without_preconditions_overwrites(lrs: LrsClient) -> None:
    params = state_params()
    assert lrs.put("activities/state", {"a": 1}, params).status == 204
    assert lrs.put("activities/state", {"a": 2}, params).status == 204
    assert lrs.get("activities/state", params).json() == {"a": 2}


def test_state_registration_separates_documents(lrs: LrsClient) -> None:
    params = state_params()
    reg = {"registration": str(uuid.uuid4())}
    lrs.put("activities/state", {"with": True}, params | reg)
    lrs.put("activities/state", {"with": False}, params)
    assert lrs.get("activities/state", params | reg).json() == {"with": True}
    assert lrs.get("activities/state", params).json() == {"with": False}
    assert lrs.get("activities/state", params | {"registration": "bad"}).status == 400


def test_state_delete_without_state_id_deletes_the_context(lrs: LrsClient) -> None:
    params = state_params()
    scope = {k: v for k, v in params.items() if k != "stateId"}
    other = state_params()
    for sid in ("a", "b"):
        lrs.put("activities/state", {"s": sid}, scope | {"stateId": sid})
    lrs.put("activities/state", {"keep": 1}, other)
    assert lrs.delete("activities/state", scope).status == 204
    assert lrs.get("activities/state", scope).json() == []
    assert lrs.get("activities/state", other).status == 200


def test_state_agent_must_be_an_agent(lrs: LrsClient) -> None:
    params = state_params(agent={"objectType": "Group", "member": [agent()]})
    assert lrs.put("activities/state", {"a": 1}, params).status == 400


# -- 2.4 agents, 2.5 activities -----------------------------------------------------------------
def test_agents_returns_a_person(lrs: LrsClient) -> None:
    who = {"objectType": "Agent", "name": "Kari", "mbox": "mailto:kari@example.org"}
    reply = lrs.get("agents", {"agent": who})
    assert reply.status == 200
    assert reply.json() == {
        "objectType": "Person",
        "name": ["Kari"],
        "mbox": ["mailto:kari@example.org"],
    }


def test_agents_needs_a_valid_agent(lrs: LrsClient) -> None:
    assert lrs.get("agents").status == 400
    assert lrs.get("agents", {"agent": {"name": "no ifi"}}).status == 400
    assert (
        lrs.get("agents", {"agent": {"objectType": "Group", "mbox": "mailto:g@example.org"}}).status
        == 400
    )


def test_activities_returns_the_latest_definition(lrs: LrsClient) -> None:
    act = activity_id()
    lrs.store(
        statement(
            object={
                "id": act,
                "definition": {"name": {"en": "Old"}, "type": "http://example.org/t"},
            }
        )
    )
    lrs.store(statement(object={"id": act, "definition": {"name": {"en": "New"}}}))
    reply = lrs.get("activities", {"activityId": act})
    assert reply.status == 200
    assert reply.json() == {
        "objectType": "Activity",
        "id": act,
        "definition": {"name": {"en": "New"}, "type": "http://example.org/t"},
    }


def test_activities_merges_language_maps(lrs: LrsClient) -> None:
    """Communication 2.5 (XAPI-00254): all available information from every statement; two
    descriptions in two languages both come back. Found replaced by the newer one."""
    act = activity_id()
    lrs.store(statement(object={"id": act, "definition": {"name": {"en-US": "meeting"}}}))
    lrs.store(statement(object={"id": act, "definition": {"name": {"en-GB": "example meeting"}}}))
    definition = lrs.get("activities", {"activityId": act}).json()["definition"]
    assert definition["name"] == {"en-US": "meeting", "en-GB": "example meeting"}


def test_activities_finds_a_definition_older_than_many_statements(lrs: LrsClient) -> None:
    """Only the latest 20 statements were read: an older definition was lost."""
    act = activity_id()
    lrs.store(statement(object={"id": act, "definition": {"type": "http://example.org/t"}}))
    lrs.store(*[statement(object={"id": act}) for _ in range(30)])
    parent = {"contextActivities": {"parent": [{"id": act}]}}
    lrs.store(*[statement(context=parent) for _ in range(30)])
    assert lrs.get("activities", {"activityId": act}).json()["definition"] == {
        "type": "http://example.org/t"
    }


def test_activities_returns_an_activity_even_when_unknown(lrs: LrsClient) -> None:
    act = activity_id()
    assert lrs.get("activities", {"activityId": act}).json() == {
        "objectType": "Activity",
        "id": act,
    }
    assert lrs.get("activities").status == 400
    assert lrs.get("activities", {"activityId": "no scheme"}).status == 400


def test_activity_profile_ids_are_per_activity(lrs: LrsClient) -> None:
    a, b = activity_id(), activity_id()
    lrs.put(
        "activities/profile",
        {"x": 1},
        {"activityId": a, "profileId": "p"},
        headers={"If-None-Match": "*"},
    )
    assert lrs.get("activities/profile", {"activityId": b}).json() == []
    assert json.loads(lrs.get("activities/profile", {"activityId": a}).body) == ["p"]
