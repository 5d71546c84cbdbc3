"""The preview: a course folder played from disk with the real player page, its maps and its
path figures. Only on an app started by `flask elearn preview` (elsewhere every page is a 404),
which binds to 127.0.0.1; no login, because nothing is stored: the learner's place lives in the
page's address (the choices so far, `?c=…&c=…`), and the choice buttons are a GET form, so
playing writes nothing to any table. A small script reloads the page when a file is saved."""

from __future__ import annotations

import mimetypes
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from elearn.authoring.preview import CoursePreview, Snapshot, replay
from elearn.authoring.scenario_map import to_svg
from elearn.content.service import CourseEntry
from elearn.player import service as player_service
from elearn.state import elearn_state

bp = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/preview")

POLL_MS = 200  # the page reloads within this of a save; the server validates meanwhile
PREVIEW_SEED = "preview"  # the order of choices: shuffled as in the player, the same every time


LOOPBACK = ("127.0.0.1", "::1")


def _preview() -> CoursePreview:
    """The folder being previewed; a 404 in any app not started by `flask elearn preview`, and
    for any visitor not on this machine (the command binds to 127.0.0.1; this holds even if
    the app were ever served wider)."""
    found = elearn_state().services.get("preview")
    if found is None or request.remote_addr not in LOOPBACK:
        abort(404)
    return found


def _snapshot() -> Snapshot:
    return _preview().current()


def _lang() -> str:
    return g.get("elearn_lang", "nb")


def _entry(snap: Snapshot) -> CourseEntry:
    assert snap.compiled is not None
    return CourseEntry(0, snap.loaded.content_hash or "", snap.compiled)


def _common(snap: Snapshot) -> dict[str, Any]:
    return {
        "snap": snap,
        "preview": _preview(),
        "problems": snap.loaded.problems,
        "errors": [p for p in snap.loaded.problems if p.is_error],
    }


@bp.get("/")
def home() -> Any:
    snap = _snapshot()
    return render_template("elearn/authoring/home.html", **_common(snap))


@bp.get("/fingerprint")
def current_fingerprint() -> Response:
    """What the reload script polls: the folder's fingerprint, never cached."""
    response = Response(_preview().fingerprint(), mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reload.js")
def reload_script() -> Response:
    _preview()
    body = render_template("elearn/authoring/reload.js", poll_ms=POLL_MS)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/preview.css")
def stylesheet() -> Response:
    _preview()
    response = Response(render_template("elearn/authoring/preview.css"), mimetype="text/css")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/s/<scenario_id>")
def play(scenario_id: str) -> Any:
    snap = _snapshot()
    scenario = snap.scenario(scenario_id)
    if scenario is None:  # errors in the course (shown in place), or no such scenario
        return render_template("elearn/authoring/home.html", **_common(snap), asked=scenario_id), (
            200 if snap.compiled is None else 404
        )
    choices = request.args.getlist("c")
    state = replay(scenario, choices)
    if state is None:
        return render_template(
            "elearn/authoring/home.html", **_common(snap), stale=scenario_id
        ), 409
    page = player_service.scenario_page(
        snap.compiled or {}, {scenario_id: state}, scenario, PREVIEW_SEED
    )
    assert page is not None
    return render_template(
        "elearn/authoring/play.html",
        **_common(snap),
        course=_entry(snap),
        scenario=scenario,
        path=choices,
        next_step_template="elearn/authoring/_next_step.html",
        **page,
    )


@bp.get("/s/<scenario_id>/n/<node_id>")
def node(scenario_id: str, node_id: str) -> Any:
    """A node of the map in the player: the shortest way there, played."""
    snap = _snapshot()
    if snap.compiled is None:
        return redirect(url_for(".scenario_map", scenario_id=scenario_id, _anchor=f"n-{node_id}"))
    choices = snap.path_to(scenario_id, node_id)
    if choices is None:
        abort(404)
    return redirect(url_for(".play", scenario_id=scenario_id, c=choices, _anchor="main"))


@bp.get("/s/<scenario_id>/map")
def scenario_map(scenario_id: str) -> Any:
    snap = _snapshot()
    lang = _lang()
    found = snap.map(scenario_id, lang)
    if found is None:
        abort(404)

    def node_url(nid: str) -> str:
        return url_for(".node", scenario_id=scenario_id, node_id=nid)

    svg = snap.cached(("svg", scenario_id, lang), lambda: to_svg(found, node_url))
    return render_template(
        "elearn/authoring/map.html",
        **_common(snap),
        map=found,
        svg=svg,
        paths=snap.paths(scenario_id, lang),
        scenario_id=scenario_id,
        node_url=node_url,
    )


@bp.get("/assets/<path:path>")
def asset(path: str) -> Response:
    """An image of the course, from the validator's checked list (no other file is served)."""
    data = _snapshot().loaded.assets.get(path)
    if data is None:
        abort(404)
    response = Response(data, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
