"""Live sessions: every change to a session in one short transaction, guarded by its counters.

The room follows one path through a scenario, played by the core engine (`engine.choose`,
`rules.next_scenario`), exactly as a learner's attempt is; this module only adds the room's
phases around each decision:

    voting ──reveal──► revealed ──pick──► feedback ──next──► voting (the next decision)
       └──────────────pick────────────────┘        └──next──► ending ──next──► voting (next
                                                                     scenario) or finished

Two counters on the session row keep concurrent writers honest. `step` is bumped by every
leader action, and each action names the step its page showed: a second tab that is behind is
refused (`StaleAction`) and changes nothing. `version` is bumped by every visible change (a vote
too); the event streams announce it, and a reconnecting page asks for what is newer. A vote is
written only if the session is still at the step it was checked against, so a vote racing the
reveal is either counted before it or refused, never half-counted.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.accounts.models import Organisation, User
from elearn.accounts.service import organisations_administered_by, units_led_by
from elearn.content.service import CourseEntry, CourseVersions
from elearn.core import engine, rules
from elearn.db import utcnow
from elearn.live.models import ENDED, LIVE, PAUSED, LiveParticipant, LiveSession, LiveVote
from elearn.message_catalogues import N_
from elearn.tracking.statements import StatementBuilder
from elearn.tracking.store import add_statements

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: read off a projector across a room without doubt.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6  # 25**6 ≈ 244 million codes; joins are rate-limited per address
NICKNAME_MAX = 40
UNDO_DEPTH = 50

VOTING, REVEALED, FEEDBACK, ENDING, FINISHED = (
    "voting",
    "revealed",
    "feedback",
    "ending",
    "finished",
)
ACTIONS = ("reveal", "pick", "next", "back", "pause", "resume", "end", "language")


class StaleAction(Exception):
    """The leader acted on a page that is out of date (another tab moved on); nothing changed."""


class ActionRefused(Exception):
    """The action does not fit the session as it is now (e.g. "next" with no votes to follow)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class VoteRefused(Exception):
    """Voting on this decision is closed (revealed, decided, paused or ended): 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ChoiceNotOffered(ValueError):
    """A vote for a choice the decision does not offer (tampering or a stale page): 400."""


# Messages as msgids: the views translate them (the service knows no language).
VOTING_CLOSED = N_("Voting on this decision has closed. The screen shows where the room is now.")
SESSION_PAUSED = N_("The session is paused. Wait for the leader to continue.")
SESSION_ENDED = N_("The session has ended.")
NO_VOTES = N_("No one has voted yet: choose the room's answer yourself.")
NOT_NOW = N_("That cannot be done at this point of the session.")
FIRST_STEP = N_("This is the first step: there is nothing to go back to.")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a participant typed, forgiving case, spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:16]


def phone_hash(live: LiveSession, token: str) -> str:
    """A phone's identity in one session only: the same phone in two sessions is not linkable."""
    return hashlib.sha256(f"elearn-live:{live.public_id}:{token}".encode()).hexdigest()


def new_phone_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LiveSettings:
    """What the live room needs from the app's configuration (no Flask globals here)."""

    statements: StatementBuilder
    idle: dt.timedelta
    forward: bool


@dataclass
class View:
    """Everything a page of the session shows, computed once per request."""

    live: LiveSession
    course: CourseEntry
    phase: str
    scenario: dict[str, Any] | None
    node: dict[str, Any] | None
    texts: list[dict[str, str]]
    choices: list[dict[str, Any]]
    round: int
    votes: int
    counts: dict[str, int]
    last: dict[str, Any] | None
    history: list[dict[str, Any]]
    decision: int  # 1-based number of the decision within the scenario
    scenario_number: int
    participants: int
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.live.status == ENDED

    @property
    def paused(self) -> bool:
        return self.live.status == PAUSED

    @property
    def key(self) -> str:
        """Changes whenever a phone's page must change (not on votes)."""
        return f"{self.live.status}-{self.live.step}"


def scenario_of(course: CourseEntry, scenario_id: str | None) -> dict[str, Any] | None:
    return next((s for s in course.compiled["scenarios"] if s["id"] == scenario_id), None)


class Live:
    """The live room's operations over the database; one per app."""

    def __init__(self, settings: LiveSettings, courses: CourseVersions):
        self.settings = settings
        self.courses = courses
        self._versions: dict[int, CourseEntry] = {}

    # -- finding sessions ----------------------------------------------------------------------
    def by_public_id(self, db: Session, public_id: str) -> LiveSession | None:
        if len(public_id) != 36:
            return None
        live = db.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
        if live is not None and live.status != ENDED and self._idle(live):
            self.end(db, live)
        return live

    def by_code(self, db: Session, raw: str) -> LiveSession | None:
        code = normalise_code(raw)
        if len(code) != CODE_LENGTH:
            return None
        live = db.scalar(
            select(LiveSession).where(LiveSession.code == code, LiveSession.status != ENDED)
        )
        if live is not None and self._idle(live):
            self.end(db, live)
            return None
        return live

    def _idle(self, live: LiveSession) -> bool:
        return live.updated_at < utcnow() - self.settings.idle

    def course_of(self, db: Session, live: LiveSession) -> CourseEntry:
        """A stored course version never changes: kept per worker, not read for every vote."""
        found = self._versions.get(live.course_version_id)
        if found is None:
            found = self.courses.version(db, live.course_version_id)
            if len(self._versions) > 64:
                self._versions.clear()
            self._versions[live.course_version_id] = found
        return found

    # -- starting ------------------------------------------------------------------------------
    def start(
        self,
        db: Session,
        leader: User,
        course: CourseEntry,
        scenario_id: str | None,
        projector_lang: str,
        unit_id: int | None = None,
    ) -> LiveSession:
        """A new session at the first decision of the scenario (or of the course's first)."""
        self.expire_idle(db)
        first = scenario_of(course, scenario_id) if scenario_id else course.compiled["scenarios"][0]
        if first is None:
            raise LookupError(scenario_id)
        start_state = engine.initial_state(first)
        state = {
            "phase": ENDING if start_state["ended"] else VOTING,
            "scenario": first["id"],
            "states": {first["id"]: start_state},
            "round": 1,
            "rounds_used": 1,
            "last": None,
            "history": [],
            "undo": [],
        }
        for _ in range(20):  # a clash among live codes is rare; try again with a fresh one
            live = LiveSession(
                code=new_code(),
                leader_id=leader.id,
                unit_id=unit_id,
                course_id=course.id,
                course_version_id=course.version_id,
                scenario_id=scenario_id or None,
                projector_lang=projector_lang,
                state=state,
            )
            try:
                with db.begin_nested():
                    db.add(live)
                    db.flush()
            except IntegrityError:
                continue
            db.commit()
            return live
        raise RuntimeError("no free join code found")  # pragma: no cover - 244M codes

    # -- reading -------------------------------------------------------------------------------
    def view(self, db: Session, live: LiveSession) -> View:
        course = self.course_of(db, live)
        state = live.state
        scenario = scenario_of(course, state["scenario"])
        assert scenario is not None
        sstate = state["states"][scenario["id"]]
        node = engine.current_node(scenario, sstate) if state["phase"] != FINISHED else None
        choices: list[dict[str, Any]] = []
        if node is not None and not sstate["ended"]:
            offered = engine.offered_choices(scenario, sstate)
            # One order for the projector and every phone: seeded by the session.
            choices = engine.choice_order(scenario["id"], node, offered, live.public_id)
        counts = self.counts(db, live.id, state["round"])
        last = None
        if state["last"]:
            lscen = scenario_of(course, state["last"]["scenario"]) or scenario
            lnode = lscen["nodes"][state["last"]["node"]]
            choice = next(c for c in lnode["choices"] if c["id"] == state["last"]["choice"])
            last = {"choice": choice, "node": lnode, "scenario": lscen}
        return View(
            live=live,
            course=course,
            phase=state["phase"],
            scenario=scenario,
            node=node,
            texts=engine.visible_text(node, sstate) if node else [],
            choices=choices,
            round=state["round"],
            votes=sum(counts.values()),
            counts=counts,
            last=last,
            history=state["history"],
            decision=len(sstate["path"]) + 1,
            scenario_number=1
            + next(
                i for i, s in enumerate(course.compiled["scenarios"]) if s["id"] == scenario["id"]
            ),
            participants=live.participants if live.status == ENDED else self.joined(db, live.id),
            notes=_notes(scenario, node),
        )

    @staticmethod
    def counts(db: Session, session_id: int, round_: int) -> dict[str, int]:
        rows = db.execute(
            select(LiveVote.choice_id, func.count())
            .where(LiveVote.session_id == session_id, LiveVote.round == round_)
            .group_by(LiveVote.choice_id)
        ).all()
        return {choice: n for choice, n in rows}

    @staticmethod
    def joined(db: Session, session_id: int) -> int:
        return db.scalar(
            select(func.count())
            .select_from(LiveParticipant)
            .where(LiveParticipant.session_id == session_id)
        )

    # -- the leader's actions -----------------------------------------------------------------
    def act(
        self, db: Session, live: LiveSession, action: str, step: int, **kwargs: Any
    ) -> LiveSession:
        """One leader action against the step the leader's page showed."""
        if step != live.step:
            raise StaleAction
        if action == "end":
            self.end(db, live, step=step)
            return live
        if live.status == ENDED:
            raise StaleAction
        status = live.status
        lang = live.projector_lang
        state = live.state
        if action == "pause":
            status = PAUSED
        elif action == "resume":
            status = LIVE
        elif action == "language":
            lang = kwargs.get("lang") or lang
        elif live.status == PAUSED:
            raise ActionRefused(SESSION_PAUSED)
        elif action == "back":
            state = _back(state)
        else:
            course = self.course_of(db, live)
            state = self._forward(db, live, course, action, kwargs.get("choice"))
        self._save(db, live, step, state=state, status=status, projector_lang=lang)
        return live

    def _forward(
        self, db: Session, live: LiveSession, course: CourseEntry, action: str, choice: str | None
    ) -> dict[str, Any]:
        state = live.state
        phase = state["phase"]
        if action == "next":  # the clicker's one button: whatever comes next
            if phase == VOTING:
                action = "reveal"
            elif phase == REVEALED:
                action, choice = "pick", self._room_choice(db, live)
        new = _snapshot(state)
        scenario = scenario_of(course, state["scenario"])
        assert scenario is not None
        sstate = state["states"][scenario["id"]]
        if action == "reveal" and phase == VOTING:
            new["phase"] = REVEALED
        elif action == "pick" and phase in (VOTING, REVEALED):
            try:
                step = engine.choose(scenario, sstate, choice or "")
            except engine.InvalidChoice as exc:
                raise ChoiceNotOffered(str(exc)) from exc
            new["states"][scenario["id"]] = step.state
            new["history"].append(
                {
                    "scenario": scenario["id"],
                    "node": step.from_node,
                    "round": state["round"],
                    "offered": [c["id"] for c in engine.offered_choices(scenario, sstate)],
                    "counts": self.counts(db, live.id, state["round"]),
                    "chosen": step.choice["id"],
                }
            )
            new["last"] = {"scenario": scenario["id"], "node": step.from_node, "choice": choice}
            new["phase"] = FEEDBACK
        elif action == "next" and phase == FEEDBACK:
            new["phase"] = ENDING if sstate["ended"] else VOTING
            new["last"] = None
            _new_round(new)
        elif action == "next" and phase == ENDING:
            following = None
            if live.scenario_id is None:  # the whole course: on to the next unplayed scenario
                following = rules.next_scenario(course.compiled, state["states"], scenario["id"])
            if following is None:
                new["phase"] = FINISHED
            else:
                first = engine.initial_state(following)
                new["scenario"] = following["id"]
                new["states"][following["id"]] = first
                new["phase"] = ENDING if first["ended"] else VOTING
                _new_round(new)
        else:
            raise ActionRefused(NOT_NOW)
        new["undo"] = [*state.get("undo", [])[-(UNDO_DEPTH - 1) :], _without_undo(state)]
        return new

    def _room_choice(self, db: Session, live: LiveSession) -> str:
        """The choice most phones voted for (the first offered on a tie)."""
        counts = self.counts(db, live.id, live.state["round"])
        if not counts:
            raise ActionRefused(NO_VOTES)
        best = max(counts.values())
        view_order = self.view(db, live).choices
        return next(c["id"] for c in view_order if counts.get(c["id"]) == best)

    def _save(self, db: Session, live: LiveSession, step: int, **values: Any) -> None:
        """Compare-and-set on `step`: of two racing actions exactly one wins."""
        done = db.execute(
            update(LiveSession)
            .where(LiveSession.id == live.id, LiveSession.step == step)
            .values(
                step=LiveSession.step + 1,
                version=LiveSession.version + 1,
                updated_at=utcnow(),
                **values,
            )
        )
        if done.rowcount != 1:
            db.rollback()
            raise StaleAction
        db.commit()
        db.refresh(live)

    def end(self, db: Session, live: LiveSession, step: int | None = None) -> None:
        """The end (by the leader or after inactivity): keep the record, drop the votes and the
        nicknames. Ending twice is harmless."""
        if live.status == ENDED:
            return
        participants = self.joined(db, live.id)
        state = _without_undo(live.state)
        query = update(LiveSession).where(LiveSession.id == live.id, LiveSession.status != ENDED)
        if step is not None:
            query = query.where(LiveSession.step == step)
        done = db.execute(
            query.values(
                status=ENDED,
                state=state,
                participants=participants,
                ended_at=utcnow(),
                step=LiveSession.step + 1,
                version=LiveSession.version + 1,
                updated_at=utcnow(),
            )
        )
        if done.rowcount != 1:
            db.rollback()
            if step is not None:
                raise StaleAction
            db.refresh(live)
            return
        db.execute(delete(LiveVote).where(LiveVote.session_id == live.id))
        db.execute(
            update(LiveParticipant)
            .where(LiveParticipant.session_id == live.id)
            .values(nickname=None)
        )
        db.commit()
        db.refresh(live)

    def expire_idle(self, db: Session) -> int:
        """End the sessions nobody has touched for the idle time, and forget the phones of
        sessions that ended longer ago than that. Returns the number of sessions ended."""
        cutoff = utcnow() - self.settings.idle
        idle = db.scalars(
            select(LiveSession).where(LiveSession.status != ENDED, LiveSession.updated_at < cutoff)
        ).all()
        for live in idle:
            self.end(db, live)
        old = select(LiveSession.id).where(
            LiveSession.status == ENDED, LiveSession.ended_at < cutoff
        )
        db.execute(delete(LiveParticipant).where(LiveParticipant.session_id.in_(old)))
        db.commit()
        return len(idle)

    # -- the phones -----------------------------------------------------------------------------
    def participant(
        self, db: Session, live: LiveSession, token: str | None
    ) -> LiveParticipant | None:
        if not token or len(token) > 100:
            return None
        return db.scalar(
            select(LiveParticipant).where(
                LiveParticipant.session_id == live.id,
                LiveParticipant.phone_hash == phone_hash(live, token),
            )
        )

    def join(
        self, db: Session, live: LiveSession, token: str, nickname: str | None
    ) -> LiveParticipant:
        """A phone joins (again: joining twice keeps one participant, with the new nickname)."""
        if live.status == ENDED:
            raise VoteRefused(SESSION_ENDED)
        nick = " ".join((nickname or "").split())[:NICKNAME_MAX] or None
        found = self.participant(db, live, token)
        if found is None:
            found = LiveParticipant(session_id=live.id, phone_hash=phone_hash(live, token))
            try:
                with db.begin_nested():
                    db.add(found)
                    db.flush()
            except IntegrityError:  # the same phone twice at once
                found = self.participant(db, live, token)
                assert found is not None
        found.nickname = nick
        _touch(db, live)
        db.commit()
        return found

    def vote(
        self, db: Session, live: LiveSession, token: str, round_: int, choice_id: str
    ) -> tuple[int, int]:
        """Record (or replace) this phone's vote on the decision shown as `round_`; the
        session's (version, step) after it, to announce without reading the row again."""
        if live.status == ENDED:
            raise VoteRefused(SESSION_ENDED)
        if live.status == PAUSED:
            raise VoteRefused(SESSION_PAUSED)
        if live.state["phase"] != VOTING or round_ != live.state["round"]:
            raise VoteRefused(VOTING_CLOSED)
        offered = {c["id"] for c in self.view_choices(db, live)}
        if choice_id not in offered:
            raise ChoiceNotOffered(choice_id)
        who = phone_hash(live, token)
        # One statement: a first vote inserts, a second from the same phone replaces it (no
        # read first, no savepoint; two at once from one phone: the later one stays).
        insert = _upsert(db)(LiveVote).values(
            session_id=live.id, round=round_, phone_hash=who, choice_id=choice_id, voted_at=utcnow()
        )
        db.execute(
            insert.on_conflict_do_update(
                index_elements=["session_id", "round", "phone_hash"],
                set_={"choice_id": insert.excluded.choice_id, "voted_at": insert.excluded.voted_at},
            )
        )
        # Counted only if the leader has not moved on meanwhile (the reveal bumps `step`).
        bumped = db.execute(
            update(LiveSession)
            .where(
                LiveSession.id == live.id,
                LiveSession.step == live.step,
                LiveSession.status == LIVE,
            )
            .values(version=LiveSession.version + 1, updated_at=utcnow())
            .returning(LiveSession.version, LiveSession.step)
        ).first()
        if bumped is None:
            db.rollback()
            raise VoteRefused(VOTING_CLOSED)
        db.commit()
        return bumped[0], bumped[1]

    def view_choices(self, db: Session, live: LiveSession) -> list[dict[str, Any]]:
        course = self.course_of(db, live)
        scenario = scenario_of(course, live.state["scenario"])
        assert scenario is not None
        sstate = live.state["states"][scenario["id"]]
        if sstate["ended"]:
            return []
        return engine.offered_choices(scenario, sstate)

    def my_vote(self, db: Session, live: LiveSession, token: str | None) -> str | None:
        if not token:
            return None
        return db.scalar(
            select(LiveVote.choice_id).where(
                LiveVote.session_id == live.id,
                LiveVote.round == live.state["round"],
                LiveVote.phone_hash == phone_hash(live, token),
            )
        )

    def record_attended(
        self, db: Session, live: LiveSession, participant: LiveParticipant, user: User, lang: str
    ) -> bool:
        """The participant's own choice: an xAPI "attended" statement about this session in
        their record. Once per phone; False when it was recorded already."""
        if participant.attended_recorded:
            return False
        course = self.course_of(db, live)
        builder = self.settings.statements
        compiled = course.compiled
        scenario = scenario_of(course, live.scenario_id)
        parent = (
            builder.scenario_activity(compiled, scenario)
            if scenario is not None
            else builder.course_activity(compiled)
        )
        statement = builder.build(
            "attended",
            xapi_id=user.xapi_id,
            registration=live.public_id,
            obj=builder.facilitated_session_activity(compiled, live.public_id, scenario),
            course=compiled,
            content_hash=course.content_hash,
            language=lang,
            parent=parent,
            grouping=builder.course_activity(compiled),
        )
        participant.attended_recorded = True
        add_statements(
            db,
            [statement],
            authority=builder.authority(),
            forward=self.settings.forward,
            organisation_id=user.organisation_id,
        )
        db.commit()
        return True


def units_for_sessions(db: Session, user: User) -> list[Organisation]:
    """The units a session started by `user` may count for: those they lead or administer
    (and the units under them), by name. Empty for anyone else: their sessions count nowhere."""
    found = {o.id: o for o in units_led_by(db, user)}
    found.update({o.id: o for o in organisations_administered_by(db, user)})
    return sorted(found.values(), key=lambda o: (o.name.casefold(), o.id))


@dataclass(frozen=True)
class HeldSession:
    """One line of a unit's report: a facilitated session that took place."""

    date: dt.datetime
    course_id: str
    course_title: dict[str, str]
    scenario_title: dict[str, str] | None  # None: the whole course
    participants: int


def sessions_held(
    db: Session,
    *,
    unit_id: int | None = None,
    unit_ids: list[int] | None = None,
    course_id: str | None = None,
    since: dt.datetime | None = None,
) -> list[LiveSession]:
    """The record of sessions that took place (ended), for a unit's reports: date, course,
    scenario, number of participants. `unit_ids`: any of these units (a report's scope)."""
    query = select(LiveSession).where(LiveSession.status == ENDED)
    if unit_id is not None:
        query = query.where(LiveSession.unit_id == unit_id)
    if unit_ids is not None:
        query = query.where(LiveSession.unit_id.in_(unit_ids))
    if course_id is not None:
        query = query.where(LiveSession.course_id == course_id)
    if since is not None:
        query = query.where(LiveSession.created_at >= since)
    return list(db.scalars(query.order_by(LiveSession.created_at)))


def held_rows(
    db: Session, courses: CourseVersions, unit_ids: list[int], course_id: str | None = None
) -> list[HeldSession]:
    """The sessions held in these units, newest first, with the titles of the course version
    each one ran (a course edited since still shows what the room saw)."""
    rows = []
    for live in reversed(sessions_held(db, unit_ids=unit_ids, course_id=course_id)):
        course = courses.version(db, live.course_version_id)
        scenario = scenario_of(course, live.scenario_id) if live.scenario_id else None
        rows.append(
            HeldSession(
                date=live.created_at,
                course_id=live.course_id,
                course_title=course.compiled["title"],
                scenario_title=scenario["title"] if scenario else None,
                participants=live.participants,
            )
        )
    return rows


def distribution(counts: dict[str, int], choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each choice with its votes and share (whole percent), in the order shown."""
    total = sum(counts.values())
    return [
        {
            "choice": c,
            "votes": counts.get(c["id"], 0),
            "percent": round(100 * counts.get(c["id"], 0) / total) if total else 0,
        }
        for c in choices
    ]


def debrief_rows(view: View) -> list[dict[str, Any]]:
    """Each decision the room made: the situation, every choice with its votes, the one taken."""
    rows = []
    for entry in view.history:
        scenario = scenario_of(view.course, entry["scenario"])
        if scenario is None:
            continue
        node = scenario["nodes"][entry["node"]]
        by_id = {c["id"]: c for c in node.get("choices", [])}
        choices = [by_id[c] for c in entry["offered"] if c in by_id]
        rows.append(
            {
                "scenario": scenario,
                "node": node,
                "chosen": by_id.get(entry["chosen"]),
                "rows": distribution(entry["counts"], choices),
                "votes": sum(entry["counts"].values()),
            }
        )
    return rows


def played_scenarios(view: View) -> list[dict[str, Any]]:
    ids = list(view.live.state["states"])
    return [s for s in view.course.compiled["scenarios"] if s["id"] in ids]


def _notes(scenario: dict[str, Any], node: dict[str, Any] | None) -> dict[str, Any]:
    """The leader's notes for this decision: the node's own reflection question when it has
    one, then the scenario's discussion questions and what to watch for."""
    facilitator = scenario.get("facilitator") or {}
    return {
        "reflection": node.get("reflection") if node else None,
        "questions": facilitator.get("questions") or [],
        "watch_for": facilitator.get("watch_for"),
        "minutes": facilitator.get("minutes"),
    }


def _without_undo(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "undo"}


def _snapshot(state: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_without_undo(state))


def _new_round(state: dict[str, Any]) -> None:
    """A fresh round number, never one used before (votes of an undone round stay out)."""
    state["rounds_used"] = state.get("rounds_used", state["round"]) + 1
    state["round"] = state["rounds_used"]


def _back(state: dict[str, Any]) -> dict[str, Any]:
    undo = state.get("undo") or []
    if not undo:
        raise ActionRefused(FIRST_STEP)
    previous = copy.deepcopy(undo[-1])
    previous["undo"] = undo[:-1]
    previous["rounds_used"] = state.get("rounds_used", state["round"])
    return previous


def _upsert(db: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL both have it)."""
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def _touch(db: Session, live: LiveSession) -> None:
    """A join is a visible change (the count of phones) and keeps the session from expiring."""
    db.execute(
        update(LiveSession)
        .where(LiveSession.id == live.id)
        .values(version=LiveSession.version + 1, updated_at=utcnow())
    )


def tally(history: list[dict[str, Any]]) -> Counter[str]:
    """Votes per choice over the whole session (the bench checks no vote was lost)."""
    total: Counter[str] = Counter()
    for entry in history:
        total.update(entry["counts"])
    return total
