"""The catalogue, each course's page, its facilitator notes and its help page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, render_template

from elearn.accounts.login import current_learner
from elearn.content.service import CourseVersions
from elearn.db import get_session
from elearn.live.service import units_for_sessions
from elearn.organisations.service import assignments_for
from elearn.player import service as player
from elearn.state import elearn_state

bp = Blueprint("catalogue", __name__, template_folder="templates")


def _courses() -> CourseVersions:
    return elearn_state().services["content"]


@bp.get("/")
def catalogue() -> Any:
    session = get_session()
    courses = _courses().all_current(session)
    learner = current_learner()
    progress = {}
    mine: list[Any] = []
    others = courses
    assigned: list[tuple[Any, Any]] = []
    if learner is not None:
        # Courses given to the learner or their unit come first, soonest due first.
        due = assignments_for(session, learner)
        assigned = sorted(
            ((c, due[c.id]) for c in courses if c.id in due),
            key=lambda pair: (pair[1] is None, pair[1] or dt.date.max),
        )
        for course in courses:
            attempt = player.latest_attempt(session, learner, course.id)
            if attempt is not None:
                progress[course.id] = attempt
        courses = [c for c in courses if c.id not in due]
        mine = [c for c in courses if learner.audience in c.compiled["audiences"]]
        others = [c for c in courses if c not in mine]
    return render_template(
        "elearn/catalogue/catalogue.html",
        mine=mine,
        others=others,
        progress=progress,
        assigned=assigned,
        today=dt.date.today(),
    )


@bp.get("/c/<course_id>")
def course_page(course_id: str) -> Any:
    session = get_session()
    course = _courses().current(session, course_id)
    if course is None:
        abort(404)
    learner = current_learner()
    attempt = player.latest_attempt(session, learner, course_id) if learner else None
    # An attempt keeps the version it started on: show that version while it runs.
    shown = course
    if attempt is not None and attempt.status == "active":
        shown = _courses().version(session, attempt.course_version_id)
    return render_template(
        "elearn/catalogue/course.html", course=shown, attempt=attempt, current=course
    )


def _course_page(template: str, course_id: str, **extra: Any) -> Any:
    course = _courses().current(get_session(), course_id)
    if course is None:
        abort(404)
    return render_template(template, course=course, **extra)


@bp.get("/c/<course_id>/facilitator")
def facilitator(course_id: str) -> Any:
    """Notes for a leader who runs the course with a group (measure 19b asks for this)."""
    learner = current_learner()
    units = units_for_sessions(get_session(), learner) if learner is not None else []
    return _course_page("elearn/catalogue/facilitator.html", course_id, live_units=units)


@bp.get("/c/<course_id>/help")
def course_help(course_id: str) -> Any:
    """The course's "where to get help" page: reachable without logging in."""
    return _course_page("elearn/catalogue/help.html", course_id)


@bp.get("/c/<course_id>/aids/<aid_id>")
def job_aid(course_id: str, aid_id: str) -> Any:
    """A printable page to take away (a contact sheet to fill in, a checklist, a routine)."""
    course = _courses().current(get_session(), course_id)
    aids = course.compiled.get("job_aids") or [] if course else []
    aid = next((a for a in aids if a["id"] == aid_id), None)
    if course is None or aid is None:
        abort(404)
    return render_template("elearn/catalogue/job_aid.html", course=course, aid=aid)
