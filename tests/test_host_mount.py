"""elearn mounted in a host site (tests/host_app.py, the README's example) whose signed-in people
are the learners: one login, the host's layout, the host's admins, the host's deletions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, update
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from elearn import Elearn, HostLearner, HostOrganisation
from elearn.accounts import host as host_accounts
from elearn.accounts.models import HostLink, Membership, Organisation, User
from elearn.accounts.service import add_membership
from elearn.player.models import Attempt
from elearn.tracking.models import StoredStatement
from tests import host_app
from tests.conftest import FIXTURES, PASSWORD, PLAY_COURSE, ROOT, csrf_from, import_course
from tests.test_player import choose, enter


def host_config(engine: Engine) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "host-test-secret",
        "SQLALCHEMY_DATABASE_URI": engine.url.render_as_string(hide_password=False),
        "ELEARN_COURSES_DIR": str(FIXTURES),
        "ELEARN_LRS_ENDPOINT": "",
    }


def drop_host_tables(app: Flask) -> None:
    with app.app_context():
        host_app.db.drop_all()
        host_app.db.engine.dispose()


@pytest.fixture
def host(db: Engine) -> Iterator[Flask]:
    app = host_app.create_app(host_config(db))
    import_course(app, PLAY_COURSE)
    yield app
    drop_host_tables(app)


def add_person(app: Flask, email: str, name: str | None = "Ada Hansen", admin: bool = False) -> int:
    with app.app_context():
        person = host_app.Person(
            email=email, name=name, password_hash=generate_password_hash(PASSWORD), is_admin=admin
        )
        host_app.db.session.add(person)
        host_app.db.session.commit()
        return person.id


def update_person(app: Flask, person_id: int, **values: object) -> None:
    with app.app_context():
        person = host_app.db.session.get(host_app.Person, person_id)
        for key, value in values.items():
            setattr(person, key, value)
        host_app.db.session.commit()


def sign_in(client: FlaskClient, email: str, next_path: str = "") -> str:
    """The host's own login form; returns where the host sent the person afterwards."""
    query = f"?next={next_path}" if next_path else ""
    response = client.post(f"/login{query}", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "the host did not sign the person in"
    return response.headers["Location"]


def sign_out(client: FlaskClient) -> None:
    assert client.post("/logout").status_code == 302


def rows(app: Flask, model: type) -> list:
    session = app.extensions["elearn"].session_factory()
    try:
        return list(session.scalars(select(model)))
    finally:
        session.close()


def count(app: Flask, model: type) -> int:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        session.close()


def start(client: FlaskClient) -> str:
    page = client.get("/kurs/c/play-course").get_data(as_text=True)
    response = client.post("/kurs/c/play-course/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/kurs/a/")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def play_to_the_end(client: FlaskClient) -> str:
    page = start(client)
    _, page = choose(client, page, "listen")
    _, page = choose(client, page, "consult")
    page = enter(client, page, "second")
    _, page = choose(client, page, "interpreter")
    result = re.search(r'href="([^"]+/result)"', page)
    assert result, "no way to the course result"
    return client.get(result.group(1)).get_data(as_text=True)


def test_a_host_user_takes_a_course_as_a_pseudonymous_learner(host: Flask) -> None:
    person_id = add_person(host, "ada@kommune.no")
    client = host.test_client()
    sign_in(client, "ada@kommune.no")
    catalogue = client.get("/kurs/?lang=en").get_data(as_text=True)
    assert 'href="/kurs/profile"' in catalogue  # signed in to elearn, with no second login
    course = client.get("/kurs/c/play-course").get_data(as_text=True)
    assert "/kurs/c/play-course/start" in course and "/kurs/login" not in course
    result = play_to_the_end(client)
    assert "Passed" in result and "You scored 100%." in result

    (learner,) = rows(host, User)
    (link,) = rows(host, HostLink)
    assert link.host_id == str(person_id) and link.user_id == learner.id
    assert learner.display_name == "Ada Hansen" and learner.email == "ada@kommune.no"
    assert learner.audience == "teacher" and not learner.check_password("")
    statements = [s.body for s in rows(host, StoredStatement)]
    assert len(statements) > 10
    assert {s["actor"]["account"]["name"] for s in statements} == {learner.xapi_id}
    text = json.dumps(statements)
    assert "ada@kommune.no" not in text and "Ada Hansen" not in text
    assert f'"name": "{person_id}"' not in text  # the host's id never reaches a statement


def test_nobody_signed_in_goes_to_the_host_login_and_comes_back(host: Flask) -> None:
    add_person(host, "ada@kommune.no")
    client = host.test_client()
    response = client.get("/kurs/c/play-course/start")
    assert response.status_code in (302, 405)
    response = client.get("/kurs/profile?lang=en")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/login?next=%2Fkurs%2Fprofile%3Flang%3Den"
    back = sign_in(client, "ada@kommune.no", "%2Fkurs%2Fprofile%3Flang%3Den")
    assert back == "/kurs/profile?lang=en"
    profile = client.get(back).get_data(as_text=True)
    assert "Profile" in profile and "Log in to take the course" not in profile  # no stale flash
    # The course page's own "log in" link goes to the host's login too.
    course = host.test_client().get("/kurs/c/play-course").get_data(as_text=True)
    assert 'href="/login?next=%2Fkurs%2Fc%2Fplay-course"' in course


def test_elearns_own_account_pages_are_off_unless_the_host_asks(db: Engine) -> None:
    own = ("/kurs/login", "/kurs/register", "/kurs/forgot-password", "/kurs/reset-password/x")
    app = host_app.create_app(host_config(db))
    try:
        client = app.test_client()
        assert [client.get(path).status_code for path in own] == [404] * 4
        assert client.post("/kurs/logout").status_code in (400, 404)
    finally:
        drop_host_tables(app)
    app = host_app.create_app({**host_config(db), "ELEARN_OWN_ACCOUNTS": True})
    try:
        client = app.test_client()
        assert [client.get(path).status_code for path in own[:3]] == [200] * 3
    finally:
        drop_host_tables(app)


def test_the_hosts_logout_ends_the_learner_session(host: Flask) -> None:
    add_person(host, "ada@kommune.no")
    client = host.test_client()
    sign_in(client, "ada@kommune.no")
    assert client.get("/kurs/profile").status_code == 200
    sign_out(client)
    response = client.get("/kurs/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
    assert 'href="/kurs/profile"' not in client.get("/kurs/").get_data(as_text=True)


def test_a_changed_email_on_the_host_keeps_the_same_learner(host: Flask) -> None:
    person_id = add_person(host, "ada@kommune.no")
    client = host.test_client()
    sign_in(client, "ada@kommune.no")
    start(client)
    (before,) = rows(host, User)
    update_person(host, person_id, email="ada.hansen@kommune.no", name=None)
    profile = client.get("/kurs/profile?lang=en").get_data(as_text=True)
    assert "ada.hansen@kommune.no" in profile
    assert "Deleting your account there also deletes" in profile  # on the host, not here
    assert 'name="password"' not in profile
    (after,) = rows(host, User)
    assert (after.id, after.xapi_id) == (before.id, before.xapi_id)
    assert after.email == "ada.hansen@kommune.no"
    assert after.display_name is None  # the host no longer gives a name: none is kept
    course = client.get("/kurs/c/play-course?lang=en").get_data(as_text=True)
    assert count(host, Attempt) == 1 and "Continue where you left off" in course


def test_the_host_layout_wraps_elearns_pages_and_not_the_other_way(host: Flask) -> None:
    add_person(host, "ada@kommune.no")
    client = host.test_client()
    sign_in(client, "ada@kommune.no")
    page = client.get("/kurs/c/play-course").get_data(as_text=True)
    assert 'class="host-header"' in page and "Rådhusgata 1" in page
    assert "<title>Testkurs – Eksempel kommune</title>" in page
    assert "/kurs/elearn-static/elearn-in-host.css" in page  # elearn's CSS, in a cascade layer
    assert "/kurs/elearn-static/elearn.js" in page
    assert 'class="site-header"' not in page  # elearn's own header is not put in as well
    home = client.get("/").get_data(as_text=True)
    assert 'class="host-header"' in home and "elearn-static" not in home  # no elearn styling


def test_a_host_admin_runs_elearn_and_loses_it_with_the_role(host: Flask) -> None:
    admin_id = add_person(host, "boss@kommune.no", admin=True)
    client = host.test_client()
    sign_in(client, "boss@kommune.no")
    client.get("/kurs/?lang=en")
    admin_home = client.get("/kurs/admin/")
    assert admin_home.status_code == 200 and "Eksempel-Kommune" not in admin_home.get_data(True)
    (org,) = rows(host, Organisation)
    (membership,) = rows(host, Membership)
    assert org.slug == "eksempel-kommune" and membership.role == "org_admin"
    assert client.get("/kurs/admin/exports").status_code == 200
    update_person(host, admin_id, is_admin=False)  # the host takes the role away
    assert client.get("/kurs/admin/").status_code == 403
    (learner,) = rows(host, User)
    (membership,) = rows(host, Membership)
    assert learner.role == "learner" and membership.role == "learner"


def test_a_deleted_host_user_takes_their_learning_records_along(host: Flask) -> None:
    ada = add_person(host, "ada@kommune.no")
    bo = add_person(host, "bo@kommune.no", name="Bo")
    for email in ("ada@kommune.no", "bo@kommune.no"):
        client = host.test_client()
        sign_in(client, email)
        start(client)
    statements_before = count(host, StoredStatement)
    with host.app_context():
        assert Elearn.delete_host_learner(str(ada)) is True
        assert Elearn.delete_host_learner("never-came") is False
    assert count(host, User) == 1 and count(host, HostLink) == 1
    assert count(host, Attempt) == 1 and count(host, Membership) == 1
    assert count(host, StoredStatement) == statements_before // 2
    (left,) = rows(host, HostLink)
    assert left.host_id == str(bo)


def test_unit_leaders_and_platform_admins_follow_the_hook(host: Flask) -> None:
    oslo = HostOrganisation("oslo", "Oslo kommune", org_number="974778874", kind="municipality")
    school = HostOrganisation("oslo-skole", "Oslo skole", kind="school")
    with host.app_context():
        session = host.extensions["elearn"].session_factory()
        given = HostLearner("p-1", organisation=oslo, unit=school, roles=("unit_leader",))
        user = host_accounts.learner_for(session, given)
        session.commit()
        roles = {m.organisation_id: m.role for m in rows(host, Membership)}
        orgs = {o.slug: o for o in rows(host, Organisation)}
        assert roles == {orgs["oslo-skole"].id: "unit_leader"}
        assert orgs["oslo-skole"].parent_id == orgs["oslo"].id
        assert orgs["oslo"].org_number == "974778874"
        assert user.organisation_id == orgs["oslo"].id and user.role == "learner"
        assert user.email.endswith("@host.invalid") and user.display_name is None
        user = host_accounts.learner_for(session, HostLearner("p-1", unit="oslo-skole"))
        user2 = host_accounts.learner_for(session, HostLearner("p-2", roles=("admin",)))
        session.commit()
        assert {m.role for m in rows(host, Membership)} == {"learner"}
        assert user2.role == "admin" and user2.organisation_id is None
        session.close()


def test_the_readme_shows_the_host_app_that_these_tests_run() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Mounting elearn in your Flask site", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:python|html)\n(.*?)```", section, re.S)
    files = [Path(host_app.__file__), ROOT / "tests" / "templates" / "layout.html"]
    assert blocks == [f.read_text() for f in files]


def test_the_hosts_cli_makes_elearns_tables_beside_the_hosts_own(tmp_path: Path) -> None:
    """`flask --app host elearn upgrade` on the host's own (SQLite) database: elearn's tables
    and its own Alembic version table, and the host's table untouched."""
    url = f"sqlite:///{tmp_path / 'host.sqlite3'}"
    app = host_app.create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    try:
        result = app.test_cli_runner().invoke(args=["elearn", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            names = set(inspect(host_app.db.engine).get_table_names())
        assert "person" in names and "alembic_version" not in names
        assert {"elearn_alembic_version", "elearn_users", "elearn_host_links"} <= names
        assert all(n.startswith("elearn_") for n in names - {"person"})
    finally:
        drop_host_tables(app)


def test_a_host_user_elearn_has_deactivated_is_refused_without_a_login_loop(host: Flask) -> None:
    add_person(host, "ada@kommune.no")
    client = host.test_client()
    sign_in(client, "ada@kommune.no")
    assert client.get("/kurs/profile").status_code == 200
    session = host.extensions["elearn"].session_factory()
    session.execute(update(User).values(active=False))
    session.commit()
    session.close()
    assert client.get("/kurs/profile").status_code == 403  # not back to a login they passed


def test_the_login_view_can_be_set_to_the_hosts_single_sign_on(db: Engine) -> None:
    app = host_app.create_app({**host_config(db), "ELEARN_HOST_LOGIN_VIEW": "/sso/start"})
    try:
        response = app.test_client().get("/kurs/profile")
        assert response.headers["Location"] == "/sso/start?next=%2Fkurs%2Fprofile"
    finally:
        drop_host_tables(app)


def test_a_host_without_flask_login_is_told_what_the_hook_needs(tmp_path: Path) -> None:
    app = Flask("bare", instance_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="LoginManager"):
        Elearn(app, learner_from_host=lambda user: None)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (HostLearner(""), "external_id"),
        (HostLearner("p", profession="plumber"), "profession"),
        (HostLearner("p", roles=("superuser",)), "roles"),
        (HostLearner("p", roles="admin"), "roles"),  # type: ignore[arg-type]
        (HostLearner("p", roles=("org_admin",)), "org_admin needs an organisation"),
        (HostLearner("p", organisation="Oslo Kommune"), "organisation"),
        (HostLearner("p", unit=HostOrganisation("skole", kind="castle")), "kind"),
        (HostLearner("p", organisation=HostOrganisation("oslo", org_number="12")), "nine"),
    ],
)
def test_a_hook_that_gives_what_elearn_cannot_keep_is_told_which_field(
    host: Flask, given: HostLearner, field: str
) -> None:
    session = host.extensions["elearn"].session_factory()
    try:
        with pytest.raises(ValueError, match=field):
            host_accounts.learner_for(session, given)
    finally:
        session.close()
    assert count(host, User) == 0  # nothing half stored


def test_a_membership_an_elearn_admin_adds_stays_through_the_hosts_sync(host: Flask) -> None:
    boss_id = add_person(host, "boss@kommune.no", admin=True)
    ada_id = add_person(host, "ada@kommune.no")
    boss, ada = host.test_client(), host.test_client()
    sign_in(boss, "boss@kommune.no")
    sign_in(ada, "ada@kommune.no")
    assert boss.get("/kurs/admin/").status_code == 200
    assert ada.get("/kurs/admin/").status_code == 403  # a learner of the host's organisation
    session = host.extensions["elearn"].session_factory()
    kommune = session.scalar(select(Organisation).where(Organisation.slug == "eksempel-kommune"))
    school = Organisation(slug="eksempel-skole", name="Eksempel skole", parent_id=kommune.id)
    session.add(school)
    session.commit()
    learner = session.scalar(select(User).where(User.email == "ada@kommune.no"))
    school_id, learner_id = school.id, learner.id
    session.close()
    token = csrf_from(boss.get(f"/kurs/admin/users/{learner_id}").get_data(as_text=True))
    response = boss.post(
        f"/kurs/admin/users/{learner_id}/memberships",
        data={"csrf_token": token, "unit": school_id, "role": "unit_leader"},
    )
    assert response.status_code == 303
    # Ada's next clicks re-sync her from the hook: the school the admin gave her stays.
    for _ in range(2):
        assert ada.get("/kurs/admin/").status_code == 200, "the unit leader lost her unit"
    held = {(m.organisation_id, m.role, m.source) for m in rows(host, Membership)}
    assert (school_id, "unit_leader", "elearn") in held
    assert (kommune.id, "learner", "host") in held
    # The host makes her an admin and takes it back: only the host's membership follows.
    update_person(host, ada_id, is_admin=True)
    assert ada.get("/kurs/admin/exports").status_code == 200
    update_person(host, ada_id, is_admin=False)
    assert ada.get("/kurs/admin/exports").status_code == 403
    ada_rows = {(m.organisation_id, m.role, m.source) for m in rows(host, Membership)}
    assert {(school_id, "unit_leader", "elearn"), (kommune.id, "learner", "host")} <= ada_rows
    assert ada.get("/kurs/admin/").status_code == 200
    update_person(host, boss_id, is_admin=False)
    assert boss.get("/kurs/admin/").status_code == 403


def test_the_hosts_sync_adds_changes_and_removes_only_its_own_memberships(host: Flask) -> None:
    with host.app_context():
        session = host.extensions["elearn"].session_factory()
        given = HostLearner("p-1", organisation="oslo", unit="oslo-skole")
        user = host_accounts.learner_for(session, given)
        oslo = session.scalar(select(Organisation).where(Organisation.slug == "oslo"))
        extra = Organisation(slug="oslo-helse", name="Oslo helsestasjon", parent_id=oslo.id)
        session.add(extra)
        session.flush()
        add_membership(session, user, extra, "unit_leader")  # an elearn admin's
        session.commit()

        def held() -> dict[str, tuple[str, str]]:
            slugs = {o.id: o.slug for o in rows(host, Organisation)}
            return {slugs[m.organisation_id]: (m.role, m.source) for m in rows(host, Membership)}

        assert held() == {
            "oslo-skole": ("learner", "host"),
            "oslo-helse": ("unit_leader", "elearn"),
        }
        # The host moves the person to no unit at all: the host's row goes, the admin's stays.
        user = host_accounts.learner_for(session, HostLearner("p-1", organisation="oslo"))
        session.commit()
        assert held() == {"oslo": ("learner", "host"), "oslo-helse": ("unit_leader", "elearn")}
        # The host names the admin's unit: its role holds there, and the row is the host's now.
        given = HostLearner("p-1", organisation="oslo", unit="oslo-helse")
        user = host_accounts.learner_for(session, given)
        session.commit()
        assert held() == {"oslo-helse": ("learner", "host")}
        # Nothing from the host at all: the person keeps no host membership and no scope.
        user = host_accounts.learner_for(session, HostLearner("p-1"))
        session.commit()
        assert held() == {} and user.organisation_id is None and user.role == "learner"
        session.close()
