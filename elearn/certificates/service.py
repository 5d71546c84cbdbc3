"""Issuing certificates and drawing them as PDF (ReportLab, with a vector QR code from segno).

A certificate copies what it says (name, course title, version, measure, time, issuer, date) at
issue: it is a statement about a moment and must not change when the course or the account
does, nor vanish when retention deletes the attempt it came from.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import Any

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elearn.accounts import service as accounts
from elearn.accounts.models import Organisation, User
from elearn.certificates.models import Certificate
from elearn.db import utcnow
from elearn.player.models import Attempt

# No 0/O, 1/I/L: a code read aloud or typed from paper is read right. 31^10 ≈ 8·10^14 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """As typed: case and separators do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def find(session: Session, code: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.code == normal_code(code)))


def for_attempt(session: Session, attempt_id: int) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))


def of_user(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id)
        )
    )


def pick(text: dict[str, str] | str | None, lang: str) -> str:
    if isinstance(text, dict):
        return text.get(lang) or next(iter(text.values()), "")
    return text or ""


def issue(
    session: Session,
    user: User,
    attempt: Attempt,
    version: Any,
    lang: str,
    platform_name: str,
) -> Certificate:
    """The attempt's certificate, made the first time it is asked for."""
    existing = for_attempt(session, attempt.id)
    if existing is not None:
        return existing
    compiled = version.compiled
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    certificate = Certificate(
        code=new_code(),
        user_id=user.id,
        attempt_id=attempt.id,
        organisation_id=organisation.id if organisation else None,
        name=(user.display_name or "").strip(),
        course_id=attempt.course_id,
        course_title=pick(compiled.get("title"), lang)[:300],
        version=version.content_hash[:12],
        measure=str(compiled.get("measure") or "")[:32],
        minutes=compiled.get("estimated_minutes"),
        issuer=(organisation.name if organisation else platform_name)[:200],
        language=lang,
        completed_at=attempt.completed_at or utcnow(),
    )
    session.add(certificate)
    session.flush()
    return certificate


def may_revoke(session: Session, user: User, certificate: Certificate) -> bool:
    """The platform admin any; an org admin those issued in an organisation they administer.
    Decided by the org_admin memberships, never by `User.organisation_id`: that follows the
    last unit the person joined (as a learner too), so it could name another municipality."""
    if user.role == "admin":
        return True
    if user.role != "org_admin" or certificate.organisation_id is None:
        return False
    administered = accounts.organisations_administered_by(session, user)
    return certificate.organisation_id in {o.id for o in administered}


@dataclass
class Labels:
    """The certificate's words, already in its language."""

    heading: str
    intro: str
    course: str
    verify: str


INK = HexColor("#1e2b3c")
ACCENT = HexColor("#0062ba")
MUTED = HexColor("#4b5563")


def render_pdf(
    certificate: Certificate, rows: list[tuple[str, str]], labels: Labels, url: str
) -> bytes:
    """A4 landscape: heading, the name large, the facts as label/value rows, QR code and the
    short URL at the bottom right (the URL printed too, for those who type it)."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=True)
    pdf.setTitle(f"{labels.heading} – {certificate.course_title}")
    pdf.setAuthor(certificate.issuer)
    pdf.setLineWidth(3)
    pdf.setStrokeColor(ACCENT)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setFillColor(ACCENT)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 100, labels.heading)
    pdf.setFillColor(MUTED)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 140, labels.intro)
    pdf.setFillColor(INK)
    room = width - 140  # inside the frame, with a margin
    y = _centred(pdf, certificate.name, 26, height - 185, room)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, y - 30, labels.course)
    y = _centred(pdf, certificate.course_title, 18, y - 58, room)
    y -= 42
    for label, value in rows:
        pdf.setFont("Helvetica", 12)
        pdf.setFillColor(MUTED)
        pdf.drawRightString(width / 2 - 6, y, label)
        pdf.setFont("Helvetica-Bold", 12)
        pdf.setFillColor(INK)
        for number, line in enumerate(simpleSplit(value, "Helvetica-Bold", 12, width / 2 - 80)):
            y -= 15 if number else 0
            pdf.drawString(width / 2 + 6, y, line)
        y -= 22
    qr_size = 110
    _draw_qr(pdf, url, x=width - 70 - qr_size, y=60, size=qr_size)
    pdf.setFont("Helvetica", 11)
    pdf.setFillColor(MUTED)
    pdf.drawRightString(width - 82 - qr_size, 60 + qr_size / 2 + 4, labels.verify)
    pdf.setFillColor(INK)
    pdf.drawRightString(width - 82 - qr_size, 60 + qr_size / 2 - 12, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _centred(pdf: canvas.Canvas, text: str, size: float, y: float, room: float) -> float:
    """Bold text centred at `y`, made smaller (to 3/4) and then wrapped to fit `room`: long
    course titles and names stay on the page. Returns the baseline of the last line."""
    font = "Helvetica-Bold"
    smallest = size * 0.75
    while size > smallest and stringWidth(text, font, size) > room:
        size -= 1
    lines = simpleSplit(text, font, size, room) or [""]
    pdf.setFont(font, size)
    centre = pdf._pagesize[0] / 2
    for number, line in enumerate(lines):
        pdf.drawCentredString(centre, y - number * size * 1.25, line)
    return y - (len(lines) - 1) * size * 1.25


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares: sharp at any zoom or print size, no image library."""
    matrix = [list(row) for row in segno.make(url, error="m").matrix]
    quiet = 2
    modules = len(matrix) + 2 * quiet
    cell = size / modules
    pdf.setFillColor(HexColor("#ffffff"))
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#000000"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (c + quiet) * cell,
                    y + size - (r + quiet + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def on_user_deleting(sender: Any, session: Session, user: Any, **_: Any) -> None:
    """Receiver of `signals.user_deleting`: a deleted account's certificates go with it (their
    verification pages then say "not found")."""
    session.execute(delete(Certificate).where(Certificate.user_id == user.id))
