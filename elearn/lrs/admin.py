"""The admin page for LRS clients: platform admins manage every client, organisation admins
their own organisation's. Server-rendered, works without JavaScript; the secret of a new
client is shown once, in the response to the form, and never stored in clear."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

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


NAME_NEEDED = N_("Enter who will use the access.")
SCOPE_NEEDED = N_("Choose at least one scope.")
NO_SUCH_ORGANISATION = N_(
    "Choose an organisation from the list, or none for a platform-wide client."
)


class ClientForm(FlaskForm):
    """The form that creates a client. CSRF is checked once for every POST by the front door."""

    class Meta:
        csrf = False

    name = StringField(
        filters=[lambda value: (value or "").strip()],
        validators=[DataRequired(NAME_NEEDED), Length(max=200, message=NAME_NEEDED)],
    )
    # Unknown scopes are dropped, as before; none left is the error.
    scope = SelectMultipleField(
        choices=list(SCOPES),
        validate_choice=False,
        filters=[lambda values: [v for v in values or [] if v in SCOPES]],
        validators=[DataRequired(SCOPE_NEEDED)],
    )
    organisation = StringField(filters=[lambda value: (value or "").strip()])

    def validate_organisation(self, field: StringField) -> None:
        """Empty: platform-wide. Else the id of an organisation that exists (a posted id that
        does not, or is too large for the database, is a form error, not a 500)."""
        if not field.data:
            return
        raw = field.data
        if (
            not (raw.isdigit() and len(raw) < 10)
            or get_session().get(Organisation, int(raw)) is None
        ):
            raise ValidationError(NO_SUCH_ORGANISATION)

    def organisation_id(self) -> int | None:
        return int(self.organisation.data) if self.organisation.data else None

    def error_messages(self) -> dict[str, str]:
        return {name: messages[0] for name, messages in self.errors.items() if messages}


def _admin() -> Any:
    user = current_learner()
    assert user is not None
    return user


def page(
    errors: dict[str, str] | None = None,
    created: Any = None,
    secret: str | None = None,
    form: ClientForm | None = None,
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
        typed=form if errors else None,  # what was typed, shown again beside the errors
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
    form = ClientForm()
    if user.role != "admin":
        del form.organisation  # an organisation admin's clients are their organisation's
    if not form.validate():
        return page(form.error_messages(), form=form)
    org_id = form.organisation_id() if user.role == "admin" else user.organisation_id
    session = get_session()
    name, scopes = form.name.data, form.scope.data
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
