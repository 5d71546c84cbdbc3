"""Imports every model so `Base.metadata` is complete (for Alembic and for tests)."""

from elearn.accounts.models import Organisation, User
from elearn.content.models import Course, CourseAsset, CourseVersion
from elearn.db import Base
from elearn.live.models import LiveParticipant, LiveSession, LiveVote
from elearn.lrs.models import LrsAttachment, LrsClient, LrsDocument
from elearn.player.models import Attempt
from elearn.tracking.models import ForwarderLease, OutboxEntry, StatementKey, StoredStatement

__all__ = [
    "Attempt",
    "Base",
    "Course",
    "CourseAsset",
    "CourseVersion",
    "ForwarderLease",
    "LiveParticipant",
    "LiveSession",
    "LiveVote",
    "LrsAttachment",
    "LrsClient",
    "LrsDocument",
    "Organisation",
    "OutboxEntry",
    "StatementKey",
    "StoredStatement",
    "User",
]
