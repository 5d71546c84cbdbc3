"""The organisation admin's pages: units, people, invitations, join links, assignments, and the
platform admin's audit log; the invitee's and the join link's pages.

Every route checks the role (`require_role`) and then the scope: an org admin changes only the
units under the organisations they administer and the people in them; a unit leader assigns
courses in the units they lead. Anything outside gives 404 (nothing says it exists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select
from werkzeug.wrappers import Response

from elearn.accounts import service as accounts
from elearn.accounts import tokens
from elearn.accounts.forms import NewPasswordForm
from elearn.accounts.login import current_learner, require_role, start_session
from elearn.accounts.models import (
    MEMBERSHIP_ROLES,
    ORGANISATION_KINDS,
    Assignment,
    Membership,
    Organisation,
    User,
)
from elearn.db import get_session
from elearn.i18n import N_, gettext
from elearn.organisations import mails, service
from elearn.organisations.audit import audit_page, record_audit
from elearn.organisations.forms import (
    CHOOSE_PEOPLE,
    CHOOSE_UNIT,
    AssignForm,
    InviteCsvForm,
    InviteListForm,
    MembershipForm,
    RenameForm,
    UnitForm,
)
from elearn.signals import user_deleting
from elearn.state import AdminSection, elearn_state

bp = Blueprint("organisations", __name__, template_folder="templates")
T = "elearn/organisations/"

KIND_NAMES = {
    "municipality": N_("Municipality"),
    "county": N_("County"),
    "health_trust": N_("Health trust"),
    "school": N_("School"),
    "health_station": N_("Health station"),
    "adult_education": N_("Adult education centre"),
    "other": N_("Other"),
}
ROLE_NAMES = {
    "learner": N_("Learner"),
    "unit_leader": N_("Unit leader"),
    "org_admin": N_("Organisation admin"),
}
NOT_HERE = N_("Choose a unit in your own organisation.")


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    state = elearn_state(setup.app)
    for endpoint, label, roles in (
        ("elearn.organisations.admin_organisations", N_("Organisation and units"), ("org_admin",)),
        ("elearn.organisations.admin_users", N_("People"), ("org_admin",)),
        ("elearn.organisations.admin_invitations", N_("Invite people"), ("org_admin",)),
        (
            "elearn.organisations.admin_assignments",
            N_("Assigned courses"),
            ("org_admin", "unit_leader"),
        ),
        ("elearn.organisations.admin_audit", N_("Audit log"), ("admin",)),
    ):
        state.add_admin_section(AdminSection(endpoint, label, roles))


@bp.context_processor
def _names() -> dict[str, Any]:
    return {
        "kind_names": KIND_NAMES,
        "role_names": ROLE_NAMES,
        "kinds": ORGANISATION_KINDS,
        "roles": MEMBERSHIP_ROLES,
    }


def _me() -> User:
    user = current_learner()
    assert user is not None  # require_role let them in
    return user


def _unit(raw: str | None, allowed: set[int]) -> Organisation | None:
    """The unit a posted id names, if it is one the admin may use."""
    if not raw or not raw.isdigit() or len(raw) > 9 or int(raw) not in allowed:
        return None
    return get_session().get(Organisation, int(raw))


def _managed() -> tuple[list[Organisation], set[int]]:
    return service.managed(get_session(), _me())


# -- organisation and units ---------------------------------------------------------------------


def _organisations_page(
    form: UnitForm | None = None, errors: dict[str, str] | None = None, join: Any = None
) -> Any:
    session = get_session()
    orgs, ids = _managed()
    members = {i: 0 for i in ids}
    for row in session.execute(
        select(Membership.organisation_id).where(Membership.organisation_id.in_(ids))
    ).scalars():
        members[row] += 1
    return render_template(
        T + "organisations.html",
        roots=service.tree(orgs),
        choices=service.labelled(orgs),
        members=members,
        links=service.open_join_links(session, ids),
        form=form or UnitForm(formdata=None),
        errors=errors or {},
        join=join,
        may_add_top=_me().role == "admin",
    ), 400 if errors else 200


@bp.get("/admin/organisations")
@require_role("org_admin")
def admin_organisations() -> Any:
    return _organisations_page()


@bp.post("/admin/organisations")
@require_role("org_admin")
def admin_organisations_create() -> Any:
    form = UnitForm()
    _orgs, ids = _managed()
    errors = form.error_messages() if not form.validate() else {}
    parent = _unit(form.parent.data, ids)
    if parent is None and not (_me().role == "admin" and not form.parent.data):
        errors = {"parent": CHOOSE_UNIT, **errors}
    if errors:
        return _organisations_page(form, errors)
    session = get_session()
    unit = service.create_unit(
        session, parent, form.name.data, form.kind.data, form.org_number.data or None
    )
    record_audit(session, _me(), "organisation.create", unit, detail=unit.name)
    session.commit()
    flash(gettext("“%(name)s” has been created.", name=unit.name), "success")
    return redirect(url_for(".admin_organisations") + f"#org-{unit.id}", 303)


@bp.post("/admin/organisations/<int:org_id>/rename")
@require_role("org_admin")
def admin_organisations_rename(org_id: int) -> Any:
    _orgs, ids = _managed()
    unit = _unit(str(org_id), ids) or abort(404)
    form = RenameForm()
    if not form.validate():
        flash(gettext(form.error_messages()["name"]), "error")
        return redirect(url_for(".admin_organisations") + f"#org-{unit.id}", 303)
    session = get_session()
    record_audit(
        session, _me(), "organisation.rename", unit, detail=f"{unit.name} → {form.name.data}"
    )
    unit.name = form.name.data
    session.commit()
    flash(gettext("The name is saved."), "success")
    return redirect(url_for(".admin_organisations") + f"#org-{unit.id}", 303)


@bp.post("/admin/organisations/<int:org_id>/join-link")
@require_role("org_admin")
def admin_join_link(org_id: int) -> Any:
    """A new join link (the old one stops working); shown once, on the page this returns."""
    _orgs, ids = _managed()
    unit = _unit(str(org_id), ids) or abort(404)
    session = get_session()
    if request.form.get("action") == "revoke":
        service.revoke_join_links(session, unit)
        record_audit(session, _me(), "join_link.revoke", unit)
        session.commit()
        flash(gettext("The join link for %(unit)s no longer works.", unit=unit.name), "success")
        return redirect(url_for(".admin_organisations") + f"#org-{unit.id}", 303)
    token = service.new_join_link(session, unit, _me())
    record_audit(session, _me(), "join_link.create", unit)
    session.commit()
    link = url_for(".join", token=token, _external=True)
    return _organisations_page(join={"unit": unit, "link": link})


# -- people -------------------------------------------------------------------------------------


def _people_query(ids: set[int]) -> Any:
    me = _me()
    query = select(User)
    if me.role != "admin":
        members = select(Membership.user_id).where(Membership.organisation_id.in_(ids))
        query = query.where(User.id.in_(members))
    return query


@bp.get("/admin/learners")
@require_role("org_admin")
def admin_learners() -> Response:
    return redirect(url_for(".admin_users"))


@bp.get("/admin/users")
@require_role("org_admin")
def admin_users() -> Any:
    session = get_session()
    orgs, ids = _managed()
    unit = _unit(request.args.get("unit"), ids)
    query = _people_query(ids)
    if unit is not None:
        in_unit = select(Membership.user_id).where(Membership.organisation_id == unit.id)
        query = query.where(User.id.in_(in_unit))
    people = list(session.scalars(query.order_by(User.display_name, User.email).limit(1000)))
    memberships: dict[int, list[Membership]] = {}
    for m in session.scalars(
        select(Membership).where(Membership.user_id.in_([p.id for p in people]))
    ):
        memberships.setdefault(m.user_id, []).append(m)
    return render_template(
        T + "users.html",
        people=people,
        memberships=memberships,
        names={o.id: o.name for o in orgs},
        choices=service.labelled(orgs),
        unit=unit,
    )


def _person(user_id: int) -> User:
    """Someone the admin may manage: in one of their units (404 for anyone else)."""
    _orgs, ids = _managed()
    person = get_session().scalar(_people_query(ids).where(User.id == user_id))
    if person is None:
        abort(404)
    return person


def _outside(person: User, ids: set[int]) -> bool:
    """True if the person also belongs to units this admin does not run."""
    memberships = accounts.memberships_of(get_session(), person)
    return any(m.organisation_id not in ids for m in memberships)


def _person_page(person: User, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    orgs, ids = _managed()
    return render_template(
        T + "person.html",
        person=person,
        memberships=accounts.memberships_of(get_session(), person),
        names={o.id: o.name for o in orgs},
        choices=service.labelled(orgs),
        errors=errors or {},
        protected=_protected(person, ids),
    ), status


def _protected(person: User, ids: set[int]) -> str | None:
    """Why this admin may not deactivate or remove the person (None: they may)."""
    me = _me()
    if person.id == me.id:
        return N_("This is your own account.")
    if me.role != "admin" and (person.role == "admin" or _outside(person, ids)):
        return N_(
            "This person also belongs to another organisation: remove them from your units instead."
        )
    return None


@bp.get("/admin/users/<int:user_id>")
@require_role("org_admin")
def admin_person(user_id: int) -> Any:
    return _person_page(_person(user_id))


@bp.post("/admin/users/<int:user_id>/active")
@require_role("org_admin")
def admin_person_active(user_id: int) -> Any:
    person = _person(user_id)
    _orgs, ids = _managed()
    if _protected(person, ids):
        abort(403)
    session = get_session()
    person.active = request.form.get("active") == "1"
    if not person.active:
        person.end_all_sessions()
    action = "user.reactivate" if person.active else "user.deactivate"
    record_audit(session, _me(), action, subject=person)
    session.commit()
    message = (
        N_("%(name)s can log in again.") if person.active else N_("%(name)s can no longer log in.")
    )
    flash(gettext(message, name=person.display_name or person.email), "success")
    return redirect(url_for(".admin_person", user_id=person.id), 303)


@bp.post("/admin/users/<int:user_id>/remove")
@require_role("org_admin")
def admin_person_remove(user_id: int) -> Any:
    """Really deletes the account and everything about it (the same path as a learner's own
    deletion): every room deletes its rows in this transaction."""
    person = _person(user_id)
    _orgs, ids = _managed()
    if _protected(person, ids):
        abort(403)
    session = get_session()
    label = person.display_name or person.email
    # Who removed someone stays in the log, not whom: the e-mail kept here would outlive the
    # deletion it records (and the entries naming the person lose them through SET NULL).
    record_audit(session, _me(), "user.remove")
    user_deleting.send(elearn_state(), session=session, user=person)
    accounts.delete_user(session, person)
    session.commit()
    flash(
        gettext("%(name)s has been removed, with everything stored about them.", name=label),
        "success",
    )
    return redirect(url_for(".admin_users"), 303)


@bp.post("/admin/users/<int:user_id>/memberships")
@require_role("org_admin")
def admin_membership_add(user_id: int) -> Any:
    person = _person(user_id)
    _orgs, ids = _managed()
    form = MembershipForm()
    errors = form.error_messages() if not form.validate() else {}
    unit = _unit(form.unit.data, ids)
    if unit is None:
        errors = {"unit": NOT_HERE, **errors}
    if errors:
        return _person_page(person, errors, 400)
    session = get_session()
    accounts.add_membership(session, person, unit, form.role.data)
    accounts.settle_role(person, accounts.memberships_of(session, person))
    record_audit(session, _me(), "membership.add", unit, person, form.role.data)
    session.commit()
    flash(gettext("Saved."), "success")
    return redirect(url_for(".admin_person", user_id=person.id), 303)


def _membership(person: User, membership_id: int, ids: set[int]) -> Membership:
    membership = get_session().get(Membership, membership_id)
    if (
        membership is None
        or membership.user_id != person.id
        or membership.organisation_id not in ids
    ):
        abort(404)
    return membership


@bp.post("/admin/users/<int:user_id>/memberships/<int:membership_id>")
@require_role("org_admin")
def admin_membership_change(user_id: int, membership_id: int) -> Any:
    """Move to another unit and/or change the role there."""
    person = _person(user_id)
    _orgs, ids = _managed()
    membership = _membership(person, membership_id, ids)
    form = MembershipForm()
    unit = _unit(form.unit.data, ids)
    if not form.validate() or unit is None:
        return _person_page(person, {"unit": NOT_HERE, **form.error_messages()}, 400)
    if person.id == _me().id and form.role.data != "org_admin" and membership.role == "org_admin":
        return _person_page(person, {"unit": N_("You cannot take away your own admin role.")}, 400)
    session = get_session()
    before = f"{membership.organisation_id}:{membership.role}"
    service.change_membership(session, membership, unit, form.role.data)
    record_audit(
        session, _me(), "membership.change", unit, person, f"{before} → {unit.id}:{form.role.data}"
    )
    session.commit()
    flash(gettext("Saved."), "success")
    return redirect(url_for(".admin_person", user_id=person.id), 303)


@bp.post("/admin/users/<int:user_id>/memberships/<int:membership_id>/remove")
@require_role("org_admin")
def admin_membership_remove(user_id: int, membership_id: int) -> Any:
    person = _person(user_id)
    _orgs, ids = _managed()
    membership = _membership(person, membership_id, ids)
    if person.id == _me().id and membership.role == "org_admin":
        abort(403)
    session = get_session()
    unit = session.get(Organisation, membership.organisation_id)
    service.remove_membership(session, membership)
    record_audit(session, _me(), "membership.remove", unit, person)
    session.commit()
    flash(gettext("Saved."), "success")
    return redirect(url_for(".admin_users"), 303)


# -- invitations --------------------------------------------------------------------------------


def _invitations_page(
    list_form: InviteListForm | None = None,
    errors: dict[str, str] | None = None,
    line_errors: list[service.LineError] | None = None,
    which: str = "",
) -> Any:
    orgs, _ids = _managed()
    bad = bool(errors or line_errors)
    return render_template(
        T + "invitations.html",
        choices=service.labelled(orgs),
        list_form=list_form or InviteListForm(formdata=None),
        errors=errors or {},
        line_errors=line_errors or [],
        which=which,
        max_lines=service.MAX_INVITES,
    ), 400 if bad else 200


@bp.url_value_preprocessor
def _allow_csv_upload(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """The CSV upload may be larger than a form (the app's limit): raised here, because this
    runs before the front door's CSRF check reads the body."""
    if endpoint == "elearn.organisations.admin_invitations_csv":
        request.max_content_length = service.MAX_CSV_BYTES + 64 * 1024


@bp.errorhandler(413)
def _too_large(_exc: Exception) -> Any:
    return render_template(
        "elearn/error.html",
        title=gettext("The file is too large"),
        message=gettext(service.TOO_BIG),
    ), 413


@bp.get("/admin/invitations")
@require_role("org_admin")
def admin_invitations() -> Any:
    return _invitations_page()


@bp.post("/admin/invitations/list")
@require_role("org_admin")
def admin_invitations_list() -> Any:
    form = InviteListForm()
    _orgs, ids = _managed()
    errors = form.error_messages() if not form.validate() else {}
    unit = _unit(form.unit.data, ids)
    if unit is None:
        errors = {"unit": CHOOSE_UNIT, **errors}
    if errors or unit is None:
        return _invitations_page(form, errors, which="list")
    invitees, line_errors = service.parse_email_list(form.emails.data, unit, form.role.data)
    if line_errors:
        return _invitations_page(form, {}, line_errors, which="list")
    return _do_invite(invitees)


@bp.post("/admin/invitations/csv")
@require_role("org_admin")
def admin_invitations_csv() -> Any:
    form = InviteCsvForm()
    if not form.validate():
        return _invitations_page(errors=form.error_messages(), which="csv")
    orgs, _ids = _managed()
    data = form.file.data.read(service.MAX_CSV_BYTES + 1)
    invitees, line_errors = service.parse_csv(data, orgs)
    if line_errors:
        return _invitations_page(line_errors=line_errors, which="csv")
    return _do_invite(invitees)


def _do_invite(invitees: list[service.Invitee]) -> Response:
    """All or nothing: one transaction; the mails go out only after it is committed."""
    session = get_session()
    days = int(current_app.config["ELEARN_INVITATION_DAYS"])
    done = service.invite(session, invitees, days * 24 * 60)
    for item in done:
        record_audit(session, _me(), "user.invite", item.unit, item.user)
    session.commit()
    for item in done:
        lang = item.user.language or g.elearn_lang
        if item.token:
            mails.send_invitation(item.user.email, lang, item.unit.name, item.token, days)
        else:
            mails.send_added(item.user.email, lang, item.unit.name)
    flash(gettext("%(num)s invited. They get an e-mail with a link.", num=len(done)), "success")
    return redirect(url_for(".admin_users"), 303)


def _no_store(body: str, status: int = 200) -> Any:
    return body, status, {"Cache-Control": "no-store"}


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    """The invitee chooses a password (GET shows the form: mail scanners use nothing up)."""
    session = get_session()
    row = tokens.peek(session, service.INVITE, token)
    user = session.get(User, row.user_id) if row and row.user_id else None
    if user is None:
        return _no_store(render_template("elearn/accounts/link_invalid.html"), 400)
    form = NewPasswordForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            accepted = service.accept_invitation(session, token, form.password.data)
            if accepted is None:
                return _no_store(render_template("elearn/accounts/link_invalid.html"), 400)
            session.commit()
            if not accepted.active:
                return redirect(url_for("elearn.accounts.login"))
            start_session(accepted)
            flash(gettext("Welcome! Your password is saved, and you are logged in."), "success")
            return redirect(url_for("elearn.catalogue.catalogue"))
        errors = form.error_messages()
    return _no_store(
        render_template(T + "invitation.html", errors=errors, person=user),
        400 if errors else 200,
    )


# -- join links ---------------------------------------------------------------------------------


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> Any:
    session = get_session()
    unit = service.join_unit(session, token)
    if unit is None:
        return _no_store(render_template(T + "join_invalid.html"), 404)
    user = current_learner()
    if user is None:
        web_session["elearn_join"] = token  # joined once they log in or register
        return _no_store(render_template(T + "join.html", unit=unit, signed_in=False))
    if request.method == "POST":
        db_user = session.merge(user)
        if service.join(session, db_user, unit):
            record_audit(session, db_user, "join_link.use", unit, db_user)
        session.commit()
        flash(gettext("You are now a member of %(unit)s.", unit=unit.name), "success")
        return redirect(url_for("elearn.catalogue.catalogue"), 303)
    return _no_store(render_template(T + "join.html", unit=unit, signed_in=True))


def on_user_logged_in(_sender: object, user: Any = None, **_extra: object) -> None:
    """A join link opened before logging in (or registering): join now that we know who."""
    token = web_session.pop("elearn_join", None)
    if not token or not isinstance(user, User):
        return
    session = get_session()
    unit = service.join_unit(session, token)
    db_user = session.get(User, user.id)
    if unit is None or db_user is None:
        return
    if service.join(session, db_user, unit):
        record_audit(session, db_user, "join_link.use", unit, db_user)
        session.commit()
        flash(gettext("You are now a member of %(unit)s.", unit=unit.name), "success")


# -- assignments --------------------------------------------------------------------------------


def _assignment_scope() -> tuple[list[Organisation], set[int]]:
    return service.assignable(get_session(), _me())


def _assignments_page(form: AssignForm | None = None, errors: dict[str, str] | None = None) -> Any:
    session = get_session()
    orgs, _ids = _assignment_scope()
    people = list(
        session.scalars(
            service.people_visible_to(session, _me())
            .where(User.active)
            .order_by(User.display_name, User.email)
            .limit(500)
        )
    )
    courses = elearn_state().services["content"].all_current(session)
    assignments = service.assignments_in_scope(session, _me())
    subjects = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_([a.user_id for a in assignments if a.user_id]))
        )
    }
    all_names = {o.id: o.name for o in session.scalars(select(Organisation))}
    return render_template(
        T + "assignments.html",
        form=form or AssignForm(formdata=None),
        errors=errors or {},
        choices=service.labelled(orgs),
        people=people,
        courses=courses,
        titles={c.id: c.compiled["title"] for c in courses},
        assignments=assignments,
        subjects=subjects,
        org_names=all_names,
        today=dt.date.today(),
    ), 400 if errors else 200


@bp.get("/admin/assignments")
@require_role("org_admin", "unit_leader")
def admin_assignments() -> Any:
    return _assignments_page()


@bp.post("/admin/assignments")
@require_role("org_admin", "unit_leader")
def admin_assignments_create() -> Any:
    session = get_session()
    form = AssignForm()
    errors = form.error_messages() if not form.validate() else {}
    _orgs, ids = _assignment_scope()
    courses = {c.id for c in elearn_state().services["content"].all_current(session)}
    if form.course.data not in courses:
        errors.setdefault("course", N_("Choose a course."))
    unit, people = None, []
    if form.target.data == "unit":
        unit = _unit(form.unit.data, ids)
        if unit is None:
            errors.setdefault("unit", CHOOSE_UNIT)
    else:
        wanted = [int(p) for p in form.people.data or [] if p.isdigit() and len(p) < 10]
        people = list(
            session.scalars(service.people_visible_to(session, _me()).where(User.id.in_(wanted)))
        )
        if not people:
            errors.setdefault("people", CHOOSE_PEOPLE)
    if errors:
        return _assignments_page(form, errors)
    rows = service.assign(session, _me(), form.course.data, form.due_date.data, unit, people)
    for row in rows:
        detail = f"{row.course_id} due {row.due_date or '-'}"
        subject = session.get(User, row.user_id) if row.user_id else None
        record_audit(session, _me(), "assignment.create", unit, subject, detail)
    session.commit()
    flash(gettext("The course has been assigned."), "success")
    return redirect(url_for(".admin_assignments"), 303)


@bp.post("/admin/assignments/<int:assignment_id>/delete")
@require_role("org_admin", "unit_leader")
def admin_assignments_delete(assignment_id: int) -> Any:
    session = get_session()
    mine = {a.id: a for a in service.assignments_in_scope(session, _me())}
    assignment: Assignment | None = mine.get(assignment_id)
    if assignment is None:
        abort(404)
    record_audit(
        session, _me(), "assignment.delete", detail=f"{assignment.course_id} #{assignment.id}"
    )
    service.delete_assignment(session, assignment)
    session.commit()
    flash(gettext("The assignment has been deleted."), "success")
    return redirect(url_for(".admin_assignments"), 303)


# -- the audit log ------------------------------------------------------------------------------


@bp.get("/admin/audit")
@require_role("admin")
def admin_audit() -> Any:
    session = get_session()
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    entries = list(session.scalars(audit_page(page)))
    more = len(entries) > 50
    entries = entries[:50]
    user_ids = {e.actor_id for e in entries} | {e.subject_user_id for e in entries}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids - {None})))}
    orgs = {o.id: o.name for o in session.scalars(select(Organisation))}
    return render_template(
        T + "audit.html", entries=entries, people=people, orgs=orgs, page=page, more=more
    )
