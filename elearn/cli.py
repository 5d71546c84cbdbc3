"""`flask elearn …` (or the `elearn` console script): the root group. Each room brings its own
group of commands (accounts, authoring, content, export, lrs, organisations, privacy, tracking);
they are offered here side by side, as `flask elearn import`, `flask elearn lrs-client create`
and so on. The platform-wide ones, `upgrade` and `demo`, live in `elearn.platform_cli`.

A room's commands are imported when one of them is first asked for (click's lazy group), not
when the group is: `elearn validate COURSE` then loads the validator and nothing of the
database, the web views, the SSO client or the PDF certificates. That is most of its start-up
time (bench/cli_start.py). The table below names where each command lives;
tests/test_cli_start.py holds it to the rooms' own groups.
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo

# command name -> the module whose `cli` group defines it
LAZY_COMMANDS: dict[str, str] = {
    "create-user": "elearn.accounts.cli",
    "create-org": "elearn.accounts.cli",
    "preview": "elearn.authoring.cli",
    "graph": "elearn.authoring.cli",
    "paths": "elearn.authoring.cli",
    "validate": "elearn.content.cli",
    "import": "elearn.content.cli",
    "new": "elearn.content.cli",
    "translations": "elearn.content.cli",
    "export": "elearn.export.cli",
    "live-expire": "elearn.live.cli",
    "lrs-client": "elearn.lrs.cli",
    "remind": "elearn.organisations.cli",
    "retention": "elearn.privacy.cli",
    "forward": "elearn.tracking.cli",
    "upgrade": "elearn.platform_cli",
    "demo": "elearn.platform_cli",
}


class LazyAppGroup(AppGroup):
    """An AppGroup whose subcommands are imported on first use (click's documented LazyGroup
    pattern): listing them for `--help` imports every room's CLI, running one imports its own."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            group = importlib.import_module(self.lazy[cmd_name]).cli
            command = group.commands.get(cmd_name)
            if command is None:  # the table is wrong: say so, not "no such command"
                raise click.ClickException(f"{self.lazy[cmd_name]} has no command {cmd_name!r}")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)


elearn_cli = LazyAppGroup(
    "elearn", help="elearn: courses, database and tracking.", lazy=LAZY_COMMANDS
)


def _create_app() -> Flask:
    """The standalone app, built only for commands that need it (not `validate` or `new`)."""
    # Here, not at the top: elearn.app imports every room, which `elearn validate` must not pay.
    from elearn.app import create_app

    return create_app()


def main() -> None:
    """The `elearn` console script: the same commands as `flask elearn …`."""
    elearn_cli.main(obj=ScriptInfo(create_app=_create_app))
