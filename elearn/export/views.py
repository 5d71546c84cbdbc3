"""The download page for organisation admins: every course in every package format."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.blueprints import BlueprintSetupState

from elearn.accounts.login import require_role
from elearn.db import get_session
from elearn.export.service import Packages
from elearn.i18n import N_
from elearn.state import AdminSection, elearn_state
from scorm_export import FORMATS, ExportError

bp = Blueprint("export", __name__, template_folder="templates")


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    elearn_state(setup.app).add_admin_section(
        AdminSection(
            "elearn.export.admin_exports", N_("Download courses for your own LMS"), ("org_admin",)
        )
    )


def _packages() -> Packages:
    return elearn_state().services["export"]


@bp.get("/admin/exports")
@require_role("org_admin")
def admin_exports() -> Any:
    courses = _packages().exportable(get_session(), None)
    return render_template("elearn/export/exports.html", courses=courses, formats=FORMATS)


@bp.get("/admin/exports/<course_id>.zip")
@require_role("org_admin")
def admin_export_download(course_id: str) -> Any:
    session = get_session()
    found = _packages().exportable(session, course_id)
    if not found:
        abort(404)
    course = found[0]
    fmt = request.args.get("format", "scorm12")
    lang = request.args.get("lang", course.compiled["languages"][0])
    if fmt not in FORMATS or lang not in course.compiled["languages"]:
        abort(400)
    try:
        package = _packages().build(session, course, fmt, lang)
    except ExportError:
        abort(400)
    return Response(
        package.data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{package.filename}"',
            "Content-Length": str(len(package.data)),
            "Cache-Control": "private, max-age=0",
        },
    )
