"""`catalogsync migrations report KEY`: moved, scheduled, to move and skipped, for support teams.

Read-only: plans (to know what is still to move and what the plan skips,
with its reasons) and reads the account's subscriptions and schedules for
the migration's marker. Works with a restricted key that can only read.
"""

from __future__ import annotations

from typing import Literal

import click

from catalogsync.catalog import load_catalog
from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.commands.output import show_warnings
from catalogsync.config import load_config
from catalogsync.pipeline.migration_report import report_environment
from catalogsync.render.migration_report import render_report


@click.group("migrations")
def migrations() -> None:
    """Subscriber migrations (kind: Migration)."""


@migrations.command("report")
@click.argument("key")
@env_option()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_options
def report(
    options: Options, *, key: str, env_name: str | None, fmt: Literal["text", "json"]
) -> None:
    """Where each subscription of migration KEY stands: moved, scheduled, to move, skipped.

    A migration removed from the catalog still reports what it moved and
    scheduled; only a migration in the catalog has subscriptions to move.
    """
    loaded = load_catalog(options.catalog_dir)
    show_warnings(loaded.warnings)
    env = load_config(options.catalog_dir).environment(env_name)
    gathered = report_environment(env, loaded, key)
    click.echo(render_report(gathered, fmt), nl=False)
