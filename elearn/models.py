"""Imports every model so `Base.metadata` is complete (for Alembic and for tests)."""

from elearn.accounts.models import Assignment, AuditEntry, Membership, Organisation, User
from elearn.content.models import Course, CourseAsset, CourseVersion
from elearn.db import Base
from elearn.lrs.models import LrsAttachment, LrsClient, LrsDocument
from elearn.player.models import Attempt
from elearn.reports.models import REPORT_INDEX
from elearn.tracking.models import ForwarderLease, OutboxEntry, StatementKey, StoredStatement

__all__ = [
    "REPORT_INDEX",
    "Assignment",
    "Attempt",
    "AuditEntry",
    "Base",
    "Course",
    "CourseAsset",
    "CourseVersion",
    "ForwarderLease",
    "LrsAttachment",
    "LrsClient",
    "LrsDocument",
    "Membership",
    "Organisation",
    "OutboxEntry",
    "StatementKey",
    "StoredStatement",
    "User",
]
