"""The player: one node per page, choices as form buttons, Post/Redirect/Get throughout."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session

from elearn.accounts.login import current_learner, learner_required
from elearn.accounts.models import User
from elearn.content.service import CourseEntry, CourseVersions, asset
from elearn.core import engine
from elearn.db import DB_ID, get_session
from elearn.i18n import gettext
from elearn.player import service
from elearn.player.models import ACTIVE, COMPLETED, Attempt
from elearn.state import elearn_state

bp = Blueprint("player", __name__, template_folder="templates")


def _player() -> service.Player:
    return elearn_state().services["player"]


def _courses() -> CourseVersions:
    return elearn_state().services["content"]


@dataclass
class Here:
    """Where a request is: the learner's own attempt, its course version and maybe a scenario."""

    session: Session
    learner: User
    attempt: Attempt
    course: CourseEntry
    scenario: dict[str, Any] | None = None


def _locate(attempt_id: int, scenario_id: str | None = None) -> Here:
    """The learner's attempt (404 for anyone else's) and the scenario asked for."""
    session = get_session()
    learner = current_learner()
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or learner is None or attempt.user_id != learner.id:
        abort(404)
    course = _courses().version(session, attempt.course_version_id)
    scenario = None
    if scenario_id is not None:
        scenario = service.scenario_by_id(course, scenario_id)
        if scenario is None:
            abort(404)
    return Here(session, learner, attempt, course, scenario)


def _posted_int(name: str) -> int:
    """A whole number from the form that fits a database INTEGER; anything else is a 400."""
    raw = request.form.get(name, "")
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


def _posted_step() -> int:
    return _posted_int("step")


def _play_url(attempt: Attempt, scenario_id: str, anchor: str | None = None) -> str:
    return url_for(
        "elearn.player.play", attempt_id=attempt.id, scenario_id=scenario_id, _anchor=anchor
    )


def _stale() -> None:
    flash(
        gettext(
            "That page was out of date, so the choice was not recorded. This is where you are now."
        ),
        "warning",
    )


def _begin(session: Session, course: CourseEntry, wanted: str | None = None) -> Response:
    """Resume the active attempt or start one, and go to where the learner is (or, in a new
    attempt, to the scenario the result page offered to take again)."""
    learner = current_learner()
    assert learner is not None
    player = _player()
    attempt = player.start_or_resume(session, learner, course, g.elearn_lang)
    entry = player.version_of(session, attempt)
    current = attempt.state.get("current")
    if current is None:
        first = service.scenario_by_id(entry, wanted or "") or entry.compiled["scenarios"][0]
        with contextlib.suppress(service.StaleStep):  # a double submit entered it already
            player.enter_scenario(
                session, learner, attempt, entry, first, attempt.step, g.elearn_lang
            )
        current = first["id"]
    return redirect(_play_url(attempt, current, "main"))


def _course_or_404(session: Session, course_id: str) -> CourseEntry:
    course = _courses().current(session, course_id)
    if course is None:
        abort(404)
    return course


@bp.post("/c/<course_id>/start")
@learner_required
def start(course_id: str) -> Response:
    session = get_session()
    return _begin(session, _course_or_404(session, course_id))


@bp.post("/c/<course_id>/restart")
@learner_required
def restart(course_id: str) -> Response:
    session = get_session()
    course = _course_or_404(session, course_id)
    if request.form.get("attempt_id"):
        here = _locate(_posted_int("attempt_id"))
        if here.attempt.course_id != course_id:
            abort(404)
        try:
            _player().restart(
                session, here.learner, here.attempt, course, _posted_step(), g.elearn_lang
            )
        except service.StaleStep:
            _stale()
            return redirect(url_for("elearn.catalogue.course_page", course_id=course_id))
    return _begin(session, course, request.form.get("scenario_id"))


@bp.post(f"/a/<{DB_ID}:attempt_id>/s/<scenario_id>/enter")
@learner_required
def enter(attempt_id: int, scenario_id: str) -> Response:
    here = _locate(attempt_id, scenario_id)
    assert here.scenario is not None
    if here.attempt.status == ACTIVE:
        try:
            _player().enter_scenario(
                here.session,
                here.learner,
                here.attempt,
                here.course,
                here.scenario,
                _posted_step(),
                g.elearn_lang,
            )
        except service.StaleStep:
            _stale()
            return redirect(_play_url(here.attempt, scenario_id, "messages"))
    return redirect(_play_url(here.attempt, scenario_id, "main"))


@bp.get(f"/a/<{DB_ID}:attempt_id>/s/<scenario_id>")
@learner_required
def play(attempt_id: int, scenario_id: str) -> Any:
    here = _locate(attempt_id, scenario_id)
    assert here.scenario is not None
    page = service.play_page(here.course, here.attempt, here.scenario)
    if page is None:  # not started yet: the course page offers to start it
        return redirect(url_for("elearn.catalogue.course_page", course_id=here.attempt.course_id))
    return render_template(
        "elearn/player/play.html",
        attempt=here.attempt,
        course=here.course,
        scenario=here.scenario,
        **page,
    )


@bp.post(f"/a/<{DB_ID}:attempt_id>/s/<scenario_id>/choose")
@learner_required
def choose(attempt_id: int, scenario_id: str) -> Response:
    here = _locate(attempt_id, scenario_id)
    assert here.scenario is not None
    try:
        _player().choose(
            here.session,
            here.learner,
            here.attempt,
            here.course,
            here.scenario,
            request.form.get("choice", ""),
            _posted_step(),
            g.elearn_lang,
        )
    except service.StaleStep:
        _stale()  # the warning gets focus, then the learner reads where they really are
        return redirect(_play_url(here.attempt, scenario_id, "messages"))
    except engine.InvalidChoice:
        abort(400)
    return redirect(_play_url(here.attempt, scenario_id, "feedback"))


@bp.post(f"/a/<{DB_ID}:attempt_id>/suspend")
@learner_required
def suspend(attempt_id: int) -> Response:
    here = _locate(attempt_id)
    if here.attempt.status == ACTIVE:
        try:
            _player().suspend(
                here.session, here.learner, here.attempt, _posted_step(), g.elearn_lang
            )
            flash(
                gettext(
                    "Your progress is saved. You can continue where you left off, "
                    "also on another device."
                ),
                "success",
            )
        except service.StaleStep:
            _stale()
    return redirect(url_for("elearn.catalogue.course_page", course_id=here.attempt.course_id))


@bp.get(f"/a/<{DB_ID}:attempt_id>/result")
@learner_required
def result(attempt_id: int) -> Any:
    here = _locate(attempt_id)
    if here.attempt.status != COMPLETED:
        return redirect(url_for("elearn.catalogue.course_page", course_id=here.attempt.course_id))
    return render_template(
        "elearn/player/result.html",
        attempt=here.attempt,
        course=here.course,
        current=_courses().current(here.session, here.attempt.course_id) or here.course,
        points=service.course_points(here.attempt.state),
        rows=service.scenario_results(here.course, here.attempt),
    )


@bp.get(f"/assets/<{DB_ID}:version_id>/<path:path>")
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
