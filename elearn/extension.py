"""`Elearn`: the Flask extension that mounts the whole platform in a host app or standalone.

    app = Flask(__name__)
    Elearn(app, url_prefix="/kurs")            # own engine from ELEARN_DATABASE_URL
    Elearn(app, url_prefix="/kurs", engine=e)  # share the host's SQLAlchemy engine

The front door: it builds the per-app state (`app.extensions["elearn"]`), wires the rooms'
services and events together (the one place that knows every room), and registers the rooms'
blueprints under one parent blueprint whose hooks (language, CSRF, security headers, error pages)
cover elearn's own pages only. The extension object holds no app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request
from flask import session as web_session
from flask_login import user_logged_in
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy.engine import Engine
from wtforms.validators import ValidationError

from elearn import ratelimit
from elearn.accounts import host as host_accounts
from elearn.accounts import views as accounts_views
from elearn.accounts.host import HostHook, HostLearner, HostOrganisation
from elearn.accounts.login import current_learner, install_login, login_url, own_accounts
from elearn.authoring import views as authoring_views
from elearn.catalogue import views as catalogue_views
from elearn.certificates import service as certificates_service
from elearn.certificates import views as certificates_views
from elearn.cli import elearn_cli
from elearn.config import apply_defaults
from elearn.content.service import CourseVersions, UnplayableVersion
from elearn.core.constants import LANGUAGES
from elearn.db import close_session, make_engine, session_factory_for
from elearn.export import service as export_service
from elearn.export import views as export_views
from elearn.i18n import (
    AUDIENCE_NAMES,
    LANGUAGE_NAMES,
    N_,
    gettext,
    install_babel,
    negotiate_language,
    ngettext,
    speak,
)
from elearn.live import service as live_service
from elearn.live import views as live_views
from elearn.live.fanout import Hub
from elearn.lrs import admin as lrs_admin
from elearn.lrs import deletion as lrs_deletion
from elearn.lrs import views as lrs_views
from elearn.organisations import views as organisations_views
from elearn.player import retention as player_retention
from elearn.player import service as player_service
from elearn.player import views as player_views
from elearn.privacy import views as privacy_views
from elearn.reports import views as reports_views
from elearn.signals import course_imported, retention_due, user_deleting
from elearn.sso import admin as sso_admin
from elearn.sso import client as sso_client
from elearn.sso import views as sso_views
from elearn.state import ElearnState, elearn_state
from elearn.tracking import deletion as tracking_deletion
from elearn.tracking import retention as tracking_retention
from elearn.tracking.forwarder import start_background_forwarder
from elearn.tracking.statements import StatementBuilder

__all__ = ["Elearn", "HostLearner", "HostOrganisation", "current_learner"]

# Who listens to what: each room deletes its own rows about a deleted learner.
user_deleting.connect(player_service.on_user_deleting)
user_deleting.connect(tracking_deletion.on_user_deleting)
user_deleting.connect(lrs_deletion.on_user_deleting)
user_deleting.connect(certificates_service.on_user_deleting)
course_imported.connect(export_service.on_course_imported)
# A unit's join link opened before logging in takes effect at the login.
user_logged_in.connect(organisations_views.on_user_logged_in)
# Retention (privacy's command): each room deletes its own old rows; certificates stay.
retention_due.connect(player_retention.on_retention_due)
retention_due.connect(tracking_retention.on_retention_due)


class Elearn:
    """`learner_from_host=fn`: the host's signed-in people are elearn's learners. fn gets the
    host's flask-login `current_user` (signed in) and returns a `HostLearner`, or None for
    someone who may not take courses; elearn then uses the host's login, and its own login and
    registration pages are off (README: "Mounting elearn in your Flask site")."""

    def __init__(
        self,
        app: Flask | None = None,
        *,
        url_prefix: str = "",
        engine: Engine | None = None,
        learner_from_host: HostHook | None = None,
    ):
        self.url_prefix = url_prefix
        self.engine = engine
        self.learner_from_host = learner_from_host
        if app is not None:
            self.init_app(app, url_prefix=url_prefix, engine=engine)

    def init_app(
        self,
        app: Flask,
        *,
        url_prefix: str | None = None,
        engine: Engine | None = None,
        learner_from_host: HostHook | None = None,
    ) -> None:
        apply_defaults(app)
        prefix = (self.url_prefix if url_prefix is None else url_prefix).rstrip("/")
        engine = engine or self.engine
        if engine is None:
            engine = make_engine(app.config["ELEARN_DATABASE_URL"])
        state = ElearnState(
            engine=engine, session_factory=session_factory_for(engine), url_prefix=prefix
        )
        hook = learner_from_host or self.learner_from_host
        install_login(app, hook)
        app.extensions["elearn"] = state
        _wire_services(app, state)
        if hook is not None:
            state.services["host_learner"] = hook
        install_babel(app)
        ratelimit.init_app(app)
        app.teardown_appcontext(close_session)
        app.register_blueprint(front_door, url_prefix=prefix or None)
        # The LRS: its own blueprint (Basic auth, no CSRF, JSON errors, CORS) at <prefix>/xapi.
        app.register_blueprint(lrs_views.bp, url_prefix=f"{prefix}/xapi")
        if "elearn" not in app.cli.commands:
            app.cli.add_command(elearn_cli)
        state.services["forwarder_thread"] = start_background_forwarder(app)

    @staticmethod
    def delete_host_learner(external_id: str, app: Flask | None = None) -> bool:
        """The host deletes one of its users: delete the learner elearn made for them, with their
        attempts and every statement and document about them (in elearn's own transaction).
        False when that user never came to elearn. Call it where the host deletes the user."""
        state = elearn_state(app)
        session = state.session_factory()
        try:
            deleted = host_accounts.delete_host_learner(state, session, external_id)
            session.commit()
            return deleted
        finally:
            session.close()


def _wire_services(app: Flask, state: ElearnState) -> None:
    """Each room's per-app objects, built from the app's settings."""
    config = app.config
    courses = CourseVersions()
    statements = StatementBuilder(config["ELEARN_XAPI_BASE_IRI"], config["ELEARN_XAPI_HOMEPAGE"])
    player_settings = player_service.PlayerSettings(
        statements=statements,
        forward=bool(config.get("ELEARN_LRS_ENDPOINT")),
        idle=dt.timedelta(minutes=config["ELEARN_IDLE_MINUTES"]),
    )
    state.services.update(
        content=courses,
        tracking=statements,
        player=player_service.Player(player_settings, courses),
        export=export_service.Packages(courses, config["ELEARN_XAPI_BASE_IRI"]),
        sso=sso_client.make_registry(app),
        preview=None,  # a CoursePreview only in an app started by `flask elearn preview`
        live=live_service.Live(
            live_service.LiveSettings(
                statements=statements,
                idle=dt.timedelta(minutes=config["ELEARN_LIVE_IDLE_MINUTES"]),
                forward=bool(config.get("ELEARN_LRS_ENDPOINT")),
            ),
            courses,
        ),
        live_hub=Hub(state.session_factory, config["ELEARN_REDIS_URL"]),
    )


front_door = Blueprint(
    "elearn",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/elearn-static",
)
for _room in (
    accounts_views.bp,
    catalogue_views.bp,
    player_views.bp,
    export_views.bp,
    live_views.bp,
    lrs_admin.bp,
    organisations_views.bp,
    sso_views.bp,
    sso_admin.bp,
    certificates_views.bp,
    privacy_views.bp,
    authoring_views.bp,
    reports_views.bp,
):
    front_door.register_blueprint(_room)


@front_door.after_request
def security_headers(response: Any) -> Any:
    """elearn's own responses only (the host app keeps its own policy); the standalone app
    applies the same to every response, its 404s included (app.py)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'self'",
    )
    if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over HTTPS only
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


BABEL_LOCALES = {"nb": "nb", "nn": "nn", "en": "en_GB"}


@front_door.app_template_filter("long_date")
def long_date(value: str | dt.date) -> str:
    """A date as the learner's language writes it in full: "3. desember 2026", "3 December 2026"."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    lang = g.get("elearn_lang", current_app.config.get("ELEARN_DEFAULT_LANGUAGE", "nb"))
    return format_date(day, format="long", locale=BABEL_LOCALES.get(lang, "nb"))


@front_door.before_request
def choose_language() -> None:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        web_session["elearn_lang"] = asked
    learner = current_learner()
    speak(
        negotiate_language(
            web_session.get("elearn_lang"),
            learner.language if learner else None,
            request.accept_languages,
            current_app.config["ELEARN_DEFAULT_LANGUAGE"],
        )
    )


@front_door.before_request
def check_csrf() -> None:
    # CSRF on our own forms only: a host app's routes keep whatever protection they chose.
    if request.method == "POST" and not current_app.config.get("ELEARN_CSRF_DISABLED"):
        try:
            # Tokens are bound to the session; a week's validity means a learner who reads a
            # node for an hour (or pauses overnight) can still make their choice.
            validate_csrf(
                request.form.get("csrf_token"),
                time_limit=current_app.config["ELEARN_CSRF_TIME_LIMIT"],
            )
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc


@front_door.context_processor
def inject_helpers() -> dict[str, Any]:
    lang = g.get("elearn_lang", current_app.config.get("ELEARN_DEFAULT_LANGUAGE", "nb"))

    def pick_lang(available: list[str] | tuple[str, ...]) -> str:
        """The learner's language if the text has it, else the first of ours it has."""
        return next((code for code in (lang, *LANGUAGES) if code in available), lang)

    def loc(text: dict[str, str] | None) -> str:
        # The same choice as pick_lang, so the text and its lang attribute always agree.
        return text[pick_lang(tuple(text))] if text else ""

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "audience_names": AUDIENCE_NAMES,
        "loc": loc,
        "pick_lang": pick_lang,
        "lang": lang,
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "learner": current_learner(),
        "csrf_token": generate_csrf,
        "login_url": login_url,
        "own_accounts": own_accounts(),
    }


def _error_page(title: str, text: str, status: int) -> Any:
    return render_template(
        "elearn/error.html",
        title=gettext(title),
        message=gettext(text),
        **inject_helpers(),  # also outside the blueprint (the standalone app's own 404)
    ), status


CSRF_EXPIRED = N_(
    "The form was too old or did not come from this site. Reload the page and try again."
)


@front_door.errorhandler(CSRFError)
def csrf_error(_exc: CSRFError) -> Any:
    # Back to the page the form came from (with a fresh token) rather than a dead end.
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        flash(gettext(CSRF_EXPIRED), "warning")
        return redirect(referrer, 303)
    return _error_page(N_("The request could not be used"), CSRF_EXPIRED, 400)


@front_door.errorhandler(400)
def bad_request(_exc: Exception) -> Any:
    return _error_page(
        N_("The request could not be used"),
        N_("Something in the form was not valid. Go back, reload the page and try again."),
        400,
    )


@front_door.errorhandler(403)
def forbidden(_exc: Exception) -> Any:
    return _error_page(
        N_("Access denied"), N_("Your account does not have access to this page."), 403
    )


@front_door.errorhandler(UnplayableVersion)
def unplayable(exc: UnplayableVersion) -> Any:
    """An attempt on a course version this elearn can no longer play: say so, don't crash."""
    current_app.logger.error("%s", exc)
    return _error_page(
        N_("This version of the course can no longer be played"),
        N_(
            "Your progress was made in an older version of the course that this installation "
            "cannot play any more. Open the course and start it again."
        ),
        410,
    )


@front_door.errorhandler(429)
def too_many_requests(_exc: Exception) -> Any:
    return _error_page(
        N_("Too many attempts"),
        N_(
            "There have been too many attempts from you or on this account. "
            "Wait a while and try again."
        ),
        429,
    )


@front_door.errorhandler(404)
def not_found(_exc: Exception) -> Any:
    return _error_page(
        N_("Page not found"), N_("We could not find what you were looking for."), 404
    )


def standalone_not_found(_exc: Exception) -> Any:
    """An unknown URL in the standalone app: elearn's own page, in the visitor's language."""
    if "elearn_lang" not in g:
        choose_language()
    return not_found(_exc)
