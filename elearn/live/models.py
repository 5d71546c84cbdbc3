"""A live session, the phones that joined it and their votes.

The whole state of a session is in these rows (never in a worker's memory), so any worker of
any server can answer any request, and the leader's laptop can reload without losing anything.
What is kept after the end is the minimum a report needs: the session row (date, course,
scenario, number of participants, the path and the vote counts). Votes and nicknames go at
the end; the phones' hashed tokens go when the session expires (they let a participant with an
account add "attended" to their own record shortly after the end).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, JSONType, utcnow

LIVE, PAUSED, ENDED = "live", "paused", "ended"


class LiveSession(Base):
    __tablename__ = "elearn_live_sessions"
    __table_args__ = (
        # A join code names one session among those not ended; ended ones free their code.
        Index(
            "uq_elearn_live_sessions_code_open",
            "code",
            unique=True,
            sqlite_where=text("status <> 'ended'"),
            postgresql_where=text("status <> 'ended'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # In URLs and the xAPI activity IRI: not guessable, unlike the join code.
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    code: Mapped[str] = mapped_column(String(8))
    leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The organisation's unit the session counts for (organisations land separately).
    unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("elearn_course_versions.id"))
    scenario_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: course
    status: Mapped[str] = mapped_column(String(8), default=LIVE)
    # Bumped by every leader action: each action form carries it (a stale tab is refused).
    step: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change anyone can see (votes too): what the event streams announce.
    version: Mapped[int] = mapped_column(Integer, default=0)
    projector_lang: Mapped[str] = mapped_column(String(2), default="nb")
    # {"phase", "scenario", "engine", "queue", "round", "last", "history", "undo"} (service.py)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class LiveParticipant(Base):
    """One phone in one session: a hash of its random cookie token, never a name or account."""

    __tablename__ = "elearn_live_participants"
    __table_args__ = (UniqueConstraint("session_id", "phone_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_live_sessions.id", ondelete="CASCADE")
    )
    phone_hash: Mapped[str] = mapped_column(String(64))
    nickname: Mapped[str | None] = mapped_column(String(40), nullable=True)  # gone at the end
    attended_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LiveVote(Base):
    """A phone's vote in one round (a decision as shown once); a second vote replaces it."""

    __tablename__ = "elearn_live_votes"
    __table_args__ = (UniqueConstraint("session_id", "round", "phone_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_live_sessions.id", ondelete="CASCADE")
    )
    round: Mapped[int] = mapped_column(Integer)
    phone_hash: Mapped[str] = mapped_column(String(64))
    choice_id: Mapped[str] = mapped_column(String(64))
    voted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
