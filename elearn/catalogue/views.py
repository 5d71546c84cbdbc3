"""The catalogue and each course's page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from elearn.content.service import current_course, current_courses
from elearn.db import get_session
from elearn.extension import current_learner
from elearn.player import service as player


def register_catalogue_routes(bp: Blueprint) -> None:
    register_facilitator_routes(bp)

    @bp.get("/")
    def catalogue() -> Any:
        session = get_session()
        courses = current_courses(session)
        learner = current_learner()
        progress = {}
        mine: list[Any] = []
        others = courses
        if learner is not None:
            for course in courses:
                attempt = player.latest_attempt(session, learner, course.id)
                if attempt is not None:
                    progress[course.id] = attempt
            mine = [c for c in courses if learner.audience in c.compiled["audiences"]]
            others = [c for c in courses if c not in mine]
        return render_template("elearn/catalogue.html", mine=mine, others=others, progress=progress)

    @bp.get("/c/<course_id>")
    def course_page(course_id: str) -> Any:
        session = get_session()
        course = current_course(session, course_id)
        if course is None:
            abort(404)
        learner = current_learner()
        attempt = player.latest_attempt(session, learner, course_id) if learner else None
        # An attempt keeps the version it started on: show that version while it runs.
        shown = course
        if attempt is not None and attempt.status == "active":
            from elearn.content.service import version_entry

            shown = version_entry(session, attempt.course_version_id)
        return render_template("elearn/course.html", course=shown, attempt=attempt, current=course)


def _course_page(template: str, course_id: str) -> Any:
    course = current_course(get_session(), course_id)
    if course is None:
        abort(404)
    return render_template(template, course=course)


def register_facilitator_routes(bp: Blueprint) -> None:
    @bp.get("/c/<course_id>/facilitator")
    def facilitator(course_id: str) -> Any:
        """Notes for a leader who runs the course with a group (measure 19b asks for this)."""
        return _course_page("elearn/facilitator.html", course_id)

    @bp.get("/c/<course_id>/help")
    def course_help(course_id: str) -> Any:
        """The course's "where to get help" page: reachable without logging in."""
        return _course_page("elearn/help.html", course_id)
