"""xAPI 1.0.3 Communication 1 "Requests": HEAD (1.1), the alternate request syntax (1.3),
encoding (1.4), content types and attachments in multipart/mixed (1.5), plus CORS for content
in the browser."""

from __future__ import annotations

import hashlib
import json
import uuid
from urllib.parse import urlencode

from tests.lrs.conftest import LrsClient, activity_id, agent, statement

USAGE = "http://example.org/attachment-usage/test"


def multipart(
    statements: object, parts: list[tuple[bytes, str]], boundary: str = "abcABC0123'()+_,-./:=?"
) -> tuple[bytes, str]:
    out = [
        f"--{boundary}\r\nContent-Type:application/json\r\n\r\n".encode(),
        json.dumps(statements).encode(),
    ]
    for data, ctype in parts:
        sha = hashlib.sha256(data).hexdigest()
        out.append(
            f"\r\n--{boundary}\r\nContent-Type:{ctype}\r\nContent-Transfer-Encoding:binary\r\nX-Experience-API-Hash:{sha}\r\n\r\n".encode()
        )
        out.append(data)
    out.append(f"\r\n--{boundary}--".encode())
    return b"".join(out), f'multipart/mixed; boundary="{boundary}"'


def attachment(data: bytes, ctype: str = "text/plain") -> dict:
    return {
        "usageType": USAGE,
        "display": {"en-US": "A test attachment"},
        "contentType": ctype,
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
    }


# -- 1.1 HEAD ----------------------------------------------------------------------------------
def test_head_answers_every_get_resource_without_a_body(lrs: LrsClient) -> None:
    sid = lrs.store(statement())[0]
    for resource, params in (
        ("statements", {"statementId": sid}),
        ("statements", {"limit": 1}),
        ("activities", {"activityId": activity_id()}),
        ("agents", {"agent": agent()}),
        ("activities/state", {"activityId": activity_id(), "agent": agent()}),
        ("about", {}),
    ):
        get = lrs.get(resource, params)
        head = lrs.request("HEAD", resource, params)
        assert head.status == get.status == 200 and head.body == b"", resource
        if resource == "statements":
            assert head.header("X-Experience-API-Consistent-Through")
    assert lrs.request("HEAD", "statements", {"statementId": str(uuid.uuid4())}).status == 404


# -- 1.3 alternate request syntax -------------------------------------------------------------------
def alt(
    lrs: LrsClient, method: str, resource: str, form: dict, query: dict | None = None
) -> object:
    fields = {"Authorization": lrs.auth, "X-Experience-API-Version": "1.0.3"} | form
    path = f"{resource}?method={method}" + (("&" + urlencode(query)) if query else "")
    return lrs.request(
        "POST",
        path,
        body=urlencode(fields),
        auth=False,
        version=None,
        content_type="application/x-www-form-urlencoded",
    )


def test_alternate_syntax_put_get_and_post(lrs: LrsClient) -> None:
    sid = str(uuid.uuid4())
    st = statement(id=sid)
    put = alt(
        lrs,
        "PUT",
        "statements",
        {"statementId": sid, "Content-Type": "application/json", "content": json.dumps(st)},
    )
    assert put.status == 204, put.text
    got = alt(lrs, "GET", "statements", {"statementId": sid})
    assert got.status == 200 and got.json()["id"] == sid
    posted = alt(
        lrs,
        "POST",
        "statements",
        {"Content-Type": "application/json", "content": json.dumps([statement()])},
    )
    assert posted.status == 200 and len(posted.json()) == 1
    long_query = alt(
        lrs, "GET", "statements", {"agent": json.dumps(st["actor"]), "activity": st["object"]["id"]}
    )
    assert [s["id"] for s in long_query.json()["statements"]] == [sid]


def test_alternate_syntax_for_documents_with_if_match(lrs: LrsClient) -> None:
    params = {"activityId": activity_id(), "agent": json.dumps(agent()), "stateId": "s"}
    assert (
        alt(
            lrs,
            "PUT",
            "activities/state",
            params | {"Content-Type": "application/json", "content": '{"a": 1}'},
        ).status
        == 204
    )
    etag = alt(lrs, "GET", "activities/state", params).header("ETag")
    assert (
        alt(
            lrs,
            "POST",
            "activities/state",
            params | {"Content-Type": "application/json", "content": '{"b": 2}', "If-Match": etag},
        ).status
        == 204
    )
    assert alt(lrs, "DELETE", "activities/state", params | {"If-Match": '"stale"'}).status == 412
    assert alt(lrs, "GET", "activities/state", params).json() == {"a": 1, "b": 2}


def test_alternate_syntax_needs_post_and_a_form(lrs: LrsClient) -> None:
    assert lrs.request("GET", "statements?method=GET").status == 400
    reply = lrs.request("POST", "statements?method=GET", body="{}", content_type="application/json")
    assert reply.status == 400 and "x-www-form-urlencoded" in reply.text
    assert alt(lrs, "PATCH", "statements", {}).status == 400


def test_alternate_syntax_takes_no_other_query_parameter(lrs: LrsClient) -> None:
    # 1.3.s3.b3/b13: only "method" in the query string; ADL's suite expects 400 for the rest.
    sid = str(uuid.uuid4())
    form = {"statementId": sid, "Content-Type": "application/json"}
    reply = alt(
        lrs,
        "PUT",
        "statements",
        form | {"content": json.dumps(statement(id=sid))},
        query={"statementId": sid},
    )
    assert reply.status == 400 and "statementId" in reply.text
    assert lrs.get("statements", {"statementId": sid}).status == 404
    assert alt(lrs, "GET", "statements", {}, query={"limit": "1"}).status == 400


def test_alternate_syntax_statement_content_without_a_content_type_is_json(lrs: LrsClient) -> None:
    # 1.3.s3.b10 (the Content-Type form field) is only a SHOULD: statements default to JSON.
    sid = str(uuid.uuid4())
    reply = alt(
        lrs, "PUT", "statements", {"statementId": sid, "content": json.dumps(statement(id=sid))}
    )
    assert reply.status == 204, reply.text
    assert lrs.get("statements", {"statementId": sid}).json()["id"] == sid
    posted = alt(lrs, "POST", "statements", {"content": json.dumps(statement())})
    assert posted.status == 200 and len(posted.json()) == 1


def test_alternate_syntax_needs_credentials_and_version_in_the_form(lrs: LrsClient) -> None:
    reply = lrs.request(
        "POST",
        "statements?method=GET",
        body=urlencode({"limit": "1"}),
        auth=False,
        version="1.0.3",
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status == 401


# -- 1.4 encoding ----------------------------------------------------------------------------------
def test_strings_are_utf_8(lrs: LrsClient) -> None:
    st = statement(verb={"id": "http://example.org/verbs/x", "display": {"nn": "Æøå – «sjå» 🙂"}})
    sid = lrs.store(st)[0]
    assert (
        lrs.get("statements", {"statementId": sid}).json()["verb"]["display"]["nn"]
        == "Æøå – «sjå» 🙂"
    )


# -- 1.5 multipart/mixed and attachments -------------------------------------------------------------
def test_statement_with_an_attachment_round_trips_in_multipart(lrs: LrsClient) -> None:
    data = b"here is a simple attachment"
    st = statement(attachments=[attachment(data)])
    body, ctype = multipart(st, [(data, "text/plain")])
    reply = lrs.post("statements", body, content_type=ctype)
    assert reply.status == 200, reply.text
    sid = reply.json()[0]
    plain = lrs.get("statements", {"statementId": sid})
    assert plain.header("Content-Type") == "application/json" and data not in plain.body
    full = lrs.get("statements", {"statementId": sid, "attachments": True})
    assert full.header("Content-Type").startswith("multipart/mixed")
    assert data in full.body and hashlib.sha256(data).hexdigest().encode() in full.body
    listed = lrs.get("statements", {"activity": st["object"]["id"], "attachments": True})
    assert data in listed.body and b'"statements"' in listed.body


def test_put_with_multipart_and_binary_data(lrs: LrsClient) -> None:
    data = bytes(range(256)) * 4
    sid = str(uuid.uuid4())
    body, ctype = multipart(
        statement(attachments=[attachment(data, "application/octet-stream")]),
        [(data, "application/octet-stream")],
    )
    assert lrs.put("statements", body, {"statementId": sid}, content_type=ctype).status == 204
    assert data in lrs.get("statements", {"statementId": sid, "attachments": True}).body


def test_one_part_for_the_same_attachment_in_several_statements(lrs: LrsClient) -> None:
    data = b"shared"
    body, ctype = multipart(
        [statement(attachments=[attachment(data)]), statement(attachments=[attachment(data)])],
        [(data, "text/plain")],
    )
    assert lrs.post("statements", body, content_type=ctype).status == 200


def test_multipart_without_attachments_or_with_file_urls_only_is_accepted(lrs: LrsClient) -> None:
    body, ctype = multipart([statement()], [])
    assert lrs.post("statements", body, content_type=ctype).status == 200
    remote = attachment(b"elsewhere") | {"fileUrl": "http://example.org/file"}
    body, ctype = multipart([statement(attachments=[remote])], [])
    assert lrs.post("statements", body, content_type=ctype).status == 200


def test_attachment_without_data_or_file_url_is_rejected(lrs: LrsClient) -> None:
    st = statement(attachments=[attachment(b"missing")])
    assert lrs.post("statements", st).status == 400  # application/json needs a fileUrl
    body, ctype = multipart(st, [])
    reply = lrs.post("statements", body, content_type=ctype)
    assert reply.status == 400 and "attachments[0]" in reply.text


def test_parts_must_match_their_hash_and_belong_to_an_attachment(lrs: LrsClient) -> None:
    data = b"real data"
    st = statement(attachments=[attachment(data)])
    body, ctype = multipart(st, [(data, "text/plain")])
    tampered = body.replace(b"real data", b"fake data")
    assert lrs.post("statements", tampered, content_type=ctype).status == 400
    extra, ctype = multipart(st, [(data, "text/plain"), (b"stray", "text/plain")])
    assert lrs.post("statements", extra, content_type=ctype).status == 400


def test_parts_need_the_hash_header_and_binary_encoding(lrs: LrsClient) -> None:
    data = b"x"
    st = statement(attachments=[attachment(data)])
    body, ctype = multipart(st, [(data, "text/plain")])
    no_hash = body.replace(b"X-Experience-API-Hash:", b"X-Other:")
    assert lrs.post("statements", no_hash, content_type=ctype).status == 400
    base64_encoded = body.replace(
        b"Content-Transfer-Encoding:binary", b"Content-Transfer-Encoding:base64"
    )
    assert lrs.post("statements", base64_encoded, content_type=ctype).status == 400


def test_first_part_must_be_json(lrs: LrsClient) -> None:
    body, ctype = multipart([statement()], [])
    body = body.replace(b"Content-Type:application/json", b"Content-Type:text/plain", 1)
    assert lrs.post("statements", body, content_type=ctype).status == 400


def test_attachments_cannot_use_the_alternate_syntax(lrs: LrsClient) -> None:
    body, _ = multipart([statement()], [])
    reply = alt(
        lrs,
        "POST",
        "statements",
        {"Content-Type": "multipart/mixed; boundary=x", "content": body.decode()},
    )
    assert reply.status == 400


# -- CORS ----------------------------------------------------------------------------------------
def test_cors_preflight_and_exposed_headers(lrs: LrsClient) -> None:
    pre = lrs.request(
        "OPTIONS",
        "statements",
        auth=False,
        version=None,
        headers={
            "Origin": "https://content.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version",
        },
    )
    assert pre.status in (200, 204)
    assert pre.header("Access-Control-Allow-Origin") == "*"
    assert "PUT" in pre.header("Access-Control-Allow-Methods")
    allowed = pre.header("Access-Control-Allow-Headers").lower()
    assert all(
        h in allowed
        for h in ("authorization", "content-type", "x-experience-api-version", "if-match")
    )
    assert pre.header("Access-Control-Allow-Credentials") is None  # never cookies
    got = lrs.get("statements", {"limit": 1}, headers={"Origin": "https://content.example"})
    exposed = got.header("Access-Control-Expose-Headers")
    assert "ETag" in exposed and "X-Experience-API-Consistent-Through" in exposed
    assert got.header("Set-Cookie") is None
