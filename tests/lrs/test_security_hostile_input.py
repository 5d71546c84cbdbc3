"""Hostile input (issue 12): what is not JSON, nests without end, forges paging tokens, sends
more than the limits, gets a 4xx that names the problem, never a 500 and never a stored value
that cannot be read back (Communication 3.2.s3.b1: the most appropriate error code)."""

from __future__ import annotations

import http.client
import json
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.lrs.conftest import LrsClient, activity_id, agent, statement

EXT = "http://example.org/ext"


def _post_text(lrs: LrsClient, text: str) -> tuple[int, str]:
    reply = lrs.post("statements", text.encode(), content_type="application/json")
    return reply.status, reply.text


def _with_raw_score(raw: str) -> str:
    return json.dumps(statement(result={"score": {"raw": 0.123456}})).replace("0.123456", raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_400_naming_the_field(lrs: LrsClient, raw: str) -> None:
    """A score of NaN was stored on SQLite and came back as `"raw": NaN` (invalid JSON);
    on PostgreSQL it was a 500."""
    status, text = _post_text(lrs, _with_raw_score(raw))
    assert status == 400, text
    assert "result.score.raw" in text


def test_non_finite_numbers_in_extensions_are_400_naming_the_field(lrs: LrsClient) -> None:
    st = json.dumps(statement(result={"extensions": {EXT: {"x": 1}}})).replace(
        '{"x": 1}', '{"x": [1, NaN]}'
    )
    status, text = _post_text(lrs, st)
    assert status == 400 and "x[1]" in text, text


@pytest.mark.parametrize(
    ("escaped", "where"),
    [
        ('"Kari\\u0000"', "actor.name"),
        ('"\\ud800"', "actor.name"),
        ('"x\\uDFFFy"', "actor.name"),
    ],
    ids=["nul", "lone-high-surrogate", "lone-low-surrogate"],
)
def test_nul_and_lone_surrogates_are_400_naming_the_field(
    lrs: LrsClient, escaped: str, where: str
) -> None:
    """Each was a 500 on PostgreSQL (jsonb refuses \\u0000; a lone surrogate is not UTF-8)."""
    st = statement(actor={**agent(), "name": "PLACEHOLDER"})
    status, text = _post_text(lrs, json.dumps(st).replace('"PLACEHOLDER"', escaped))
    assert status == 400, text
    assert where in text


def test_a_surrogate_pair_is_a_character_not_an_error(lrs: LrsClient) -> None:
    st = statement(actor={**agent(), "name": "PLACEHOLDER"})
    status, text = _post_text(lrs, json.dumps(st).replace('"PLACEHOLDER"', '"\\ud83d\\ude00"'))
    assert status == 200, text


def test_nul_in_an_extension_key_is_400(lrs: LrsClient) -> None:
    st = json.dumps(statement(result={"extensions": {EXT: {"k": 1}}})).replace('"k"', '"k\\u0000"')
    status, text = _post_text(lrs, st)
    assert status == 400 and "NUL" in text, text


def _nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + "1" + close * depth


@pytest.mark.parametrize("depth", [33, 1_000, 10_000])
def test_deeply_nested_extensions_are_400(lrs: LrsClient, depth: int) -> None:
    """1,000 and 10,000 levels were 500s."""
    st = json.dumps(statement(result={"extensions": {EXT: 0}})).replace(
        f'"{EXT}": 0', f'"{EXT}": {_nested(depth)}'
    )
    status, text = _post_text(lrs, st)
    assert status == 400, text
    assert "nested" in text


def test_ten_thousand_nested_objects_are_400(lrs: LrsClient) -> None:
    inner = '{"a":' * 10_000 + "1" + "}" * 10_000
    st = json.dumps(statement(result={"extensions": {EXT: 0}})).replace(
        f'"{EXT}": 0', f'"{EXT}": {inner}'
    )
    status, text = _post_text(lrs, st)
    assert status == 400 and "nested" in text, text


def test_nesting_within_the_limit_is_kept(lrs: LrsClient) -> None:
    value = json.loads(_nested(31))
    sid = lrs.store(statement(result={"extensions": {EXT: value}}))[0]
    got = lrs.get("statements", {"statementId": sid}).json()
    assert got["result"]["extensions"][EXT] == value


def _token(state: object) -> str:
    return urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "state",
    [
        {"p": [], "c": ["2026-01-01T00:00:00", 1], "u": None},
        {"p": {}, "c": ["2026-01-01T00:00:00", 10**40], "u": None},
        {"p": {}, "c": ["2026-01-01T00:00:00", -1], "u": None},
        {"p": {}, "c": ["2026-01-01T00:00:00", "1"], "u": None},
        [1, 2, 3],
        {"p": {"more": "x"}, "c": ["2026-01-01T00:00:00", 1], "u": None},
    ],
)
def test_forged_more_tokens_are_400(lrs: LrsClient, state: object) -> None:
    reply = lrs.get("statements", {"more": _token(state)})
    assert reply.status == 400, reply.text
    assert "more" in reply.text


def test_deeply_nested_more_token_is_400(lrs: LrsClient) -> None:
    token = urlsafe_b64encode(_nested(10_000).encode()).decode()
    assert lrs.get("statements", {"more": token}).status == 400


def test_deeply_nested_agent_parameter_is_400(lrs: LrsClient) -> None:
    url = "statements?agent=" + "%5B" * 10_000
    assert lrs.get(url).status == 400


def test_non_finite_number_in_a_merged_document_is_400(lrs: LrsClient) -> None:
    params = {"activityId": activity_id(), "agent": agent(), "stateId": "s"}
    reply = lrs.post("activities/state", b'{"score": NaN}', params, content_type="application/json")
    assert reply.status == 400 and "score" in reply.text
    assert lrs.get("activities/state", params).status == 404


# -- limits --------------------------------------------------------------------------------------
def _chunks(total: int) -> Iterator[bytes]:
    """Valid JSON (a batch) for its first `total` bytes, then junk: no Content-Length."""
    one = json.dumps(statement()).encode()
    yield b"["
    sent = 1
    while sent < total:
        yield one + b","
        sent += len(one) + 1
    yield b"junk junk junk" * 1000


def test_a_chunked_body_over_the_limit_is_413_not_cut(lrs: LrsClient) -> None:
    """A chunked request, valid JSON for its first 10 MiB and junk after, was stored (200)."""
    url = urlsplit(lrs.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {
        "Authorization": lrs.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    try:
        conn.request(
            "POST",
            url.path + "/statements",
            body=_chunks(2 * 1024 * 1024 + 10),
            headers=headers,
            encode_chunked=True,
        )
        reply = conn.getresponse()
        status = reply.status
        reply.read()
    finally:
        conn.close()
    assert status == 413


def test_a_batch_over_the_cap_is_413_with_the_cap(lrs_app: Flask, lrs: LrsClient) -> None:
    """100,000 statements held a worker for 96 s: a batch has at most ELEARN_LRS_MAX_BATCH."""
    lrs_app.config["ELEARN_LRS_MAX_BATCH"] = 5
    try:
        reply = lrs.post("statements", [statement() for _ in range(6)])
        assert reply.status == 413 and "at most 5 statements" in reply.text
        assert lrs.post("statements", [statement() for _ in range(5)]).status == 200
    finally:
        lrs_app.config.pop("ELEARN_LRS_MAX_BATCH")


def test_the_default_batch_cap_is_1000(lrs_app: Flask) -> None:
    from elearn.lrs.views import max_batch

    with lrs_app.app_context():
        assert max_batch() == 1000
