"""Everything elearn holds about one learner, as one JSON document (GDPR art. 15 and 20): their
own rows in every room, and nothing of anyone else (no admin who assigned or revoked, no
hashes or tokens: they identify nothing to the person and would only leak if the file did)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.accounts import service as accounts
from elearn.accounts.models import Assignment, Organisation, ReminderSent, User
from elearn.certificates import service as certificates
from elearn.db import utcnow
from elearn.organisations import service as organisations
from elearn.player.models import Attempt
from elearn.sso.models import SsoIdentity
from elearn.sso.service import has_password
from elearn.tracking.export import statements_about
from elearn.tracking.statements import StatementBuilder


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _org_name(session: Session, organisation_id: int | None) -> str | None:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else None


def learner_data(
    session: Session, user: User, statements: StatementBuilder, verify_url: Any
) -> dict[str, Any]:
    attempts = list(
        session.scalars(select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.id))
    )
    links = session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id))
    return {
        "exported_at": _when(utcnow()),
        "account": {
            "email": user.email,
            "name": user.display_name,
            "profession": user.audience,
            "language": user.language,
            "role": user.role,
            "organisation": _org_name(session, user.organisation_id),
            "active": user.active,
            "created_at": _when(user.created_at),
            "pseudonym_in_statements": user.xapi_id,
            "has_password": has_password(user),
        },
        "memberships": [
            {
                "organisation": _org_name(session, m.organisation_id),
                "role": m.role,
                "since": _when(m.created_at),
            }
            for m in accounts.memberships_of(session, user)
        ],
        "assigned_courses": [
            {"course": course, "due": due.isoformat() if due else None}
            for course, due in sorted(organisations.assignments_for(session, user).items())
        ],
        "reminders_sent": [
            {"course": course, "days_before_due": days, "sent_at": _when(sent)}
            for course, days, sent in _reminders(session, user)
        ],
        "single_sign_on": [
            {
                "provider": link.provider,
                "identity": "kept only as a keyed hash (HMAC-SHA256), not in clear text",
                "linked_at": _when(link.created_at),
                "last_login_at": _when(link.last_login_at),
            }
            for link in links
        ],
        "attempts": [
            {
                "course": a.course_id,
                "registration": a.registration,
                "status": a.status,
                "started_at": _when(a.started_at),
                "updated_at": _when(a.updated_at),
                "completed_at": _when(a.completed_at),
                "score_scaled": a.score_scaled,
                "passed": a.passed,
                "state": a.state,
            }
            for a in attempts
        ],
        "statements": statements_about(
            session, statements, user.xapi_id, [a.registration for a in attempts]
        ),
        "certificates": [
            {
                "code": c.code,
                "name": c.name,
                "course": c.course_title,
                "version": c.version,
                "measure": c.measure,
                "minutes": c.minutes,
                "issuer": c.issuer,
                "completed_at": _when(c.completed_at),
                "issued_at": _when(c.issued_at),
                "revoked_at": _when(c.revoked_at),
                "verification_url": verify_url(c),
            }
            for c in certificates.of_user(session, user.id)
        ],
    }


def _reminders(session: Session, user: User) -> list[tuple[str, int, dt.datetime]]:
    """The reminder mails sent to the person: which course, which window, when."""
    rows = session.execute(
        select(Assignment.course_id, ReminderSent.days_before, ReminderSent.sent_at)
        .join(Assignment, Assignment.id == ReminderSent.assignment_id)
        .where(ReminderSent.user_id == user.id)
        .order_by(ReminderSent.sent_at, ReminderSent.id)
    )
    return [(course, days, sent) for course, days, sent in rows]
