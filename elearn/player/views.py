"""The player: one node per page, choices as form buttons, Post/Redirect/Get throughout."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from elearn.accounts.views import learner_required
from elearn.content.service import CourseEntry, asset, current_course, version_entry
from elearn.db import get_session
from elearn.extension import current_learner
from elearn.i18n import translate
from elearn.player import engine, service
from elearn.player.models import Attempt


def _own_attempt(session: Session, attempt_id: int) -> Attempt:
    attempt = session.get(Attempt, attempt_id)
    learner = current_learner()
    if attempt is None or learner is None or attempt.user_id != learner.id:
        abort(404)
    return attempt


def _posted_step() -> int:
    raw = request.form.get("step", "")
    if not raw.isdigit():
        abort(400)
    return int(raw)


def _scenario(course: CourseEntry, scenario_id: str) -> dict[str, Any]:
    scenario = service.scenario_by_id(course, scenario_id)
    if scenario is None:
        abort(404)
    return scenario


def _play_url(attempt: Attempt, scenario_id: str, anchor: str | None = None) -> str:
    return url_for("elearn.play", attempt_id=attempt.id, scenario_id=scenario_id, _anchor=anchor)


def _stale() -> None:
    flash(translate("stale_page", g.elearn_lang), "warning")


def register_player_routes(bp: Blueprint) -> None:
    def begin(session: Session, course: CourseEntry) -> Response:
        """Resume the active attempt or start one, and go to where the learner is."""
        learner = current_learner()
        assert learner is not None
        attempt = service.start_or_resume(session, learner, course, g.elearn_lang)
        entry = version_entry(session, attempt.course_version_id)
        current = attempt.state.get("current")
        if current is None:
            first = entry.compiled["scenarios"][0]
            with contextlib.suppress(service.StaleStep):  # a double submit entered it already
                service.enter_scenario(
                    session, learner, attempt, entry, first, attempt.step, g.elearn_lang
                )
            current = first["id"]
        return redirect(_play_url(attempt, current, "main"))

    @bp.post("/c/<course_id>/start")
    @learner_required
    def start(course_id: str) -> Response:
        session = get_session()
        course = current_course(session, course_id)
        if course is None:
            abort(404)
        return begin(session, course)

    @bp.post("/c/<course_id>/restart")
    @learner_required
    def restart(course_id: str) -> Response:
        session = get_session()
        course = current_course(session, course_id)
        if course is None:
            abort(404)
        raw = request.form.get("attempt_id", "")
        learner = current_learner()
        assert learner is not None
        if raw.isdigit():
            attempt = _own_attempt(session, int(raw))
            try:
                service.restart(session, learner, attempt, course, _posted_step(), g.elearn_lang)
            except service.StaleStep:
                _stale()
                return redirect(url_for("elearn.course_page", course_id=course_id))
        return begin(session, course)

    @bp.post("/a/<int:attempt_id>/s/<scenario_id>/enter")
    @learner_required
    def enter(attempt_id: int, scenario_id: str) -> Response:
        session = get_session()
        attempt = _own_attempt(session, attempt_id)
        course = version_entry(session, attempt.course_version_id)
        scenario = _scenario(course, scenario_id)
        learner = current_learner()
        assert learner is not None
        if attempt.status == "active":
            try:
                service.enter_scenario(
                    session, learner, attempt, course, scenario, _posted_step(), g.elearn_lang
                )
            except service.StaleStep:
                _stale()
        return redirect(_play_url(attempt, scenario_id, "main"))

    @bp.get("/a/<int:attempt_id>/s/<scenario_id>")
    @learner_required
    def play(attempt_id: int, scenario_id: str) -> Any:
        session = get_session()
        attempt = _own_attempt(session, attempt_id)
        course = version_entry(session, attempt.course_version_id)
        scenario = _scenario(course, scenario_id)
        state = attempt.state["scenarios"].get(scenario_id)
        if state is None:
            return redirect(url_for("elearn.course_page", course_id=attempt.course_id))
        node = engine.current_node(scenario, state)
        last = None
        if state["path"]:
            from_node, choice_id = state["path"][-1]
            choice = next(
                c for c in scenario["nodes"][from_node]["choices"] if c["id"] == choice_id
            )
            last = {"choice": choice, "from": scenario["nodes"][from_node]}
        done, estimate = engine.progress(scenario, state)
        history = [
            {
                "node": scenario["nodes"][nid],
                "choice": next(c for c in scenario["nodes"][nid]["choices"] if c["id"] == cid),
            }
            for nid, cid in state["path"]
        ]
        order = [s["id"] for s in course.compiled["scenarios"]]
        next_scenario = next(
            (
                s
                for s in course.compiled["scenarios"][order.index(scenario_id) + 1 :]
                + course.compiled["scenarios"][: order.index(scenario_id)]
                if not attempt.state["scenarios"].get(s["id"], {}).get("ended")
            ),
            None,
        )
        return render_template(
            "elearn/play.html",
            attempt=attempt,
            course=course,
            scenario=scenario,
            state=state,
            node=node,
            texts=engine.visible_text(node, state),
            choices=engine.offered_choices(scenario, state) if not state["ended"] else [],
            last=last,
            done=done,
            estimate=estimate,
            course_percent=service.course_progress(course, attempt.state),
            history=history,
            next_scenario=next_scenario,
            all_ended=service.all_ended(course, attempt.state),
        )

    @bp.post("/a/<int:attempt_id>/s/<scenario_id>/choose")
    @learner_required
    def choose(attempt_id: int, scenario_id: str) -> Response:
        session = get_session()
        attempt = _own_attempt(session, attempt_id)
        course = version_entry(session, attempt.course_version_id)
        scenario = _scenario(course, scenario_id)
        learner = current_learner()
        assert learner is not None
        step = _posted_step()
        try:
            service.choose(
                session,
                learner,
                attempt,
                course,
                scenario,
                request.form.get("choice", ""),
                step,
                g.elearn_lang,
            )
        except service.StaleStep:
            _stale()
            return redirect(_play_url(attempt, scenario_id, "main"))
        except engine.InvalidChoice:
            abort(400)
        return redirect(_play_url(attempt, scenario_id, "feedback"))

    @bp.post("/a/<int:attempt_id>/suspend")
    @learner_required
    def suspend(attempt_id: int) -> Response:
        session = get_session()
        attempt = _own_attempt(session, attempt_id)
        learner = current_learner()
        assert learner is not None
        if attempt.status == "active":
            try:
                service.suspend(session, learner, attempt, _posted_step(), g.elearn_lang)
                flash(translate("paused", g.elearn_lang), "success")
            except service.StaleStep:
                _stale()
        return redirect(url_for("elearn.course_page", course_id=attempt.course_id))

    @bp.get("/a/<int:attempt_id>/result")
    @learner_required
    def result(attempt_id: int) -> Any:
        session = get_session()
        attempt = _own_attempt(session, attempt_id)
        course = version_entry(session, attempt.course_version_id)
        if attempt.status != "completed":
            return redirect(url_for("elearn.course_page", course_id=attempt.course_id))
        return render_template(
            "elearn/result.html",
            attempt=attempt,
            course=course,
            points=service.course_points(course, attempt.state),
        )

    @bp.get("/assets/<int:version_id>/<path:path>")
    def course_asset(version_id: int, path: str) -> Response:
        found = asset(get_session(), version_id, path)
        if found is None:
            abort(404)
        response = Response(found.data, mimetype=found.content_type)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        # An SVG opened directly must not run scripts.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
