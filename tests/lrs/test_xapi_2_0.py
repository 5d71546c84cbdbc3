"""xAPI 2.0 (IEEE 9274.1.1-2023) from the same endpoint, chosen per request by the version
header: what 2.0 adds or changes, and that 1.0.3 requests keep their 1.0.3 rules. ADL's 2.0.0
suite stopped at its first request before (2.0.0 was answered with 400)."""

from __future__ import annotations

import hashlib
import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.lrs.conftest import LrsClient, activity_id, agent, statement
from tests.lrs.test_comm_1_requests import multipart
from tests.lrs.test_data_2_6_signed_statements import SIGNATURE, jws


@pytest.fixture
def lrs2(lrs: LrsClient) -> Iterator[LrsClient]:
    """The same client, speaking 2.0.0 (the fixture's replies are checked for 2.0.0)."""

    class Client2(LrsClient):
        def request(self, *args: Any, **kw: Any) -> Any:
            kw.setdefault("version", "2.0.0")
            return super().request(*args, **kw)

    yield Client2(lrs.base, lrs.key, lrs.secret)


def _context_agent(who: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"objectType": "contextAgent", "agent": who, **extra}


# -- 9274.1.1 4.1.2 Headers / Versioning ------------------------------------------------------
def test_2_0_requests_are_answered_in_2_0(lrs2: LrsClient) -> None:
    reply = lrs2.get("statements", {"limit": 1})
    assert reply.status == 200 and reply.header("X-Experience-API-Version") == "2.0.0"


@pytest.mark.parametrize("version", ["2.0", "2.0.0", "2.0.1"])
def test_2_0_x_headers_are_accepted(lrs: LrsClient, version: str) -> None:
    reply = lrs.request("GET", "statements", {"limit": 1}, version=version)
    assert reply.status == 200


def test_about_lists_both_versions_except_to_a_1_0_client(lrs: LrsClient) -> None:
    for version in (None, "2.0.0"):
        assert {"1.0.3", "2.0.0"} <= set(
            lrs.get("about", auth=False, version=version).json()["version"]
        )
    # The tincan library (1.0.x) refuses an about document that names 2.0.0.
    assert "2.0.0" not in lrs.get("about", auth=False).json()["version"]


def _raw(lrs: LrsClient, method: str, path: str) -> http.client.HTTPResponse:
    url = urlsplit(lrs.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request(method, url.path + path, headers={"Authorization": lrs.auth})
    reply = conn.getresponse()
    reply.read()
    conn.close()
    return reply


def test_a_request_without_version_header_is_answered_in_the_configured_default(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    """No header says which version a client speaks: ELEARN_XAPI_DEFAULT_VERSION decides
    (1.0.3 unless set); the request is refused with 400 either way (XAPI-00331)."""
    assert _raw(lrs, "GET", "/statements").getheader("X-Experience-API-Version") == "1.0.3"
    lrs_app.config["ELEARN_XAPI_DEFAULT_VERSION"] = "2.0.0"
    try:
        reply = _raw(lrs, "GET", "/statements")
        assert reply.status == 400 and reply.getheader("X-Experience-API-Version") == "2.0.0"
    finally:
        lrs_app.config.pop("ELEARN_XAPI_DEFAULT_VERSION")


def test_2_0_has_no_alternate_request_syntax(lrs2: LrsClient) -> None:
    form = {"content": json.dumps(statement()), "X-Experience-API-Version": "2.0.0"}
    reply = lrs2.request(
        "POST",
        "statements?method=PUT",
        None,
        "&".join(f"{k}={v}" for k, v in {"statementId": str(uuid.uuid4())}.items())
        + "&"
        + "&".join(
            f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in form.items()
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status == 400 and "alternate" in reply.text


# -- 9274.1.1 Statement version ----------------------------------------------------------------
def test_statements_stored_over_2_0_get_version_2_0_0(lrs2: LrsClient, lrs: LrsClient) -> None:
    sid = lrs2.store(statement())[0]
    assert lrs2.get("statements", {"statementId": sid}).json()["version"] == "2.0.0"
    assert lrs2.post("statements", statement(version="2.0.0")).status == 200
    # 1.0.3 requests keep 1.0.x: version 2.0.0 is refused there (Data 2.4.10).
    assert lrs.post("statements", statement(version="2.0.0")).status == 400
    assert (
        lrs.get("statements", {"statementId": lrs.store(statement())[0]}).json()["version"]
        == "1.0.0"
    )


# -- 9274.1.1 Context: contextAgents and contextGroups -------------------------------------------
def test_context_agents_and_groups_are_stored_over_2_0_only(
    lrs2: LrsClient, lrs: LrsClient
) -> None:
    context = {
        "contextAgents": [_context_agent(agent(), relevantTypes=["http://example.org/types/t"])],
        "contextGroups": [
            {"objectType": "contextGroup", "group": {"objectType": "Group", "member": [agent()]}}
        ],
    }
    sid = lrs2.store(statement(context=context))[0]
    assert lrs2.get("statements", {"statementId": sid}).json()["context"] == context
    assert lrs.post("statements", statement(context=context)).status == 400  # not 1.0.3


@pytest.mark.parametrize(
    ("context", "needle"),
    [
        ({"contextAgents": [{"objectType": "Agent", "agent": agent()}]}, "objectType"),
        ({"contextAgents": [{"objectType": "contextAgent", "agent": {"key": "x"}}]}, "agent"),
        ({"contextAgents": [_context_agent(agent(), relevantTypes=[])]}, "relevantTypes"),
        ({"contextAgents": [_context_agent(agent(), relevantTypes=["abc"])]}, "relevantTypes"),
        ({"contextAgents": _context_agent(agent())}, "array"),
        ({"contextGroups": [{"objectType": "contextGroup", "group": agent()}]}, "Group"),
        (
            {
                "contextGroups": [
                    {
                        "objectType": "contextAgent",
                        "group": {"objectType": "Group", "member": [agent()]},
                    }
                ]
            },
            "objectType",
        ),
    ],
)
def test_invalid_context_agents_and_groups_are_rejected(
    lrs2: LrsClient, context: dict, needle: str
) -> None:
    for st in (
        statement(context=context),
        statement(
            object={
                "objectType": "SubStatement",
                "actor": agent(),
                "verb": {"id": "http://example.org/v"},
                "object": {"id": activity_id()},
                "context": context,
            }
        ),
    ):
        reply = lrs2.post("statements", st)
        assert reply.status == 400 and needle in reply.json()["error"], reply.text


def test_related_agents_finds_context_agents_and_group_members(lrs2: LrsClient) -> None:
    """9274.1.1 GET Statements: related_agents also matches contextAgents and contextGroups."""
    helper, member = agent(), agent()
    by_agent = lrs2.store(statement(context={"contextAgents": [_context_agent(helper)]}))[0]
    group = {"objectType": "Group", "member": [member]}
    by_group = lrs2.store(
        statement(context={"contextGroups": [{"objectType": "contextGroup", "group": group}]})
    )[0]
    for who, sid in ((helper, by_agent), (member, by_group)):
        related = lrs2.get("statements", {"agent": who, "related_agents": True}).json()
        assert [s["id"] for s in related["statements"]] == [sid]
        assert lrs2.get("statements", {"agent": who}).json()["statements"] == []


# -- 9274.1.1 Concurrency: the State resource -----------------------------------------------------
def test_a_2_0_state_put_without_precondition_on_an_existing_document_is_409(
    lrs2: LrsClient, lrs: LrsClient
) -> None:
    params = {"activityId": activity_id(), "agent": agent(), "stateId": "s"}
    assert lrs2.put("activities/state", {"v": 1}, params).status == 204  # new: fine
    reply = lrs2.put("activities/state", {"v": 2}, params)
    assert reply.status == 409 and "If-Match" in reply.text
    assert lrs2.get("activities/state", params).json() == {"v": 1}
    etag = lrs2.get("activities/state", params).header("ETag")
    assert lrs2.put("activities/state", {"v": 3}, params, headers={"If-Match": etag}).status == 204
    # 1.0.3 Communication 3.1.s3: the State resource permits PUT without concurrency headers.
    assert lrs.put("activities/state", {"v": 4}, params).status == 204


# -- 9274.1.1 Durations in comparisons (signed statements) ---------------------------------------
@pytest.mark.parametrize(
    ("signed", "sent", "status"), [("0.12", "0.1237", 200), ("0.12", "0.13", 400)]
)
def test_a_signature_compares_durations_to_hundredths(
    lrs2: LrsClient, signed: str, sent: str, status: int
) -> None:
    st = statement(id=str(uuid.uuid4()), result={"duration": f"P1DT12H36M{signed}S"})
    token = jws(st)
    att = {
        "usageType": SIGNATURE,
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(token),
        "sha2": hashlib.sha256(token).hexdigest(),
    }
    sent_st = {**st, "result": {"duration": f"P1DT12H36M{sent}S"}, "attachments": [att]}
    body, ctype = multipart(sent_st, [(token, "application/octet-stream")])
    reply = lrs2.post("statements", body, content_type=ctype)
    assert reply.status == status, reply.text
