"""The audit log: who looked at whose report, who exported what, who changed whose access.
Any room writes it with `record_audit`; the platform admin reads it (/admin/audit)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elearn.accounts.models import AuditEntry, Organisation, User


def record_audit(
    session: Session,
    actor: User | None,
    action: str,
    organisation: Organisation | None = None,
    subject: User | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one entry to the caller's transaction (it commits with the change it records, so the
    log never names a change that did not happen). `action` is a short code such as
    "user.deactivate" or "report.view"; `detail` is cut to the column's 500 characters."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action[:64],
        organisation_id=organisation.id if organisation else None,
        subject_user_id=subject.id if subject else None,
        detail=detail[:500],
    )
    session.add(entry)
    return entry


def audit_page(page: int, per_page: int = 50) -> Select[tuple[AuditEntry]]:
    """Newest first, one page of it."""
    return (
        select(AuditEntry)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page + 1)
        .offset(max(page - 1, 0) * per_page)
    )
