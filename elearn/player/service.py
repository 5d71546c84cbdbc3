"""Attempt operations: every change to an attempt and the statements it causes, in one transaction.

Each operation takes the `step` the learner's page was rendered at; if the attempt has moved on
(a double submit, the back button, a second device), nothing is changed and `StaleStep` says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from elearn.accounts.models import User
from elearn.content.service import CourseEntry
from elearn.db import utcnow
from elearn.player import engine
from elearn.player.models import ABANDONED, ACTIVE, COMPLETED, Attempt
from elearn.tracking.statements import (
    StatementBuilder,
    choice_result,
    progress_result,
    score_result,
)
from elearn.tracking.store import add_statements


class StaleStep(Exception):
    """The page the learner acted on is out of date; nothing was changed."""


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

    def flush(self, session: Session) -> None:
        add_statements(
            session,
            self.pending,
            authority=self.builder.authority(),
            forward=bool(current_app.config.get("ELEARN_LRS_ENDPOINT")),
            organisation_id=self.user.organisation_id,
        )
        self.pending = []


def _builder() -> StatementBuilder:
    return current_app.extensions["elearn"].statements


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


def start_or_resume(session: Session, user: User, course: CourseEntry, language: str) -> Attempt:
    """The learner's active attempt, resumed if it was paused or idle; else a new one."""
    attempt = active_attempt(session, user, course.id)
    if attempt is not None:
        return resume(session, user, attempt, language)
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
    tracker = Tracker(_builder(), user, attempt, course, language)
    tracker.course_event("launched")
    tracker.course_event("initialized")
    tracker.flush(session)
    session.commit()
    return attempt


def _note_return(tracker: Tracker, attempt: Attempt) -> bool:
    """Emit suspended/resumed when the learner comes back after a pause or a long idle."""
    idle = dt.timedelta(minutes=current_app.config["ELEARN_IDLE_MINUTES"])
    if not attempt.suspended and utcnow() - attempt.updated_at < idle:
        return False
    if not attempt.suspended:  # left without saying so: suspended when last seen
        tracker.course_event("suspended", timestamp=attempt.updated_at.replace(tzinfo=dt.UTC))
    tracker.course_event("resumed")
    return True


def resume(session: Session, user: User, attempt: Attempt, language: str) -> Attempt:
    tracker = Tracker(_builder(), user, attempt, _version(session, attempt), language)
    if not _note_return(tracker, attempt):
        return attempt
    try:
        _save(session, attempt, attempt.step, suspended=False)
    except StaleStep:
        return active_attempt(session, user, attempt.course_id) or attempt
    tracker.flush(session)
    session.commit()
    return attempt


def suspend(
    session: Session, user: User, attempt: Attempt, expected_step: int, language: str
) -> None:
    tracker = Tracker(_builder(), user, attempt, _version(session, attempt), language)
    tracker.course_event("suspended")
    _save(session, attempt, expected_step, suspended=True)
    tracker.flush(session)
    session.commit()


def enter_scenario(
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
    tracker = Tracker(_builder(), user, attempt, course, language)
    _note_return(tracker, attempt)
    if scenario["id"] not in scenarios:
        scenarios[scenario["id"]] = engine.initial_state(scenario)
        node = scenario["nodes"][scenario["start"]]
        tracker.emit(
            "experienced",
            _builder().node_activity(course.compiled, scenario, node),
            parent=_builder().scenario_activity(course.compiled, scenario),
            grouping=_builder().course_activity(course.compiled),
        )
    elif state.get("current") == scenario["id"] and not tracker.pending:
        return
    state["scenarios"] = scenarios
    state["current"] = scenario["id"]
    _save(session, attempt, expected_step, state=state, suspended=False)
    tracker.flush(session)
    session.commit()


def course_progress(course: CourseEntry, state: dict[str, Any]) -> int:
    """Percent of the course done, for xAPI `progressed` and the progress bar."""
    total = 0.0
    for scenario in course.compiled["scenarios"]:
        s_state = state["scenarios"].get(scenario["id"])
        if s_state is None:
            continue
        done, estimate = engine.progress(scenario, s_state)
        total += 1.0 if s_state["ended"] else done / estimate
    return round(100 * total / max(1, len(course.compiled["scenarios"])))


def course_points(course: CourseEntry, state: dict[str, Any]) -> int:
    return sum(s["points"] for s in state["scenarios"].values())


def all_ended(course: CourseEntry, state: dict[str, Any]) -> bool:
    return all(
        state["scenarios"].get(s["id"], {}).get("ended", False)
        for s in course.compiled["scenarios"]
    )


def choose(
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
    b = _builder()
    c = course.compiled
    course_act = b.course_activity(c)
    scenario_act = b.scenario_activity(c, scenario)
    tracker = Tracker(b, user, attempt, course, language)
    _note_return(tracker, attempt)
    tracker.emit(
        "answered",
        b.node_activity(c, scenario, scenario["nodes"][step.from_node]),
        parent=scenario_act,
        grouping=course_act,
        result=choice_result(step.choice),
    )
    tracker.emit(
        "experienced",
        b.node_activity(c, scenario, scenario["nodes"][step.to_node]),
        parent=scenario_act,
        grouping=course_act,
    )
    state = {
        "scenarios": {**attempt.state["scenarios"], scenario["id"]: step.state},
        "current": scenario["id"],
    }
    tracker.course_event("progressed", result=progress_result(course_progress(course, state)))
    values: dict[str, Any] = {"state": state, "suspended": False}
    if step.state["ended"]:
        points = step.state["points"]
        tracker.emit(
            "completed",
            scenario_act,
            parent=course_act,
            result=score_result(
                points,
                scenario["min_score"],
                scenario["max_score"],
                engine.scaled_score(points, scenario["max_score"]),
                completion=True,
            ),
        )
    if all_ended(course, state):
        points = course_points(course, state)
        max_score = c["max_score"]
        min_score = sum(s["min_score"] for s in c["scenarios"])
        scaled = engine.scaled_score(points, max_score)
        passed = scaled >= c["mastery_score"]
        seconds = (utcnow() - attempt.started_at).total_seconds()
        tracker.course_event(
            "completed",
            result=score_result(
                points, min_score, max_score, scaled, completion=True, seconds=seconds
            ),
        )
        tracker.course_event(
            "passed" if passed else "failed",
            result=score_result(
                points, min_score, max_score, scaled, success=passed, seconds=seconds
            ),
        )
        tracker.course_event("terminated")
        values.update(status=COMPLETED, passed=passed, score_scaled=scaled, completed_at=utcnow())
    _save(session, attempt, expected_step, **values)
    tracker.flush(session)
    session.commit()
    return step


def restart(
    session: Session,
    user: User,
    attempt: Attempt,
    course: CourseEntry,
    expected_step: int,
    language: str,
) -> Attempt:
    """Close the current attempt (terminated) and begin a new one on the current course version."""
    if attempt.status == ACTIVE:
        old_course = _version(session, attempt)
        tracker = Tracker(_builder(), user, attempt, old_course, language)
        tracker.course_event("terminated")
        _save(session, attempt, expected_step, status=ABANDONED)
        tracker.flush(session)
        session.commit()
    return start_or_resume(session, user, course, language)


def _version(session: Session, attempt: Attempt) -> CourseEntry:
    from elearn.content.service import version_entry

    return version_entry(session, attempt.course_version_id)


def _choice(node: dict[str, Any], choice_id: str) -> dict[str, Any]:
    return next(c for c in node["choices"] if c["id"] == choice_id)


def play_page(
    course: CourseEntry, attempt: Attempt, scenario: dict[str, Any]
) -> dict[str, Any] | None:
    """Everything the player page shows for a scenario; None if it has not been started."""
    state = attempt.state["scenarios"].get(scenario["id"])
    if state is None:
        return None
    node = engine.current_node(scenario, state)
    history = [
        {"node": scenario["nodes"][nid], "choice": _choice(scenario["nodes"][nid], cid)}
        for nid, cid in state["path"]
    ]
    done, estimate = engine.progress(scenario, state)
    scenarios = course.compiled["scenarios"]
    here = next(i for i, s in enumerate(scenarios) if s["id"] == scenario["id"])
    # The next unfinished scenario after this one, wrapping round to earlier ones.
    next_scenario = next(
        (
            s
            for s in scenarios[here + 1 :] + scenarios[:here]
            if not attempt.state["scenarios"].get(s["id"], {}).get("ended")
        ),
        None,
    )
    return {
        "state": state,
        "node": node,
        "texts": engine.visible_text(node, state),
        "choices": [] if state["ended"] else engine.offered_choices(scenario, state),
        "last": history[-1] if history else None,
        "history": history,
        "done": done,
        "estimate": estimate,
        "course_percent": course_progress(course, attempt.state),
        "next_scenario": next_scenario,
        "all_ended": all_ended(course, attempt.state),
    }
