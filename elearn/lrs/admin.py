"""The admin page for LRS clients: platform admins manage every client, organisation admins
their own organisation's. Server-rendered, works without JavaScript; the secret of a new
client is shown once, in the response to the form, and never stored in clear."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select

from elearn.accounts.login import current_learner, require_role
from elearn.accounts.models import Organisation
from elearn.db import DB_ID, get_session
from elearn.i18n import N_
from elearn.lrs.auth import SCOPES, create_client, list_clients, revoke_client
from elearn.lrs.models import LrsClient
from elearn.state import AdminSection, elearn_state

bp = Blueprint("lrs", __name__, template_folder="templates")


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    elearn_state(setup.app).add_admin_section(
        AdminSection(
            "elearn.lrs.admin_lrs_clients",
            N_("Access to the learning record store (LRS)"),
            ("org_admin",),
        )
    )


def _admin() -> Any:
    user = current_learner()
    assert user is not None
    return user


def page(
    errors: dict[str, str] | None = None, created: Any = None, secret: str | None = None
) -> Any:
    user = _admin()
    session = get_session()
    org_id = None if user.role == "admin" else user.organisation_id
    if user.role != "admin" and org_id is None:
        abort(403)  # an organisation admin without an organisation manages nothing
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    status = 400 if errors else 200
    return render_template(
        "elearn/lrs/lrs_clients.html",
        clients=list_clients(session, org_id),
        organisations=organisations,
        org_names={o.id: o.name for o in organisations},
        scopes=SCOPES,
        is_admin=user.role == "admin",
        errors=errors or {},
        created=created,
        secret=secret,
        endpoint=request.host_url.rstrip("/") + url_for("elearn_xapi.about").removesuffix("about"),
    ), status


@bp.get("/admin/lrs-clients")
@require_role("org_admin")
def admin_lrs_clients() -> Any:
    return page()


@bp.post("/admin/lrs-clients")
@require_role("org_admin")
def admin_lrs_clients_create() -> Any:
    user = _admin()
    name = request.form.get("name", "").strip()
    scopes = [s for s in request.form.getlist("scope") if s in SCOPES]
    errors = {}
    if not name:
        errors["name"] = N_("Enter who will use the access.")
    if not scopes:
        errors["scope"] = N_("Choose at least one scope.")
    session = get_session()
    if user.role == "admin":
        raw = request.form.get("organisation", "")
        org_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
        if raw and (org_id is None or session.get(Organisation, org_id) is None):
            errors["organisation"] = N_(
                "Choose an organisation from the list, or none for a platform-wide client."
            )
    else:
        org_id = user.organisation_id
    if errors:
        return page(errors)
    client, secret = create_client(session, name, scopes, current_app.config["SECRET_KEY"], org_id)
    session.commit()
    body, status = page(created=client, secret=secret)
    # The secret is shown this once: no browser or proxy may keep a copy of this page.
    return body, status, {"Cache-Control": "no-store"}


@bp.post(f"/admin/lrs-clients/<{DB_ID}:client_id>/revoke")
@require_role("org_admin")
def admin_lrs_clients_revoke(client_id: int) -> Any:
    user = _admin()
    session = get_session()
    client = session.get(LrsClient, client_id)
    if client is None or (user.role != "admin" and client.organisation_id != user.organisation_id):
        abort(404)
    revoke_client(session, client)
    session.commit()
    return redirect(url_for("elearn.lrs.admin_lrs_clients", lang=g.get("elearn_lang")), 303)
