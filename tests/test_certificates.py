"""Course certificates: the PDF read back and looked at, the public verification page, revoking."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from elearn.certificates.models import Certificate
from elearn.content.models import CourseVersion
from tests.conftest import PASSWORD, csrf_from, login, make_admin
from tests.test_player import choose, enter, start_course

NAME = "Kari Nordmann-Ødegård"


def pass_course(client: FlaskClient) -> str:
    """The best path through the play course; returns the result page."""
    _, page = start_course(client)
    _, page = choose(client, page, "listen")
    _, page = choose(client, page, "consult")
    page = enter(client, page, "second")
    _, page = choose(client, page, "interpreter")
    return client.get(re.search(r'href="([^"]+/result)"', page).group(1)).get_data(as_text=True)


def get_certificate(client: FlaskClient, result: str) -> tuple[str, bytes]:
    action = re.search(r'action="([^"]+/certificate)"', result).group(1)
    response = client.post(action, data={"csrf_token": csrf_from(result)})
    assert response.status_code == 302
    if "/certificate/name" in response.headers["Location"]:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your name on the certificate" in page
        empty = client.post(
            response.headers["Location"], data={"csrf_token": csrf_from(page), "name": "  "}
        )
        assert empty.status_code == 400 and "Write your name" in empty.get_data(as_text=True)
        response = client.post(
            response.headers["Location"], data={"csrf_token": csrf_from(page), "name": NAME}
        )
    pdf_url = response.headers["Location"]
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return pdf_url, pdf.data


def test_a_passed_course_gives_a_certificate_with_every_fact_on_it(
    app: Flask, learner_client: FlaskClient, tmp_path: Path
) -> None:
    result = pass_course(learner_client)
    assert "Download the certificate" in result
    _, data = get_certificate(learner_client, result)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()

    session = app.extensions["elearn"].session_factory()
    certificate = session.scalar(select(Certificate))
    content_hash = session.scalar(select(CourseVersion.content_hash))
    session.close()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", certificate.code)
    for expected in (
        "Course certificate",
        NAME,
        "Test course",
        "Measure 19b",
        content_hash[:12],
        "2 min",
        certificate.completed_at.date().isoformat(),
        "elearn",  # no organisation: the platform issues it
        f"http://localhost/v/{certificate.code}",
    ):
        assert expected in text, expected

    # Rendered, for a person to look at (the test keeps the PNG in its tmp folder).
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=1.5).to_pil()
    image.save(tmp_path / "certificate.png")
    assert image.width > image.height  # landscape
    print(f"certificate rendered to {tmp_path / 'certificate.png'}")

    # Asking again gives the same certificate: one per attempt.
    url1, _ = get_certificate(learner_client, result)
    url2, _ = get_certificate(learner_client, result)
    assert url1 == url2 == f"/certificates/{certificate.code}.pdf"


def test_the_public_page_says_valid_or_revoked_and_no_more_than_the_certificate(
    app: Flask, learner_client: FlaskClient
) -> None:
    _, _ = get_certificate(learner_client, pass_course(learner_client))
    session = app.extensions["elearn"].session_factory()
    code = session.scalar(select(Certificate.code))
    session.close()

    anyone = app.test_client()
    anyone.get("/?lang=en")
    page = anyone.get(f"/v/{code.lower()}").get_data(as_text=True)
    assert "Valid" in page and NAME in page and "Test course" in page and "Measure 19b" in page
    assert "laerer@example.no" not in page  # the e-mail is not on the certificate
    assert "Revoke" not in page
    assert anyone.get("/v/ABCDEFGHJK").status_code == 404

    # Someone else's certificate PDF is not theirs to download.
    other = app.test_client()
    make_admin(app, "kari.other@example.no", role="learner")
    login(other, "kari.other@example.no")
    assert other.get(f"/certificates/{code}.pdf").status_code == 404
    page = other.get(f"/v/{code}").get_data(as_text=True)
    assert other.post(f"/v/{code}/revoke", data={"csrf_token": csrf_from(page)}).status_code == 403

    make_admin(app, "admin@example.no")
    admin = app.test_client()
    login(admin, "admin@example.no", PASSWORD)
    page = admin.get(f"/v/{code}?lang=en").get_data(as_text=True)
    assert "Revoke this certificate" in page
    response = admin.post(f"/v/{code}/revoke", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = anyone.get(f"/v/{code}").get_data(as_text=True)
    assert "Revoked" in page and "no longer valid" in page


def test_a_failed_attempt_has_no_certificate(app: Flask, learner_client: FlaskClient) -> None:
    _, page = start_course(learner_client)
    response = learner_client.post("/a/1/certificate", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404


def test_a_long_title_and_name_stay_on_the_page(tmp_path: Path) -> None:
    """The longest real course title (helse-22, bokmål) and a long name: shrunk or wrapped,
    every word inside the page."""
    import datetime as dt

    from elearn.certificates import service

    title = "Negativ sosial kontroll, æresmotivert vold og kjønnslemlestelse – for helsepersonell"
    name = "Anne-Marie Kristiansen Haugland-Østerbø Nordahl"
    certificate = Certificate(
        code="ABCDEFGHJK",
        name=name,
        course_title=title,
        issuer="Helse Sør-Øst, Oslo universitetssykehus, Seksjon for barne- og ungdomspsykiatri",
        completed_at=dt.datetime(2026, 12, 4),
    )
    labels = service.Labels(*(["Kursbevis"] * 4))
    rows = [("Utstedt av", certificate.issuer), ("Tiltak", "22")]
    data = service.render_pdf(certificate, rows, labels, "https://kurs.example.no/v/ABCDEFGHJK")
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    for word in [*title.split(), *name.split()]:
        assert word in text, word
    page = pypdfium2.PdfDocument(data)[0]
    textpage = page.get_textpage()
    width, _ = page.get_size()
    for index in range(textpage.count_chars()):
        left, _, right, _ = textpage.get_charbox(index)
        assert left >= 28 and right <= width - 28  # inside the frame
    page.render(scale=1.5).to_pil().save(tmp_path / "long.png")
    print(f"long certificate rendered to {tmp_path / 'long.png'}")


def refused_to(app: Flask, email: str, code: str) -> None:
    """`email` is shown no revoke button on the certificate's page, and a POST is refused."""
    client = app.test_client()
    login(client, email)
    page = client.get(f"/v/{code}?lang=en").get_data(as_text=True)
    assert "Revoke this certificate" not in page
    assert client.post(f"/v/{code}/revoke", data={"csrf_token": csrf_from(page)}).status_code == 403


def test_an_org_admin_revokes_their_own_organisations_certificates_only(
    app: Flask, learner_client: FlaskClient
) -> None:
    from elearn.accounts import service as accounts
    from elearn.accounts.models import Organisation, User

    make_admin(app, "admin@larvik.no", role="org_admin", org_slug="larvik")
    make_admin(app, "admin@other.no", role="org_admin", org_slug="other")
    session = app.extensions["elearn"].session_factory()
    larvik = session.scalar(select(Organisation).where(Organisation.slug == "larvik"))
    school = Organisation(slug="hedrum", name="Hedrum skole", parent_id=larvik.id)
    session.add(school)
    session.flush()
    learner = session.scalar(select(User).where(User.email == "laerer@example.no"))
    accounts.add_membership(session, learner, school)
    learner.display_name = "Kari Nordmann"
    session.commit()
    session.close()

    _, data = get_certificate(learner_client, pass_course(learner_client))
    assert "Larvik" in PdfReader(io.BytesIO(data)).pages[0].extract_text()  # the issuer
    session = app.extensions["elearn"].session_factory()
    code = session.scalar(select(Certificate.code))
    session.close()

    refused_to(app, "admin@other.no", code)

    own = app.test_client()
    login(own, "admin@larvik.no")
    page = own.get(f"/v/{code}?lang=en").get_data(as_text=True)
    assert "Revoke this certificate" in page
    own.post(f"/v/{code}/revoke", data={"csrf_token": csrf_from(page)})
    assert "Revoked" in app.test_client().get(f"/v/{code}?lang=en").get_data(as_text=True)
    # The platform admin's audit log says who revoked which certificate of whom.
    make_admin(app, "root@example.no")
    root = app.test_client()
    login(root, "root@example.no")
    log = root.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "certificate.revoke" in log and code in log and "admin@larvik.no" in log


def test_an_org_admin_who_joins_another_municipality_as_a_learner_cannot_revoke_there(
    app: Flask, learner_client: FlaskClient
) -> None:
    """Joining a unit (a join link, an invitation) moves `User.organisation_id` to that tree;
    the right to revoke must come from the org_admin membership, not from it."""
    from elearn.accounts import service as accounts
    from elearn.accounts.models import Organisation, User

    make_admin(app, "admin@larvik.no", role="org_admin", org_slug="larvik")
    make_admin(app, "admin@other.no", role="org_admin", org_slug="other")
    session = app.extensions["elearn"].session_factory()
    larvik = session.scalar(select(Organisation).where(Organisation.slug == "larvik"))
    learner = session.scalar(select(User).where(User.email == "laerer@example.no"))
    accounts.add_membership(session, learner, larvik)
    learner.display_name = "Kari Nordmann"
    outsider = session.scalar(select(User).where(User.email == "admin@other.no"))
    accounts.add_membership(session, outsider, larvik, "learner")  # joined Larvik as a learner
    session.commit()
    session.close()

    _, _data = get_certificate(learner_client, pass_course(learner_client))
    session = app.extensions["elearn"].session_factory()
    code = session.scalar(select(Certificate.code))
    session.close()

    refused_to(app, "admin@other.no", code)
    assert "Revoked" not in app.test_client().get(f"/v/{code}?lang=en").get_data(as_text=True)


def test_a_name_typed_with_control_characters_is_kept_clean_on_the_certificate(
    app: Flask, learner_client: FlaskClient
) -> None:
    """A NUL (PostgreSQL refuses it: the save failed) or a bell pasted into the name goes;
    the certificate and its page say the name as read."""
    result = pass_course(learner_client)
    action = re.search(r'action="([^"]+/certificate)"', result).group(1)
    ask = learner_client.post(action, data={"csrf_token": csrf_from(result)})
    page = learner_client.get(ask.headers["Location"]).get_data(as_text=True)
    done = learner_client.post(
        ask.headers["Location"],
        data={"csrf_token": csrf_from(page), "name": "Kari\x00 Nordmann\x07\r\n"},
    )
    assert done.status_code == 302
    session = app.extensions["elearn"].session_factory()
    certificate = session.scalar(select(Certificate))
    session.close()
    assert certificate.name == "Kari Nordmann"
    verify = app.test_client().get(f"/v/{certificate.code}?lang=en").get_data(as_text=True)
    assert "Kari Nordmann" in verify
