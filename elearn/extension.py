"""`Elearn`: the Flask extension that mounts the whole platform in a host app or standalone.

    app = Flask(__name__)
    Elearn(app, url_prefix="/kurs")            # own engine from ELEARN_DATABASE_URL
    Elearn(app, url_prefix="/kurs", engine=e)  # share the host's SQLAlchemy engine

Per-app state lives in `app.extensions["elearn"]`; the extension object holds no app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, session
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from wtforms.validators import ValidationError

from elearn.accounts.models import USER_ID_PREFIX, User
from elearn.config import LANGUAGES, apply_defaults
from elearn.db import close_session, get_session, make_engine, session_factory_for
from elearn.i18n import LANGUAGE_NAMES, negotiate_language, translate
from elearn.tracking.statements import StatementBuilder


@dataclass
class ElearnState:
    engine: Engine
    session_factory: sessionmaker[Session]
    url_prefix: str
    statements: StatementBuilder
    extra: dict[str, Any] = field(default_factory=dict)


class Elearn:
    def __init__(
        self, app: Flask | None = None, *, url_prefix: str = "", engine: Engine | None = None
    ):
        self.url_prefix = url_prefix
        self.engine = engine
        if app is not None:
            self.init_app(app, url_prefix=url_prefix, engine=engine)

    def init_app(
        self, app: Flask, *, url_prefix: str | None = None, engine: Engine | None = None
    ) -> None:
        apply_defaults(app)
        prefix = (self.url_prefix if url_prefix is None else url_prefix).rstrip("/")
        engine = engine or self.engine
        if engine is None:
            engine = make_engine(app.config["ELEARN_DATABASE_URL"])
        app.extensions["elearn"] = ElearnState(
            engine=engine,
            session_factory=session_factory_for(engine),
            url_prefix=prefix,
            statements=StatementBuilder(
                app.config["ELEARN_XAPI_BASE_IRI"], app.config["ELEARN_XAPI_HOMEPAGE"]
            ),
        )
        _install_login(app)
        app.teardown_appcontext(close_session)
        app.register_blueprint(build_blueprint(), url_prefix=prefix or None)
        from elearn.lrs.views import build_lrs_blueprint

        # The LRS: its own blueprint (Basic auth, no CSRF, JSON errors, CORS) at <prefix>/xapi.
        app.register_blueprint(build_lrs_blueprint(), url_prefix=f"{prefix}/xapi")

        from elearn.cli import elearn_cli

        if "elearn" not in app.cli.commands:
            app.cli.add_command(elearn_cli)

        from elearn.tracking.forwarder import start_background_forwarder

        app.extensions["elearn"].extra["forwarder_thread"] = start_background_forwarder(app)


def _install_login(app: Flask) -> None:
    """Use the host's flask-login if it has one (chaining its user loader), else our own.

    Our user ids carry a prefix, so a host user and an elearn learner never get confused.
    """
    manager: LoginManager | None = getattr(app, "login_manager", None)
    if manager is None:
        manager = LoginManager()
        manager.init_app(app)
        manager.login_view = "elearn.login"
        host_loader = None
    else:
        host_loader = manager._user_callback

    def load_user(user_id: str) -> Any:
        if user_id.startswith(USER_ID_PREFIX):
            raw = user_id.removeprefix(USER_ID_PREFIX)
            if not raw.isdigit():
                return None
            return get_session().get(User, int(raw))
        return host_loader(user_id) if host_loader else None

    manager.user_loader(load_user)


def current_learner() -> User | None:
    """The signed-in elearn learner, or None (also when a host app's own user is signed in)."""
    user = current_user._get_current_object() if current_user else None
    return user if isinstance(user, User) else None


def build_blueprint() -> Blueprint:
    from elearn.accounts.views import register_account_routes, register_admin_routes
    from elearn.catalogue.views import register_catalogue_routes
    from elearn.export.views import register_export_routes
    from elearn.player.views import register_player_routes

    bp = Blueprint(
        "elearn",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/elearn-static",
    )

    @bp.after_request
    def security_headers(response: Any) -> Any:
        # Only elearn's own responses: the host app keeps its own policy.
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'self'",
        )
        return response

    @bp.before_request
    def choose_language() -> None:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            session["elearn_lang"] = asked
        learner = current_learner()
        g.elearn_lang = negotiate_language(
            session.get("elearn_lang"),
            learner.language if learner else None,
            request.accept_languages,
            current_app.config["ELEARN_DEFAULT_LANGUAGE"],
        )

    @bp.before_request
    def check_csrf() -> None:
        # CSRF on our own forms only: a host app's routes keep whatever protection they chose.
        if request.method == "POST" and not current_app.config.get("ELEARN_CSRF_DISABLED"):
            try:
                # Tokens are bound to the session; a week's validity means a learner who
                # reads a node for an hour (or pauses overnight) can still make their choice.
                validate_csrf(
                    request.form.get("csrf_token"),
                    time_limit=current_app.config["ELEARN_CSRF_TIME_LIMIT"],
                )
            except ValidationError as exc:
                raise CSRFError(str(exc)) from exc

    @bp.context_processor
    def inject_helpers() -> dict[str, Any]:
        lang = g.get("elearn_lang", current_app.config.get("ELEARN_DEFAULT_LANGUAGE", "nb"))

        def _(key: str, **kwargs: Any) -> str:
            return translate(key, lang, **kwargs)

        def pick_lang(available: list[str] | tuple[str, ...]) -> str:
            """The learner's language if the text has it, else the first of ours it has."""
            return next((code for code in (lang, *LANGUAGES) if code in available), lang)

        def loc(text: dict[str, str] | None) -> str:
            # The same choice as pick_lang, so the text and its lang attribute always agree.
            return text[pick_lang(tuple(text))] if text else ""

        return {
            "_": _,
            "loc": loc,
            "pick_lang": pick_lang,
            "lang": lang,
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            "learner": current_learner(),
            "csrf_token": generate_csrf,
        }

    def _error_page(title_key: str, text_key: str, status: int) -> Any:
        from flask import render_template

        lang = g.get("elearn_lang", "nb")
        return render_template(
            "elearn/error.html",
            title=translate(title_key, lang),
            message=translate(text_key, lang),
        ), status

    @bp.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> Any:
        # Back to the page the form came from (with a fresh token) rather than a dead end.
        referrer = request.referrer or ""
        if referrer.startswith(request.host_url):
            from flask import flash, redirect

            flash(translate("csrf_expired", g.get("elearn_lang", "nb")), "warning")
            return redirect(referrer, 303)
        return _error_page("bad_request", "csrf_expired", 400)

    @bp.errorhandler(400)
    def bad_request(_exc: Exception) -> Any:
        return _error_page("bad_request", "bad_request_text", 400)

    @bp.errorhandler(403)
    def forbidden(_exc: Exception) -> Any:
        return _error_page("forbidden", "forbidden_text", 403)

    @bp.errorhandler(404)
    def not_found(_exc: Exception) -> Any:
        return _error_page("not_found", "not_found_text", 404)

    register_account_routes(bp)
    register_admin_routes(bp)
    register_export_routes(bp)
    from elearn.lrs.admin import register_lrs_admin_routes

    register_lrs_admin_routes(bp)
    register_catalogue_routes(bp)
    register_player_routes(bp)
    return bp
