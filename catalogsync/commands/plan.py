"""`catalogsync plan`: read Stripe, diff against the catalog, render the plan.

Exit 0 (no changes, or changes without --detailed-exitcode), 2 (changes
with --detailed-exitcode), 1 on error. An invalid catalog stops before any
request, with its diagnostics.
"""

from __future__ import annotations

from pathlib import Path

import click

from catalogsync.catalog import LoadedCatalog, load_catalog
from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.commands.output import show_warnings, use_color
from catalogsync.config import load_config
from catalogsync.errors import ExitCode
from catalogsync.pipeline.plan import plan_environment
from catalogsync.render import FORMATS, render


@click.command("plan")
@env_option()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan JSON.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--no-impact", is_flag=True, help="Skip counting subscribers on changed prices.")
@pass_options
def plan_command(
    options: Options,
    *,
    env_name: str | None,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    no_impact: bool,
) -> None:
    """Show what apply would change in Stripe."""
    loaded = _load(options.catalog_dir)
    env = load_config(options.catalog_dir).environment(env_name)
    plan = plan_environment(env, loaded, impact=not no_impact)
    if out is not None:
        out.write_text(plan.to_json(), encoding="utf-8")
    click.echo(render(plan, fmt, color=use_color()), nl=False)
    if detailed_exitcode and plan.has_changes:
        click.get_current_context().exit(ExitCode.CHANGES)


def _load(catalog_dir: Path) -> LoadedCatalog:
    # An invalid catalog raises CatalogInvalid before any connection is made;
    # cli.main prints its diagnostics.
    loaded = load_catalog(catalog_dir)
    show_warnings(loaded.warnings)
    return loaded
