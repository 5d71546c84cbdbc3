"""The live room's pages: the leader's control view and projector, the phones' join and vote
pages, the debrief, and the event stream that tells them all when to look again.

Every page works without JavaScript (plain forms, Post/Redirect/Get, a refresh for phones);
`live.js` adds the event stream, so a change shows within a second, and the clicker's keys.
Who may start a session: any signed-in account; only a session started for a unit the leader
leads or administers counts in that unit's report (see docs/live.md).
"""

from __future__ import annotations

import base64
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from elearn import ratelimit
from elearn.accounts.forms import ElearnForm
from elearn.accounts.login import current_learner, learner_required
from elearn.core.constants import LANGUAGES
from elearn.db import get_session
from elearn.i18n import N_, gettext, speak
from elearn.live import service
from elearn.live.fanout import Hub
from elearn.live.models import ENDED, LiveSession
from elearn.ratelimit import limiter
from elearn.state import elearn_state

bp = Blueprint("live", __name__, template_folder="templates", url_prefix="/live")

PHONE_COOKIE = "elearn_live_phone"
CSRF_PLACEHOLDER = "__live_csrf__"
ENTER_CODE = N_("Enter the 6-character code shown on the screen.")
UNKNOWN_CODE = N_("There is no live session with that code. Check the code on the screen.")
CHOOSE_UNIT = N_(
    'Choose which unit the session is for, or "No unit" if it should not count in a unit\'s report.'
)
STALE = N_(
    "Someone moved the session on from another window, so that was not done. "
    "This is where the session is now."
)


def _live() -> service.Live:
    return elearn_state().services["live"]


def _hub() -> Hub:
    return elearn_state().services["live_hub"]


class JoinForm(ElearnForm):
    code = StringField(
        filters=[service.normalise_code],
        validators=[
            InputRequired(ENTER_CODE),
            Length(min=service.CODE_LENGTH, max=service.CODE_LENGTH, message=ENTER_CODE),
        ],
    )
    nickname = StringField(
        filters=[lambda v: " ".join((v or "").split())],
        validators=[Length(max=service.NICKNAME_MAX)],
    )


def _publish(live: LiveSession) -> None:
    _hub().publish(live.id, live.version, live.step)


def _publish_current(session_id: int) -> int:
    """After a write that bumped the version in SQL (a vote, a join): announce what is stored;
    the version, for the response (a client may wait for the event that carries it)."""
    db = get_session()
    row = db.get(LiveSession, session_id, populate_existing=True)
    if row is None:
        return 0
    _publish(row)
    return row.version


# -- the leader -----------------------------------------------------------------------------------
def _led(public_id: str) -> LiveSession:
    """The signed-in leader's own session: 404 for anyone else (no session ids are confirmed)."""
    live = _live().by_public_id(get_session(), public_id)
    learner = current_learner()
    if live is None or learner is None or live.leader_id != learner.id:
        abort(404)
    return live


def _form_int(name: str) -> int:
    raw = request.form.get(name, "")
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


@bp.post("/start")
@learner_required
def start() -> Response:
    db = get_session()
    course = elearn_state().services["content"].current(db, request.form.get("course_id", ""))
    if course is None:
        abort(404)
    scenario_id = request.form.get("scenario_id") or None
    if scenario_id and service.scenario_of(course, scenario_id) is None:
        abort(400)
    lang = request.form.get("projector_lang")
    lang = lang if lang in LANGUAGES else g.elearn_lang
    learner = current_learner()
    assert learner is not None
    units = service.units_for_sessions(db, learner)
    raw_unit = request.form.get("unit_id", "none" if not units else "")
    if raw_unit == "":  # a leader of several units did not say which: ask, lose nothing
        flash(gettext(CHOOSE_UNIT), "error")
        return redirect(
            url_for("elearn.catalogue.facilitator", course_id=course.id, _anchor="messages"), 303
        )
    unit_id = None if raw_unit == "none" else _unit_id(raw_unit, units)
    live = _live().start(db, learner, course, scenario_id, lang, unit_id=unit_id)
    return redirect(url_for(".lead", public_id=live.public_id), 303)


def _unit_id(raw: str, units: list[Any]) -> int:
    """A unit the starter leads or administers; anything else is tampering (400)."""
    if not raw.isdigit() or int(raw) not in {u.id for u in units}:
        abort(400)
    return int(raw)


@bp.get("/s/<public_id>/lead")
@learner_required
def lead(public_id: str) -> Any:
    live = _led(public_id)
    if live.status == ENDED:
        return redirect(url_for(".debrief", public_id=public_id))
    return _leader_page(live)


def _leader_page(live: LiveSession, status: int = 200) -> Any:
    view = _live().view(get_session(), live)
    return render_template(
        "elearn/live/lead.html",
        v=view,
        rows=service.distribution(view.counts, view.choices),
        join_url=_join_url(live),
        events=_events_attrs(live, "lead"),
    ), status


@bp.get("/s/<public_id>/projector")
@learner_required
def projector(public_id: str) -> Any:
    live = _led(public_id)
    speak(live.projector_lang)  # the room's language, whatever the leader's own pages speak
    view = _live().view(get_session(), live)
    return render_template(
        "elearn/live/projector.html",
        v=view,
        rows=service.distribution(view.counts, view.choices),
        join_url=_join_url(live),
        qr=_qr(live),
        events=_events_attrs(live, "projector"),
    )


@bp.get("/s/<public_id>/count")
@learner_required
def count(public_id: str) -> Any:
    """Just the vote count (the projector's and the control view's live region): what a vote
    changes, without rendering the whole page again for every vote."""
    live = _led(public_id)
    if request.args.get("view") == "projector":
        speak(live.projector_lang)
    db = get_session()
    counts = _live().counts(db, live.id, live.state["round"])
    return render_template(
        "elearn/live/count.html",
        votes=sum(counts.values()),
        participants=_live().joined(db, live.id),
        version=live.version,
        step=live.step,
    )


@bp.post("/s/<public_id>/act")
@learner_required
def act(public_id: str) -> Any:
    """One leader action; the form says which step it was made at (a stale tab: 409)."""
    live = _led(public_id)
    action = request.form.get("action", "")
    if action not in service.ACTIONS:
        abort(400)
    back_to = ".projector" if request.form.get("from") == "projector" else ".lead"
    lang = request.form.get("lang")
    if action == "language" and lang not in LANGUAGES:
        abort(400)
    try:
        _live().act(
            get_session(),
            live,
            action,
            _form_int("step"),
            choice=request.form.get("choice"),
            lang=lang,
        )
    except service.StaleAction:
        flash(gettext(STALE), "warning")
        get_session().refresh(live)
        return _leader_page(live, 409)
    except service.ChoiceNotOffered:
        abort(400)
    except service.ActionRefused as exc:
        flash(gettext(exc.message), "warning")
        return redirect(url_for(back_to, public_id=public_id, _anchor="messages"), 303)
    _publish(live)
    if live.status == ENDED:
        return redirect(url_for(".debrief", public_id=public_id), 303)
    return redirect(url_for(back_to, public_id=public_id), 303)


@bp.get("/s/<public_id>/debrief")
@learner_required
def debrief(public_id: str) -> Any:
    live = _led(public_id)
    if live.status != ENDED:
        return redirect(url_for(".lead", public_id=public_id))
    view = _live().view(get_session(), live)
    return render_template(
        "elearn/live/debrief.html",
        v=view,
        decisions=service.debrief_rows(view),
        scenarios=service.played_scenarios(view),
    )


def _join_url(live: LiveSession) -> str:
    return url_for(".join_with_code", code=live.code, _external=True)


def _qr(live: LiveSession) -> str:
    """The join URL as a QR code, an SVG in a data: URL (the page's CSP allows data: images)."""
    svg = segno.make(_join_url(live), error="m").svg_inline(scale=8, border=2, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _events_attrs(live: LiveSession, view: str) -> Markup:
    """What live.js needs: where the stream is, the version and step shown, and for the
    leader's views where the vote count alone is read (a vote changes nothing else)."""
    only = {"only": "steps", "step": live.step, "lang": g.elearn_lang} if view == "phone" else {}
    count = url_for(".count", public_id=live.public_id, view=view) if view != "phone" else ""
    return Markup(
        'data-live-events="{}" data-live-poll="{}" data-live-count="{}" '
        'data-live-version="{}" data-live-step="{}"'
    ).format(
        url_for(".events", public_id=live.public_id, **only),
        url_for(".poll", public_id=live.public_id),
        count,
        live.version,
        live.step,
    )


# -- the phones -----------------------------------------------------------------------------------
def _join_failed(response: Response) -> bool:
    """Only a wrong code counts against the limit: a whole staff room behind one address may
    join at once, a guesser may not go on guessing."""
    return response.status_code == 404


@bp.get("/")
def join_page() -> Any:
    return render_template("elearn/live/join.html", form=JoinForm(formdata=None), errors={})


@bp.get("/j/<code>")
def join_with_code(code: str) -> Any:
    """The address in the QR code: the join form with the code filled in."""
    form = JoinForm(formdata=None, code=service.normalise_code(code))
    return render_template("elearn/live/join.html", form=form, errors={})


@bp.post("/join")
@limiter.limit(ratelimit.live_join_limit, deduct_when=_join_failed)
def join() -> Any:
    form = JoinForm()
    if not form.validate():
        return render_template(
            "elearn/live/join.html", form=form, errors=form.error_messages()
        ), 400
    db = get_session()
    live = _live().by_code(db, form.code.data)
    if live is None:
        return render_template(
            "elearn/live/join.html", form=form, errors={"code": UNKNOWN_CODE}
        ), 404
    token = request.cookies.get(PHONE_COOKIE) or ""
    if not 20 <= len(token) <= 100:
        token = service.new_phone_token()
    _live().join(db, live, token, form.nickname.data)
    _publish_current(live.id)
    response = redirect(url_for(".phone", public_id=live.public_id), 303)
    # A browser-session cookie, sent to elearn's pages only; its hash names the phone.
    response.set_cookie(
        PHONE_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path=elearn_state().url_prefix or "/",
    )
    return response


def _phone_session(public_id: str) -> tuple[LiveSession, Any]:
    live = _live().by_public_id(get_session(), public_id)
    if live is None:
        abort(404)
    return live, _live().participant(get_session(), live, request.cookies.get(PHONE_COOKIE))


@bp.get("/p/<public_id>")
def phone(public_id: str) -> Any:
    live, participant = _phone_session(public_id)
    if participant is None:
        if live.status == ENDED:
            abort(404)
        return redirect(url_for(".join_with_code", code=live.code))
    return _phone_page(live, participant)


def _phone_page(live: LiveSession, participant: Any, status: int = 200) -> Any:
    db = get_session()
    view = _live().view(db, live)
    return render_template(
        "elearn/live/phone.html",
        v=view,
        me=participant,
        my_vote=_live().my_vote(db, live, request.cookies.get(PHONE_COOKIE)),
        events=_events_attrs(live, "phone"),
    ), status


@bp.post("/p/<public_id>/vote")
def vote(public_id: str) -> Any:
    live, participant = _phone_session(public_id)
    if participant is None:
        return redirect(url_for(".join_with_code", code=live.code), 303)
    try:
        version, step = _live().vote(
            get_session(),
            live,
            request.cookies.get(PHONE_COOKIE, ""),
            _form_int("round"),
            request.form.get("choice", ""),
        )
    except service.VoteRefused as exc:
        get_session().refresh(live)
        flash(gettext(exc.message), "warning")
        return _phone_page(live, participant, 409)
    except service.ChoiceNotOffered:
        flash(gettext("That answer is not one of the choices for this decision."), "error")
        return _phone_page(live, participant, 400)
    response = redirect(url_for(".phone", public_id=public_id, _anchor="my-vote"), 303)
    _hub().publish(live.id, version, step)
    response.headers["X-Live-Version"] = str(version)
    return response


@bp.post("/p/<public_id>/attended")
def attended(public_id: str) -> Any:
    """A participant with an account adds the session to their own record, if they choose."""
    live, participant = _phone_session(public_id)
    learner = current_learner()
    if participant is None or live.status != ENDED:
        abort(404)
    if learner is None:
        return redirect(
            url_for("elearn.accounts.login", next=url_for(".phone", public_id=public_id))
        )
    if _live().record_attended(get_session(), live, participant, learner, g.elearn_lang):
        flash(gettext("The session is now in your learning record."), "success")
    return redirect(url_for(".phone", public_id=public_id), 303)


# -- updates ------------------------------------------------------------------------------------
def _since() -> int:
    raw = request.headers.get("Last-Event-ID") or request.args.get("since", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


@bp.get("/e/<public_id>")
def events(public_id: str) -> Response:
    """Server-sent events: the session's version and step whenever they move past what the
    page shows. Only numbers: the page itself is read again through its own (checked) URL."""
    live = _live().by_public_id(get_session(), public_id)
    if live is None:
        abort(404)
    hub = _hub()
    session_id, known, current = live.id, _since(), (live.version, live.step)
    # A phone's page changes only when the leader acts: it need not hear of every vote, and
    # gets the new step's view in the event itself (not 300 phones reading their pages again).
    steps_only = request.args.get("only") == "steps"
    lang = request.args.get("lang")
    lang = lang if lang in LANGUAGES else g.elearn_lang
    raw_step = request.args.get("step", "")
    shown_step = int(raw_step) if raw_step.isdigit() and len(raw_step) < 10 else -1
    lifetime = current_app.config["ELEARN_LIVE_STREAM_SECONDS"]
    get_session().close()  # the stream holds no database connection

    def stream() -> Iterator[str]:
        yield "retry: 1000\n\n"
        seen, last_step = known, shown_step
        until = time.monotonic() + lifetime
        with hub.watching(session_id, current):
            while time.monotonic() < until:
                mark = hub.wait(session_id, seen, timeout=min(15.0, until - time.monotonic()))
                if mark is None:
                    yield ": still here\n\n"
                    continue
                seen = mark[0]
                if steps_only and mark[1] == last_step:
                    continue
                last_step = mark[1]
                fragment = _phone_fragment(public_id, mark[1], lang) if steps_only else None
                if fragment is not None:
                    last_step = fragment[0]
                if fragment is None:
                    yield f"id: {mark[0]}\ndata: {mark[0]} {mark[1]}\n\n"
                else:
                    lines = "".join(f"data: {line}\n" for line in fragment[1].splitlines())
                    yield f"id: {mark[0]}\nevent: step\ndata: {mark[0]} {fragment[0]}\n{lines}\n"

    response = Response(stream_with_context(stream()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


# (session's public id, step, language) -> (step, html): a phone's view of one step is the same
# for every phone (their own vote aside), so each worker renders it once, not once per phone.
# The public id (a uuid), not the row id: two apps or a new database never share an entry.
_FRAGMENTS: OrderedDict[tuple[str, int, str], tuple[int, str]] = OrderedDict()
_FRAGMENTS_MAX = 256
_fragments_lock = threading.Lock()


def _phone_fragment(public_id: str, step: int, lang: str) -> tuple[int, str] | None:
    """The phones' #live-root at `step` (or the step the session is at now, if it moved on
    again) as (step, html); None once the session has ended (the page is read again then: it
    offers "add to my record" per phone). The placeholder CSRF token is filled in by live.js
    from the page's own form."""
    key = (public_id, step, lang)
    with _fragments_lock:  # one thread renders; the other streams of the room wait, then reuse
        found = _FRAGMENTS.get(key)
        if found is not None:
            return found
        factory = elearn_state().session_factory
        with factory() as db:
            live = db.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
            if live is None or live.status == ENDED:
                return None
            speak(lang)
            html = render_template(
                "elearn/live/_phone_body.html",
                v=_live().view(db, live),
                my_vote=None,
                csrf=CSRF_PLACEHOLDER,
                events=_events_attrs(live, "phone"),
            )
            found = (live.step, html)
        _FRAGMENTS[(public_id, live.step, lang)] = found
        _FRAGMENTS[key] = found
        while len(_FRAGMENTS) > _FRAGMENTS_MAX:
            _FRAGMENTS.popitem(last=False)
        return found


@bp.get("/e/<public_id>/poll")
def poll(public_id: str) -> Response:
    """The same numbers for a client without EventSource: it asks every second or so."""
    live = _live().by_public_id(get_session(), public_id)
    if live is None:
        abort(404)
    response = jsonify(version=live.version, step=live.step, ended=live.status == ENDED)
    response.headers["Cache-Control"] = "no-store"
    return response
