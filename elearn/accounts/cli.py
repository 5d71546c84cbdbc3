"""`flask elearn create-user | create-org`: accounts and organisations, as an operator makes them."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from elearn.accounts import service
from elearn.accounts.models import ROLES
from elearn.clitools import committing_session
from elearn.core.constants import AUDIENCES

cli = AppGroup("accounts", help="Accounts and organisations.")


@cli.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--audience", type=click.Choice(AUDIENCES), default="other")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="learner",
    show_default=True,
    help="org_admin runs one organisation (needs --org); admin runs the platform.",
)
@click.option("--org", "org_slug", help="The organisation (its slug) the user belongs to.")
def create_user_command(
    email: str, password: str, audience: str, role: str, org_slug: str | None
) -> None:
    """Create an account: a learner, an organisation admin or a platform admin."""
    with committing_session() as session:
        errors = service.registration_errors(session, email, password, audience)
        if errors:
            raise ValueError(
                # The messages' msgids are their English text.
                "\n".join(f"{field}: {message}" for field, message in errors.items())
            )
        org = service.find_organisation(session, org_slug) if org_slug else None
        if org_slug and org is None:
            raise ValueError(f"--org: no organisation {org_slug!r} (create it with create-org)")
        user = service.create_user(session, email, password, audience)
        service.set_role(user, role, org)
        if org is not None:  # their place in the organisation, as the admin pages show it
            service.add_membership(
                session, user, org, "org_admin" if role == "org_admin" else "learner"
            )
    click.echo(f"Created {email} ({role}).")


@cli.command("create-org")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name, e.g. 'Bergen kommune'.")
def create_org_command(slug: str, name: str) -> None:
    """Create an organisation (a municipality) that admins and LRS clients belong to."""
    with committing_session() as session:
        service.create_organisation(session, slug, name)
    click.echo(f"Created organisation {slug}.")
