"""The org admin's page for Feide: which Feide organisation (realm) lands people in which unit,
and whether a first login from an unknown unit may create it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from elearn.accounts import service as accounts
from elearn.accounts.login import current_learner, require_role
from elearn.accounts.models import Organisation, User
from elearn.db import get_session
from elearn.i18n import N_, gettext
from elearn.sso.forms import CHOOSE_TARGET, FeideMappingForm
from elearn.sso.models import FeideOrgMapping
from elearn.state import AdminSection, elearn_state

bp = Blueprint("sso_admin", __name__, template_folder="templates")

REALM_TAKEN = N_("This Feide organisation is connected already. Remove it first to change it.")


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    elearn_state(setup.app).add_admin_section(
        AdminSection("elearn.sso_admin.feide", N_("Feide organisations"), ("org_admin",))
    )


def _scope(session: Session, user: User) -> list[Organisation]:
    """The organisations this admin may connect: the ones they administer (every one for the
    platform admin). From the org_admin memberships, never from `User.organisation_id`: that
    follows the last unit the person joined, as a learner too, so it could name another
    municipality's tree."""
    return accounts.organisations_administered_by(session, user)


def _mappings(session: Session, ids: list[int]) -> list[FeideOrgMapping]:
    return list(
        session.scalars(
            select(FeideOrgMapping)
            .where(
                or_(
                    FeideOrgMapping.organisation_id.in_(ids),
                    FeideOrgMapping.parent_id.in_(ids),
                )
            )
            .order_by(FeideOrgMapping.feide_realm)
        )
    )


def _add(session: Session, user: User, allowed: dict[int, Organisation]) -> dict[str, str]:
    form = FeideMappingForm()
    form.validate()
    errors = form.error_messages()
    realm, target = form.realm.data or "", form.target.data or ""
    if "realm" not in errors and session.scalar(
        select(FeideOrgMapping).where(FeideOrgMapping.feide_realm == realm)
    ):
        errors["realm"] = REALM_TAKEN
    create, _, raw_id = target.partition(":")
    if "target" not in errors and int(raw_id) not in allowed:
        errors["target"] = CHOOSE_TARGET
    if errors:
        return dict(sorted(errors.items(), key=lambda item: item[0] != "realm"))
    mapping = FeideOrgMapping(feide_realm=realm, created_by_id=user.id)
    if create == "create":
        mapping.parent_id, mapping.allow_create = int(raw_id), True
    else:
        mapping.organisation_id = int(raw_id)
    session.add(mapping)
    session.commit()
    return {}


@bp.route("/admin/feide", methods=["GET", "POST"])
@require_role("org_admin")
def feide() -> Any:
    user = current_learner()
    assert user is not None
    session = get_session()
    organisations = _scope(session, user)
    allowed = {o.id: o for o in organisations}
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _add(session, user, allowed)
        if not errors:
            flash(gettext("The Feide organisation is connected."), "success")
            return redirect(url_for("elearn.sso_admin.feide"))
    names = {o.id: o.name for o in organisations}
    return render_template(
        "elearn/sso/feide_admin.html",
        organisations=organisations,
        mappings=_mappings(session, list(allowed)),
        names=names,
        errors=errors,
        form=request.form,
    ), 400 if errors else 200


@bp.post("/admin/feide/<int:mapping_id>/remove")
@require_role("org_admin")
def remove(mapping_id: int) -> Any:
    user = current_learner()
    assert user is not None
    session = get_session()
    mapping = session.get(FeideOrgMapping, mapping_id)
    allowed = {o.id for o in _scope(session, user)}
    if mapping is None or not ({mapping.organisation_id, mapping.parent_id} & allowed):
        abort(404)
    session.delete(mapping)
    session.commit()
    flash(gettext("The Feide organisation is no longer connected."), "success")
    return redirect(url_for("elearn.sso_admin.feide"))
