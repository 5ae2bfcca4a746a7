"""`catalogsync drift`: what in Stripe differs from the catalog. Exit 0 none, 2 drift, 1 error.

Read-only: works with a restricted key that can only read.
"""

from __future__ import annotations

import click

from catalogsync.catalog import load_catalog
from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.commands.output import show_warnings
from catalogsync.config import load_config
from catalogsync.errors import ExitCode
from catalogsync.pipeline.drift import drift_environment
from catalogsync.render.drift import FORMATS, render_drift


@click.command("drift")
@env_option()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--unmanaged",
    is_flag=True,
    help="Also report objects and metadata keys in Stripe that catalogsync does not own.",
)
@pass_options
def drift_command(options: Options, *, env_name: str | None, fmt: str, unmanaged: bool) -> None:
    """Report every difference between Stripe and the catalog (exit 2 when there is any).

    Changed fields, archived or deleted managed objects, objects the catalog
    declares that Stripe lacks, and active prices added outside catalogsync
    to products it manages. With --unmanaged, also every active object and
    metadata key catalogsync does not own. Objects outside the catalog listed
    under `drift: ignore:` in catalogsync.yaml are not reported. The Markdown
    format is meant for a GitHub issue body.
    """
    loaded = load_catalog(options.catalog_dir)  # invalid: CatalogInvalid, before any request
    show_warnings(loaded.warnings)
    config = load_config(options.catalog_dir)
    env = config.environment(env_name)
    report = drift_environment(env, loaded, unmanaged=unmanaged)
    report = report.ignoring(config.drift_ignore)
    click.echo(render_drift(report, fmt), nl=False)
    if report.has_drift:
        click.get_current_context().exit(ExitCode.DRIFT)
