"""What a verified OpenID Connect login means in elearn: which account, which organisation.

The provider's answer has been verified before anything here runs (signature against the
provider's JWKS, issuer, audience, expiry, nonce: Authlib's client). Everything here happens in
the caller's transaction: a refusal raises `Refused` before anything is written, and the caller
commits only after a successful sign-in.

Feide: the person's home organisation is the realm of `eduPersonPrincipalName` ("ola@larvik.
kommune.no" → "larvik.kommune.no"), which Feide releases with the `userid-feide` scope as the
claim `https://n.feide.no/claims/eduPersonPrincipalName` (ID token and userinfo). The realm is
the organisation's stable Feide id (the groups API names the same organisation `fc:org:<realm>`),
so org admins map realms, not display names.
ID-porten: `pid` (the national identity number) is the person's stable id; `sub` is pairwise
and may change. Only an HMAC-SHA256 of `pid` under ELEARN_PID_HASH_KEY is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.accounts import service as accounts
from elearn.accounts.models import Organisation, User
from elearn.db import utcnow
from elearn.message_catalogues import N_
from elearn.sso.models import FeideOrgMapping, SsoIdentity

FEIDE, IDPORTEN = "feide", "idporten"
PROVIDER_NAMES = {FEIDE: "Feide", IDPORTEN: "ID-porten"}
FEIDE_EPPN = "https://n.feide.no/claims/eduPersonPrincipalName"
# Accounts without an e-mail from the provider get an address that can never receive mail
# (RFC 2606's .invalid) so User.email stays unique and says nothing about the person.
NO_MAIL_DOMAIN = "sso.invalid"
NO_PASSWORD = "!"  # an account opened only by single sign-on (or a password reset)
REALM = re.compile(r"^[a-z0-9][a-z0-9.-]{0,198}[a-z0-9]$")

NO_IDENTITY = N_("The sign-in service did not say who you are, so we cannot sign you in.")
EMAIL_UNVERIFIED = N_(
    "The sign-in service gave an e-mail address without confirming that it is yours, so we "
    "cannot use it. No account was created. Ask your organisation to have the address "
    "verified, or log in with a password."
)
LEVEL_TOO_LOW = N_(
    "This login was made at a lower security level than this service needs. Log in again "
    "with MinID, BankID, Buypass or Commfides."
)
DEACTIVATED = N_("This account is deactivated. Ask your organisation's administrator.")


class Refused(Exception):
    """A verified login elearn will not accept; `message` is a msgid for the refusal page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SignIn:
    user: User
    created: bool
    organisation: Organisation | None  # where a Feide login placed the person, if anywhere
    unplaced: bool  # a Feide login whose organisation elearn does not know (yet)


def hash_key(pid_hash_key: str, secret_key: str) -> bytes:
    """ELEARN_PID_HASH_KEY, or one derived from SECRET_KEY (documented in config.py)."""
    if pid_hash_key:
        return pid_hash_key.encode()
    return hmac.new(secret_key.encode(), b"elearn-sso-subject-hash", hashlib.sha256).digest()


def subject_hash(key: bytes, provider: str, value: str) -> str:
    return hmac.new(key, f"{provider}:{value}".encode(), hashlib.sha256).hexdigest()


def identity_value(provider: str, claims: dict[str, Any]) -> str:
    """The claim that stays the same for a person at every login with this provider."""
    value = claims.get("pid") if provider == IDPORTEN else claims.get("sub")
    if not isinstance(value, str) or not value.strip():
        raise Refused(NO_IDENTITY)
    return value.strip()


def feide_realm(claims: dict[str, Any]) -> str | None:
    principal = claims.get(FEIDE_EPPN) or claims.get("eduPersonPrincipalName")
    if not isinstance(principal, str) or "@" not in principal:
        return None
    realm = principal.rsplit("@", 1)[1].strip().lower()
    return realm if REALM.match(realm) else None


def verified_email(claims: dict[str, Any]) -> str | None:
    """The e-mail if the provider vouches for it; None if it gave none; refuses an unverified one."""
    email = claims.get("email")
    if not email:
        return None
    if claims.get("email_verified") is not True:
        raise Refused(EMAIL_UNVERIFIED)
    email = accounts.normalise_email(str(email))
    if not accounts.EMAIL.match(email) or len(email) > 254:
        raise Refused(EMAIL_UNVERIFIED)
    return email


def sign_in(
    session: Session,
    provider: str,
    claims: dict[str, Any],
    key: bytes,
    levels: frozenset[str] = frozenset(),
) -> SignIn:
    """The account this verified login belongs to: linked before, an existing account with the
    same verified e-mail, or a new one. Feide logins are placed in their mapped organisation.
    `levels`: the security levels (acr) accepted; empty accepts any."""
    if levels and claims.get("acr") not in levels:
        raise Refused(LEVEL_TOO_LOW)
    digest = subject_hash(key, provider, identity_value(provider, claims))
    link = session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.provider == provider, SsoIdentity.subject_hash == digest
        )
    )
    created = False
    if link is not None:
        user = session.get(User, link.user_id)
        assert user is not None  # the link goes with the account (ON DELETE CASCADE)
    else:
        email = verified_email(claims)
        user = accounts.find_user(session, email) if email else None
        if user is None:
            user = _new_account(session, email, claims)
            created = True
        link = SsoIdentity(provider=provider, subject_hash=digest, user_id=user.id)
        session.add(link)
    if not user.active:
        raise Refused(DEACTIVATED)
    if not user.password_hash:
        # Invited ("" until the mail's link is used) and here through the provider instead:
        # they have come, and theirs is an account without a password, like one made here.
        user.password_hash = NO_PASSWORD
    link.last_login_at = utcnow()
    name = claims.get("name")
    if not user.display_name and isinstance(name, str) and name.strip():
        user.display_name = name.strip()[:200]
    organisation, unplaced = None, False
    if provider == FEIDE:
        organisation, unplaced = _place(session, user, feide_realm(claims))
    session.flush()
    return SignIn(user, created, organisation, unplaced)


def _new_account(session: Session, email: str | None, claims: dict[str, Any]) -> User:
    locale = claims.get("locale")
    user = User(
        email=email or f"{secrets.token_hex(10)}@{NO_MAIL_DOMAIN}",
        # No password: werkzeug never matches "!" (not a hash), so only single sign-on (or a
        # password reset to a real address) opens this account.
        password_hash=NO_PASSWORD,
        audience="other",
        language=locale if locale in ("nb", "nn", "en") else None,
    )
    session.add(user)
    session.flush()
    return user


def has_password(user: User) -> bool:
    """Whether the person has a password to confirm things with. Not only accounts made here
    ("!") lack one: someone invited by an org admin has "" until they use the mail's link, and
    may log in with Feide instead and never choose one (a host's "!host" has none either)."""
    return bool(user.password_hash) and not user.password_hash.startswith("!")


def _place(session: Session, user: User, realm: str | None) -> tuple[Organisation | None, bool]:
    """Put a Feide user without a place yet in their realm's organisation (creating it if an
    org admin allowed that); someone already placed (by an admin, or earlier) is left alone."""
    if accounts.memberships_of(session, user):
        return None, False
    mapping = (
        session.scalar(select(FeideOrgMapping).where(FeideOrgMapping.feide_realm == realm))
        if realm
        else None
    )
    if mapping is None:
        return None, True
    organisation = (
        session.get(Organisation, mapping.organisation_id) if mapping.organisation_id else None
    )
    if organisation is None and mapping.allow_create:
        organisation = _create_for_realm(session, mapping)
    if organisation is None:
        return None, True
    accounts.add_membership(session, user, organisation, "learner")
    return organisation, False


def _create_for_realm(session: Session, mapping: FeideOrgMapping) -> Organisation:
    base = re.sub(r"[^a-z0-9]+", "-", mapping.feide_realm).strip("-")[:50] or "feide"
    slug = base if base[0].isalpha() else f"feide-{base}"
    while accounts.find_organisation(session, slug) is not None:
        slug = f"{base[:50]}-{secrets.token_hex(3)}"
    organisation = Organisation(slug=slug, name=mapping.feide_realm, parent_id=mapping.parent_id)
    session.add(organisation)
    session.flush()
    mapping.organisation_id = organisation.id
    return organisation
