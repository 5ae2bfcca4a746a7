"""The import pipeline: read an account and write it as catalog YAML.

Import never writes to Stripe; `commands/import_.py` and `commands/init.py`
run it and report what it wrote (`commands.output.show_import`).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from catalogsync.catalog import check_catalog
from catalogsync.config import CONFIG_FILE, Environment, load_config
from catalogsync.errors import CatalogInvalid, ConfigError, ImportRefused
from catalogsync.gateway.connect import connect
from catalogsync.gateway.inventory import read_account
from catalogsync.importer.deals import ImportedDeals, import_deals
from catalogsync.importer.select import Selection, select
from catalogsync.importer.write import existing_files, render_files, schema_base, write_files


@dataclass(frozen=True)
class Imported:
    """What an import wrote, for the report."""

    target: Path
    files: int
    selection: Selection
    deals: int | None  # None: deals were not imported
    schemas: bool  # whether the files carry a `$schema` modeline


def import_account(
    catalog_dir: Path,
    target: Path,
    env_name: str | None,
    *,
    adopt: bool = False,
    include_archived: bool = False,
    deals: bool = False,
    force: bool = False,
) -> Imported:
    """Import the account of ``env_name`` (from catalog_dir's config) into ``target``.

    Refuses, writing nothing, when ``target`` already holds catalog files
    (unless ``force``) or the account holds billing the format cannot express.
    """
    env = _environment(catalog_dir, env_name)
    if not force:
        _check_empty(target)
    with closing(connect(env)) as connection:
        state = read_account(
            connection.client,
            livemode=connection.livemode,
            concurrency=env.concurrency,
        )
    selection = select(state, include_archived=include_archived, adopt=adopt)
    today = datetime.now(UTC).date()
    contracts = (
        import_deals(state, selection.catalog, adopt=adopt, today=today)
        if deals
        else ImportedDeals((), ())
    )
    _refuse_unexpressible((*selection.unexpressible, *contracts.unexpressible))
    schemas = schema_base(target)
    files = render_files(selection.catalog, schemas, contracts.documents)
    write_files(target, files)
    errors = [d for d in check_catalog(target) if d.severity == "error"]
    if errors:  # the import must read back; anything else is a bug worth reporting
        raise CatalogInvalid(errors)
    deal_count = len(contracts.documents) if deals else None
    return Imported(target, len(files), selection, deal_count, schemas=schemas is not None)


def _environment(catalog_dir: Path, env_name: str | None) -> Environment:
    config = load_config(catalog_dir)
    if config.path is None:
        raise ConfigError(
            f"no {CONFIG_FILE} in {catalog_dir}: import reads an existing account, so name it "
            "there first (`catalogsync init` writes one)"
        )
    return config.environment(env_name)


def _check_empty(target: Path) -> None:
    present = existing_files(target)
    if present:
        raise ConfigError(
            f"{target} already holds {len(present)} catalog file(s); import into an empty "
            "directory, or pass --force to overwrite the files import writes"
        )


def _refuse_unexpressible(unexpressible: tuple[str, ...]) -> None:
    if unexpressible:
        raise ImportRefused(
            "import refused, nothing was written: these objects carry billing the catalog "
            "format cannot express, so a catalog without it would change what customers pay "
            "(remove the setting in Stripe, then import again):\n"
            + "\n".join(f"  {line}" for line in unexpressible)
        )
