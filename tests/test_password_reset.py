"""Password reset by e-mail and registration by e-mail, through a real SMTP server on loopback
(aiosmtpd): the mails are read as delivered and their links followed."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from elearn.accounts import service
from elearn.accounts.models import AccountToken, User
from tests.conftest import PASSWORD, PLAY_COURSE, csrf_from, import_course, login, make_test_app
from tests.test_accounts import cookie_names, without_csrf

NEW_PASSWORD = "a brand new passphrase"


class Inbox:
    """aiosmtpd handler: every delivered message, parsed."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
        parsed = email.message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[attr-defined]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int) -> list[tuple[list[str], Message]]:
        """Mail leaves in a background thread: wait (up to 30 s) until `count` have arrived."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=30)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(db: Engine, tmp_path: Path, inbox: Inbox) -> Flask:
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=inbox.port,  # type: ignore[attr-defined]
        ELEARN_MAIL_FROM="kurs@kommune.example",
    )
    import_course(app, PLAY_COURSE)
    return app


def _make_user(app: Flask, email_address: str, language: str | None = "nb") -> None:
    session = app.extensions["elearn"].session_factory()
    try:
        service.create_user(session, email_address, PASSWORD, "teacher", language)
        session.commit()
    finally:
        session.close()


def _user(app: Flask, email_address: str) -> User | None:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(select(User).where(User.email == email_address))
    finally:
        session.close()


def _ask_for_reset(client: FlaskClient, email_address: str) -> object:
    page = client.get("/forgot-password?lang=en").get_data(as_text=True)
    return client.post(
        "/forgot-password", data={"csrf_token": csrf_from(page), "email": email_address}
    )


def _body(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode(message.get_content_charset() or "utf-8")


def _link(message: Message) -> str:
    match = re.search(r"http://localhost(/\S+)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _choose_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> object:
    page = client.get(path)
    token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else "x"
    if page.status_code != 200:  # a dead link: post with a token from another page
        token = csrf_from(client.get("/forgot-password").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "password": password})


def _can_log_in(app: Flask, email_address: str, password: str) -> bool:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "email": email_address, "password": password}
    return client.post("/login", data=data).status_code == 302


def test_the_login_page_offers_a_reset(mail_app: Flask) -> None:
    page = mail_app.test_client().get("/login?lang=en").get_data(as_text=True)
    assert 'href="/forgot-password"' in page and "Forgot your password?" in page


def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_gets_mail(
    mail_app: Flask, inbox: Inbox
) -> None:
    _make_user(mail_app, "kari@example.no")
    unknown = _ask_for_reset(mail_app.test_client(), "nobody@example.no")
    known = _ask_for_reset(mail_app.test_client(), "Kari@Example.no")
    assert (unknown.status_code, unknown.get_data()) == (known.status_code, known.get_data())
    assert cookie_names(unknown) == cookie_names(known), "no cookie set in one case only"
    assert known.status_code == 200
    assert "If there is an account with this address" in known.get_data(as_text=True)
    messages = inbox.wait_for(1)
    assert [to for to, _ in messages] == [["kari@example.no"]], "no mail to an unknown address"


def test_the_mail_is_in_the_learners_language_and_explains_itself(
    mail_app: Flask, inbox: Inbox
) -> None:
    _make_user(mail_app, "kari@example.no", language="nn")
    _ask_for_reset(mail_app.test_client(), "kari@example.no")  # asked from an English page
    (_, message), *_ = inbox.wait_for(1)
    assert message["From"] == "kurs@kommune.example"
    assert message.get_content_type() == "text/plain"
    assert message["Content-Language"] == "nn"
    body = _body(message)
    assert "/reset-password/" in body
    assert "verkar éin gong, i 60 minutt" in body  # how long it works, in nynorsk
    assert "Om du ikkje bad om dette, kan du sjå bort frå e-posten" in body  # if it was not them
    assert message["Subject"].startswith("Vel nytt passord")


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(
    mail_app: Flask, inbox: Inbox
) -> None:
    _make_user(mail_app, "kari@example.no")
    phone = mail_app.test_client()
    login(phone, "kari@example.no")
    assert phone.get("/profile").status_code == 200
    # Locked out by someone guessing: the reset opens the account again.
    for _ in range(5):
        _can_log_in(mail_app, "kari@example.no", "a wrong guess!")
    assert _user(mail_app, "kari@example.no").locked_until is not None

    browser = mail_app.test_client()
    _ask_for_reset(browser, "kari@example.no")
    path = _link(inbox.wait_for(1)[0][1])
    assert "no-store" in browser.get(path).headers["Cache-Control"]
    done = _choose_password(browser, path)
    assert done.status_code == 302 and browser.get("/profile").status_code == 200, "logged in"
    assert phone.get("/profile").status_code == 302, "the other session has ended"
    assert not _can_log_in(mail_app, "kari@example.no", PASSWORD), "the old password is dead"
    assert _can_log_in(mail_app, "kari@example.no", NEW_PASSWORD)

    again = mail_app.test_client()
    assert again.get(path).status_code == 400
    assert _choose_password(again, path, "yet another password").status_code == 400
    assert _can_log_in(mail_app, "kari@example.no", NEW_PASSWORD), "the link worked once only"


def test_a_short_password_is_refused_and_the_link_still_works(
    mail_app: Flask, inbox: Inbox
) -> None:
    _make_user(mail_app, "kari@example.no")
    client = mail_app.test_client()
    _ask_for_reset(client, "kari@example.no")
    path = _link(inbox.wait_for(1)[0][1])
    short = _choose_password(client, path + "?lang=en", "short")
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    assert _choose_password(client, path).status_code == 302


def test_an_expired_link_is_refused(mail_app: Flask, inbox: Inbox) -> None:
    _make_user(mail_app, "kari@example.no")
    client = mail_app.test_client()
    _ask_for_reset(client, "kari@example.no")
    path = _link(inbox.wait_for(1)[0][1])
    session = mail_app.extensions["elearn"].session_factory()
    an_hour_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=61)
    session.execute(update(AccountToken).values(expires_at=an_hour_ago + dt.timedelta(minutes=60)))
    session.commit()
    session.close()
    assert client.get(path + "?lang=en").status_code == 400
    assert _choose_password(client, path).status_code == 400
    assert _can_log_in(mail_app, "kari@example.no", PASSWORD)


def test_a_link_for_one_user_cannot_reset_another(mail_app: Flask, inbox: Inbox) -> None:
    _make_user(mail_app, "kari@example.no")
    _make_user(mail_app, "ola@example.no")
    _ask_for_reset(mail_app.test_client(), "ola@example.no")
    path = _link(inbox.wait_for(1)[0][1])
    kari = mail_app.test_client()
    login(kari, "kari@example.no")  # Kari, logged in, uses Ola's link
    assert _choose_password(kari, path).status_code == 302
    assert _can_log_in(mail_app, "kari@example.no", PASSWORD), "Kari's password is unchanged"
    assert _can_log_in(mail_app, "ola@example.no", NEW_PASSWORD), "the link reset Ola only"
    assert not _can_log_in(mail_app, "ola@example.no", PASSWORD)


def test_a_new_link_is_stored_only_as_a_hash(mail_app: Flask, inbox: Inbox) -> None:
    _make_user(mail_app, "kari@example.no")
    _ask_for_reset(mail_app.test_client(), "kari@example.no")
    token = _link(inbox.wait_for(1)[0][1]).rsplit("/", 1)[1]
    session = mail_app.extensions["elearn"].session_factory()
    stored = session.scalars(select(AccountToken.token_hash)).all()
    session.close()
    assert stored and token not in stored and all(len(h) == 64 for h in stored)


def test_reset_requests_naming_one_address_are_limited(
    db: Engine, tmp_path: Path, inbox: Inbox
) -> None:
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=inbox.port,  # type: ignore[attr-defined]
        ELEARN_MAIL_LIMIT_PER_RECIPIENT="2/hour",
    )
    _make_user(app, "kari@example.no")
    statuses = [_ask_for_reset(app.test_client(), "kari@example.no").status_code for _ in range(3)]
    unknown = [_ask_for_reset(app.test_client(), "x@example.no").status_code for _ in range(3)]
    assert statuses == unknown == [200, 200, 429]


def _register(client: FlaskClient, email_address: str, password: str = PASSWORD) -> object:
    page = client.get("/register?lang=en").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "email": email_address,
        "password": password,
        "audience": "health",
        "language": "en",
    }
    return client.post("/register", data=data)


def test_registration_with_mail_answers_the_same_for_a_known_address(
    mail_app: Flask, inbox: Inbox
) -> None:
    _make_user(mail_app, "kari@example.no", language="en")
    known = _register(mail_app.test_client(), "kari@example.no", "an attacker's guess")
    new = _register(mail_app.test_client(), "ola@example.no")
    assert (
        (known.status_code, known.get_data())
        == (new.status_code, new.get_data())
        == (
            new.status_code,
            new.get_data(),
        )
    )
    assert new.status_code == 200 and "already" not in new.get_data(as_text=True)
    assert without_csrf(known) == without_csrf(new)
    assert cookie_names(known) == cookie_names(new), "no cookie set in one case only"
    mails = {to[0]: message for to, message in inbox.wait_for(2)}
    assert "You already have an account" in mails["kari@example.no"]["Subject"]
    assert "/reset-password/" in _body(mails["kari@example.no"])
    assert _can_log_in(mail_app, "kari@example.no", PASSWORD), "the known account is untouched"
    session = mail_app.extensions["elearn"].session_factory()
    assert session.scalar(select(func.count()).select_from(User)) == 1, "no account before the link"
    session.close()

    path = _link(mails["ola@example.no"])
    ola = mail_app.test_client()
    assert ola.get(path).status_code == 200, "opening the link (a mail scanner) uses nothing"
    token = csrf_from(ola.get(path).get_data(as_text=True))
    assert ola.post(path, data={"csrf_token": token}).status_code == 302
    assert ola.get("/profile").status_code == 200
    assert _user(mail_app, "ola@example.no").audience == "health"
    assert _can_log_in(mail_app, "ola@example.no", PASSWORD)
    assert ola.post(path, data={"csrf_token": token}).status_code == 400, "once only"


def test_without_a_mail_server_the_link_goes_to_the_log(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """`make run` has no SMTP host: the reset still works, through the server log."""
    _make_user(app, "kari@example.no")
    client = app.test_client()
    with caplog.at_level("WARNING", logger="elearn.mail"):
        assert _ask_for_reset(client, "kari@example.no").status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "elearn.mail")
    match = re.search(r"http://localhost(/reset-password/\S+)", logged)
    assert match, logged
    assert _choose_password(client, match.group(1)).status_code == 302
    assert _can_log_in(app, "kari@example.no", NEW_PASSWORD)
