"""`flask elearn lrs-client create | list | revoke`: credentials for clients of elearn's LRS."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from elearn.accounts import service as accounts
from elearn.accounts.models import Organisation
from elearn.clitools import reading_session
from elearn.lrs.auth import create_client, list_clients, revoke_client
from elearn.lrs.models import LrsClient

cli = AppGroup("lrs", help="elearn's Learning Record Store.")


@cli.group("lrs-client")
def lrs_client_group() -> None:
    """Credentials for xAPI clients of elearn's LRS (<prefix>/xapi/)."""


@lrs_client_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="An xAPI scope (repeatable): statements/write, statements/read, statements/read/mine, "
    "state, profile, define, all/read, all. Default: statements/write statements/read/mine.",
)
@click.option("--org", "org_slug", help="Limit the client to this organisation's data.")
def lrs_client_create(name: str, scopes: tuple[str, ...], org_slug: str | None) -> None:
    """Create a client; its secret is shown this once and stored only as a hash."""
    with reading_session() as session:
        org = accounts.find_organisation(session, org_slug) if org_slug else None
        if org_slug and org is None:
            click.echo(f"--org: no organisation {org_slug!r}", err=True)
            sys.exit(1)
        try:
            client, secret = create_client(
                session, name, scopes, current_app.config["SECRET_KEY"], org.id if org else None
            )
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        session.commit()
        click.echo(f"Created LRS client {client.name!r} ({client.scopes}).")
        click.echo(f"  key:    {client.key}")
        click.echo(f"  secret: {secret}")
        click.echo("The secret is not shown again; store it now.")


@lrs_client_group.command("list")
def lrs_client_list() -> None:
    """List clients: key, name, scopes, organisation, created, revoked."""
    with reading_session() as session:
        orgs = {o.id: o.slug for o in session.scalars(select(Organisation))}
        for c in list_clients(session):
            state = f"revoked {c.revoked_at:%Y-%m-%d %H:%M}" if c.revoked_at else "active"
            org = orgs.get(c.organisation_id, "platform") if c.organisation_id else "platform"
            click.echo(f"{c.key}  {c.name}  [{c.scopes}]  {org}  {c.created_at:%Y-%m-%d}  {state}")


@lrs_client_group.command("revoke")
@click.argument("key")
def lrs_client_revoke(key: str) -> None:
    """Revoke a client by its key: its next request gets 401."""
    with reading_session() as session:
        client = session.scalar(select(LrsClient).where(LrsClient.key == key))
        if client is None:
            click.echo(f"no LRS client with key {key!r}", err=True)
            sys.exit(1)
        revoke_client(session, client)
        session.commit()
    click.echo(f"Revoked {key}.")
