"""/admin/reports: completion per person, the spread of choices per decision point, downloads.

Who sees what is decided per request from the person's memberships (`visible_units`): a unit
another leader leads is answered with 404, as if it did not exist. Every page that shows people
and every download writes an audit entry, committed before the page or file is sent: no view
goes unrecorded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
)
from flask.blueprints import BlueprintSetupState
from sqlalchemy.orm import Session

from elearn.accounts.login import current_learner, learner_required
from elearn.accounts.models import Organisation, User
from elearn.content.service import CourseEntry
from elearn.db import get_session
from elearn.i18n import N_, gettext
from elearn.live.service import HeldSession, held_rows
from elearn.organisations.audit import record_audit
from elearn.reports import exports
from elearn.reports.forms import FilterForm
from elearn.reports.service import (
    MIN_ANSWERS,
    STATUSES,
    Filters,
    Row,
    Scope,
    Tree,
    Wanted,
    assigned_courses,
    completion_query,
    completion_rows,
    decision_points,
    decisions_query,
    report_page,
    rows_for,
    summary_query,
    visible_units,
    wanted,
)
from elearn.state import AdminSection, elearn_state
from elearn.tracking.statements import VERBS, StatementBuilder

bp = Blueprint("reports", __name__, template_folder="templates")

STATUS_NAMES = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "passed": N_("Passed"),
}


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    elearn_state(setup.app).add_admin_section(
        AdminSection("elearn.reports.report", N_("Course reports"), ("org_admin", "unit_leader"))
    )


def _audit(
    session: Session,
    actor: User,
    action: str,
    organisation: int | None,
    subject: int | None,
    detail: str,
) -> None:
    """Who looked at whose report, who exported what: committed before the answer is sent."""
    record_audit(
        session,
        actor,
        action,
        session.get(Organisation, organisation) if organisation else None,
        session.get(User, subject) if subject else None,
        detail,
    )
    session.commit()


@dataclass(eq=False)
class _Request:
    """What every report route needs: who asks, what they may see, what they asked for."""

    session: Session
    user: User
    tree: Tree
    units: list[int]
    form: FilterForm
    filters: Filters | None  # None: the filters had an error
    _scope: Scope | None = None

    @property
    def scope(self) -> Scope:
        """The unit's people and their assignments, read once per request."""
        assert self.filters is not None
        if self._scope is None:
            self._scope = Scope.load(self.session, self.tree, self.filters.unit, self.homepage)
        return self._scope

    @property
    def builder(self) -> StatementBuilder:
        return elearn_state().services["tracking"]

    @property
    def homepage(self) -> str:
        return current_app.config["ELEARN_XAPI_HOMEPAGE"]

    def detail(self) -> str:
        f = self.filters
        assert f is not None
        return f"unit={f.unit} course={f.course or '*'} due_by={f.due_by or '*'}"


def _read_request() -> _Request:
    """403 for someone who leads nothing; 404 for a unit they may not see."""
    user = current_learner()
    assert user is not None
    session = get_session()
    tree = Tree.load(session)
    units = visible_units(session, tree, user)
    if not units:
        abort(403)
    form = FilterForm(formdata=request.args)
    if not form.validate():
        return _Request(session, user, tree, units, form, None)
    unit = form.unit.data if form.unit.data is not None else units[0]
    if unit not in units:
        abort(404)
    filters = Filters(unit, form.course.data or None, form.due_by.data)
    return _Request(session, user, tree, units, form, filters)


def _rows(req: _Request, only: set[int] | None = None) -> list[Row]:
    assert req.filters is not None
    return completion_rows(req.session, req.builder, req.scope, req.filters, only)


def _courses(req: _Request) -> list[CourseEntry]:
    return assigned_courses(req.session, req.scope, elearn_state().services["content"])


def _course_titles(req: _Request) -> dict[str, dict[str, str]]:
    return {c.id: c.compiled["title"] for c in _courses(req)}


def _sessions(req: _Request) -> list[HeldSession]:
    """Facilitated sessions held for the report's unit or any unit under it: the same scope
    as the people in it."""
    assert req.filters is not None
    units = req.tree.subtree(req.filters.unit)
    return held_rows(req.session, elearn_state().services["content"], units, req.filters.course)


def _page_args(req: _Request) -> dict[str, Any]:
    return {
        "form": req.form,
        "errors": req.form.error_messages(),
        "units": [(u, req.tree.orgs[u].name, req.tree.depth(u)) for u in req.units],
        "filters": req.filters,
        "status_names": STATUS_NAMES,
        "minutes": _minutes,
    }


def _page_number() -> int:
    """The person table's page from the query string; anything but a number is page 1 (the
    links make it, and a wrong one changes what is shown, not what is allowed)."""
    number = request.args.get("page", 1, type=int) or 1
    return min(max(1, number), 1_000_000)


@bp.get("/admin/reports")
@learner_required
def report() -> Any:
    req = _read_request()
    if req.filters is None:
        return render_template("elearn/reports/report.html", rows=None, **_page_args(req)), 400
    page = report_page(req.session, req.builder, req.scope, req.filters, _page_number())
    _audit(
        req.session,
        req.user,
        "report.view",
        req.filters.unit,
        None,
        f"{req.detail()} page={page.number}",
    )
    return render_template(
        "elearn/reports/report.html",
        rows=page.rows,
        page=page,
        statuses=STATUSES,
        courses=_course_titles(req),
        sql=str(completion_query(req.session)),
        sessions=_sessions(req),
        summary_sql=str(summary_query(req.session)),
        course_iri=req.builder.course_iri,
        homepage=req.homepage,
        completed_verb=VERBS["completed"],
        passed_verb=VERBS["passed"],
        **_page_args(req),
    )


@bp.get("/admin/reports/people/<int:user_id>")
@learner_required
def person(user_id: int) -> Any:
    """One person's assigned courses and how far they got (never what they chose)."""
    req = _read_request()
    if req.filters is None:
        abort(400)
    rows = _rows(req, only={user_id})
    if not rows:
        abort(404)
    _audit(req.session, req.user, "report.person", req.filters.unit, user_id, req.detail())
    return render_template(
        "elearn/reports/person.html",
        person=rows[0].person,
        rows=rows,
        courses=_course_titles(req),
        **_page_args(req),
    )


EXPORT_PEOPLE = 1000  # people per query while a download is written


def _table(req: _Request, pairs: Wanted) -> exports.Table:
    """The download's header and its rows, read `EXPORT_PEOPLE` people at a time."""
    titles = _course_titles(req)
    lang_title = {cid: _in_language(t) for cid, t in titles.items()}
    header = [
        gettext("Name"),
        gettext("Email address"),
        gettext("Unit"),
        gettext("Course"),
        gettext("Due date"),
        gettext("Status"),
        gettext("Date"),
        gettext("Minutes spent"),
    ]

    def cells(r: Row) -> exports.Cells:
        return [
            r.person.name,
            r.person.email,
            ", ".join(req.tree.orgs[u].name for u in r.person.units),
            lang_title.get(r.course_id, r.course_id),
            r.due.isoformat() if r.due else None,
            gettext(STATUS_NAMES[r.status]),
            r.date.date().isoformat() if r.date else None,
            _minutes(r.seconds) if r.status != "not_started" else None,
        ]

    def body() -> Iterator[exports.Cells]:
        people = list(dict.fromkeys(p.id for p, _, _ in pairs))
        for start in range(0, len(people), EXPORT_PEOPLE):
            chunk = set(people[start : start + EXPORT_PEOPLE])
            part = [w for w in pairs if w[0].id in chunk]
            yield from (cells(r) for r in rows_for(req.session, req.builder, part))
        # Read-only, and the audit entry is already committed: end the transaction now, not
        # when the server gets round to closing the response.
        req.session.rollback()

    return header, body()


def _sessions_table(req: _Request) -> exports.Table:
    header = [gettext("Date"), gettext("Course"), gettext("Scenario"), gettext("Participants")]
    body: list[list[str | int | None]] = [
        [
            s.date.date().isoformat(),
            _in_language(s.course_title),
            _in_language(s.scenario_title) if s.scenario_title else gettext("The whole course"),
            s.participants,
        ]
        for s in _sessions(req)
    ]
    return header, body


def _in_language(text: dict[str, str]) -> str:
    lang = g.get("elearn_lang", "nb")
    return text.get(lang) or next(iter(text.values()), "")


def _minutes(seconds: float) -> int:
    """Whole minutes, rounded up: a course touched for a moment shows 1 min, not 0."""
    return math.ceil(seconds / 60) if seconds > 0 else 0


@bp.get("/admin/reports/export.<fmt>")
@learner_required
def export(fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    req = _read_request()
    if req.filters is None:
        abort(400)
    pairs = wanted(req.scope, req.filters)
    _audit(
        req.session,
        req.user,
        "report.export",
        req.filters.unit,
        None,
        f"{fmt} rows={len(pairs)} {req.detail()}",
    )
    table = _table(req, pairs)
    held = _sessions_table(req)
    stamp = dt.date.today().isoformat()
    data: Any
    if fmt == "csv":
        # Streamed: the first rows leave while the later people's statements are read.
        data = stream_with_context(exports.csv_chunks(table, held))
        mimetype = "text/csv; charset=utf-8"
    else:
        extra = (held, gettext("Facilitated sessions held"))
        data = exports.to_xlsx(table, gettext("Course reports"), extra)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="elearn-report-{stamp}.{fmt}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/admin/reports/decisions")
@learner_required
def decisions() -> Any:
    """The unit's first answers per decision point, shown from `MIN_ANSWERS` people up."""
    req = _read_request()
    if req.filters is None:
        return render_template(
            "elearn/reports/decisions.html", course=None, course_titles={}, **_page_args(req)
        ), 400
    people = req.scope.people
    courses = _courses(req)
    chosen = next(
        (c for c in courses if c.id == req.filters.course), courses[0] if courses else None
    )
    if req.filters.course and (chosen is None or chosen.id != req.filters.course):
        abort(404)
    points = decision_points(req.session, chosen, req.builder, people) if chosen else []
    if chosen is not None:
        req.form.course.data = chosen.id
    return render_template(
        "elearn/reports/decisions.html",
        course=chosen,
        course_titles={c.id: c.compiled["title"] for c in courses},
        points=points,
        people_count=len(people),
        min_answers=MIN_ANSWERS,
        sql=str(decisions_query(req.session)),
        answered_verb=VERBS["answered"],
        homepage=req.homepage,
        **_page_args(req),
    )
