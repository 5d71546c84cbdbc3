"""Imports every model so `Base.metadata` is complete (for Alembic and for tests)."""

from elearn.accounts.models import (
    Assignment,
    AuditEntry,
    HostLink,
    JoinLink,
    Membership,
    Organisation,
    ReminderSent,
    User,
)
from elearn.certificates.models import Certificate
from elearn.content.models import Course, CourseAsset, CourseVersion
from elearn.db import Base
from elearn.live.models import LiveParticipant, LiveSession, LiveVote
from elearn.lrs.models import LrsAttachment, LrsClient, LrsDocument
from elearn.player.models import Attempt
from elearn.reports.models import REPORT_INDEX
from elearn.sso.models import FeideOrgMapping, SsoIdentity
from elearn.tracking.models import ForwarderLease, OutboxEntry, StatementKey, StoredStatement

__all__ = [
    "REPORT_INDEX",
    "Assignment",
    "Attempt",
    "AuditEntry",
    "Base",
    "Certificate",
    "Course",
    "CourseAsset",
    "CourseVersion",
    "FeideOrgMapping",
    "ForwarderLease",
    "HostLink",
    "JoinLink",
    "LiveParticipant",
    "LiveSession",
    "LiveVote",
    "LrsAttachment",
    "LrsClient",
    "LrsDocument",
    "Membership",
    "Organisation",
    "OutboxEntry",
    "ReminderSent",
    "SsoIdentity",
    "StatementKey",
    "StoredStatement",
    "User",
]
