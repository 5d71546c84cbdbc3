"""A real OpenID Connect provider for the tests, on loopback: Authlib's server side (the
authorization code grant with the OpenID Connect extension and PKCE) in a small Flask app, served
by a werkzeug server thread. It signs ID tokens with an RSA key made at start and publishes
discovery, JWKS, authorize, token and userinfo.

A test chooses who logs in (`provider.user`, the claims) and can make the provider misbehave the
ways a forged or broken answer would: another issuer, an expired token, a signature by a key the
JWKS does not hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey

from tests.conftest import LiveServer

CLIENT_ID, CLIENT_SECRET = "elearn-test", "provider-secret-for-tests"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith(("http://localhost/", "http://127.0.0.1"))

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    """The provider and its knobs; `url` is its issuer."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.client = Client(CLIENT_ID, CLIENT_SECRET)
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.user: dict[str, Any] = {}
        self.issuer_in_token: str | None = None  # None: the real issuer
        self.lifetime = 300  # seconds the ID token is valid (negative: expired on arrival)
        self.sign_with_other_key = False
        self.app = self._make_app()
        self.server = LiveServer(self.app)
        self.url = self.server.url

    def __enter__(self) -> Provider:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    def _make_app(self) -> Flask:
        app = Flask("test_oidc_provider")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 600}
        server = AuthorizationServer(
            app, query_client=self._query_client, save_token=self._save_token
        )
        server.register_grant(
            self._code_grant(), [CodeChallenge(required=True), self._openid_extension()]
        )
        app.add_url_rule("/.well-known/openid-configuration", view_func=self._discovery)
        app.add_url_rule("/jwks", endpoint="jwks", view_func=self._jwks)
        app.add_url_rule(
            "/authorize", endpoint="authorize", view_func=lambda: self._authorize(server)
        )
        app.add_url_rule(
            "/token", view_func=server.create_token_response, methods=["POST"], endpoint="token"
        )
        app.add_url_rule("/userinfo", view_func=self._userinfo)
        return app

    def _query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def _save_token(self, token: dict[str, Any], req: Any) -> None:
        self.tokens[token["access_token"]] = dict(req.user)

    def _jwks(self) -> Any:
        return jsonify({"keys": [self.key.as_dict(private=False)]})

    def _discovery(self) -> Any:
        return jsonify(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    def _authorize(self, server: AuthorizationServer) -> Any:
        """No login form: the person set by the test has just authenticated."""
        self.authorize_requests.append(dict(request.args))
        return server.create_authorization_response(grant_user=dict(self.user))

    def _userinfo(self) -> Any:
        auth = request.headers.get("Authorization", "")
        user = self.tokens.get(auth.removeprefix("Bearer "))
        if user is None:
            return jsonify({"error": "invalid_token"}), 401
        return jsonify(user)

    def _code_grant(self) -> type:
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
                "client_secret_basic",
                "client_secret_post",
            ]

            def save_authorization_code(self, code: str, req: Any) -> None:
                data = req.payload.data
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.scope,
                    user=req.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.user

        return CodeGrant

    def _openid_extension(self) -> OpenIDCode:
        provider = self

        class Extension(OpenIDCode):
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: Client) -> Any:
                return provider.other_key if provider.sign_with_other_key else provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(time.time())
                return {
                    "iss": provider.issuer_in_token or provider.url,
                    "aud": [client.client_id],
                    "iat": now,
                    "exp": now + provider.lifetime,
                }

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(user)

        return Extension(require_nonce=True)
