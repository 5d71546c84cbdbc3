"""Who is signed in, and the decorators every room's routes use to require a learner or a role.

elearn uses the host's flask-login when it has one (chaining the user loader), else its own;
elearn's user ids carry a prefix, so a host user and an elearn learner are never confused.
"""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user
from flask_login import login_url as flask_login_url
from sqlalchemy.orm import joinedload

from elearn.accounts import host
from elearn.accounts.host import HostHook
from elearn.accounts.models import USER_ID_PREFIX, User
from elearn.db import get_session
from elearn.i18n import gettext
from elearn.state import elearn_state

LOGIN_ENDPOINT = "elearn.accounts.login"


def current_learner() -> User | None:
    """The signed-in elearn learner, or None. Mounted with `learner_from_host`, the host's
    signed-in user is made a learner on every request (never kept in a session of elearn's own,
    so the host's logout ends it at once); without it, a host user is nobody to elearn."""
    user = current_user._get_current_object() if current_user else None
    if isinstance(user, User):
        return user
    hook = host_hook()
    if hook is None or user is None or not user.is_authenticated:
        return None
    if "_elearn_host_learner" not in g:
        g._elearn_host_learner = _learner_from_host(hook, user)
    return g._elearn_host_learner


def host_hook() -> HostHook | None:
    """The host's `learner_from_host` function, if elearn was mounted with one."""
    return elearn_state().services.get("host_learner")


def _learner_from_host(hook: HostHook, host_user: Any) -> User | None:
    given = hook(host_user)
    if given is None:
        return None
    db = get_session()
    learner = host.learner_for(db, given)
    db.commit()
    return learner if learner.active else None


def install_login(app: Flask, learner_from_host: HostHook | None = None) -> None:
    manager: LoginManager | None = getattr(app, "login_manager", None)
    if manager is None:
        if learner_from_host is not None:
            raise RuntimeError(
                "learner_from_host needs the host's flask-login: create its LoginManager "
                "before Elearn(app, ...)"
            )
        manager = LoginManager()
        manager.init_app(app)
        manager.login_view = LOGIN_ENDPOINT
        host_loader = None
    else:
        host_loader = manager._user_callback

    def load_user(user_id: str) -> Any:
        if user_id.startswith(USER_ID_PREFIX):
            return _load_learner(user_id.removeprefix(USER_ID_PREFIX))
        return host_loader(user_id) if host_loader else None

    manager.user_loader(load_user)


def _load_learner(raw: str) -> User | None:
    """ "<id>.<session generation>": a cookie from before the last logout, password change or
    deactivation names an old generation and signs nobody in."""
    number, _, generation = raw.partition(".")
    if not (number.isdigit() and generation.isdigit()) or len(number) > 9:
        return None
    # The memberships in the same query: role checks and the menu read them on every page.
    user = get_session().get(User, int(number), options=[joinedload(User.memberships)])
    if user is None or str(user.session_generation or 0) != generation or not user.active:
        return None  # a deactivated person's sessions end at their next request
    return user


def own_accounts() -> bool:
    """elearn's own login, registration and password pages: on, unless the host's login is
    the way in (mounted with `learner_from_host`, and the host did not ask for them)."""
    return host_hook() is None or bool(current_app.config["ELEARN_OWN_ACCOUNTS"])


def login_url(next_path: str | None = None) -> str:
    """Where to sign in: the host's login view when the host's people are the learners."""
    target = safe_next(next_path)
    if host_hook() is None:
        return url_for(LOGIN_ENDPOINT, next=target) if target else url_for(LOGIN_ENDPOINT)
    manager: LoginManager = current_app.login_manager  # type: ignore[attr-defined]
    view = current_app.config["ELEARN_HOST_LOGIN_VIEW"] or manager.login_view
    if not view:
        abort(401)
    return flask_login_url(view, next_url=target) if target else flask_login_url(view)


def _here() -> str:
    """This page as a same-site relative path (the `next` to come back to after signing in)."""
    path = request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path


# What survives the fresh session a login starts: the language chosen, and a unit's join link
# opened before logging in (the organisations room uses it once the person is signed in).
KEPT_ON_LOGIN = ("elearn_lang", "elearn_join")


def start_session(user: User) -> None:
    """A fresh session (no fixation) for `user`, keeping what KEPT_ON_LOGIN names."""
    kept = {key: session[key] for key in KEPT_ON_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(user)


def _to_login() -> Any:
    host_user = current_user._get_current_object() if current_user else None
    if host_hook() is not None:
        if host_user is not None and host_user.is_authenticated:
            abort(403)  # signed in on the host, but the host gives no learner: no login loop
    else:  # (a host's login page may not show elearn's messages: it would wait for later)
        flash(gettext("Log in to take the course."), "info")
    return redirect(login_url(_here()))


def learner_required(view: Any) -> Any:
    """Like flask-login's login_required, but only an elearn learner will do."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_learner() is None:
            return _to_login()
        return view(*args, **kwargs)

    return wrapped


def require_role(*roles: str) -> Any:
    """Not logged in → the login page; logged in without the role → 403 (checked per request,
    before the view writes anything). An organisation admin whose organisation is gone has no
    powers left: 403 too, so nothing can fall back to platform-wide scope. Roles come from the
    memberships too (`User.has_role`): `require_role("unit_leader")` lets in whoever leads a
    unit; which units and people a view may touch is the view's own check."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_learner()
            if user is None:
                return _to_login()
            if not user.has_role(*roles):
                abort(403)
            if user.role == "org_admin" and user.organisation_id is None:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: no open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):  # browsers read "/\\x" as "//x"
        return None
    return target
