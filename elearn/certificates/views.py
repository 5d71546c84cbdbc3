"""The learner's certificate download, the public verification page, revoking."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from elearn.accounts.login import current_learner, learner_required
from elearn.accounts.models import Organisation, User
from elearn.certificates import service
from elearn.certificates.forms import NameForm
from elearn.certificates.models import Certificate
from elearn.db import get_session, utcnow
from elearn.i18n import force_locale, gettext
from elearn.organisations.audit import record_audit
from elearn.player.models import COMPLETED, Attempt
from elearn.state import elearn_state

bp = Blueprint("certificates", __name__, template_folder="templates")


def _passed_attempt(attempt_id: int) -> Attempt:
    """The signed-in learner's own passed attempt; 404 for anything else."""
    learner = current_learner()
    attempt = get_session().get(Attempt, attempt_id)
    if attempt is None or learner is None or attempt.user_id != learner.id:
        abort(404)
    if attempt.status != COMPLETED or not attempt.passed:
        abort(404)
    return attempt


def _issue(attempt: Attempt) -> Response:
    db = get_session()
    user = db.merge(current_learner())
    version = elearn_state().services["content"].version(db, attempt.course_version_id)
    certificate = service.issue(
        db, user, attempt, version, g.elearn_lang, current_app.config["ELEARN_PLATFORM_NAME"]
    )
    db.commit()
    return redirect(url_for("elearn.certificates.download", code=certificate.code))


@bp.post("/a/<int:attempt_id>/certificate")
@learner_required
def create(attempt_id: int) -> Response:
    attempt = _passed_attempt(attempt_id)
    if (
        service.for_attempt(get_session(), attempt.id) is None
        and not (current_learner().display_name or "").strip()
    ):
        return redirect(url_for("elearn.certificates.ask_name", attempt_id=attempt.id))
    return _issue(attempt)


@bp.route("/a/<int:attempt_id>/certificate/name", methods=["GET", "POST"])
@learner_required
def ask_name(attempt_id: int) -> Any:
    """Asked once: the name is kept on the account (User.display_name) for later certificates."""
    attempt = _passed_attempt(attempt_id)
    form = NameForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            db = get_session()
            db.merge(current_learner()).display_name = form.name.data
            db.commit()
            return _issue(attempt)
        errors = form.error_messages()
    return render_template(
        "elearn/certificates/name.html", attempt=attempt, errors=errors, name=form.name.data or ""
    ), 400 if errors else 200


def verify_url(certificate: Certificate) -> str:
    return url_for("elearn.certificates.verify", code=certificate.code, _external=True)


def hours_text(minutes: int | None) -> str:
    if not minutes:
        return "–"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return gettext("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)
    if hours:
        return gettext("%(hours)s h", hours=hours)
    return gettext("%(minutes)s min", minutes=rest)


def facts(certificate: Certificate) -> list[tuple[str, str]]:
    """What a certificate says besides the name and course, as (label, value): the PDF and the
    verification page show the same, and nothing more."""
    from_plan = (
        gettext("Measure %(measure)s", measure=certificate.measure) if certificate.measure else "–"
    )
    return [
        (gettext("Action plan (Sjef i eget liv)"), from_plan),
        (gettext("Course version"), certificate.version),
        (gettext("Estimated time"), hours_text(certificate.minutes)),
        (gettext("Completed"), certificate.completed_at.date().isoformat()),
        (gettext("Issued by"), certificate.issuer),
        (gettext("Certificate code"), certificate.code),
    ]


@bp.get("/certificates/<code>.pdf")
@learner_required
def download(code: str) -> Response:
    certificate = service.find(get_session(), code)
    learner = current_learner()
    if certificate is None or learner is None or certificate.user_id != learner.id:
        abort(404)
    with force_locale(certificate.language):
        labels = service.Labels(
            heading=gettext("Course certificate"),
            intro=gettext("This is to certify that"),
            course=gettext("has completed and passed the course"),
            verify=gettext("Check that this certificate is valid:"),
        )
        body = service.render_pdf(certificate, facts(certificate), labels, verify_url(certificate))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.course_id}-{certificate.code}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/v/<code>")
def verify(code: str) -> Any:
    """Public: anyone holding the certificate can check it; shows no more than it does."""
    db = get_session()
    certificate = service.find(db, code)
    if certificate is None:
        return render_template("elearn/certificates/unknown.html"), 404
    learner = current_learner()
    can_revoke = learner is not None and service.may_revoke(db, learner, certificate)
    return (
        render_template(
            "elearn/certificates/verify.html",
            certificate=certificate,
            facts=facts(certificate),
            can_revoke=can_revoke,
        ),
        200,
        {"X-Robots-Tag": "noindex"},
    )


@bp.post("/v/<code>/revoke")
@learner_required
def revoke(code: str) -> Response:
    db = get_session()
    certificate = service.find(db, code)
    learner = current_learner()
    if certificate is None:
        abort(404)
    if learner is None or not service.may_revoke(db, learner, certificate):
        abort(403)
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_by_id = learner.id
        # In the log with the revoking: an admin's act on someone's record, seen by the
        # platform admin. The code, not the name: the entry outlives a deleted account.
        organisation = db.get(Organisation, certificate.organisation_id or -1)
        holder = db.get(User, certificate.user_id)
        record_audit(db, learner, "certificate.revoke", organisation, holder, certificate.code)
        db.commit()
    flash(gettext("The certificate is revoked."), "success")
    return redirect(url_for("elearn.certificates.verify", code=certificate.code))
