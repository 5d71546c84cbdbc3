"""Register, log in, log out, profile, delete account."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from elearn.accounts import service
from elearn.config import AUDIENCES, LANGUAGES
from elearn.db import get_session
from elearn.i18n import translate


def learner_required(view: Any) -> Any:
    """Like flask-login's login_required, but only an elearn learner will do."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from elearn.extension import current_learner

        if current_learner() is None:
            from flask import g

            flash(translate("login_required", g.elearn_lang), "info")
            return redirect(url_for("elearn.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: no open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):  # browsers read "/\\x" as "//x"
        return None
    return target


def register_account_routes(bp: Blueprint) -> None:
    @bp.route("/register", methods=["GET", "POST"])
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
                return redirect(url_for("elearn.catalogue"))
        return render_template(
            "elearn/register.html",
            errors=errors,
            form=form,
            audiences=AUDIENCES,
        ), 400 if errors else 200

    @bp.route("/login", methods=["GET", "POST"])
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
                return redirect(_safe_next(request.args.get("next")) or url_for("elearn.catalogue"))
            error = "err.login"
        return render_template("elearn/login.html", error=error, email=email), 401 if error else 200

    @bp.post("/logout")
    def logout() -> Response:
        lang = session.get("elearn_lang")
        logout_user()
        session.clear()
        if lang:
            session["elearn_lang"] = lang
        flash(
            translate("logged_out", lang or current_app.config["ELEARN_DEFAULT_LANGUAGE"]), "info"
        )
        return redirect(url_for("elearn.login"))

    @bp.route("/profile", methods=["GET", "POST"])
    @learner_required
    def profile() -> Any:
        from elearn.extension import current_learner

        user = current_learner()
        assert user is not None
        errors: dict[str, str] = {}
        if request.method == "POST":
            audience = request.form.get("audience", "")
            language = request.form.get("language", "")
            if audience not in AUDIENCES:
                errors["audience"] = "err.audience"
            else:
                db = get_session()
                db_user = db.merge(user)
                db_user.audience = audience
                db_user.language = language if language in LANGUAGES else None
                if db_user.language:
                    session["elearn_lang"] = db_user.language
                db.commit()
                flash(translate("saved", db_user.language or "nb"), "success")
                return redirect(url_for("elearn.profile"))
        return render_template(
            "elearn/profile.html", errors=errors, audiences=AUDIENCES, user=user
        ), 400 if errors else 200

    @bp.post("/profile/delete")
    @learner_required
    def delete_account() -> Response:
        from elearn.extension import current_learner

        user = current_learner()
        assert user is not None
        if not user.check_password(request.form.get("password", "")):
            flash(translate("err.login", session.get("elearn_lang", "nb")), "error")
            return redirect(url_for("elearn.profile"))
        state = current_app.extensions["elearn"]
        actor = state.statements.actor(user.xapi_id).as_version("1.0.3")
        from elearn.tracking.statements import actor_key

        db = get_session()
        service.delete_user_and_data(db, db.merge(user), actor_key(actor))
        db.commit()
        logout_user()
        session.clear()
        return redirect(url_for("elearn.login"))


def register_admin_routes(bp: Blueprint) -> None:
    from elearn.accounts.roles import ADMIN_SECTIONS, require_role

    @bp.get("/admin/")
    @require_role("org_admin", "admin")
    def admin_home() -> Any:
        """The admin's start page: links to what this admin's role may use."""
        from elearn.extension import current_learner

        user = current_learner()
        assert user is not None
        sections = [s for s in ADMIN_SECTIONS if user.has_role(*s.roles)]
        organisation = service.organisation_of(get_session(), user)
        return render_template(
            "elearn/admin/home.html", sections=sections, organisation=organisation
        )
