"""The standalone application: `create_app()`; nothing happens at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.engine import Engine

from elearn.config import load_or_create_secret_key, secure_cookies
from elearn.extension import Elearn, security_headers, standalone_not_found


def create_app(test_config: dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    """The standalone app; `engine` lets tests and scripts share an existing engine."""
    app = Flask("elearn", instance_relative_config=True)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=64 * 1024,  # forms only: nothing large is ever uploaded
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS in production, set ELEARN_SECURE_COOKIES=1.
        SESSION_COOKIE_SECURE=secure_cookies(),
    )
    if test_config:
        app.config.update(test_config)
    if "SECRET_KEY" not in app.config or not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    Elearn(app, engine=engine)
    # Standalone, every response is elearn's: the same headers and error page for URLs that
    # match no route (in a host app those are the host's).
    app.after_request(security_headers)
    app.register_error_handler(404, standalone_not_found)
    return app
