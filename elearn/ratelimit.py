"""Rate limits on what an attacker repeats: failed logins (per address and per account),
registrations, failed LRS authentication. Flask-Limiter, counting in Redis when
ELEARN_REDIS_URL is set (shared by every worker and server), else in the worker's memory.

How the limits trade guessing against denial is in docs/security.md. The per-account limit
counts failures only and forgets them after a day; together with the 15-minute lockout
(accounts.service.authenticate) it caps guessing without letting anyone lock a colleague out
for good.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, key_prefix="elearn", strategy="moving-window")


def init_app(app: Flask) -> None:
    """Flask-Limiter reads RATELIMIT_* from the app's config; a host app's own settings win."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["ELEARN_REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", app.config["ELEARN_RATELIMIT_ENABLED"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def failed(response: Response) -> bool:
    """Count a request against a failure limit only when it failed to authenticate."""
    return response.status_code == 401


def login_limit_per_address() -> str:
    return current_app.config["ELEARN_LOGIN_LIMIT_PER_ADDRESS"]


def login_limit_per_account() -> str:
    return current_app.config["ELEARN_LOGIN_LIMIT_PER_ACCOUNT"]


def registration_limit() -> str:
    return current_app.config["ELEARN_REGISTRATION_LIMIT"]


def lrs_auth_limit() -> str:
    return current_app.config["ELEARN_LRS_AUTH_LIMIT"]


def live_join_limit() -> str:
    return current_app.config["ELEARN_LIVE_JOIN_LIMIT"]
