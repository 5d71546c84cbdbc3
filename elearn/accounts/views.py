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
from flask_login import logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from elearn import ratelimit
from elearn.accounts import host, mails, service, tokens
from elearn.accounts.forms import (
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
)
from elearn.accounts.login import (
    current_learner,
    learner_required,
    own_accounts,
    require_role,
    safe_next,
    start_session,
)
from elearn.accounts.models import User
from elearn.core.constants import AUDIENCES, LANGUAGES
from elearn.db import get_session
from elearn.i18n import N_, force_locale, gettext, speak
from elearn.mail import mail_configured
from elearn.ratelimit import limiter
from elearn.signals import user_deleting
from elearn.state import elearn_state

bp = Blueprint("accounts", __name__, template_folder="templates")
WRONG_LOGIN = N_("Wrong email address or password.")
DEACTIVATED = N_(
    "Your account has been deactivated. Ask your organisation's administrator if you need it again."
)

# elearn's own ways in and out, off when the host's login is the way in (login.own_accounts).
OWN_ACCOUNT_PAGES = frozenset(
    f"elearn.accounts.{name}"
    for name in (
        "register",
        "finish_registration",
        "forgot_password",
        "reset_password",
        "login",
        "logout",
        "delete_account",
    )
)


@bp.before_request
def only_own_accounts() -> None:
    """A host's people sign in, out and are deleted on the host: these pages do not exist."""
    if request.endpoint in OWN_ACCOUNT_PAGES and not own_accounts():
        abort(404)


def _account_key() -> str:
    """The account a login form names, the same however its e-mail is written."""
    return "account:" + service.normalise_email(request.form.get("email", ""))


def _recipient_key() -> str:
    """The e-mail address a form asks us to write to: mails to one address are limited,
    whoever asks (no mail bombing a colleague)."""
    return "recipient:" + service.normalise_email(request.form.get("email", ""))


def _mail_limit() -> str:
    return current_app.config["ELEARN_MAIL_LIMIT_PER_RECIPIENT"]


def _reset_limit() -> str:
    return current_app.config["ELEARN_RESET_LIMIT"]


def _no_mail() -> bool:
    return not mail_configured(current_app.config)


def _log_in(user: User) -> None:
    """A fresh session (no fixation) for `user`, keeping the language chosen before."""
    start_session(user)


REGISTRATION_MAILED = N_(
    "We have sent an e-mail to the address you gave. Open the link in it to go on."
)
REGISTERED_LOG_IN = N_(
    "Thank you for registering. Log in with your email address and the password you chose."
)
RESET_MAILED = N_(
    "If there is an account with this address, we have sent it an e-mail with a link for "
    "choosing a new password."
)


def _mail_sent_page(message: str) -> Any:
    """The one answer to every request for a mail, whoever the address belongs to."""
    return render_template("elearn/accounts/mail_sent.html", message=message)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(ratelimit.registration_limit, methods=["POST"])
@limiter.limit(_mail_limit, key_func=_recipient_key, methods=["POST"], exempt_when=_no_mail)
def register() -> Any:
    """With mail: every valid form gets the same "check your e-mail" page; a new address gets a
    link that creates the account, a known one a mail saying so (with a reset link). Without
    mail (a demo): a new address gets its account at once; both get the same redirect to the
    login page, and nobody is logged in.
    """
    if not current_app.config["ELEARN_ALLOW_REGISTRATION"]:
        abort(404)
    form = RegisterForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            if mail_configured(current_app.config):
                return _register_by_mail(form)
            return _register_now(form)
        errors = form.error_messages()
    return render_template(
        "elearn/accounts/register.html",
        errors=errors,
        form=form,
        audiences=AUDIENCES,
    ), 400 if errors else 200


def _language(chosen: str | None) -> str | None:
    return chosen if chosen in LANGUAGES else None


def _register_by_mail(form: RegisterForm) -> Any:
    db = get_session()
    email = service.normalise_email(form.email.data)
    user = service.find_user(db, email)
    minutes = current_app.config["ELEARN_MAIL_LINK_MINUTES"]
    if user is None:
        pending = User(password_hash="")
        pending.set_password(form.password.data)
        token = tokens.issue(
            db,
            tokens.REGISTER,
            email,
            minutes,
            password_hash=pending.password_hash,
            audience=form.audience.data,
            language=_language(form.language.data),
        )
        db.commit()
        mails.send_finish_registration(email, _language(form.language.data) or g.elearn_lang, token)
    else:
        service.equal_work(form.password.data)
        token = tokens.issue(db, tokens.RESET, email, minutes, user_id=user.id)
        db.commit()
        mails.send_already_registered(email, user.language or g.elearn_lang, token)
    return _mail_sent_page(REGISTRATION_MAILED)


def _register_now(form: RegisterForm) -> Response:
    """Without mail there is no way to ask the address's owner, so a new address gets its
    account at once; but nobody is logged in, and a known address gets the same redirect, the
    same message and the same cookie: the answer says nothing about who has an account. (Logging
    in with the password just chosen still tells: docs/security.md.)"""
    db = get_session()
    if service.find_user(db, form.email.data) is None:
        try:
            service.create_user(
                db,
                form.email.data,
                form.password.data,
                form.audience.data,
                _language(form.language.data),
            )
            db.commit()
        except IntegrityError:  # the same address registered by a request that raced this one
            db.rollback()
    else:
        service.equal_work(form.password.data)
    flash(gettext(REGISTERED_LOG_IN), "info")
    return redirect(url_for("elearn.accounts.login"))


@bp.route("/register/finish/<token>", methods=["GET", "POST"])
def finish_registration(token: str) -> Any:
    """GET shows a button, POST creates the account: mail scanners that open links must not use
    them up."""
    db = get_session()
    if request.method == "POST":
        user = service.finish_registration(db, token)
        if user is not None:
            db.commit()
            _log_in(user)
            flash(gettext("Your account is ready."), "success")
            return redirect(url_for("elearn.catalogue.catalogue"))
    elif tokens.peek(db, tokens.REGISTER, token) is not None:
        return _no_store(render_template("elearn/accounts/finish_registration.html"))
    return _no_store(render_template("elearn/accounts/link_invalid.html"), 400)


def _no_store(body: str, status: int = 200) -> Any:
    """Pages reached through a secret link: no browser or proxy keeps a copy."""
    return body, status, {"Cache-Control": "no-store"}


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_mail_limit, key_func=_recipient_key, methods=["POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            _send_reset_link(service.normalise_email(form.email.data))
            return _mail_sent_page(RESET_MAILED)
        errors = form.error_messages()
    return render_template(
        "elearn/accounts/forgot_password.html", form=form, errors=errors
    ), 400 if errors else 200


def _send_reset_link(email: str) -> None:
    """A link for an account; for an unknown address the same work (a token nobody ever
    receives, which opens no account), but no mail."""
    db = get_session()
    user = service.find_user(db, email)
    minutes = current_app.config["ELEARN_MAIL_LINK_MINUTES"]
    token = tokens.issue(db, tokens.RESET, email, minutes, user_id=user.id if user else None)
    db.commit()
    if user is not None:
        mails.send_reset(user.email, user.language or g.elearn_lang, token)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    db = get_session()
    link = tokens.peek(db, tokens.RESET, token)
    if link is None or link.user_id is None:
        return _no_store(render_template("elearn/accounts/link_invalid.html"), 400)
    form = NewPasswordForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            user = service.reset_password(db, token, form.password.data)
            if user is None:  # used by a request that raced this one
                return _no_store(render_template("elearn/accounts/link_invalid.html"), 400)
            db.commit()
            if not user.active:  # the new password is kept, but no session starts
                flash(gettext(DEACTIVATED), "error")
                return redirect(url_for("elearn.accounts.login"))
            _log_in(user)
            flash(gettext("Your new password is saved, and you are logged in."), "success")
            return redirect(url_for("elearn.catalogue.catalogue"))
        errors = form.error_messages()
    return _no_store(
        render_template("elearn/accounts/reset_password.html", errors=errors),
        400 if errors else 200,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ratelimit.login_limit_per_address, methods=["POST"], deduct_when=ratelimit.failed)
@limiter.limit(
    ratelimit.login_limit_per_account,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=ratelimit.failed,
)
def login() -> Any:
    form = LoginForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.validate()  # no rules: it only reads and trims the fields
        db = get_session()
        user = service.authenticate(db, form.email.data or "", form.password.data or "")
        db.commit()  # the count of wrong passwords, or its reset
        if user is not None and not user.active:
            # Said only after the right password: it tells nobody else the account exists.
            errors["email"] = DEACTIVATED
        elif user is not None:
            _log_in(user)  # a fresh session: no session fixation
            return redirect(
                safe_next(request.args.get("next")) or url_for("elearn.catalogue.catalogue")
            )
        else:
            errors["email"] = WRONG_LOGIN
    # 401 for every failure: the rate limits count those (ratelimit.failed).
    return render_template("elearn/accounts/login.html", form=form, errors=errors), (
        401 if errors else 200
    )


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
    # What is saved fills the form on GET only: a POST without a profession is no choice.
    saved = {"audience": user.audience, "language": user.language}
    form = ProfileForm(data=saved if request.method == "GET" else None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            db = get_session()
            db_user = db.merge(user)
            db_user.audience = form.audience.data
            db_user.language = _language(form.language.data)
            if db_user.language:
                session["elearn_lang"] = db_user.language
            db.commit()
            speak(db_user.language or g.elearn_lang)  # the flash in the language just chosen
            flash(gettext("Saved."), "success")
            return redirect(url_for("elearn.accounts.profile"))
        errors = form.error_messages()
    return render_template(
        "elearn/accounts/profile.html",
        errors=errors,
        form=form,
        audiences=AUDIENCES,
        user=user,
        email=host.real_email(user),
    ), 400 if errors else 200


@bp.post("/profile/delete")
@learner_required
def delete_account() -> Response:
    user = current_learner()
    assert user is not None
    form = DeleteAccountForm()
    if not form.validate() or not user.check_password(form.password.data or ""):
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
@require_role("org_admin", "unit_leader", "admin")
def admin_home() -> Any:
    """The admin's start page: links to what this admin's role may use."""
    user = current_learner()
    assert user is not None
    sections = [s for s in elearn_state().admin_sections if user.has_role(*s.roles)]
    organisation = service.organisation_of(get_session(), user)
    return render_template(
        "elearn/accounts/admin_home.html", sections=sections, organisation=organisation
    )
