"""Roles are checked on every admin route: learners are refused, admins get in."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from elearn.cli import elearn_cli
from tests.conftest import PASSWORD, login, make_admin, register


def test_admin_home_needs_login(client: FlaskClient) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_learner_gets_403_with_an_explanation(learner_client: FlaskClient) -> None:
    response = learner_client.get("/admin/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "does not have access" in response.get_data(as_text=True)


def test_org_admin_sees_their_organisation(app: Flask, client: FlaskClient) -> None:
    make_admin(app, "it@bergen.kommune.no", role="org_admin", org_slug="bergen")
    login(client, "it@bergen.kommune.no")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Bergen" in page
    # The navigation shows the admin link only to admins.
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_learner_navigation_has_no_admin_link(learner_client: FlaskClient) -> None:
    assert 'href="/admin/"' not in learner_client.get("/").get_data(as_text=True)


def test_cli_refuses_an_org_admin_without_organisation(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = ["create-user", "a@example.no", "--password", PASSWORD, "--role", "org_admin"]
    result = runner.invoke(elearn_cli, args)
    assert result.exit_code == 1 and "needs --org" in result.output
    result = runner.invoke(elearn_cli, [*args, "--org", "nowhere"])
    assert result.exit_code == 1 and "no organisation 'nowhere'" in result.output
    # Nothing half-made: the address is still free.
    register(app.test_client(), "a@example.no")


def test_cli_refuses_a_bad_or_duplicate_organisation_slug(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(elearn_cli, ["create-org", "Bad Slug", "--name", "X"])
    assert result.exit_code == 1 and "lowercase" in result.output
    assert runner.invoke(elearn_cli, ["create-org", "oslo", "--name", "Oslo"]).exit_code == 0
    result = runner.invoke(elearn_cli, ["create-org", "oslo", "--name", "Oslo"])
    assert result.exit_code == 1 and "exists already" in result.output
