"""Imports every model so `Base.metadata` is complete (for Alembic and for tests)."""

from elearn.accounts.models import Organisation, User
from elearn.content.models import Course, CourseAsset, CourseVersion
from elearn.db import Base
from elearn.player.models import Attempt
from elearn.tracking.models import ForwarderLease, OutboxEntry, StoredStatement

__all__ = [
    "Attempt",
    "Base",
    "Course",
    "CourseAsset",
    "CourseVersion",
    "ForwarderLease",
    "Organisation",
    "OutboxEntry",
    "StoredStatement",
    "User",
]
