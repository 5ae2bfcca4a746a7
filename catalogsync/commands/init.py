"""`catalogsync init [DIR] [--from-env ENV]`: scaffold a catalog repository. Exit 0 or 1."""

from __future__ import annotations

from pathlib import Path

import click

from catalogsync.commands.output import show_import
from catalogsync.config import DEFAULT_CATALOG
from catalogsync.errors import ConfigError
from catalogsync.importer.write import write_files
from catalogsync.pipeline.importing import import_account
from catalogsync.scaffold import scaffold


@click.command("init")
@click.argument(
    "directory", default=".", type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]"
)
@click.option(
    "--from-env",
    "from_env",
    metavar="ENV",
    help="Import the catalog from this environment of the new catalogsync.yaml.",
)
def init_command(directory: Path, from_env: str | None) -> None:
    """Scaffold a catalog repository in DIR (default: here).

    Writes catalog/catalogsync.yaml (local, test and a protected live
    environment), the JSON Schemas under schemas/, .gitignore, the three
    workflows (catalog-plan, catalog-apply, catalog-drift) pinned to this
    catalogsync version, .pre-commit-config.yaml and .vscode/settings.json.
    With --from-env, the catalog is imported from that environment;
    otherwise it starts empty. Refuses, writing nothing, if any of these
    files already exists.
    """
    files = scaffold()
    present = sorted(rel for rel in files if (directory / rel).exists())
    if present:
        raise ConfigError(
            f"init writes nothing over existing files; already in {directory}: "
            + ", ".join(present)
        )
    write_files(directory, files)
    click.echo(f"Wrote {len(files)} file(s) to {directory}.")
    catalog = directory / DEFAULT_CATALOG
    if from_env is not None:
        show_import(import_account(catalog, catalog, from_env))
    click.echo(
        "Next: set the secrets the workflows name (README, 'Adopting catalogsync'), "
        f"then `catalogsync validate` and `catalogsync plan` in {directory}."
    )
