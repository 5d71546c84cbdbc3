"""The rules of the organisation admin side: who may see and change whom, units in the tree,
invitations (by list or CSV, all or nothing), join links, assignments and their reminders.

Pages and commands call these; none of them commits (the caller does, once), so a failed step
leaves nothing half-done.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, delete, or_, select
from sqlalchemy.orm import Session

from elearn.accounts import service as accounts
from elearn.accounts import tokens
from elearn.accounts.models import (
    MEMBERSHIP_ROLES,
    ORGANISATION_KINDS,
    Assignment,
    JoinLink,
    Membership,
    Organisation,
    ReminderSent,
    User,
)
from elearn.db import utcnow
from elearn.message_catalogues import N_

INVITE = "invite"  # AccountToken.purpose of an invitation link
TOP_KINDS = ("municipality", "county", "health_trust")
UNIT_KINDS = tuple(k for k in ORGANISATION_KINDS if k not in TOP_KINDS)
REMINDER_DAYS = (7, 1)  # reminder windows: this many days before the due date, or fewer
MAX_CSV_BYTES = 256 * 1024
MAX_INVITES = 500  # lines in one list or file


# -- organisation numbers and the tree ----------------------------------------------------------

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_org_number(number: str) -> bool:
    """Enhetsregisteret's rule: nine digits, the last a modulus-11 check digit of the others."""
    if not re.fullmatch(r"\d{9}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:8], ORG_NUMBER_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[8])


def _slugify(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", "ö": "o", "ä": "a"})
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(table)).strip("-")
    if not slug or not slug[0].isalpha():
        slug = "unit-" + slug
    return slug[:50].rstrip("-")


def unique_slug(session: Session, name: str) -> str:
    base = _slugify(name)
    slug, n = base, 1
    while accounts.find_organisation(session, slug) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_unit(
    session: Session, parent: Organisation | None, name: str, kind: str, org_number: str | None
) -> Organisation:
    """A unit under `parent` (or, for the platform admin, a new top organisation)."""
    org = Organisation(
        slug=unique_slug(session, name),
        name=name.strip(),
        parent_id=parent.id if parent else None,
        kind=kind if kind in ORGANISATION_KINDS else "other",
        org_number=org_number or None,
    )
    session.add(org)
    session.flush()
    return org


@dataclass
class TreeNode:
    organisation: Organisation
    children: list[TreeNode] = field(default_factory=list)


def tree(organisations: list[Organisation]) -> list[TreeNode]:
    """The organisations as a forest: a node whose parent is not in the list is a root."""
    nodes = {o.id: TreeNode(o) for o in organisations}
    roots: list[TreeNode] = []
    for node in sorted(nodes.values(), key=lambda n: n.organisation.name.lower()):
        parent = nodes.get(node.organisation.parent_id or -1)
        (parent.children if parent else roots).append(node)
    return roots


def labelled(organisations: list[Organisation]) -> list[tuple[Organisation, str]]:
    """Each organisation with its path ("Bergen kommune › Nordnes skole"), in tree order, for
    select lists: two schools of the same name in two municipalities stay apart."""
    out: list[tuple[Organisation, str]] = []

    def walk(nodes: list[TreeNode], prefix: str) -> None:
        for node in nodes:
            label = prefix + node.organisation.name
            out.append((node.organisation, label))
            walk(node.children, label + " › ")

    walk(tree(organisations), "")
    return out


# -- who sees whom ----------------------------------------------------------------------------


def managed(session: Session, user: User) -> tuple[list[Organisation], set[int]]:
    """The organisations and units an admin may change people in (org admin and platform
    admin), and their ids: the one answer every page of this room checks against."""
    orgs = accounts.organisations_administered_by(session, user)
    return orgs, {o.id for o in orgs}


def assignable(session: Session, user: User) -> tuple[list[Organisation], set[int]]:
    """The units a person may assign courses in: those they administer or lead, and their ids."""
    orgs = {o.id: o for o in managed(session, user)[0]}
    orgs.update({o.id: o for o in accounts.units_led_by(session, user)})
    return list(orgs.values()), set(orgs)


def managed_ids(session: Session, user: User) -> set[int]:
    return managed(session, user)[1]


def scope_ids(session: Session, user: User) -> set[int]:
    return assignable(session, user)[1]


def people_visible_to(session: Session, user: User) -> Select[tuple[User]]:
    """The people an admin or leader may see: members of their organisations and units (the
    platform admin: everyone). A query, to be filtered further and ordered by the caller."""
    query = select(User)
    if user.role == "admin":
        return query
    ids = scope_ids(session, user)
    if not ids:
        return query.where(User.id.is_(None))
    members = select(Membership.user_id).where(Membership.organisation_id.in_(ids))
    return query.where(or_(User.id.in_(members), User.id == user.id))


def visible_person(session: Session, actor: User, user_id: int) -> User | None:
    return session.scalar(people_visible_to(session, actor).where(User.id == user_id))


def members_of(session: Session, org_ids: set[int]) -> list[User]:
    """Active people with a membership in any of these units."""
    if not org_ids:
        return []
    members = select(Membership.user_id).where(Membership.organisation_id.in_(org_ids))
    return list(session.scalars(select(User).where(User.id.in_(members), User.active)))


def change_membership(
    session: Session, membership: Membership, organisation: Organisation, role: str
) -> None:
    """Move a person to another unit and/or give them another role there; if they are in the
    target unit already, that membership takes the role and this one goes."""
    if role not in MEMBERSHIP_ROLES:
        raise ValueError(role)
    user = session.get(User, membership.user_id)
    assert user is not None
    if organisation.id != membership.organisation_id:
        session.delete(membership)
        session.flush()
    accounts.add_membership(session, user, organisation, role)
    accounts.settle_role(user, accounts.memberships_of(session, user))


def remove_membership(session: Session, membership: Membership) -> None:
    user = session.get(User, membership.user_id)
    session.delete(membership)
    session.flush()
    if user is not None:
        accounts.settle_role(user, accounts.memberships_of(session, user))


# -- invitations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str | None
    unit: Organisation
    role: str


@dataclass(frozen=True)
class LineError:
    line: int
    message: str  # a msgid
    value: str = ""


BAD_EMAIL = N_("“%(value)s” is not a valid e-mail address.")
BAD_UNIT = N_("“%(value)s” is not one of your units (write its name as on the units page).")
BAD_ROLE = N_("“%(value)s” is not a role: write learner, unit_leader or org_admin.")
TWICE = N_("%(value)s is in the list twice.")
BAD_COLUMNS = N_("The first line must name the columns: name,email,unit,role.")
WRONG_FIELDS = N_("The line has %(value)s fields; it needs 4 (name, email, unit, role).")
NOT_UTF8 = N_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
TOO_BIG = N_("The file is too large: at most 256 KB.")
TOO_MANY = N_("Too many people at once: at most 500 lines.")
EMPTY = N_("There is nobody to invite in it.")


def parse_email_list(
    text: str, unit: Organisation, role: str
) -> tuple[list[Invitee], list[LineError]]:
    """One address per line (blank lines skipped); every wrong line is reported."""
    invitees: list[Invitee] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    lines = text.splitlines()
    if len(lines) > MAX_INVITES:
        return [], [LineError(0, TOO_MANY)]
    for number, raw in enumerate(lines, start=1):
        address = accounts.normalise_email(raw)
        if not address:
            continue
        if not accounts.EMAIL.match(address) or len(address) > 254:
            errors.append(LineError(number, BAD_EMAIL, raw.strip()[:100]))
        elif address in seen:
            errors.append(LineError(number, TWICE, address))
        else:
            seen.add(address)
            invitees.append(Invitee(address, None, unit, role))
    if not invitees and not errors:
        errors.append(LineError(0, EMPTY))
    return invitees, errors


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")  # with or without the BOM spreadsheets write
    except UnicodeDecodeError:
        return None


def _dialect(text: str) -> str:
    """`;` (Norwegian Excel) or `,`: whichever the header line uses."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _unit_lookup(units: list[Organisation]) -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    for unit in units:
        lookup.setdefault(unit.name.strip().lower(), unit)
        lookup[unit.slug] = unit
        if unit.org_number:
            lookup[unit.org_number] = unit
    return lookup


def parse_csv(data: bytes, units: list[Organisation]) -> tuple[list[Invitee], list[LineError]]:
    """Columns name,email,unit,role with a header line; any wrong line makes the whole file
    wrong (the caller imports nothing), and each is reported with its line number."""
    if len(data) > MAX_CSV_BYTES:
        return [], [LineError(0, TOO_BIG)]
    text = _decode(data)
    if text is None:
        return [], [LineError(0, NOT_UTF8)]
    rows = list(csv.reader(io.StringIO(text), delimiter=_dialect(text)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if header != ["name", "email", "unit", "role"]:
        return [], [LineError(1, BAD_COLUMNS)]
    if len(rows) > MAX_INVITES + 1:
        return [], [LineError(0, TOO_MANY)]
    lookup = _unit_lookup(units)
    invitees: list[Invitee] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = _csv_line(number, row, lookup, seen)
        if isinstance(found, Invitee):
            invitees.append(found)
        else:
            errors.extend(found)
    if not invitees and not errors:
        errors.append(LineError(0, EMPTY))
    return invitees, errors


def _csv_line(
    number: int, row: list[str], lookup: dict[str, Organisation], seen: set[str]
) -> Invitee | list[LineError]:
    if len(row) != 4:
        return [LineError(number, WRONG_FIELDS, str(len(row)))]
    name, raw_email, unit_name, role = (cell.strip() for cell in row)
    address = accounts.normalise_email(raw_email)
    errors: list[LineError] = []
    if not accounts.EMAIL.match(address) or len(address) > 254:
        errors.append(LineError(number, BAD_EMAIL, raw_email.strip()[:100]))
    elif address in seen:
        errors.append(LineError(number, TWICE, address))
    unit = lookup.get(unit_name.lower())
    if unit is None:
        errors.append(LineError(number, BAD_UNIT, unit_name[:100]))
    if role.lower() not in MEMBERSHIP_ROLES:
        errors.append(LineError(number, BAD_ROLE, role[:50]))
    if errors or unit is None:
        return errors
    seen.add(address)
    return Invitee(address, name[:200] or None, unit, role.lower())


@dataclass(frozen=True)
class Invited:
    user: User
    unit: Organisation
    token: str | None  # a link to set a password; None for someone who had an account already


def invite(session: Session, invitees: list[Invitee], minutes: int) -> list[Invited]:
    """Everyone in the list gets their membership; a new person gets an account without a
    password (nobody can log in to it) and a link to choose one."""
    done: list[Invited] = []
    for invitee in invitees:
        user = accounts.find_user(session, invitee.email)
        token = None
        if user is None:
            user = User(email=invitee.email, password_hash="", display_name=invitee.name)
            session.add(user)
            session.flush()
        if not user.password_hash:
            tokens.retire(session, INVITE, user.email)
            token = tokens.issue(session, INVITE, user.email, minutes, user_id=user.id)
        elif invitee.name and not user.display_name:
            user.display_name = invitee.name
        accounts.add_membership(session, user, invitee.unit, invitee.role)
        done.append(Invited(user, invitee.unit, token))
    return done


def accept_invitation(session: Session, token: str, password: str) -> User | None:
    """Use an invitation link: the password is set and the link spent. None if it is unknown,
    used, expired, or its account is gone."""
    row = tokens.redeem(session, INVITE, token)
    user = session.get(User, row.user_id) if row and row.user_id else None
    if user is None:
        return None
    user.set_password(password)
    user.end_all_sessions()
    tokens.retire(session, INVITE, user.email)
    return user


# -- join links ---------------------------------------------------------------------------------


def new_join_link(session: Session, unit: Organisation, actor: User) -> str:
    """A new link for the unit (the old one stops working); the token is returned once."""
    revoke_join_links(session, unit)
    token, digest = tokens.new_secret(24)
    session.add(JoinLink(organisation_id=unit.id, token_hash=digest, created_by_id=actor.id))
    session.flush()
    return token


def revoke_join_links(session: Session, unit: Organisation) -> None:
    for link in session.scalars(
        select(JoinLink).where(JoinLink.organisation_id == unit.id, JoinLink.revoked_at.is_(None))
    ):
        link.revoked_at = utcnow()


def join_unit(session: Session, token: str) -> Organisation | None:
    """The unit a live join link leads to, or None."""
    if len(token) > tokens.MAX_TOKEN_LENGTH:
        return None
    link = session.scalar(
        select(JoinLink).where(
            JoinLink.token_hash == tokens.token_hash(token), JoinLink.revoked_at.is_(None)
        )
    )
    return session.get(Organisation, link.organisation_id) if link else None


def open_join_links(session: Session, org_ids: set[int]) -> dict[int, JoinLink]:
    if not org_ids:
        return {}
    links = session.scalars(
        select(JoinLink).where(JoinLink.organisation_id.in_(org_ids), JoinLink.revoked_at.is_(None))
    )
    return {link.organisation_id: link for link in links}


def join(session: Session, user: User, unit: Organisation) -> bool:
    """Join as a learner; someone already in the unit keeps their role. True if they joined."""
    if any(m.organisation_id == unit.id for m in accounts.memberships_of(session, user)):
        return False
    accounts.add_membership(session, user, unit, "learner")
    return True


# -- assignments --------------------------------------------------------------------------------


def assign(
    session: Session,
    actor: User,
    course_id: str,
    due_date: dt.date | None,
    unit: Organisation | None = None,
    people: list[User] | None = None,
) -> list[Assignment]:
    """A course to a unit (everyone in it, now and later) or to each of the people chosen."""
    rows = (
        [Assignment(course_id=course_id, organisation_id=unit.id)]
        if unit is not None
        else [Assignment(course_id=course_id, user_id=p.id) for p in people or []]
    )
    for row in rows:
        row.due_date = due_date
        row.created_by_id = actor.id
        session.add(row)
    session.flush()
    return rows


def assignments_in_scope(session: Session, actor: User) -> list[Assignment]:
    """What an admin or leader may see and delete: assignments to their units, and those to
    people they can see that they or a colleague made. A person may work in two
    municipalities: what the other one's admin assigned them is not this admin's business."""
    query = select(Assignment).order_by(Assignment.due_date, Assignment.id)
    if actor.role != "admin":
        people = people_visible_to(session, actor).with_only_columns(User.id)
        query = query.where(
            or_(
                Assignment.organisation_id.in_(scope_ids(session, actor)),
                and_(
                    Assignment.user_id.in_(people),
                    or_(Assignment.created_by_id.in_(people), Assignment.created_by_id.is_(None)),
                ),
            )
        )
    return list(session.scalars(query))


def ancestors(session: Session, org_ids: set[int]) -> set[int]:
    """The ids given and every organisation above them."""
    found = set(org_ids)
    frontier = set(org_ids)
    while frontier:
        parents = set(
            session.scalars(
                select(Organisation.parent_id).where(
                    Organisation.id.in_(frontier), Organisation.parent_id.is_not(None)
                )
            )
        )
        frontier = parents - found
        found |= frontier
    return found


def assignments_for(session: Session, user: User) -> dict[str, dt.date | None]:
    """course id → the earliest due date of the person's assignments of it (to them, to a unit
    of theirs, or to an organisation above their units)."""
    org_ids = ancestors(
        session, {m.organisation_id for m in accounts.memberships_of(session, user)}
    )
    rows = session.scalars(
        select(Assignment).where(
            or_(Assignment.user_id == user.id, Assignment.organisation_id.in_(org_ids))
        )
    )
    due: dict[str, dt.date | None] = {}
    for row in rows:
        if row.course_id not in due or _earlier(row.due_date, due[row.course_id]):
            due[row.course_id] = row.due_date
    return due


def _earlier(a: dt.date | None, b: dt.date | None) -> bool:
    return a is not None and (b is None or a < b)


def assigned_people(session: Session, assignment: Assignment) -> list[User]:
    """Who an assignment is for now: the person, or the active members of the unit and the
    units under it."""
    if assignment.user_id is not None:
        user = session.get(User, assignment.user_id)
        return [user] if user is not None and user.active else []
    if assignment.organisation_id is None:
        return []
    return members_of(session, accounts.descendants(session, {assignment.organisation_id}))


@dataclass(frozen=True)
class Reminder:
    assignment: Assignment
    user: User
    days_left: int
    windows: tuple[int, ...]  # every window this reminder settles


def due_reminders(session: Session, today: dt.date) -> list[Reminder]:
    """The reminders to send today: for each assignment due within REMINDER_DAYS and each of its
    people, one mail for the narrowest window not yet sent (a first run three days before the
    date sends one mail, not two); already-sent windows send nothing."""
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    assignments = session.scalars(
        select(Assignment).where(Assignment.due_date >= today, Assignment.due_date <= horizon)
    )
    out: list[Reminder] = []
    for assignment in assignments:
        assert assignment.due_date is not None
        days_left = (assignment.due_date - today).days
        open_windows = tuple(d for d in REMINDER_DAYS if days_left <= d)
        sent = {
            (r.user_id, r.days_before)
            for r in session.scalars(
                select(ReminderSent).where(ReminderSent.assignment_id == assignment.id)
            )
        }
        for user in assigned_people(session, assignment):
            windows = tuple(d for d in open_windows if (user.id, d) not in sent)
            if windows and min(windows) == min(open_windows):
                out.append(Reminder(assignment, user, days_left, windows))
    return out


def mark_sent(session: Session, reminder: Reminder) -> None:
    for days in reminder.windows:
        session.add(
            ReminderSent(
                assignment_id=reminder.assignment.id, user_id=reminder.user.id, days_before=days
            )
        )
    session.flush()


def delete_assignment(session: Session, assignment: Assignment) -> None:
    session.execute(delete(ReminderSent).where(ReminderSent.assignment_id == assignment.id))
    session.delete(assignment)
