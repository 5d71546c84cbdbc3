"""Log in with Feide or ID-porten: the redirect to the provider and the way back.

Every failure (a forged, expired or replayed answer, a provider error, an unverified e-mail)
ends on one refusal page saying what happened; nothing is written before the login is
accepted, and the session is renewed once it is.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
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
from flask.blueprints import BlueprintSetupState
from flask_login import login_user
from joserfc.errors import JoseError

from elearn.accounts.login import safe_next
from elearn.db import get_session
from elearn.i18n import N_, gettext
from elearn.sso import client as sso_client
from elearn.sso import service
from elearn.state import elearn_state

bp = Blueprint("sso", __name__, template_folder="templates")
NEXT_KEY = "elearn_sso_next"
# What the fresh session after a sign-in keeps: the language, and a join link opened before
# signing in (organisations honours it when flask-login says who logged in).
KEPT_OVER_LOGIN = ("elearn_lang", "elearn_join")

STALE = N_("This sign-in has expired or was already used. Start again from the login page.")
UNVERIFIED = N_(
    "The answer from the sign-in service could not be verified (wrong sender, expired or "
    "not properly signed), so we did not sign you in. Start again; if it happens again, "
    "tell your organisation's administrator."
)
CANCELLED = N_("The sign-in was cancelled or refused by the sign-in service.")
UNAVAILABLE = N_("The sign-in service could not be reached. Try again in a while.")


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    app = setup.app
    app.jinja_env.globals["elearn_sso_providers"] = lambda: sso_client.providers(app)
    app.jinja_env.globals["elearn_sso_names"] = service.PROVIDER_NAMES


def _client(provider: str) -> Any:
    if provider not in sso_client.providers(current_app):
        abort(404)
    return elearn_state().services["sso"].create_client(provider)


@bp.get("/login/<provider>")
def start(provider: str) -> Any:
    client = _client(provider)
    # One pending sign-in per provider: earlier ones (Authlib keeps each in the session cookie)
    # are dropped, so repeated clicks cannot grow the cookie past what browsers keep.
    for key in [k for k in session if k.startswith(f"_state_{provider}_")]:
        session.pop(key)
    session[NEXT_KEY] = safe_next(request.args.get("next")) or ""
    callback = url_for("elearn.sso.callback", provider=provider, _external=True)
    try:
        return client.authorize_redirect(callback)
    except (requests.RequestException, ValueError) as exc:
        current_app.logger.warning("sign-in with %s: discovery failed: %s", provider, exc)
        return _refused(provider, UNAVAILABLE, 502)


def _refused(provider: str, message: str, status: int = 400) -> Any:
    return render_template(
        "elearn/sso/refused.html",
        provider_name=service.PROVIDER_NAMES[provider],
        message=message,
    ), status


@bp.get("/login/<provider>/callback")
def callback(provider: str) -> Any:
    client = _client(provider)
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:  # no ID token: never accept an OAuth-only answer as a login
            raise OAuthError(description="no id_token")
        claims = _with_userinfo(client, token, claims)
    except MismatchingStateError:
        return _refused(provider, STALE)
    except JoseError as exc:
        current_app.logger.warning("sign-in with %s refused: %s", provider, exc)
        return _refused(provider, UNVERIFIED)
    except OAuthError as exc:
        current_app.logger.warning("sign-in with %s refused: %s", provider, exc.error)
        return _refused(provider, CANCELLED)
    except requests.RequestException as exc:
        current_app.logger.warning("sign-in with %s: provider unreachable: %s", provider, exc)
        return _refused(provider, UNAVAILABLE, 502)
    return _accept(provider, claims)


def _with_userinfo(client: Any, token: dict, claims: dict[str, Any]) -> dict[str, Any]:
    """The userinfo endpoint's claims under the ID token's (which were verified); a userinfo
    answer about someone else (another `sub`) is refused."""
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    extra = dict(client.userinfo(token=token))
    if extra.get("sub") != claims.get("sub"):
        raise OAuthError(description="userinfo sub differs from the ID token's")
    return {**extra, **claims}


def _accept(provider: str, claims: dict[str, Any]) -> Any:
    config = current_app.config
    key = service.hash_key(config["ELEARN_PID_HASH_KEY"], current_app.secret_key or "")
    levels = frozenset(config.get(f"ELEARN_OIDC_{provider.upper()}_ACR_VALUES", "").split())
    db = get_session()
    try:
        result = service.sign_in(db, provider, claims, key, levels)
    except service.Refused as refusal:
        db.rollback()
        return _refused(provider, refusal.message)
    db.commit()
    target = session.get(NEXT_KEY) or url_for("elearn.catalogue.catalogue")
    kept = {k: session[k] for k in KEPT_OVER_LOGIN if k in session}
    session.clear()  # a fresh session: no fixation, no leftover state
    session.update(kept)
    login_user(result.user)
    if result.organisation is not None:
        flash(
            gettext("You are signed in and placed in %(name)s.", name=result.organisation.name),
            "success",
        )
    elif result.unplaced:
        flash(
            gettext(
                "You are signed in, but your organisation in Feide is not connected to elearn "
                "yet, so you do not belong to an organisation here. Ask your organisation's "
                "administrator to connect it."
            ),
            "info",
        )
    return redirect(target)
