"""xAPI 1.0.3 Communication 4 "Authentication" and 4.2 scopes: HTTP Basic per client, scopes,
organisations, revocation; the CLI and the admin page that manage clients."""

from __future__ import annotations

import base64
import re

from flask import Flask

from tests.conftest import PASSWORD, csrf_from, login, make_admin
from tests.lrs.conftest import LrsClient, activity_id, agent, new_client, statement


def test_no_or_wrong_credentials_are_401_with_a_challenge(lrs: LrsClient) -> None:
    reply = lrs.get("statements", auth=None)
    assert reply.status == 401 and "Basic" in reply.header("WWW-Authenticate")
    assert (
        lrs.get(
            "statements", auth="Basic " + base64.b64encode(f"{lrs.key}:wrong".encode()).decode()
        ).status
        == 401
    )
    assert lrs.get("statements", auth="Basic Og==").status == 401  # explicitly unauthenticated
    assert lrs.get("statements", auth="Bearer abc").status == 401


def test_write_only_clients_cannot_read_others(lrs_app: Flask, lrs: LrsClient) -> None:
    writer = lrs.with_credentials(*new_client(lrs_app, "statements/write"))
    assert (
        writer.get("activities/state", {"activityId": activity_id(), "agent": agent()}).status
        == 403
    )
    sid = writer.store(statement())[0]
    # Default read/mine (Communication 4.2.s6.b2): only what this client stored.
    assert writer.get("statements", {"statementId": sid}).status == 403


def test_read_mine_sees_only_its_own_statements(lrs_app: Flask, lrs: LrsClient) -> None:
    me = lrs.with_credentials(*new_client(lrs_app, "statements/write statements/read/mine"))
    act = activity_id()
    mine = me.store(statement(object={"id": act}))[0]
    lrs.store(statement(object={"id": act}))
    assert [s["id"] for s in me.get("statements", {"activity": act}).json()["statements"]] == [mine]
    assert len(lrs.get("statements", {"activity": act}).json()["statements"]) == 2


def test_read_only_clients_cannot_write(lrs_app: Flask, lrs: LrsClient) -> None:
    reader = lrs.with_credentials(*new_client(lrs_app, "statements/read"))
    reply = reader.post("statements", statement())
    assert reply.status == 403 and "statements/write" in reply.text
    assert reader.get("statements", {"limit": 1}).status == 200


def test_state_and_profile_scopes(lrs_app: Flask, lrs: LrsClient) -> None:
    state = lrs.with_credentials(*new_client(lrs_app, "state"))
    params = {"activityId": activity_id(), "agent": agent(), "stateId": "s"}
    assert state.put("activities/state", {"a": 1}, params).status == 204
    assert (
        state.put(
            "activities/profile", {"a": 1}, {"activityId": activity_id(), "profileId": "p"}
        ).status
        == 403
    )
    reader = lrs.with_credentials(*new_client(lrs_app, "all/read"))
    assert reader.get("activities/state", params).status == 200
    assert reader.put("activities/state", {"a": 2}, params).status == 403


def test_organisation_clients_see_only_their_organisation(lrs_app: Flask, lrs: LrsClient) -> None:
    bergen = lrs.with_credentials(*new_client(lrs_app, "all", "bergen"))
    bergen_reader = lrs.with_credentials(*new_client(lrs_app, "statements/read", "bergen"))
    oslo = lrs.with_credentials(*new_client(lrs_app, "all", "oslo"))
    act = activity_id()
    from_bergen = bergen.store(statement(object={"id": act}))[0]
    from_oslo = oslo.store(statement(object={"id": act}))[0]
    seen = [
        s["id"] for s in bergen_reader.get("statements", {"activity": act}).json()["statements"]
    ]
    assert seen == [from_bergen]
    assert oslo.get("statements", {"statementId": from_bergen}).status == 404
    # The platform-wide client sees both.
    assert {s["id"] for s in lrs.get("statements", {"activity": act}).json()["statements"]} == {
        from_bergen,
        from_oslo,
    }
    # Documents are kept apart per organisation too.
    params = {"activityId": act, "agent": agent(), "stateId": "s"}
    bergen.put("activities/state", {"org": "bergen"}, params)
    assert oslo.get("activities/state", params).status == 404


def test_authority_is_the_client_as_an_account_agent(lrs_app: Flask, lrs: LrsClient) -> None:
    key, secret = new_client(lrs_app, "all", name="Analyseverktøy")
    client = lrs.with_credentials(key, secret)
    sid = client.store(statement())[0]
    authority = client.get("statements", {"statementId": sid}).json()["authority"]
    assert authority["objectType"] == "Agent" and authority["account"]["name"] == key


def test_cli_creates_lists_and_revokes_clients(lrs_app: Flask, lrs: LrsClient) -> None:
    from elearn.cli import elearn_cli

    runner = lrs_app.test_cli_runner()
    created = runner.invoke(
        elearn_cli,
        [
            "lrs-client",
            "create",
            "Kommune-analyse",
            "--scope",
            "statements/read",
            "--scope",
            "statements/write",
        ],
    )
    assert created.exit_code == 0, created.output
    key = re.search(r"key:\s+(\S+)", created.output).group(1)
    secret = re.search(r"secret:\s+(\S+)", created.output).group(1)
    client = lrs.with_credentials(key, secret)
    assert client.get("statements", {"limit": 1}).status == 200
    listed = runner.invoke(elearn_cli, ["lrs-client", "list"])
    assert (
        key in listed.output and "Kommune-analyse" in listed.output and secret not in listed.output
    )
    assert runner.invoke(elearn_cli, ["lrs-client", "revoke", key]).exit_code == 0
    assert client.get("statements", {"limit": 1}).status == 401
    bad = runner.invoke(elearn_cli, ["lrs-client", "create", "x", "--scope", "everything"])
    assert bad.exit_code == 1 and "unknown scope" in bad.output


def test_secrets_are_stored_hashed(lrs_app: Flask) -> None:
    from sqlalchemy import select

    from elearn.lrs.models import LrsClient as Row

    key, secret = new_client(lrs_app, "all")
    session = lrs_app.extensions["elearn"].session_factory()
    stored = session.scalar(select(Row.secret_hash).where(Row.key == key))
    session.close()
    assert stored and secret not in stored and len(stored) == 64


def test_admin_page_creates_and_revokes_and_org_admins_see_only_their_own(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    lrs_app.config["TESTING"] = True
    try:
        make_admin(lrs_app, "root@example.org", "admin")
        make_admin(lrs_app, "bergen-admin@example.org", "org_admin", "bergen")
        web = lrs_app.test_client()
        login(web, "root@example.org")
        page = web.get("/admin/lrs-clients?lang=nn")
        assert page.status_code == 200 and "Løyndom" not in page.get_data(as_text=True)
        html = page.get_data(as_text=True)
        reply = web.post(
            "/admin/lrs-clients",
            data={
                "csrf_token": csrf_from(html),
                "name": "Platform BI",
                "scope": ["statements/read"],
            },
        )
        body = reply.get_data(as_text=True)
        assert reply.status_code == 200 and "Platform BI" in body
        key = re.search(r"<dt>Nøkkel</dt><dd><code>([^<]+)</code>", body).group(1)
        secret = re.search(r"<dt>Løyndom</dt><dd><code>([^<]+)</code>", body).group(1)
        assert lrs.with_credentials(key, secret).get("statements", {"limit": 1}).status == 200
        empty = web.post("/admin/lrs-clients", data={"csrf_token": csrf_from(body), "name": ""})
        assert empty.status_code == 400

        org = lrs_app.test_client()
        login(org, "bergen-admin@example.org")
        org_page = org.get("/admin/lrs-clients").get_data(as_text=True)
        assert key not in org_page  # a platform client is not an organisation admin's business
        from sqlalchemy import select

        from elearn.lrs.models import LrsClient as Row

        session = lrs_app.extensions["elearn"].session_factory()
        client_id = session.scalar(select(Row.id).where(Row.key == key))
        session.close()
        assert (
            org.post(
                f"/admin/lrs-clients/{client_id}/revoke", data={"csrf_token": csrf_from(org_page)}
            ).status_code
            == 404
        )
        revoked = web.post(
            f"/admin/lrs-clients/{client_id}/revoke", data={"csrf_token": csrf_from(body)}
        )
        assert revoked.status_code == 303
        assert lrs.with_credentials(key, secret).get("statements", {"limit": 1}).status == 401
        learner = lrs_app.test_client()
        make_admin(lrs_app, "learner@example.org", "learner")
        login(learner, "learner@example.org", PASSWORD)
        assert learner.get("/admin/lrs-clients").status_code == 403
    finally:
        lrs_app.config["TESTING"] = False
