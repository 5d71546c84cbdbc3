"""The OpenID Connect clients, one Authlib registry per app, built from ELEARN_OIDC_* settings.

Authlib's Flask client does the protocol: discovery, the authorization code flow with PKCE
(S256), state and nonce kept in the session, the token request, and the ID token checked
against the provider's JWKS (signature) and for iss, aud, exp and nonce.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask

from elearn.config import OIDC_PROVIDERS


def configured(config: dict, provider: str) -> bool:
    prefix = f"ELEARN_OIDC_{provider.upper()}_"
    return all(config.get(f"{prefix}{key}") for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"))


def make_registry(app: Flask) -> OAuth:
    oauth = OAuth(app)
    for provider in OIDC_PROVIDERS:
        if not configured(app.config, provider):
            continue
        prefix = f"ELEARN_OIDC_{provider.upper()}_"
        issuer = app.config[f"{prefix}ISSUER"].rstrip("/")
        oauth.register(
            provider,
            client_id=app.config[f"{prefix}CLIENT_ID"],
            client_secret=app.config[f"{prefix}CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": app.config[f"{prefix}SCOPES"],
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
    return oauth


def providers(app: Flask) -> list[str]:
    """The providers this installation offers, in a fixed order."""
    return [p for p in OIDC_PROVIDERS if configured(app.config, p)]
