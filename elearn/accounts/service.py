"""Account rules: who may register, how passwords are checked, and deletion that really deletes."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elearn.accounts import tokens
from elearn.accounts.models import (
    MEMBERSHIP_ROLES,
    MEMBERSHIP_SOURCES,
    ROLES,
    AccountToken,
    Membership,
    Organisation,
    User,
)
from elearn.core.constants import AUDIENCES, LANGUAGES
from elearn.db import utcnow
from elearn.message_catalogues import N_

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10
CHOOSE_AUDIENCE = N_("Choose a profession.")
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def normalise_email(email: str) -> str:
    return email.strip().lower()


def registration_errors(
    session: Session, email: str, password: str, audience: str
) -> dict[str, str]:
    """Field → message (an untranslated msgid), for every field that is wrong."""
    errors: dict[str, str] = {}
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = N_("Enter a valid email address, for example name@example.no.")
    elif find_user(session, email) is not None:
        errors["email"] = N_("There is already an account with this email address.")
    if len(password) < MIN_PASSWORD:
        errors["password"] = N_("The password must have at least 10 characters.")
    if audience not in AUDIENCES:
        errors["audience"] = CHOOSE_AUDIENCE
    return errors


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    password: str,
    audience: str = "other",
    language: str | None = None,
) -> User:
    user = User(
        email=normalise_email(email),
        audience=audience if audience in AUDIENCES else "other",
        language=language if language in LANGUAGES else None,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


SLUG = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def create_organisation(session: Session, slug: str, name: str) -> Organisation:
    """An organisation (municipality); the slug is its stable id in URLs, CLI and LRS scopes."""
    if not SLUG.match(slug):
        raise ValueError("slug: lowercase letters, digits and '-', starting with a letter")
    if find_organisation(session, slug) is not None:
        raise ValueError(f"slug: an organisation called {slug!r} exists already")
    org = Organisation(slug=slug, name=name.strip() or slug)
    session.add(org)
    session.flush()
    return org


def find_organisation(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug))


def organisation_of(session: Session, user: User) -> Organisation | None:
    return session.get(Organisation, user.organisation_id) if user.organisation_id else None


def set_role(user: User, role: str, organisation: Organisation | None) -> None:
    """An org_admin must belong to an organisation; the platform admin need not."""
    if role not in ROLES:
        raise ValueError(f"role: one of {', '.join(ROLES)}")
    if role == "org_admin" and organisation is None:
        raise ValueError("role: an org_admin needs --org")
    user.role = role
    user.organisation_id = organisation.id if organisation else user.organisation_id


def top_organisation(session: Session, organisation: Organisation) -> Organisation:
    """The municipality (or county, health trust) at the top of a unit's tree."""
    seen = {organisation.id}
    while organisation.parent_id is not None:
        parent = session.get(Organisation, organisation.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        organisation = parent
    return organisation


def add_membership(
    session: Session,
    user: User,
    organisation: Organisation,
    role: str = "learner",
    source: str | None = None,
) -> Membership:
    """Place a person in an organisation or unit with a role (a second unit is a second row;
    the same unit again changes the role). `User.organisation_id` follows the top of the tree,
    the scope the LRS clients and exports use, and an org admin gets the `org_admin` role there.
    `source` ("host" | "elearn") marks who gave it, so the host's sync touches only its own;
    None keeps an existing row's source (a new row is elearn's).

    An org admin's `organisation_id` moves only with a new org_admin membership: joining another
    municipality's unit as a learner (anyone with its join link can) must not hand them that
    municipality's LRS clients and exports."""
    if role not in MEMBERSHIP_ROLES:
        raise ValueError(f"role: one of {', '.join(MEMBERSHIP_ROLES)}")
    if source is not None and source not in MEMBERSHIP_SOURCES:
        raise ValueError(f"source: one of {', '.join(MEMBERSHIP_SOURCES)}")
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if membership is None:
        membership = Membership(
            user_id=user.id, organisation_id=organisation.id, role=role, source="elearn"
        )
        session.add(membership)
    membership.role = role
    if source is not None:
        membership.source = source
    if role == "org_admin" or user.role == "learner" or user.organisation_id is None:
        user.organisation_id = top_organisation(session, organisation).id
    if role == "org_admin" and user.role == "learner":
        user.role = "org_admin"
    session.flush()
    return membership


def settle_role(user: User, memberships: list[Membership]) -> None:
    """`User.role` follows the memberships (the platform admin stays one): org_admin while the
    person administers some organisation, else learner. Export and LRS pages read it."""
    if user.role == "admin":
        return
    user.role = "org_admin" if any(m.role == "org_admin" for m in memberships) else "learner"


def descendants(session: Session, ids: set[int]) -> set[int]:
    """The ids given and every unit under them, however deep the tree (one query a level)."""
    found = set(ids)
    frontier = set(ids)
    while frontier:
        children = set(
            session.scalars(
                select(Organisation.id).where(Organisation.parent_id.in_(frontier))
            ).all()
        )
        frontier = children - found
        found |= frontier
    return found


def organisations_administered_by(session: Session, user: User) -> list[Organisation]:
    """Where the person is org admin, and every unit under it; for the platform admin every
    organisation. An org admin made before memberships existed administers their own."""
    if user.role == "admin":
        return list(session.scalars(select(Organisation).order_by(Organisation.name)))
    ids = {m.organisation_id for m in memberships_of(session, user) if m.role == "org_admin"}
    if user.role == "org_admin" and user.organisation_id is not None and not ids:
        ids = {user.organisation_id}
    return _organisations(session, descendants(session, ids) if ids else set())


def units_led_by(session: Session, user: User) -> list[Organisation]:
    """The units where the person has a unit_leader membership, and the units under them."""
    ids = {m.organisation_id for m in memberships_of(session, user) if m.role == "unit_leader"}
    return _organisations(session, descendants(session, ids) if ids else set())


def _organisations(session: Session, ids: set[int]) -> list[Organisation]:
    if not ids:
        return []
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


def memberships_of(session: Session, user: User) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
        )
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password is right and the account is not locked; else None.

    After MAX_FAILED_LOGINS wrong passwords in a row the account refuses every login for
    LOCK_MINUTES. The answer is the same for a wrong password, a locked account and an unknown
    email, and so is the work done, so nothing reveals which emails exist. The caller commits.
    """
    user = find_user(session, email)
    now = utcnow()
    if user is None or (user.locked_until is not None and user.locked_until > now):
        User(password_hash="").set_password(password)
        return None
    if user.check_password(password):
        user.failed_logins = 0
        user.locked_until = None
        return user
    _count_failure(session, user, now)
    return None


def _count_failure(session: Session, user: User, now: dt.datetime) -> None:
    """Atomic in the database, so wrong passwords sent in parallel cannot lose a count: the
    one that reaches MAX_FAILED_LOGINS locks the account."""
    count = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if count >= MAX_FAILED_LOGINS:
        session.execute(
            update(User)
            .where(User.id == user.id, User.failed_logins >= MAX_FAILED_LOGINS)
            .values(failed_logins=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES))
            .execution_options(synchronize_session=False)
        )


def delete_user(session: Session, user: User) -> None:
    """Delete the account row. Send `signals.user_deleting` first: every room deletes its own
    rows about the learner (attempts, statements, xAPI documents) in the same transaction."""
    tokens.forget(session, user.email)
    session.delete(user)


def equal_work(password: str) -> None:
    """Hash a password nobody keeps: the answer for a known and an unknown address costs the
    same time."""
    User(password_hash="").set_password(password)


def reset_password(session: Session, token: str, password: str) -> User | None:
    """Use a reset link: the new password, every other session ended, the lockout cleared, every
    other open reset link of the account retired. None if the link is unknown, used or expired.
    The caller has checked the password against the rules and commits."""
    row = tokens.redeem(session, tokens.RESET, token)
    user = session.get(User, row.user_id) if row and row.user_id else None
    if user is None:
        return None
    user.set_password(password)
    user.end_all_sessions()
    user.failed_logins = 0
    user.locked_until = None
    tokens.retire(session, tokens.RESET, user.email)
    return user


def finish_registration(session: Session, token: str) -> User | None:
    """Create the account a registration link stands for. None if the link is unknown, used or
    expired, or if the address got an account meanwhile."""
    row: AccountToken | None = tokens.redeem(session, tokens.REGISTER, token)
    if row is None or row.password_hash is None or find_user(session, row.email) is not None:
        return None
    tokens.retire(session, tokens.REGISTER, row.email)
    user = User(
        email=row.email,
        password_hash=row.password_hash,
        audience=row.audience if row.audience in AUDIENCES else "other",
        language=row.language if row.language in LANGUAGES else None,
    )
    session.add(user)
    session.flush()
    return user
