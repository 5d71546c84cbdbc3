"""The download page for organisation admins: every course in every package format."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from elearn.accounts.roles import AdminSection, add_admin_section, require_role
from elearn.content.service import current_course, current_courses
from elearn.db import get_session
from elearn.export import service
from scorm_export import FORMATS  # SCORM 1.2 first: every LMS takes it


def register_export_routes(bp: Blueprint) -> None:
    add_admin_section(AdminSection("elearn.admin_exports", "export_title", ("org_admin",)))

    @bp.get("/admin/exports")
    @require_role("org_admin")
    def admin_exports() -> Any:
        return render_template(
            "elearn/admin/exports.html", courses=current_courses(get_session()), formats=FORMATS
        )

    @bp.get("/admin/exports/<course_id>.zip")
    @require_role("org_admin")
    def admin_export_download(course_id: str) -> Any:
        from scorm_export import ExportError

        session = get_session()
        course = current_course(session, course_id)
        if course is None:
            abort(404)
        fmt = request.args.get("format", "scorm12")
        lang = request.args.get("lang", course.compiled["languages"][0])
        if fmt not in FORMATS or lang not in course.compiled["languages"]:
            abort(400)
        try:
            package = service.build(
                session, course, fmt, lang, current_app.config["ELEARN_XAPI_BASE_IRI"]
            )
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
