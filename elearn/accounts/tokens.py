"""Single-use, time-limited tokens for links sent by e-mail.

Stored as a hash with its expiry and the moment it was used, not signed: a table makes "once"
real (the one UPDATE that marks a token used wins, however many requests race), lets a
successful reset retire every other link of the account, and leaves nothing in the mail that
says anything about the account (a signed token would carry data, and a pending registration
would have to carry the chosen password's hash).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from elearn.accounts.models import AccountToken
from elearn.db import utcnow

RESET = "reset"
REGISTER = "register"


MAX_TOKEN_LENGTH = 100  # longer than any token made here: refused before it is hashed


def token_hash(token: str) -> str:
    """SHA-256, unsalted and fast: enough for a random token of 192 bits or more (nothing to
    guess), and it lets the row be found by an index lookup, not by comparing secrets."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_secret(nbytes: int = 32) -> tuple[str, str]:
    """(token for the link, its hash for the table): every secret link of elearn (e-mail
    links, invitations, join links) is made here, so none is ever stored in clear."""
    token = secrets.token_urlsafe(nbytes)
    return token, token_hash(token)


def issue(session: Session, purpose: str, email: str, minutes: int, **data: object) -> str:
    """A new token (returned once, for the link); the row keeps only its hash."""
    token, digest = new_secret()
    now = utcnow()
    session.execute(delete(AccountToken).where(AccountToken.expires_at < now))  # keep no old rows
    session.add(
        AccountToken(
            token_hash=digest,
            purpose=purpose,
            email=email,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
            **data,
        )
    )
    session.flush()
    return token


def _usable(purpose: str, token: str, now: dt.datetime) -> tuple[object, ...]:
    return (
        AccountToken.token_hash == token_hash(token),
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > now,
    )


def peek(session: Session, purpose: str, token: str) -> AccountToken | None:
    """The token's row if it can still be used (to show its form); uses nothing."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(AccountToken).where(*_usable(purpose, token, utcnow())))


def redeem(session: Session, purpose: str, token: str) -> AccountToken | None:
    """Use the token: exactly one caller gets its row, every other (and any later) gets None."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    now = utcnow()
    marked = session.execute(
        update(AccountToken)
        .where(*_usable(purpose, token, now))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        return None
    return session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(token)))


def retire(session: Session, purpose: str, email: str) -> None:
    """Every still-open link of this kind for this address stops working."""
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.purpose == purpose,
            AccountToken.email == email,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def forget(session: Session, email: str) -> None:
    """A deleted account leaves no links (and no pending registration) behind."""
    session.execute(delete(AccountToken).where(AccountToken.email == email))
