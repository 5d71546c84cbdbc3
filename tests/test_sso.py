"""Logging in with Feide and ID-porten against a real OpenID Connect provider on loopback
(tests/oidc_provider.py): discovery, JWKS, PKCE, state and nonce all happen over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from elearn.accounts import service as accounts
from elearn.accounts.models import Membership, Organisation, User
from elearn.db import Base
from elearn.sso.models import FeideOrgMapping, SsoIdentity
from elearn.sso.service import FEIDE_EPPN
from tests.conftest import csrf_from, make_test_app
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

PID = "23079421936"
SUBSTANTIAL = "idporten-loa-substantial"


@pytest.fixture
def idp() -> Iterator[Provider]:
    with Provider() as provider:
        yield provider


@pytest.fixture
def sso_app(db: Engine, tmp_path: Path, idp: Provider) -> Flask:
    settings = {}
    for name in ("FEIDE", "IDPORTEN"):
        settings[f"ELEARN_OIDC_{name}_ISSUER"] = idp.url
        settings[f"ELEARN_OIDC_{name}_CLIENT_ID"] = CLIENT_ID
        settings[f"ELEARN_OIDC_{name}_CLIENT_SECRET"] = CLIENT_SECRET
    return make_test_app(db, tmp_path, ELEARN_PID_HASH_KEY="pid-hash-key-for-tests", **settings)


def feide_user(**extra: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "sub": "6f2c1b7e-feide-kari",
        "name": "Kari Nordmann",
        "email": "kari@larvik.kommune.no",
        "email_verified": True,
        FEIDE_EPPN: "kari@hedrum.larvik.kommune.no",
    }
    claims.update(extra)
    return claims


def sso_login(client: FlaskClient, provider: str) -> tuple[str, object]:
    """The browser's part: to the provider over real HTTP, back with its answer (pages in
    English)."""
    client.get("/?lang=en")
    response = client.get(f"/login/{provider}")
    assert response.status_code == 302, response.get_data(as_text=True)
    at_provider = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["Location"]
    assert back.startswith(f"http://localhost/login/{provider}/callback?")
    path = back.removeprefix("http://localhost")
    return path, client.get(path)


def counts(app: Flask) -> tuple[int, int, int, int]:
    session = app.extensions["elearn"].session_factory()
    try:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (User, SsoIdentity, Membership, Organisation)
        )  # type: ignore[return-value]
    finally:
        session.close()


def signed_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200


def setup_larvik(app: Flask, **mapping: object) -> None:
    session = app.extensions["elearn"].session_factory()
    try:
        larvik = accounts.create_organisation(session, "larvik", "Larvik kommune")
        school = Organisation(
            slug="hedrum", name="Hedrum skole", parent_id=larvik.id, kind="school"
        )
        session.add(school)
        session.flush()
        values = {"organisation_id": school.id, **mapping}
        if values.get("organisation_id") is None:
            values["parent_id"] = larvik.id
        session.add(FeideOrgMapping(feide_realm="hedrum.larvik.kommune.no", **values))
        session.commit()
    finally:
        session.close()


def test_login_page_offers_only_configured_providers(sso_app: Flask, client: FlaskClient) -> None:
    page = sso_app.test_client().get("/login?lang=en").get_data(as_text=True)
    assert "Log in with Feide" in page and "Log in with ID-porten" in page
    plain = client.get("/login?lang=en").get_data(as_text=True)  # the app without ELEARN_OIDC_*
    assert "Log in with Feide" not in plain and "Log in with ID-porten" not in plain
    assert client.get("/login/feide").status_code == 404


def test_feide_login_places_the_person_in_their_mapped_unit(sso_app: Flask, idp: Provider) -> None:
    setup_larvik(sso_app)
    idp.user = feide_user()
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are signed in and placed in Hedrum skole." in page
    asked = idp.authorize_requests[-1]  # PKCE with S256, a state and a nonce
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["state"] and asked["nonce"]

    session = sso_app.extensions["elearn"].session_factory()
    user = session.scalar(select(User).where(User.email == "kari@larvik.kommune.no"))
    assert user is not None and user.display_name == "Kari Nordmann"
    [membership] = accounts.memberships_of(session, user)
    school = session.get(Organisation, membership.organisation_id)
    assert school.name == "Hedrum skole" and membership.role == "learner"
    assert session.get(Organisation, user.organisation_id).name == "Larvik kommune"
    session.close()

    before = counts(sso_app)
    again = sso_app.test_client()
    sso_login(again, "feide")
    assert signed_in(again) and counts(sso_app) == before  # the same account, nothing new


def test_feide_realm_without_mapping_signs_in_without_organisation_and_says_so(
    sso_app: Flask, idp: Provider
) -> None:
    idp.user = feide_user(**{FEIDE_EPPN: "ola@ukjent.kommune.no"})
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your organisation in Feide is not connected to elearn yet" in page
    assert signed_in(client)
    users, links, memberships, organisations = counts(sso_app)
    assert (users, links, memberships, organisations) == (1, 1, 0, 0)


def test_feide_creates_the_unit_on_first_login_when_an_org_admin_allowed_it(
    sso_app: Flask, idp: Provider
) -> None:
    setup_larvik(sso_app, organisation_id=None, allow_create=True)
    idp.user = feide_user()
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "placed in hedrum.larvik.kommune.no" in page
    session = sso_app.extensions["elearn"].session_factory()
    mapping = session.scalar(select(FeideOrgMapping))
    created = session.get(Organisation, mapping.organisation_id)
    assert created.parent_id == session.scalar(
        select(Organisation.id).where(Organisation.slug == "larvik")
    )
    session.close()


def test_idporten_keeps_only_a_keyed_hash_of_the_identity_number(
    sso_app: Flask, idp: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    idp.user = {"sub": "pairwise-abc", "pid": PID, "locale": "nn", "acr": SUBSTANTIAL}
    client = sso_app.test_client()
    _, response = sso_login(client, "idporten")
    assert response.status_code == 302 and signed_in(client)
    session = sso_app.extensions["elearn"].session_factory()
    [link] = session.scalars(select(SsoIdentity)).all()
    assert link.provider == "idporten" and len(link.subject_hash) == 64
    user = session.get(User, link.user_id)
    assert user.email.endswith("@sso.invalid") and user.language == "nn"
    for table in Base.metadata.sorted_tables:  # the number in clear nowhere in the database
        for row in session.execute(select(table)).all():
            assert PID not in repr(tuple(row)), table.name
    session.close()
    assert PID not in caplog.text  # nor in the log
    cookie = client.get_cookie("session").value
    data = sso_app.session_interface.get_signing_serializer(sso_app).loads(cookie)
    assert PID not in repr(data)  # nor in the session cookie

    idp.user = {"sub": "another-pairwise-sub", "pid": PID, "acr": SUBSTANTIAL}  # same pid
    again = sso_app.test_client()
    sso_login(again, "idporten")
    assert signed_in(again) and counts(sso_app)[:2] == (1, 1)


@pytest.mark.parametrize("fault", ["wrong issuer", "expired", "signed by another key"])
def test_a_forged_or_stale_id_token_is_refused_and_creates_nothing(
    sso_app: Flask, idp: Provider, fault: str
) -> None:
    idp.user = feide_user()
    if fault == "wrong issuer":
        idp.issuer_in_token = "https://evil.example.org"
    elif fault == "expired":
        idp.lifetime = -3600
    else:
        idp.sign_with_other_key = True
    before = counts(sso_app)
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sign-in refused" in page and "could not be verified" in page
    assert counts(sso_app) == before and not signed_in(client)


def test_a_replayed_answer_is_refused_and_creates_nothing(sso_app: Flask, idp: Provider) -> None:
    idp.user = feide_user()
    client = sso_app.test_client()
    for _ in range(20):  # clicked again and again: one pending sign-in kept, the cookie small
        client.get("/login/feide")
    assert len(client.get_cookie("session").value) < 1000
    path, response = sso_login(client, "feide")
    assert response.status_code == 302
    before = counts(sso_app)
    for browser in (client, sso_app.test_client()):  # the same browser, and an attacker's
        replay = browser.get(f"{path}&lang=en")
        assert replay.status_code == 400
        assert "expired or was already used" in replay.get_data(as_text=True)
    assert counts(sso_app) == before


@pytest.mark.parametrize("verified", [None, False])
def test_an_unverified_email_is_refused_and_creates_nothing(
    sso_app: Flask, idp: Provider, verified: bool | None
) -> None:
    claims = feide_user()
    if verified is None:
        del claims["email_verified"]
    else:
        claims["email_verified"] = verified
    idp.user = claims
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "without confirming that it is yours" in page and "No account was created" in page
    assert counts(sso_app) == (0, 0, 0, 0) and not signed_in(client)


def test_an_account_made_by_single_sign_on_can_be_deleted_from_the_profile(
    sso_app: Flask, idp: Provider
) -> None:
    idp.user = {"sub": "pairwise-abc", "pid": PID, "acr": SUBSTANTIAL}
    client = sso_app.test_client()
    sso_login(client, "idporten")
    profile = client.get("/profile?lang=en").get_data(as_text=True)
    assert "Enter your password to confirm" not in profile  # it has no password
    unticked = client.post(
        "/profile/delete-without-password", data={"csrf_token": csrf_from(profile)}
    )
    assert unticked.status_code == 302 and counts(sso_app)[:2] == (1, 1)
    done = client.post(
        "/profile/delete-without-password",
        data={"csrf_token": csrf_from(profile), "confirm": "yes"},
    )
    assert done.status_code == 302 and counts(sso_app)[:2] == (0, 0)
    assert not signed_in(client)


def test_an_invited_person_who_logs_in_with_feide_is_one_account_that_can_be_deleted(
    sso_app: Flask, idp: Provider
) -> None:
    """Invited by the org admin (an account without a password yet), then in with Feide instead
    of the mail's link: the same person, in the unit they were invited to, and with no password
    to confirm a deletion with, so the profile offers the tick box (it asked for a password
    they never had)."""
    from elearn.organisations.service import Invitee, invite

    session = sso_app.extensions["elearn"].session_factory()
    larvik = accounts.create_organisation(session, "larvik", "Larvik kommune")
    school = Organisation(slug="nanset", name="Nanset skole", parent_id=larvik.id, kind="school")
    session.add(school)
    session.flush()
    invite(session, [Invitee("kari@larvik.kommune.no", "Kari Nordmann", school, "learner")], 60)
    session.commit()
    session.close()

    idp.user = feide_user()  # the same address, verified; her realm is not connected here
    client = sso_app.test_client()
    sso_login(client, "feide")
    assert counts(sso_app)[:3] == (1, 1, 1)  # one account, one Feide link, one membership
    profile = client.get("/profile?lang=en").get_data(as_text=True)
    assert "Enter your password to confirm" not in profile
    assert "Yes, delete my account and everything about me" in profile
    assert client.get("/profile/my-data.json").get_json()["account"]["has_password"] is False
    done = client.post(
        "/profile/delete-without-password",
        data={"csrf_token": csrf_from(profile), "confirm": "yes"},
    )
    assert done.status_code == 302 and counts(sso_app)[:3] == (0, 0, 0)
    assert not signed_in(client)


def test_an_invited_person_who_came_through_feide_is_active_for_their_admin(
    sso_app: Flask, idp: Provider
) -> None:
    """The admin's people page said "Invited" for ever for someone who took Feide instead of
    the mail's link, and inviting them again mailed them a link to choose a password."""
    from elearn.organisations.service import Invitee, invite
    from tests.conftest import PASSWORD, login, make_admin

    make_admin(sso_app, "admin@larvik.kommune.no", role="org_admin", org_slug="larvik")
    session = sso_app.extensions["elearn"].session_factory()
    larvik = accounts.find_organisation(session, "larvik")
    assert larvik is not None
    school = Organisation(slug="nanset", name="Nanset skole", parent_id=larvik.id, kind="school")
    session.add(school)
    session.flush()
    kari = [Invitee("kari@larvik.kommune.no", "Kari Nordmann", school, "learner")]
    assert invite(session, kari, 60)[0].token is not None  # a link to choose a password
    session.commit()

    admin = sso_app.test_client()
    login(admin, "admin@larvik.kommune.no", PASSWORD)

    def status() -> str:
        page = admin.get("/admin/users?lang=en").get_data(as_text=True)
        row = next(r for r in page.split("<tr>") if "kari@larvik.kommune.no" in r)
        return row.rsplit("<td>", 1)[1].split("</td>")[0]

    assert status() == "Invited"
    idp.user = feide_user()
    sso_login(sso_app.test_client(), "feide")
    assert status() == "Active"
    again = invite(session, kari, 60)  # invited again (say, to a second unit): no password link
    assert again[0].token is None
    session.rollback()
    session.close()


def test_an_org_admin_connects_a_feide_realm_that_then_places_people(
    sso_app: Flask, idp: Provider
) -> None:
    from tests.conftest import PASSWORD, login, make_admin

    make_admin(sso_app, "admin@larvik.kommune.no", role="org_admin", org_slug="larvik")
    make_admin(sso_app, "admin@other.kommune.no", role="org_admin", org_slug="other")
    admin = sso_app.test_client()
    login(admin, "admin@larvik.kommune.no", PASSWORD)
    page = admin.get("/admin/feide?lang=en").get_data(as_text=True)
    assert "Feide realm" in page and "Other" not in page  # only their own tree to choose from
    session = sso_app.extensions["elearn"].session_factory()
    larvik = session.scalar(select(Organisation).where(Organisation.slug == "larvik"))
    other = session.scalar(select(Organisation).where(Organisation.slug == "other"))
    session.close()

    bad = admin.post(
        "/admin/feide",
        data={"csrf_token": csrf_from(page), "realm": "not a realm", "target": f"place:{other.id}"},
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Write the Feide organisation" in text
    assert "Choose where people" in text and counts(sso_app)[:2] == (2, 0)

    done = admin.post(
        "/admin/feide",
        data={
            "csrf_token": csrf_from(page),
            "realm": "Hedrum.Larvik.Kommune.no",
            "target": f"create:{larvik.id}",
        },
    )
    assert done.status_code == 302
    listing = admin.get("/admin/feide?lang=en").get_data(as_text=True)
    assert "<td>hedrum.larvik.kommune.no</td>" in listing
    assert "A new unit under Larvik, made at the first login</td>" in listing

    idp.user = feide_user()
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "placed in hedrum.larvik.kommune.no" in page

    outsider = sso_app.test_client()
    login(outsider, "admin@other.kommune.no", PASSWORD)
    listing = outsider.get("/admin/feide?lang=en").get_data(as_text=True)
    assert "Connected Feide organisations" not in listing  # not theirs to see
    assert (
        outsider.post("/admin/feide/1/remove", data={"csrf_token": csrf_from(listing)}).status_code
        == 404
    )


def test_an_idporten_login_below_the_required_level_is_refused(
    sso_app: Flask, idp: Provider
) -> None:
    idp.user = {"sub": "pairwise-abc", "pid": PID, "acr": "idporten-loa-low"}
    client = sso_app.test_client()
    _, response = sso_login(client, "idporten")
    assert response.status_code == 400
    assert "lower security level" in response.get_data(as_text=True)
    assert counts(sso_app) == (0, 0, 0, 0) and not signed_in(client)


def test_a_deactivated_person_is_refused(sso_app: Flask, idp: Provider) -> None:
    idp.user = feide_user()
    sso_login(sso_app.test_client(), "feide")
    session = sso_app.extensions["elearn"].session_factory()
    session.scalar(select(User)).active = False
    session.commit()
    session.close()
    client = sso_app.test_client()
    _, response = sso_login(client, "feide")
    assert response.status_code == 400 and "deactivated" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_unreachable_provider_gets_a_clear_page(
    db: Engine, tmp_path: Path, idp: Provider
) -> None:
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_OIDC_FEIDE_ISSUER="http://127.0.0.1:9",  # the discard port: nothing listens
        ELEARN_OIDC_FEIDE_CLIENT_ID=CLIENT_ID,
        ELEARN_OIDC_FEIDE_CLIENT_SECRET=CLIENT_SECRET,
    )
    response = app.test_client().get("/login/feide?lang=en")
    assert response.status_code == 502
    assert "could not be reached" in response.get_data(as_text=True)


def test_an_org_admin_who_joins_another_municipality_as_a_learner_cannot_map_into_it(
    sso_app: Flask,
) -> None:
    """`User.organisation_id` follows the last unit joined; the Feide page's scope comes from
    the org_admin memberships, so another municipality's tree is never offered nor accepted."""
    from tests.conftest import PASSWORD, login, make_admin

    setup_larvik(sso_app)
    make_admin(sso_app, "admin@other.kommune.no", role="org_admin", org_slug="other")
    session = sso_app.extensions["elearn"].session_factory()
    larvik = session.scalar(select(Organisation).where(Organisation.slug == "larvik"))
    outsider = session.scalar(select(User).where(User.email == "admin@other.kommune.no"))
    accounts.add_membership(session, outsider, larvik, "learner")  # joined Larvik as a learner
    session.commit()
    larvik_id = larvik.id
    mapping_id = session.scalar(select(FeideOrgMapping.id))
    session.close()

    admin = sso_app.test_client()
    login(admin, "admin@other.kommune.no", PASSWORD)
    page = admin.get("/admin/feide?lang=en").get_data(as_text=True)
    assert "Larvik" not in page and "Hedrum" not in page and "Other" in page
    taken = admin.post(
        "/admin/feide",
        data={
            "csrf_token": csrf_from(page),
            "realm": "x.larvik.no",
            "target": f"place:{larvik_id}",
        },
    )
    assert taken.status_code == 400 and "Choose where people" in taken.get_data(as_text=True)
    removed = admin.post(f"/admin/feide/{mapping_id}/remove", data={"csrf_token": csrf_from(page)})
    assert removed.status_code == 404
    session = sso_app.extensions["elearn"].session_factory()
    assert session.scalar(select(func.count()).select_from(FeideOrgMapping)) == 1
    session.close()


def test_a_join_link_opened_before_signing_in_with_feide_takes_effect(
    sso_app: Flask, idp: Provider
) -> None:
    """The fresh session made at sign-in dropped the join link the person had just opened."""
    from elearn.organisations import service as organisations

    setup_larvik(sso_app)
    session = sso_app.extensions["elearn"].session_factory()
    admin = accounts.create_user(session, "it@larvik.no", "a long password 1", "teacher")
    unit = Organisation(slug="torstrand", name="Torstrand skole", kind="school")
    session.add(unit)
    session.flush()
    token = organisations.new_join_link(session, unit, admin)
    session.commit()
    unit_id = unit.id
    session.close()

    idp.user = feide_user(**{FEIDE_EPPN: "kari@ukjent.kommune.no"})
    client = sso_app.test_client()
    assert "Torstrand skole" in client.get(f"/join/{token}?lang=en").get_data(as_text=True)
    _, response = sso_login(client, "feide")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are now a member of Torstrand skole" in page
    session = sso_app.extensions["elearn"].session_factory()
    kari = session.scalar(select(User).where(User.email == "kari@larvik.kommune.no"))
    assert {m.organisation_id for m in accounts.memberships_of(session, kari)} == {unit_id}
    session.close()
