"""The privacy statement, the accessibility statement, a learner's data download, and closing
an account that has no password (single sign-on)."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask_login import logout_user

from elearn.accounts import service as accounts
from elearn.accounts.login import current_learner, learner_required, own_accounts
from elearn.certificates import service as certificates
from elearn.certificates.views import verify_url
from elearn.db import get_session
from elearn.i18n import gettext
from elearn.privacy import service
from elearn.signals import user_deleting
from elearn.sso.service import has_password
from elearn.state import elearn_state

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.record_once
def _setup(setup: Any) -> None:
    setup.app.jinja_env.globals["elearn_certificates_of"] = lambda user: certificates.of_user(
        get_session(), user.id
    )
    setup.app.jinja_env.globals["elearn_has_password"] = has_password


@bp.get("/privacy")
def privacy() -> Any:
    return render_template(
        "elearn/privacy/privacy.html",
        months=current_app.config["ELEARN_RETENTION_MONTHS"],
        contact=current_app.config["ELEARN_PRIVACY_CONTACT"],
        forwarding=bool(current_app.config.get("ELEARN_LRS_ENDPOINT")),
    )


@bp.get("/accessibility")
def accessibility() -> Any:
    return render_template(
        "elearn/privacy/accessibility.html",
        statement_url=current_app.config["ELEARN_ACCESSIBILITY_STATEMENT_URL"],
        contact=current_app.config["ELEARN_PRIVACY_CONTACT"],
    )


@bp.get("/profile/my-data.json")
@learner_required
def my_data() -> Response:
    db = get_session()
    user = db.merge(current_learner())
    data = service.learner_data(db, user, elearn_state().services["tracking"], verify_url)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="elearn-my-data.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/profile/delete-without-password")
@learner_required
def delete_sso_account() -> Response:
    """An account made by single sign-on has no password to confirm with: a ticked box does
    (the session itself came from a verified login)."""
    if not own_accounts():  # a host's people are deleted by the host (Elearn.delete_host_learner)
        abort(404)
    user = current_learner()
    assert user is not None
    if has_password(user):  # those confirm with their password (accounts' own form)
        return redirect(url_for("elearn.accounts.profile"))
    if request.form.get("confirm") != "yes":
        flash(gettext("Tick the box to confirm that your account should be deleted."), "error")
        return redirect(url_for("elearn.accounts.profile") + "#delete-title")
    db = get_session()
    db_user = db.merge(user)
    user_deleting.send(elearn_state(), session=db, user=db_user)
    accounts.delete_user(db, db_user)
    db.commit()
    logout_user()
    lang = web_session.get("elearn_lang")
    web_session.clear()
    if lang:
        web_session["elearn_lang"] = lang
    flash(gettext("Your account and everything about you are deleted."), "success")
    return redirect(url_for("elearn.accounts.login"))
