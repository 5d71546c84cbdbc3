"""Register, log in, log out, profile, delete account; the admin home."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from elearn import ratelimit
from elearn.accounts import service
from elearn.accounts.login import current_learner, learner_required, require_role, safe_next
from elearn.core.constants import AUDIENCES, LANGUAGES
from elearn.db import get_session
from elearn.i18n import N_, force_locale, gettext, speak
from elearn.ratelimit import limiter
from elearn.signals import user_deleting
from elearn.state import elearn_state

bp = Blueprint("accounts", __name__, template_folder="templates")
WRONG_LOGIN = N_("Wrong email address or password.")


def _account_key() -> str:
    """The account a login form names, the same however its e-mail is written."""
    return "account:" + service.normalise_email(request.form.get("email", ""))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(ratelimit.registration_limit, methods=["POST"])
def register() -> Any:
    if not current_app.config["ELEARN_ALLOW_REGISTRATION"]:
        abort(404)
    errors: dict[str, str] = {}
    form = {"email": "", "audience": "", "language": ""}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in form}
        password = request.form.get("password", "")
        db = get_session()
        errors = service.registration_errors(db, form["email"], password, form["audience"])
        if not errors:
            user = service.create_user(
                db, form["email"], password, form["audience"], form["language"] or None
            )
            db.commit()
            session.clear()
            login_user(user)
            return redirect(url_for("elearn.catalogue.catalogue"))
    return render_template(
        "elearn/accounts/register.html",
        errors=errors,
        form=form,
        audiences=AUDIENCES,
    ), 400 if errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_limit_per_address, methods=["POST"], deduct_when=ratelimit.failed)
@limiter.limit(
    ratelimit.login_limit_per_account,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=ratelimit.failed,
)
def login() -> Any:
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        db = get_session()
        user = service.authenticate(db, email, request.form.get("password", ""))
        db.commit()  # the count of wrong passwords, or its reset
        if user is not None:
            lang = session.get("elearn_lang")
            session.clear()  # no session fixation
            if lang:
                session["elearn_lang"] = lang
            login_user(user)
            return redirect(
                safe_next(request.args.get("next")) or url_for("elearn.catalogue.catalogue")
            )
        error = WRONG_LOGIN
    return render_template(
        "elearn/accounts/login.html", error=error, email=email
    ), 401 if error else 200


@bp.post("/logout")
def logout() -> Response:
    lang = session.get("elearn_lang")
    user = current_learner()
    if user is not None:  # every session of this user ends, not only this browser's
        db = get_session()
        db.merge(user).end_all_sessions()
        db.commit()
    logout_user()
    session.clear()
    if lang:
        session["elearn_lang"] = lang
    with force_locale(lang or current_app.config["ELEARN_DEFAULT_LANGUAGE"]):
        flash(gettext("You are logged out."), "info")
    return redirect(url_for("elearn.accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@learner_required
def profile() -> Any:
    user = current_learner()
    assert user is not None
    errors: dict[str, str] = {}
    if request.method == "POST":
        audience = request.form.get("audience", "")
        language = request.form.get("language", "")
        if audience not in AUDIENCES:
            errors["audience"] = service.CHOOSE_AUDIENCE
        else:
            db = get_session()
            db_user = db.merge(user)
            db_user.audience = audience
            db_user.language = language if language in LANGUAGES else None
            if db_user.language:
                session["elearn_lang"] = db_user.language
            db.commit()
            speak(db_user.language or g.elearn_lang)  # the flash in the language just chosen
            flash(gettext("Saved."), "success")
            return redirect(url_for("elearn.accounts.profile"))
    return render_template(
        "elearn/accounts/profile.html", errors=errors, audiences=AUDIENCES, user=user
    ), 400 if errors else 200


@bp.post("/profile/delete")
@learner_required
def delete_account() -> Response:
    user = current_learner()
    assert user is not None
    if not user.check_password(request.form.get("password", "")):
        flash(gettext(WRONG_LOGIN), "error")
        return redirect(url_for("elearn.accounts.profile"))
    db = get_session()
    db_user = db.merge(user)
    # Every room deletes its own rows about the learner, in this transaction; then the account.
    user_deleting.send(elearn_state(), session=db, user=db_user)
    service.delete_user(db, db_user)
    db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("elearn.accounts.login"))


@bp.get("/admin/")
@require_role("org_admin", "admin")
def admin_home() -> Any:
    """The admin's start page: links to what this admin's role may use."""
    user = current_learner()
    assert user is not None
    sections = [s for s in elearn_state().admin_sections if user.has_role(*s.roles)]
    organisation = service.organisation_of(get_session(), user)
    return render_template(
        "elearn/accounts/admin_home.html", sections=sections, organisation=organisation
    )
