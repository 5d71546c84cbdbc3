"""Registering, logging in and out, the profile, and deleting an account with its data."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from elearn.accounts.models import User
from elearn.player.models import Attempt
from elearn.tracking.models import StoredStatement
from tests.conftest import PASSWORD, csrf_from, login, register


def count(app: Flask, model: type) -> int:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(select(func.count()).select_from(model))
    finally:
        session.close()


def test_registration_reports_every_problem_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/register?lang=en").get_data(as_text=True)
    response = client.post(
        "/register",
        data={"csrf_token": csrf_from(page), "email": "not-an-email", "password": "short"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a valid email address" in html
    assert "at least 10 characters" in html
    assert "Choose a profession." in html
    assert 'value="not-an-email"' in html
    assert 'aria-invalid="true"' in html and 'href="#email"' in html
    assert count(app, User) == 0


def _register_as_stranger(app: Flask, email: str) -> tuple[FlaskClient, object]:
    other = app.test_client()
    page = other.get("/register?lang=en").get_data(as_text=True)
    response = other.post(
        "/register",
        data={"csrf_token": csrf_from(page), "email": email, "password": "another password",
              "audience": "health"},
    )  # fmt: skip
    return other, response


def test_password_is_stored_hashed_and_email_is_unique(app: Flask, client: FlaskClient) -> None:
    register(client, "Kari@Example.no")
    session = app.extensions["elearn"].session_factory()
    user = session.scalar(select(User))
    assert user.email == "kari@example.no"
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)
    session.close()
    _register_as_stranger(app, "KARI@example.no")
    assert count(app, User) == 1, "no second account for the same address"


def cookie_names(response: object) -> list[str]:
    """The names of the cookies an answer sets (their values are signed, and may differ)."""
    return sorted(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))


def without_csrf(response: object) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def test_registration_does_not_tell_who_has_an_account(app: Flask, client: FlaskClient) -> None:
    """Without mail (the demo), a known address gets the very answer a new one gets (status,
    redirect, page, message, cookies), and nobody is logged in: neither the newcomer nor the
    stranger who typed someone else's address."""
    register(client, "kari@example.no")
    stranger, known = _register_as_stranger(app, "kari@example.no")
    newcomer, new = _register_as_stranger(app, "ola@example.no")
    assert (known.status_code, known.headers["Location"]) == (302, "/login")
    assert (new.status_code, new.headers["Location"]) == (302, "/login")
    assert known.get_data() == new.get_data()
    assert cookie_names(known) == cookie_names(new) == ["session"]
    pages = [c.get("/login?lang=en") for c in (stranger, newcomer)]
    assert without_csrf(pages[0]) == without_csrf(pages[1])
    assert "Thank you for registering." in pages[0].get_data(as_text=True)
    assert "already" not in pages[0].get_data(as_text=True)
    assert stranger.get("/profile").status_code == 302, "the stranger is not logged in"
    assert newcomer.get("/profile").status_code == 302, "nor is the newcomer, yet"
    assert count(app, User) == 2
    login(newcomer, "ola@example.no", "another password")
    assert newcomer.get("/profile").status_code == 200, "the new account works"
    login(client, "kari@example.no")  # and the known one still has its own password


def test_login_logout_and_wrong_password(app: Flask, client: FlaskClient) -> None:
    register(client)
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert client.get("/profile").status_code == 302
    login = client.get("/login?lang=en").get_data(as_text=True)
    bad = client.post("/login", data={"csrf_token": csrf_from(login), "email": "laerer@example.no",
                                      "password": "wrong password"})  # fmt: skip
    assert bad.status_code == 401 and "Wrong email address or password." in bad.get_data(True)
    good = client.post(
        "/login?next=/c/play-course",
        data={"csrf_token": csrf_from(login), "email": "laerer@example.no", "password": PASSWORD},
    )
    assert good.headers["Location"] == "/c/play-course"


def test_login_never_redirects_to_another_site(app: Flask, client: FlaskClient) -> None:
    register(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    login = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"csrf_token": csrf_from(login), "email": "laerer@example.no", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_catalogue_shows_my_professions_courses_first(app: Flask, client: FlaskClient) -> None:
    register(client, audience="health")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "For your profession" not in page and "All courses" in page
    profile = client.get("/profile").get_data(as_text=True)
    client.post("/profile", data={"csrf_token": csrf_from(profile), "audience": "teacher",
                                  "language": "nn"})  # fmt: skip
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nn">' in page and "For yrkesgruppa di" in page
    assert "2 minutt" in page and "Ikkje starta" in page


def test_deleting_my_account_deletes_my_attempts_and_statements(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    page = client.get("/c/play-course").get_data(as_text=True)
    client.post("/c/play-course/start", data={"csrf_token": csrf_from(page)})
    other = app.test_client()
    register(other, "keep@example.no")
    page = other.get("/c/play-course").get_data(as_text=True)
    other.post("/c/play-course/start", data={"csrf_token": csrf_from(page)})
    before = count(app, StoredStatement)
    profile = client.get("/profile").get_data(as_text=True)
    wrong = client.post("/profile/delete", data={"csrf_token": csrf_from(profile), "password": "x"})
    assert wrong.status_code == 302 and count(app, User) == 2
    client.post("/profile/delete", data={"csrf_token": csrf_from(profile), "password": PASSWORD})
    assert count(app, User) == 1 and count(app, Attempt) == 1
    assert count(app, StoredStatement) == before // 2  # only the other learner's remain
    assert client.get("/profile").status_code == 302


def test_five_wrong_passwords_lock_the_account_for_a_while(app: Flask, client: FlaskClient) -> None:
    register(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    login = client.get("/login?lang=en").get_data(as_text=True)

    def attempt(password: str) -> int:
        return client.post(
            "/login",
            data={
                "csrf_token": csrf_from(login),
                "email": "laerer@example.no",
                "password": password,
            },
        ).status_code

    assert [attempt(f"wrong {i}") for i in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 401  # locked: even the right password is refused for now
    session = app.extensions["elearn"].session_factory()
    user = session.scalar(select(User))
    assert user.locked_until is not None
    user.locked_until = None  # the 15 minutes have passed
    session.commit()
    session.close()
    assert attempt(PASSWORD) == 302


def test_deletion_also_finds_statements_recorded_under_an_older_homepage(
    app: Flask, learner_client: FlaskClient
) -> None:
    page = learner_client.get("/c/play-course").get_data(as_text=True)
    learner_client.post("/c/play-course/start", data={"csrf_token": csrf_from(page)})
    assert count(app, StoredStatement) > 0
    app.extensions["elearn"].services[
        "tracking"
    ].homepage = "https://new.example"  # the setting changed
    profile = learner_client.get("/profile").get_data(as_text=True)
    learner_client.post(
        "/profile/delete", data={"csrf_token": csrf_from(profile), "password": PASSWORD}
    )
    assert count(app, StoredStatement) == 0 and count(app, User) == 0


def test_an_expired_or_missing_csrf_token_returns_to_the_form_with_a_message(
    app: Flask, learner_client: FlaskClient
) -> None:
    response = learner_client.post(
        "/c/play-course/start",
        data={"csrf_token": "stale"},
        headers={"Referer": "http://localhost/c/play-course?lang=nn"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/c/play-course?lang=nn"
    page = learner_client.get("/c/play-course?lang=nn").get_data(as_text=True)
    assert "The form was too old" in page  # said in the language the learner was using
    # Without a page of ours to go back to, the error page is in the learner's language.
    bare = learner_client.post("/c/play-course/start?lang=en", data={"csrf_token": "x"})
    assert bare.status_code == 400 and "The form was too old" in bare.get_data(as_text=True)


def _user(app: Flask, email: str) -> User:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(select(User).where(User.email == email))
    finally:
        session.close()


def test_the_login_form_shows_the_error_summary_and_says_deactivated_only_after_the_password(
    app: Flask, client: FlaskClient
) -> None:
    register(client)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    login = client.get("/login?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_from(login), "email": "  laerer@example.no ", "password": "nope"}
    bad = client.post("/login", data=data)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 401 and 'id="error-summary"' in page
    assert '<a href="#email">Wrong email address or password.</a>' in page
    assert 'value="laerer@example.no"' in page and 'aria-invalid="true"' in page
    assert _user(app, "laerer@example.no").failed_logins == 1  # the lockout still counts
    session = app.extensions["elearn"].session_factory()
    session.execute(update(User).values(active=False))
    session.commit()
    session.close()
    wrong = client.post("/login", data=data).get_data(as_text=True)
    assert "Wrong email address or password." in wrong and "deactivated" not in wrong
    right = client.post("/login", data={**data, "password": PASSWORD})
    assert right.status_code == 401 and "Your account has been deactivated." in right.get_data(True)
    assert client.get("/profile").status_code == 302, "a deactivated person is not logged in"
    empty = client.post("/login", data={"csrf_token": data["csrf_token"]})
    assert empty.status_code == 401 and "Wrong email address or password." in empty.get_data(True)


def test_the_profile_form_keeps_the_choice_until_it_is_valid(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    profile = client.get("/profile?lang=en").get_data(as_text=True)
    assert 'value="teacher" checked' in profile and 'value="en" lang="en" selected' in profile
    token = csrf_from(profile)
    bad = client.post("/profile", data={"csrf_token": token, "audience": "pilot", "language": "nn"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and '<a href="#audience">Choose a profession.</a>' in page
    assert 'value="nn" lang="nn" selected' in page, "the language chosen is kept on the page"
    none = client.post("/profile", data={"csrf_token": token, "language": "nn"})
    assert none.status_code == 400 and "Choose a profession." in none.get_data(as_text=True)
    user = _user(app, "laerer@example.no")
    assert (user.audience, user.language) == ("teacher", "en"), "nothing saved"
    good = client.post(
        "/profile", data={"csrf_token": token, "audience": "health", "language": "xx"}
    )
    assert good.status_code == 302
    user = _user(app, "laerer@example.no")
    assert (user.audience, user.language) == ("health", None), "an unknown language is no choice"


def test_login_answers_an_unknown_address_as_it_answers_a_wrong_password(
    app: Flask, client: FlaskClient
) -> None:
    register(client, "kari@example.no")
    answers = []
    for email in ("kari@example.no", "nobody@example.no"):
        stranger = app.test_client()
        page = stranger.get("/login?lang=en").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page), "email": email, "password": "a wrong guess"}
        answers.append(stranger.post("/login", data=data))
    known, unknown = answers
    assert known.status_code == unknown.status_code == 401
    assert without_csrf(known).replace("kari@", "?@") == without_csrf(unknown).replace(
        "nobody@", "?@"
    )
    assert cookie_names(known) == cookie_names(unknown)
