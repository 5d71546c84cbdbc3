"""xAPI 1.0.3 Communication 3.1 "Concurrency", 3.2 "Error Codes", 3.3 "Versioning", including
parallel writers: no lost update with ETags, one statement stored for two racing PUTs."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.lrs.conftest import LrsClient, activity_id, agent, statement


def profile() -> dict:
    return {"activityId": activity_id(), "profileId": "p"}


# -- 3.1 concurrency --------------------------------------------------------------------------
NEW = {"If-None-Match": "*"}


def test_profile_put_without_precondition_on_an_existing_document_is_409(lrs: LrsClient) -> None:
    """Communication 3.1.s4.b13-b15."""
    params = profile()
    assert lrs.put("activities/profile", {"v": 1}, params, headers=NEW).status == 204
    reply = lrs.put("activities/profile", {"v": 2}, params)
    assert reply.status == 409 and "If-Match" in reply.text  # says how to resolve it
    assert lrs.get("activities/profile", params).json() == {"v": 1}
    agent_params = {"agent": agent(), "profileId": "p"}
    lrs.put("agents/profile", {"v": 1}, agent_params, headers=NEW)
    assert lrs.put("agents/profile", {"v": 2}, agent_params).status == 409


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("activities/profile", lambda: profile()),
        ("agents/profile", lambda: {"agent": agent(), "profileId": "p"}),
    ],
)
def test_profile_put_without_any_precondition_on_a_new_document_is_400(
    lrs: LrsClient, path: str, params: object
) -> None:
    """Communication 3.1.s3.b1: a client MUST send If-Match or If-None-Match with a profile
    PUT; a request that does not is malformed (3.2.s3.b6: 400). ADL's suite (XAPI-00273)
    expects the error; found accepted with 204."""
    where = params()  # type: ignore[operator]
    reply = lrs.put(path, {"v": 1}, where)
    assert reply.status == 400 and "If-None-Match" in reply.text
    assert lrs.get(path, where).status == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_if_match_with_a_stale_etag_is_412_and_changes_nothing(lrs: LrsClient, method: str) -> None:
    params = profile()
    lrs.put("activities/profile", {"v": 1}, params, headers=NEW)
    etag = lrs.get("activities/profile", params).header("ETag")
    assert lrs.put("activities/profile", {"v": 2}, params, headers={"If-Match": etag}).status == 204
    body = {"v": 3} if method != "DELETE" else None
    reply = lrs.request(method, "activities/profile", params, body, headers={"If-Match": etag})
    assert reply.status == 412
    assert lrs.get("activities/profile", params).json() == {"v": 2}


def test_if_none_match_star_on_an_existing_document_is_412(lrs: LrsClient) -> None:
    params = profile()
    assert (
        lrs.put("activities/profile", {"v": 1}, params, headers={"If-None-Match": "*"}).status
        == 204
    )
    assert (
        lrs.put("activities/profile", {"v": 2}, params, headers={"If-None-Match": "*"}).status
        == 412
    )
    assert lrs.get("activities/profile", params).json() == {"v": 1}


def test_if_match_on_a_missing_document_is_412(lrs: LrsClient) -> None:
    reply = lrs.put("activities/profile", {"v": 1}, profile(), headers={"If-Match": '"abc"'})
    assert reply.status == 412


def test_if_match_star_and_matching_etag_succeed(lrs: LrsClient) -> None:
    params = profile()
    lrs.put("activities/profile", {"v": 1}, params, headers=NEW)
    assert lrs.put("activities/profile", {"v": 2}, params, headers={"If-Match": "*"}).status == 204
    etag = lrs.get("activities/profile", params).header("ETag")
    assert (
        lrs.post("activities/profile", {"w": 1}, params, headers={"If-Match": etag}).status == 204
    )
    assert lrs.get("activities/profile", params).json() == {"v": 2, "w": 1}


def test_parallel_writers_with_etags_lose_no_update(lrs: LrsClient) -> None:
    """Each writer reads, adds its own key and writes back with If-Match, retrying on 412.
    With optimistic concurrency every key must survive."""
    params = {"activityId": activity_id(), "agent": agent(), "stateId": "counter"}
    assert lrs.put("activities/state", {}, params).status == 204

    def writer(n: int) -> int:
        for attempt in range(200):
            got = lrs.get("activities/state", params)
            doc = got.json() | {f"w{n}": True}
            reply = lrs.put(
                "activities/state", doc, params, headers={"If-Match": got.header("ETag")}
            )
            if reply.status == 204:
                return attempt
            assert reply.status == 412, reply.text
        raise AssertionError("writer never won")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    assert lrs.get("activities/state", params).json() == {f"w{n}": True for n in range(8)}


def test_parallel_posts_merge_without_losing_keys(lrs: LrsClient) -> None:
    params = {"activityId": activity_id(), "agent": agent(), "stateId": "merged"}
    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(lambda n: lrs.post("activities/state", {f"k{n}": n}, params), range(16))
        )
    assert all(r.status == 204 for r in replies), [r.text for r in replies if r.status != 204]
    assert lrs.get("activities/state", params).json() == {f"k{n}": n for n in range(16)}


def test_the_same_statement_id_put_by_two_clients_at_once_is_stored_once(lrs: LrsClient) -> None:
    for _ in range(5):
        st = statement(id=str(uuid.uuid4()))
        barrier = threading.Barrier(4)

        def put(variant: int, st: dict = st, barrier: threading.Barrier = barrier) -> int:
            body = st if variant % 2 == 0 else {**st, "result": {"response": f"v{variant}"}}
            barrier.wait()
            return lrs.put("statements", body, {"statementId": st["id"]}).status

        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(put, range(4)))
        assert set(statuses) <= {204, 409}, statuses
        assert lrs.get("statements", {"statementId": st["id"]}).status == 200
        stored = lrs.get("statements", {"activity": st["object"]["id"]}).json()["statements"]
        assert [s["id"] for s in stored] == [st["id"]]  # exactly one stored


def test_identical_racing_puts_all_succeed(lrs: LrsClient) -> None:
    st = statement(id=str(uuid.uuid4()))
    with ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(
                lambda _: lrs.put("statements", st, {"statementId": st["id"]}).status, range(6)
            )
        )
    assert statuses == [204] * 6


# -- 3.2 error codes ---------------------------------------------------------------------------
def test_errors_say_what_is_wrong_as_json_or_text(lrs: LrsClient) -> None:
    reply = lrs.post("statements", statement(verb={"id": "nope"}))
    assert reply.status == 400 and reply.header("Content-Type").startswith("application/json")
    assert "verb.id" in reply.json()["error"]
    text = lrs.post("statements", statement(verb={"id": "nope"}), headers={"Accept": "text/plain"})
    assert (
        text.status == 400
        and text.header("Content-Type").startswith("text/plain")
        and "verb.id" in text.text
    )


def test_unknown_parameters_and_wrong_case_are_400(lrs: LrsClient) -> None:
    assert lrs.get("statements", {"nonsense": "1"}).status == 400
    reply = lrs.get("statements", {"StatementId": str(uuid.uuid4())})
    assert reply.status == 400 and "case" in reply.text
    assert (
        lrs.get("activities/state", {"ActivityId": activity_id(), "agent": agent()}).status == 400
    )


def test_a_parameter_given_twice_is_400(lrs: LrsClient) -> None:
    reply = lrs.request("GET", "statements?limit=1&limit=2")
    assert reply.status == 400


def test_too_large_is_413_with_a_reason(lrs: LrsClient) -> None:
    big = [statement(result={"response": "x" * 100_000}) for _ in range(25)]  # > 2 MiB test limit
    reply = lrs.post("statements", big)
    assert reply.status == 413 and "ELEARN_LRS_MAX_BYTES" in reply.text


def test_unsupported_methods_are_405(lrs: LrsClient) -> None:
    assert lrs.delete("statements").status == 405
    assert lrs.put("agents", {}).status == 405


def test_unsupported_methods_are_405_even_without_credentials(lrs: LrsClient) -> None:
    # ADL conformance suite (Communication 3.2): DELETE with only the version header is 405.
    for resource, params in [
        ("statements", {"statementId": str(uuid.uuid4())}),
        ("activities", {"activityId": activity_id()}),
        ("agents", {"agent": agent()}),
    ]:
        reply = lrs.request("DELETE", resource, params, auth=False)
        assert reply.status == 405, (resource, reply.status)
        assert reply.header("Allow")
    assert (
        lrs.request("POST", "activities", {"activityId": activity_id()}, auth=False).status == 405
    )
    # A method the resource has still needs credentials.
    assert lrs.request("GET", "statements", auth=False).status == 401
    assert (
        lrs.request("DELETE", "activities/state", {"activityId": activity_id()}, auth=False).status
        == 401
    )


# -- 3.3 versioning -------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.9"])
def test_1_0_x_version_headers_are_accepted(lrs: LrsClient, version: str) -> None:
    assert lrs.get("statements", {"limit": 1}, version=version).status == 200


@pytest.mark.parametrize("version", [None, "0.95", "0.9", "1.1.0", "2.1.0", "3.0.0", "abc"])
def test_other_or_missing_version_headers_are_400_with_a_reason(
    lrs: LrsClient, version: str | None
) -> None:
    reply = lrs.get("statements", {"limit": 1}, version=version)
    assert reply.status == 400 and "X-Experience-API-Version" in reply.text


def test_every_response_carries_version_and_date(lrs: LrsClient) -> None:
    # The client checks both on every reply; here, a few that are easy to forget.
    lrs.request("OPTIONS", "statements", auth=False, version=None)
    lrs.get("statements", auth=False)
    lrs.get("statements", version=None)
