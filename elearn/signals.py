"""Events one room sends and other rooms act on, so no room reaches into another's tables.

Blinker signals (Flask's own). Receivers run in the sender's transaction: nothing they do is
committed until the sender commits, and an exception in one rolls the whole change back.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

user_deleting = _signals.signal("elearn.user-deleting")
"""An account is about to be deleted (GDPR art. 17). Sent by accounts with the app's
`ElearnState` as sender and `session=`, `user=`: each room deletes its own rows about the user
in that session; accounts deletes the user last."""

course_imported = _signals.signal("elearn.course-imported")
"""A course was imported as a new current version. Sent by content with the `ElearnState` as
sender (or None from a bare session) and `course_id=`, `version_id=`."""

retention_due = _signals.signal("elearn.retention-due")
"""`flask elearn retention` (privacy) asks every room to delete its records older than the
retention period. Sent with the `ElearnState` as sender and `session=`, `cutoff=` (a naive UTC
datetime) and `deleted=` (a dict each receiver adds "<what>": <count> to). Course certificates
are not retention's to delete."""
