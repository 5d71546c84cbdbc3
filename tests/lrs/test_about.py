"""xAPI 1.0.3 Communication 2.8 "About Resource"."""

from __future__ import annotations

from tests.lrs.conftest import LrsClient


def test_about_lists_the_versions_including_1_0_3(lrs: LrsClient) -> None:
    reply = lrs.get("about", auth=False)
    assert reply.status == 200
    body = reply.json()
    assert "1.0.3" in body["version"] and "1.0.0" in body["version"]


def test_about_has_no_properties_outside_version_and_extensions(lrs: LrsClient) -> None:
    assert set(lrs.get("about", auth=False).json()) <= {"version", "extensions"}


def test_about_needs_no_authentication(lrs: LrsClient) -> None:
    assert lrs.get("about", auth=False).status == 200


def test_about_does_not_reject_requests_for_their_version_header(lrs: LrsClient) -> None:
    # 2.8.s5.b4: no header, an old one or a future one: still 200.
    for version in (None, "0.95", "2.0.0", "1.0.3"):
        assert lrs.get("about", auth=False, version=version).status == 200


def test_about_answers_head_without_a_body(lrs: LrsClient) -> None:
    reply = lrs.request("HEAD", "about", auth=False)
    assert reply.status == 200 and reply.body == b""


def test_about_refuses_writes(lrs: LrsClient) -> None:
    assert lrs.put("about", {"version": ["9"]}).status == 405
