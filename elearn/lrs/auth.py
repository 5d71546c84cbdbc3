"""LRS client credentials: creation, revocation and the check on every request.

Secrets are 32 random bytes (URL-safe), never chosen by people, so a keyed SHA-256 (HMAC with
a pepper derived from the app's SECRET_KEY) protects them as well as a slow password hash
would, at microseconds per request instead of tens of milliseconds of CPU (the cost that made
Basic auth the bottleneck of other LRSs). A leaked table alone does not reveal or verify
secrets without the pepper.

Scopes use the xAPI vocabulary (Communication 4.2):
    statements/write      store statements
    statements/read       read statements (within the client's organisation, if it has one)
    statements/read/mine  read only statements this client stored
    state                 read and write the State resource
    profile               read and write activity and agent profiles
    define                accepted for compatibility (definitions are never rewritten here)
    all/read              read everything the client may see
    all                   everything
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.lrs.models import LrsClient

SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "profile",
    "define",
    "all/read",
    "all",
)
# Communication 4.2.s6.b2: with no scope named, a client writes and reads its own statements.
DEFAULT_SCOPES = ("statements/write", "statements/read/mine")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client's row, copied out of the session."""

    id: int
    key: str
    name: str
    scopes: frozenset[str]
    organisation_id: int | None

    def can(self, need: str) -> bool:
        """Does the client hold `need` (or a scope that includes it)?"""
        s = self.scopes
        if "all" in s or need in s:
            return True
        if need == "statements/read/mine":
            return bool(s & {"statements/read", "all/read"})
        return need.endswith("/read") and "all/read" in s

    def can_read(self, resource: str) -> bool:
        return self.can(resource) or "all/read" in self.scopes

    @property
    def reads_only_own(self) -> bool:
        return not (self.can("statements/read"))


def pepper(secret_key: str) -> bytes:
    return hashlib.sha256(b"elearn-lrs-client-secret:" + secret_key.encode()).digest()


def hash_secret(secret: str, secret_key: str) -> str:
    return hmac.new(pepper(secret_key), secret.encode(), hashlib.sha256).hexdigest()


def normalise_scopes(scopes: list[str] | tuple[str, ...] | str) -> str:
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    unknown = [s for s in items if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}; use: {', '.join(SCOPES)}")
    return " ".join(sorted(set(items or DEFAULT_SCOPES), key=SCOPES.index))


def create_client(
    session: Session,
    name: str,
    scopes: list[str] | tuple[str, ...] | str,
    secret_key: str,
    organisation_id: int | None = None,
) -> tuple[LrsClient, str]:
    """A new client and its secret; the secret exists only in the return value."""
    name = name.strip()
    if not name:
        raise ValueError("a client needs a name (who uses it)")
    secret = secrets.token_urlsafe(32)
    client = LrsClient(
        key=secrets.token_hex(10),
        secret_hash=hash_secret(secret, secret_key),
        name=name[:200],
        scopes=normalise_scopes(scopes),
        organisation_id=organisation_id,
    )
    session.add(client)
    session.flush()
    return client, secret


def revoke_client(session: Session, client: LrsClient) -> None:
    if client.revoked_at is None:
        client.revoked_at = utcnow()


def list_clients(session: Session, organisation_id: int | None = None) -> list[LrsClient]:
    query = select(LrsClient).order_by(LrsClient.created_at, LrsClient.id)
    if organisation_id is not None:
        query = query.where(LrsClient.organisation_id == organisation_id)
    return list(session.scalars(query))


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep else None


def authenticate(session: Session, header: str | None, secret_key: str) -> Principal | None:
    """The client for an Authorization header, or None (unknown, wrong secret, revoked)."""
    pair = parse_basic(header)
    if pair is None:
        return None
    key, secret = pair
    row = session.execute(
        select(
            LrsClient.id,
            LrsClient.key,
            LrsClient.name,
            LrsClient.scopes,
            LrsClient.organisation_id,
            LrsClient.secret_hash,
        ).where(LrsClient.key == key, LrsClient.revoked_at.is_(None))
    ).first()
    expected = row.secret_hash if row else hash_secret("", secret_key)  # same work either way
    if not hmac.compare_digest(hash_secret(secret, secret_key), expected) or row is None:
        return None
    return Principal(
        id=row.id,
        key=row.key,
        name=row.name,
        scopes=frozenset(row.scopes.split()),
        organisation_id=row.organisation_id,
    )


def authority_for(principal: Principal, homepage: str) -> dict[str, Any]:
    """Data 2.4.9: the client as an Agent identified by account (name = its key)."""
    return {
        "objectType": "Agent",
        "name": principal.name,
        "account": {"homePage": homepage, "name": principal.key},
    }
