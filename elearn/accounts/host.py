"""Learners from a host app: elearn mounted in a Flask site whose signed-in people take courses.

The host gives `Elearn(app, learner_from_host=fn)`: fn(host_user) returns a `HostLearner` (or
None). elearn links the host's stable id to a learner of its own (created on the first visit,
with no password), and on every request brings the learner's name, e-mail, profession,
organisation and roles in line with what the hook says now, so the host stays the one place
people and their rights are managed. Nothing is kept that the hook does not give.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.accounts.models import (
    ORGANISATION_KINDS,
    HostLink,
    Membership,
    Organisation,
    User,
)
from elearn.accounts.service import (
    SLUG,
    add_membership,
    delete_user,
    find_organisation,
    memberships_of,
    normalise_email,
    settle_role,
    top_organisation,
)
from elearn.core.constants import AUDIENCES
from elearn.signals import user_deleting

# An e-mail address nobody has (RFC 2606 .invalid), for a learner whose host gave none:
# elearn's accounts need a unique address, and this one says nothing about the person.
NO_EMAIL_DOMAIN = "host.invalid"
# A password hash no password matches: a host learner signs in through the host only.
UNUSABLE_PASSWORD = "!host"
HOST_ROLES = ("org_admin", "unit_leader", "admin")


@dataclass(frozen=True)
class HostOrganisation:
    """An organisation or unit as the host knows it; elearn finds it by slug or creates it."""

    slug: str
    name: str = ""
    org_number: str | None = None
    kind: str = "other"


@dataclass(frozen=True)
class HostLearner:
    """What the host says about its signed-in user; elearn stores no more than this.

    external_id: the host's stable id for the person (its primary key, not the e-mail).
    organisation / unit: a slug of an elearn organisation, or a HostOrganisation to create.
    roles: any of "org_admin" (of `organisation`), "unit_leader" (of `unit`), "admin" (the
    platform); a role no longer given is taken away on the next visit.
    """

    external_id: str
    display_name: str | None = None
    email: str | None = None
    profession: str | None = None
    organisation: str | HostOrganisation | None = None
    unit: str | HostOrganisation | None = None
    roles: tuple[str, ...] = ()


HostHook = Callable[[Any], HostLearner | None]


def learner_for(session: Session, given: HostLearner) -> User:
    """The learner linked to the host's id (made on the first visit), brought in line with what
    the host says now. The caller commits."""
    external_id = str(given.external_id).strip()
    check(given)
    user = _linked(session, external_id)
    if user is None:
        user = _create(session, external_id)
    _sync_person(session, user, given)
    _sync_roles(session, user, given)
    return user


def check(given: HostLearner) -> None:
    """A hook that says something elearn cannot keep is a mistake in the host's code: say which
    field and why, rather than store half of it."""
    if not 0 < len(str(given.external_id).strip()) <= 255:
        raise ValueError("HostLearner.external_id: 1 to 255 characters")
    if given.profession is not None and given.profession not in AUDIENCES:
        raise ValueError(f"HostLearner.profession: one of {', '.join(AUDIENCES)} or None")
    unknown = set(given.roles) - set(HOST_ROLES)
    if unknown or isinstance(given.roles, str):
        raise ValueError(f"HostLearner.roles: a tuple of {', '.join(HOST_ROLES)}")
    if "org_admin" in given.roles and given.organisation is None:
        raise ValueError("HostLearner.roles: org_admin needs an organisation")
    if "unit_leader" in given.roles and given.unit is None:
        raise ValueError("HostLearner.roles: unit_leader needs a unit")
    for field in ("organisation", "unit"):
        org = getattr(given, field)
        slug = org.slug if isinstance(org, HostOrganisation) else org
        if slug is not None and not SLUG.match(slug):
            raise ValueError(f"HostLearner.{field}: a slug (lowercase letters, digits and '-')")
        if isinstance(org, HostOrganisation) and org.kind not in ORGANISATION_KINDS:
            raise ValueError(f"HostOrganisation.kind: one of {', '.join(ORGANISATION_KINDS)}")
        number = org.org_number if isinstance(org, HostOrganisation) else None
        if number is not None and not (len(number) == 9 and number.isdigit()):
            raise ValueError("HostOrganisation.org_number: nine digits")


def _linked(session: Session, external_id: str) -> User | None:
    return session.scalar(
        select(User)
        .join(HostLink, HostLink.user_id == User.id)
        .where(HostLink.host_id == external_id)
    )


def _create(session: Session, external_id: str) -> User:
    """A learner and its link, committed at once (before the request writes anything else); a
    parallel first visit that won the race is used instead."""
    try:
        user = User(email=_no_email(), password_hash=UNUSABLE_PASSWORD)
        session.add(user)
        session.flush()
        session.add(HostLink(host_id=external_id, user_id=user.id))
        session.commit()
        return user
    except IntegrityError:
        session.rollback()
        found = _linked(session, external_id)
        if found is None:
            raise
        return found


def _no_email() -> str:
    return f"{uuid.uuid4().hex}@{NO_EMAIL_DOMAIN}"


def real_email(user: User) -> str | None:
    """The learner's e-mail address, or None for the stand-in of a host that gave none."""
    return None if user.email.endswith(f"@{NO_EMAIL_DOMAIN}") else user.email


def _sync_person(session: Session, user: User, given: HostLearner) -> None:
    """Name and e-mail exactly as given (gone when the host stops giving them); the profession
    only when given, so a learner's own choice on the profile page stays otherwise."""
    user.display_name = (given.display_name or "").strip()[:200] or None
    email = normalise_email(given.email or "")
    if email and email == user.email:
        pass  # unchanged: nothing to look up
    elif not email or len(email) > 254 or _taken(session, email, user):
        if not user.email.endswith(f"@{NO_EMAIL_DOMAIN}"):
            user.email = _no_email()
    elif user.email != email:
        user.email = email
    if given.profession is not None:
        user.audience = given.profession


def _taken(session: Session, email: str, user: User) -> bool:
    """Another account has the address (an own elearn account): elearn never links by e-mail,
    so this learner goes without it rather than take over that account."""
    other = session.scalar(
        select(User.id).where(func.lower(User.email) == email, User.id != user.id)
    )
    return other is not None


def _organisation(
    session: Session, given: str | HostOrganisation | None, parent: Organisation | None
) -> Organisation | None:
    if given is None:
        return None
    wanted = given if isinstance(given, HostOrganisation) else HostOrganisation(slug=given)
    org = find_organisation(session, wanted.slug)
    if org is None:
        org = Organisation(
            slug=wanted.slug,
            name=wanted.name.strip() or wanted.slug,
            kind=wanted.kind,
            org_number=wanted.org_number,
            parent_id=parent.id if parent else None,
        )
        session.add(org)
        session.flush()
    return org


def _sync_roles(session: Session, user: User, given: HostLearner) -> None:
    """The memberships and the platform role the hook gives: the host's administrators are
    elearn's, and losing a role on the host loses it here. Only the host's own memberships
    (source "host") are added, changed and removed; those an elearn admin, an invitation or a
    join link gave stay. Where both name one organisation, the host's role holds and the row is
    the host's from then on (one row per person and organisation)."""
    roles = set(given.roles)
    organisation = _organisation(session, given.organisation, None)
    unit = _organisation(session, given.unit, organisation)
    wanted: dict[int, str] = {}
    if unit is not None:
        wanted[unit.id] = "unit_leader" if "unit_leader" in roles else "learner"
    if organisation is not None and ("org_admin" in roles or unit is None):
        wanted[organisation.id] = "org_admin" if "org_admin" in roles else "learner"
    memberships = memberships_of(session, user)
    held = {m.organisation_id: m.role for m in memberships if m.source == "host"}
    if held != wanted:  # else nothing to write: the usual request
        gone = [m.id for m in memberships if m.source == "host" and m.organisation_id not in wanted]
        if gone:
            session.execute(delete(Membership).where(Membership.id.in_(gone)))
        for org in (unit, organisation):
            if org is not None and org.id in wanted:
                add_membership(session, user, org, wanted[org.id], source="host")
        memberships = memberships_of(session, user)
        _settle_organisation(session, user, memberships, wanted)
    if "admin" in roles:
        user.role = "admin"
    else:
        user.role = "learner"
        settle_role(user, memberships)


def _settle_organisation(
    session: Session, user: User, memberships: list[Membership], wanted: dict[int, str]
) -> None:
    """`User.organisation_id` (the scope of exports and LRS clients): the top of the host's
    organisation when it gives one, else of the first membership left, else none."""
    if wanted:
        return  # add_membership set it from the host's organisation or unit
    first = session.get(Organisation, memberships[0].organisation_id) if memberships else None
    user.organisation_id = top_organisation(session, first).id if first is not None else None


def delete_host_learner(sender: Any, session: Session, external_id: str) -> bool:
    """Delete the learner linked to a host user and everything about them: each room deletes
    its own rows (attempts, statements, documents) on `user_deleting`, then the account and
    its link go. False when the host user never came to elearn. The caller commits."""
    user = _linked(session, str(external_id))
    if user is None:
        return False
    user_deleting.send(sender, session=session, user=user)
    # Not left to ON DELETE CASCADE: a host's engine may be SQLite without foreign keys on.
    session.execute(delete(HostLink).where(HostLink.user_id == user.id))
    session.execute(delete(Membership).where(Membership.user_id == user.id))
    delete_user(session, user)
    return True
