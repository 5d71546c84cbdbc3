"""Configuration from environment variables with safe defaults.

Host apps may set the same keys in `app.config` before `Elearn.init_app`; theirs win
(`setdefault`), as Flask extensions conventionally do.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from elearn.core.constants import AUDIENCES, LANGUAGES

__all__ = ["AUDIENCES", "LANGUAGES", "apply_defaults", "load_or_create_secret_key"]


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def default_courses_dir() -> str:
    """`courses/` of the working directory: an installed wheel has no courses of its own."""
    return os.environ.get("ELEARN_COURSES_DIR") or str(Path.cwd() / "courses")


def defaults_from_env(instance_path: str) -> dict[str, object]:
    """Every setting elearn reads, with the environment variable that overrides it."""
    instance = Path(instance_path)
    return {
        "ELEARN_DATABASE_URL": os.environ.get("ELEARN_DATABASE_URL")
        or f"sqlite:///{instance / 'elearn.sqlite3'}",
        "ELEARN_COURSES_DIR": default_courses_dir(),
        "ELEARN_DEFAULT_LANGUAGE": os.environ.get("ELEARN_DEFAULT_LANGUAGE", "nb"),
        # IRIs of courses, scenarios and nodes start with this; set it once, before go-live.
        "ELEARN_XAPI_BASE_IRI": os.environ.get(
            "ELEARN_XAPI_BASE_IRI", "https://example.org/elearn"
        ),
        # The account homePage that makes learners' pseudonyms unique to this installation.
        "ELEARN_XAPI_HOMEPAGE": os.environ.get(
            "ELEARN_XAPI_HOMEPAGE", "https://example.org/elearn"
        ),
        "ELEARN_LRS_ENDPOINT": os.environ.get("ELEARN_LRS_ENDPOINT", ""),
        "ELEARN_LRS_KEY": os.environ.get("ELEARN_LRS_KEY", ""),
        "ELEARN_LRS_SECRET": os.environ.get("ELEARN_LRS_SECRET", ""),
        "ELEARN_LRS_TIMEOUT": float(os.environ.get("ELEARN_LRS_TIMEOUT", "10")),
        "ELEARN_LRS_BATCH_SIZE": int(os.environ.get("ELEARN_LRS_BATCH_SIZE", "50")),
        # Forward from a background thread in the web process (off: run `flask elearn forward`).
        "ELEARN_LRS_FORWARD_THREAD": _env_bool("ELEARN_LRS_FORWARD_THREAD", False),
        "ELEARN_ALLOW_REGISTRATION": _env_bool("ELEARN_ALLOW_REGISTRATION", True),
        # Mounted with `learner_from_host`: the host's login view (an endpoint or a path) that
        # elearn sends people to; empty: the host's flask-login `login_manager.login_view`.
        "ELEARN_HOST_LOGIN_VIEW": os.environ.get("ELEARN_HOST_LOGIN_VIEW", ""),
        # Mounted with `learner_from_host`: keep elearn's own login, registration and password
        # pages as well (off: the host's login is the only one).
        "ELEARN_OWN_ACCOUNTS": _env_bool("ELEARN_OWN_ACCOUNTS", False),
        # The template elearn's pages extend: a host's own layout (docs: "Mounting elearn");
        # empty: elearn's own.
        "ELEARN_BASE_TEMPLATE": os.environ.get("ELEARN_BASE_TEMPLATE", ""),
        # Minutes of inactivity after which a return to an attempt counts as suspend + resume.
        "ELEARN_IDLE_MINUTES": int(os.environ.get("ELEARN_IDLE_MINUTES", "30")),
        # Seconds a form's CSRF token stays valid (it is also bound to the session).
        # The largest request elearn's own LRS accepts (statement batches, attachments).
        "ELEARN_LRS_MAX_BYTES": int(os.environ.get("ELEARN_LRS_MAX_BYTES", str(10 * 1024 * 1024))),
        # The largest statement batch one POST may carry (413 above it).
        "ELEARN_LRS_MAX_BATCH": int(os.environ.get("ELEARN_LRS_MAX_BATCH", "1000")),
        # The xAPI version a request without X-Experience-API-Version is answered in.
        "ELEARN_XAPI_DEFAULT_VERSION": os.environ.get("ELEARN_XAPI_DEFAULT_VERSION", "1.0.3"),
        # Redis for state every worker must share (rate limits); empty: each worker's memory.
        "ELEARN_REDIS_URL": os.environ.get("ELEARN_REDIS_URL", ""),
        "ELEARN_RATELIMIT_ENABLED": _env_bool("ELEARN_RATELIMIT_ENABLED", True),
        # Failed logins from one address; failed logins naming one account; registrations from
        # one address; failed LRS authentications from one address (docs/security.md).
        "ELEARN_LOGIN_LIMIT_PER_ADDRESS": os.environ.get(
            "ELEARN_LOGIN_LIMIT_PER_ADDRESS", "20/minute;100/hour"
        ),
        "ELEARN_LOGIN_LIMIT_PER_ACCOUNT": os.environ.get(
            "ELEARN_LOGIN_LIMIT_PER_ACCOUNT", "50/day"
        ),
        "ELEARN_REGISTRATION_LIMIT": os.environ.get("ELEARN_REGISTRATION_LIMIT", "30/hour"),
        "ELEARN_LRS_AUTH_LIMIT": os.environ.get("ELEARN_LRS_AUTH_LIMIT", "60/minute"),
        "ELEARN_CSRF_TIME_LIMIT": int(os.environ.get("ELEARN_CSRF_TIME_LIMIT", str(7 * 24 * 3600))),
        # Live sessions (elearn/live): minutes without any action or vote before a session ends
        # by itself; failed joins (wrong codes) from one address; the longest an event stream
        # stays open before the browser reconnects (Last-Event-ID catches it up).
        "ELEARN_LIVE_IDLE_MINUTES": int(os.environ.get("ELEARN_LIVE_IDLE_MINUTES", "120")),
        "ELEARN_LIVE_JOIN_LIMIT": os.environ.get("ELEARN_LIVE_JOIN_LIMIT", "20/minute;100/hour"),
        "ELEARN_LIVE_STREAM_SECONDS": float(os.environ.get("ELEARN_LIVE_STREAM_SECONDS", "55")),
        # Mail (password reset, finishing a registration). No host: the links go to the log.
        "ELEARN_SMTP_HOST": os.environ.get("ELEARN_SMTP_HOST", ""),
        "ELEARN_SMTP_PORT": int(os.environ.get("ELEARN_SMTP_PORT", "0")),
        "ELEARN_SMTP_USERNAME": os.environ.get("ELEARN_SMTP_USERNAME", ""),
        "ELEARN_SMTP_PASSWORD": os.environ.get("ELEARN_SMTP_PASSWORD", ""),
        "ELEARN_SMTP_STARTTLS": _env_bool("ELEARN_SMTP_STARTTLS", False),
        "ELEARN_SMTP_SSL": _env_bool("ELEARN_SMTP_SSL", False),
        "ELEARN_SMTP_TIMEOUT": float(os.environ.get("ELEARN_SMTP_TIMEOUT", "20")),
        "ELEARN_MAIL_FROM": os.environ.get("ELEARN_MAIL_FROM", "elearn@localhost"),
        # Minutes a link sent by e-mail (reset a password, finish a registration) stays valid.
        "ELEARN_MAIL_LINK_MINUTES": int(os.environ.get("ELEARN_MAIL_LINK_MINUTES", "60")),
        # The address elearn is reached at (e.g. https://kurs.kommune.no), for links in mails a
        # command sends (reminders), where no web request says it.
        "ELEARN_BASE_URL": os.environ.get("ELEARN_BASE_URL", ""),
        # Days an invitation link (choose a password, join the unit) stays valid.
        "ELEARN_INVITATION_DAYS": int(os.environ.get("ELEARN_INVITATION_DAYS", "14")),
        # Requests for such a mail: from one address, and naming one e-mail address.
        "ELEARN_RESET_LIMIT": os.environ.get("ELEARN_RESET_LIMIT", "10/hour"),
        "ELEARN_MAIL_LIMIT_PER_RECIPIENT": os.environ.get(
            "ELEARN_MAIL_LIMIT_PER_RECIPIENT", "5/hour"
        ),
        # Single sign-on (OpenID Connect). A provider is offered on the login page only when
        # its issuer, client id and secret are all set. Feide's scopes must include
        # userid-feide (for eduPersonPrincipalName, whose realm places the person).
        **_oidc_provider("FEIDE", "openid email profile userid-feide"),
        **_oidc_provider("IDPORTEN", "openid profile"),
        # The security levels (acr) an ID-porten login must have: ID-porten's docs require the
        # client to check it. Space-separated; empty accepts any.
        "ELEARN_OIDC_IDPORTEN_ACR_VALUES": os.environ.get(
            "ELEARN_OIDC_IDPORTEN_ACR_VALUES", "idporten-loa-substantial idporten-loa-high"
        ),
        # The key of the HMAC-SHA256 that turns an ID-porten identity number (and a provider's
        # subject) into the only form elearn stores. Empty: derived from SECRET_KEY, so changing
        # SECRET_KEY then breaks every single sign-on link (people get new accounts): set it.
        "ELEARN_PID_HASH_KEY": os.environ.get("ELEARN_PID_HASH_KEY", ""),
        # Statements and attempts older than this many months are deleted by
        # `flask elearn retention` (course certificates are kept); 0 keeps everything.
        "ELEARN_RETENTION_MONTHS": int(os.environ.get("ELEARN_RETENTION_MONTHS", "36")),
        # Who issues certificates when a learner has no organisation, and runs this installation.
        "ELEARN_PLATFORM_NAME": os.environ.get("ELEARN_PLATFORM_NAME", "elearn"),
        # The privacy page's contact for questions about personal data (the data controller).
        "ELEARN_PRIVACY_CONTACT": os.environ.get("ELEARN_PRIVACY_CONTACT", ""),
        # Where the accessibility statement is published (uustatus.no, as Norwegian law has it).
        "ELEARN_ACCESSIBILITY_STATEMENT_URL": os.environ.get(
            "ELEARN_ACCESSIBILITY_STATEMENT_URL", "https://www.uustatus.no/"
        ),
    }


OIDC_PROVIDERS = ("feide", "idporten")


def _oidc_provider(name: str, scopes: str) -> dict[str, str]:
    """ELEARN_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES."""
    prefix = f"ELEARN_OIDC_{name}_"
    settings = {f"{prefix}{key}": os.environ.get(f"{prefix}{key}", "") for key in OIDC_KEYS}
    settings[f"{prefix}SCOPES"] = os.environ.get(f"{prefix}SCOPES", scopes)
    return settings


OIDC_KEYS = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")


def secure_cookies() -> bool:
    """ELEARN_SECURE_COOKIES: send the session cookie over HTTPS only (set it in production)."""
    return _env_bool("ELEARN_SECURE_COOKIES", False)


def load_or_create_secret_key(instance_path: str) -> str:
    """A random key generated on first start and kept in the instance folder (mode 0600)."""
    env = os.environ.get("ELEARN_SECRET_KEY")
    if env:
        return env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def apply_defaults(app: Flask) -> None:
    for key, value in defaults_from_env(app.instance_path).items():
        app.config.setdefault(key, value)
    if app.config["ELEARN_DEFAULT_LANGUAGE"] not in LANGUAGES:
        raise ValueError(f"ELEARN_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
