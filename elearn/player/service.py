"""Attempt operations: every change to an attempt and the statements it causes, in one transaction.

Each operation takes the `step` the learner's page was rendered at; if the attempt has moved on
(a double submit, the back button, a second device), nothing is changed and `StaleStep` says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from elearn.accounts.models import User
from elearn.content.service import CourseEntry, CourseVersions
from elearn.core import engine, rules
from elearn.db import utcnow
from elearn.player.models import ABANDONED, ACTIVE, COMPLETED, Attempt
from elearn.tracking.deletion import delete_about
from elearn.tracking.statements import (
    StatementBuilder,
    choice_result,
    progress_result,
    score_result,
)
from elearn.tracking.store import add_statements


class StaleStep(Exception):
    """The page the learner acted on is out of date; nothing was changed."""


@dataclass(frozen=True)
class PlayerSettings:
    """What the player needs from the app's configuration, given once (no Flask globals here)."""

    statements: StatementBuilder
    forward: bool  # write an outbox row per statement for the external LRS
    idle: dt.timedelta  # after this long away, a return counts as suspended + resumed


@dataclass
class Tracker:
    """Collects an operation's statements; they are written with the attempt's new state."""

    builder: StatementBuilder
    user: User
    attempt: Attempt
    course: CourseEntry
    language: str

    def __post_init__(self) -> None:
        self.pending: list[dict[str, Any]] = []

    def emit(self, verb: str, obj: Any, **kwargs: Any) -> None:
        self.pending.append(
            self.builder.build(
                verb,
                xapi_id=self.user.xapi_id,
                registration=self.attempt.registration,
                obj=obj,
                course=self.course.compiled,
                content_hash=self.course.content_hash,
                language=self.language,
                **kwargs,
            )
        )

    def course_event(self, verb: str, **kwargs: Any) -> None:
        self.emit(verb, self.builder.course_activity(self.course.compiled), **kwargs)

    def node_event(self, verb: str, scenario: dict[str, Any], node_id: str, **kwargs: Any) -> None:
        c = self.course.compiled
        self.emit(
            verb,
            self.builder.node_activity(c, scenario, scenario["nodes"][node_id]),
            parent=self.builder.scenario_activity(c, scenario),
            grouping=self.builder.course_activity(c),
            **kwargs,
        )

    def started(self) -> None:
        self.course_event("launched")
        self.course_event("initialized")

    def entered(self, scenario: dict[str, Any]) -> None:
        self.node_event("experienced", scenario, scenario["start"])

    def chose(
        self, scenario: dict[str, Any], step: engine.Step, states: rules.States, seconds: float
    ) -> rules.Result | None:
        """The statements of one choice (the shared test vectors replay these, so the packages
        send the same); the course's result when the choice ended the course."""
        c = self.course.compiled
        self.node_event("answered", scenario, step.from_node, result=choice_result(step.choice))
        self.node_event("experienced", scenario, step.to_node)
        self.course_event("progressed", result=progress_result(rules.course_progress(c, states)))
        if step.state["ended"]:
            r = rules.scenario_result(scenario, step.state)
            self.emit(
                "completed",
                self.builder.scenario_activity(c, scenario),
                parent=self.builder.course_activity(c),
                result=score_result(r.points, r.min, r.max, r.scaled, completion=True),
            )
        if not rules.all_ended(c, states):
            return None
        r = rules.course_result(c, states)
        score = (r.points, r.min, r.max, r.scaled)
        self.course_event(
            "completed", result=score_result(*score, completion=True, seconds=seconds)
        )
        self.course_event(
            "passed" if r.passed else "failed",
            result=score_result(*score, success=r.passed, seconds=seconds),
        )
        self.course_event("terminated")
        return r

    def flush(self, session: Session, forward: bool) -> None:
        add_statements(
            session,
            self.pending,
            authority=self.builder.authority(),
            forward=forward,
            organisation_id=self.user.organisation_id,  # whose LRS clients may read them
        )
        self.pending = []


def scenario_by_id(course: CourseEntry, scenario_id: str) -> dict[str, Any] | None:
    return next((s for s in course.compiled["scenarios"] if s["id"] == scenario_id), None)


def active_attempt(session: Session, user: User, course_id: str) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(
            Attempt.user_id == user.id, Attempt.course_id == course_id, Attempt.status == ACTIVE
        )
    )


def latest_attempt(session: Session, user: User, course_id: str) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.course_id == course_id)
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def _save(session: Session, attempt: Attempt, expected_step: int, **values: Any) -> None:
    """Compare-and-set on `step`: exactly one of two racing submits wins."""
    values.setdefault("updated_at", utcnow())
    result = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.step == expected_step, Attempt.status == ACTIVE)
        .values(step=expected_step + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise StaleStep()
    # Mirror what the UPDATE wrote without marking the object dirty (no second UPDATE).
    for key, value in {**values, "step": expected_step + 1}.items():
        set_committed_value(attempt, key, value)


def course_points(state: dict[str, Any]) -> int:
    return rules.course_points(state["scenarios"])


class Player:
    """Every change to an attempt and the statements it causes, in one transaction. One per
    app; each operation gets the request's session and the learner's language."""

    def __init__(self, settings: PlayerSettings, courses: CourseVersions):
        self.settings = settings
        self.courses = courses

    def _tracker(self, user: User, attempt: Attempt, course: CourseEntry, language: str) -> Tracker:
        return Tracker(self.settings.statements, user, attempt, course, language)

    def _commit(self, session: Session, tracker: Tracker) -> None:
        tracker.flush(session, self.settings.forward)
        session.commit()

    def version_of(self, session: Session, attempt: Attempt) -> CourseEntry:
        return self.courses.version(session, attempt.course_version_id)

    def start_or_resume(
        self, session: Session, user: User, course: CourseEntry, language: str
    ) -> Attempt:
        """The learner's active attempt, resumed if it was paused or idle; else a new one."""
        attempt = active_attempt(session, user, course.id)
        if attempt is not None:
            return self.resume(session, user, attempt, language)
        attempt = Attempt(
            user_id=user.id,
            course_id=course.id,
            course_version_id=course.version_id,
            state={"scenarios": {}, "current": None},
        )
        session.add(attempt)
        try:
            session.flush()
        except IntegrityError:  # a double submit created it a moment ago
            session.rollback()
            existing = active_attempt(session, user, course.id)
            assert existing is not None
            return existing
        tracker = self._tracker(user, attempt, course, language)
        tracker.started()
        self._commit(session, tracker)
        return attempt

    def _note_return(self, tracker: Tracker, attempt: Attempt) -> bool:
        """Emit suspended/resumed when the learner comes back after a pause or a long idle."""
        if not attempt.suspended and utcnow() - attempt.updated_at < self.settings.idle:
            return False
        if not attempt.suspended:  # left without saying so: suspended when last seen
            tracker.course_event("suspended", timestamp=attempt.updated_at.replace(tzinfo=dt.UTC))
        tracker.course_event("resumed")
        return True

    def resume(self, session: Session, user: User, attempt: Attempt, language: str) -> Attempt:
        tracker = self._tracker(user, attempt, self.version_of(session, attempt), language)
        if not self._note_return(tracker, attempt):
            return attempt
        try:
            _save(session, attempt, attempt.step, suspended=False)
        except StaleStep:
            return active_attempt(session, user, attempt.course_id) or attempt
        self._commit(session, tracker)
        return attempt

    def suspend(
        self, session: Session, user: User, attempt: Attempt, expected_step: int, language: str
    ) -> None:
        tracker = self._tracker(user, attempt, self.version_of(session, attempt), language)
        tracker.course_event("suspended")
        _save(session, attempt, expected_step, suspended=True)
        self._commit(session, tracker)

    def enter_scenario(
        self,
        session: Session,
        user: User,
        attempt: Attempt,
        course: CourseEntry,
        scenario: dict[str, Any],
        expected_step: int,
        language: str,
    ) -> None:
        """Start a scenario (or make it the current one again); shown nodes are 'experienced'."""
        state = dict(attempt.state)
        scenarios = dict(state["scenarios"])
        tracker = self._tracker(user, attempt, course, language)
        self._note_return(tracker, attempt)
        if scenario["id"] not in scenarios:
            scenarios[scenario["id"]] = engine.initial_state(scenario)
            tracker.entered(scenario)
        elif state.get("current") == scenario["id"] and not tracker.pending:
            return
        state["scenarios"] = scenarios
        state["current"] = scenario["id"]
        _save(session, attempt, expected_step, state=state, suspended=False)
        self._commit(session, tracker)

    def choose(
        self,
        session: Session,
        user: User,
        attempt: Attempt,
        course: CourseEntry,
        scenario: dict[str, Any],
        choice_id: str,
        expected_step: int,
        language: str,
    ) -> engine.Step:
        """Apply a choice; raises StaleStep or engine.InvalidChoice without changing anything."""
        if expected_step != attempt.step:
            raise StaleStep()
        s_state = attempt.state["scenarios"].get(scenario["id"])
        if s_state is None:
            raise engine.InvalidChoice("the scenario has not been started")
        step = engine.choose(scenario, s_state, choice_id)
        tracker = self._tracker(user, attempt, course, language)
        self._note_return(tracker, attempt)
        states = {**attempt.state["scenarios"], scenario["id"]: step.state}
        seconds = (utcnow() - attempt.started_at).total_seconds()
        ended = tracker.chose(scenario, step, states, seconds)
        values: dict[str, Any] = {
            "state": {"scenarios": states, "current": scenario["id"]},
            "suspended": False,
        }
        if ended is not None:
            values.update(
                status=COMPLETED,
                passed=ended.passed,
                score_scaled=ended.scaled,
                completed_at=utcnow(),
            )
        _save(session, attempt, expected_step, **values)
        self._commit(session, tracker)
        return step

    def restart(
        self,
        session: Session,
        user: User,
        attempt: Attempt,
        course: CourseEntry,
        expected_step: int,
        language: str,
    ) -> Attempt:
        """Close the current attempt (terminated), begin a new one on the current version."""
        if attempt.status == ACTIVE:
            tracker = self._tracker(user, attempt, self.version_of(session, attempt), language)
            tracker.course_event("terminated")
            _save(session, attempt, expected_step, status=ABANDONED)
            self._commit(session, tracker)
        return self.start_or_resume(session, user, course, language)


def _choice(node: dict[str, Any], choice_id: str) -> dict[str, Any]:
    return next(c for c in node["choices"] if c["id"] == choice_id)


def shown_choices(scenario: dict[str, Any], state: engine.State, seed: str) -> list[dict[str, Any]]:
    """The offered choices in the attempt's own order (its registration is the seed)."""
    node = engine.current_node(scenario, state)
    return engine.choice_order(scenario["id"], node, engine.offered_choices(scenario, state), seed)


def _history(scenario: dict[str, Any], state: engine.State) -> list[dict[str, Any]]:
    """The choices made so far, each with its node and its outcome label."""
    history = []
    for node_id, choice_id in state["path"]:
        node = scenario["nodes"][node_id]
        choice = _choice(node, choice_id)
        history.append(
            {"node": node, "choice": choice, "outcome": rules.choice_outcome(node, choice)}
        )
    return history


def play_page(
    course: CourseEntry, attempt: Attempt, scenario: dict[str, Any]
) -> dict[str, Any] | None:
    """Everything the player page shows for a scenario; None if it has not been started."""
    return scenario_page(
        course.compiled, attempt.state["scenarios"], scenario, attempt.registration
    )


def scenario_page(
    compiled: dict[str, Any], states: dict[str, Any], scenario: dict[str, Any], seed: str
) -> dict[str, Any] | None:
    """The play page's contents from scenario states alone (no attempt): the player and the
    authors' preview (elearn/authoring) show a state with the same page."""
    state = states.get(scenario["id"])
    if state is None:
        return None
    node = engine.current_node(scenario, state)
    history = _history(scenario, state)
    done, estimate = engine.progress(scenario, state)
    return {
        "state": state,
        "node": node,
        "texts": engine.visible_text(node, state),
        "choices": [] if state["ended"] else shown_choices(scenario, state, seed),
        "last": history[-1] if history else None,
        "history": history,
        "done": done,
        "estimate": estimate,
        "course_percent": rules.course_progress(compiled, states),
        "next_scenario": rules.next_scenario(compiled, states, scenario["id"]),
        "all_ended": rules.all_ended(compiled, states),
        "quiz": scenario.get("kind") == "quiz",
        "scenario_number": compiled["scenarios"].index(scenario) + 1,
        "good_answers": sum(h["outcome"] == rules.GOOD for h in history),
    }


def scenario_results(course: CourseEntry, attempt: Attempt) -> list[dict[str, Any]]:
    """Each scenario's points and ending, and whether to take it again (`rules.take_again`:
    an ending that was not good, or fewer points than the course's pass mark asks for)."""
    rows = []
    for scenario in course.compiled["scenarios"]:
        state = attempt.state["scenarios"].get(scenario["id"])
        ended = bool(state and state["ended"])
        rows.append(
            {
                "scenario": scenario,
                "points": state["points"] if state else 0,
                "ending": engine.current_node(scenario, state)["ending"] if ended else None,
                "again": rules.take_again(scenario, state, course.compiled["mastery_score"]),
            }
        )
    return rows


def on_user_deleting(sender: Any, session: Session, user: User, **_: Any) -> None:
    """Receiver of `signals.user_deleting`: the learner's attempts, and every statement of their
    registrations (whoever sent it)."""
    registrations = list(
        session.scalars(select(Attempt.registration).where(Attempt.user_id == user.id))
    )
    delete_about(session, registrations=registrations)
    session.execute(delete(Attempt).where(Attempt.user_id == user.id))
