"""`catalogsync import`: write catalog YAML from an existing account. Exit 0 or 1.

Import never writes to Stripe. It writes every live product (with its
prices), coupon, promotion code, entitlement feature and meter, managed by
catalogsync or not; `plan` afterwards shows no changes except an `adopt`
for each object catalogsync does not manage yet, and applying that reviewed
plan adds the ownership markers.
"""

from __future__ import annotations

from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click

from catalogsync.catalog import check_catalog
from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.config import CONFIG_FILE, load_config
from catalogsync.errors import CatalogInvalid, ConfigError, ImportRefused
from catalogsync.gateway.connect import connect
from catalogsync.gateway.inventory import read_account
from catalogsync.importer.deals import ImportedDeals, import_deals
from catalogsync.importer.select import Selection, select
from catalogsync.importer.write import existing_files, render_files, schema_base, write_files

_HELP = """Write catalog YAML from what a Stripe account already holds.

Writes one file per product (with its prices) under DIR/products/, and
coupons.yaml, promotion_codes.yaml, features.yaml and meters.yaml; amounts
in major units, only fields that differ from the defaults. Archived objects
are left out unless --include-archived (or an imported object refers to
them). With --deals, every open subscription schedule catalogsync did not
create is written to deals.yaml as a Deal naming its schedule, which the
next plan adopts (markers only) instead of creating another; a schedule
whose settings the Deal format cannot express refuses the import, naming
the schedule and the field.

Import never writes to Stripe. Objects catalogsync does not manage yet show
as `adopt` in the next `catalogsync plan`; applying that plan (reviewed like
any change) adds the ownership markers. Without --adopt, metadata keys
written by others are left out of the YAML, so they stay theirs; with
--adopt every metadata key is written, and applying the adoption makes
catalogsync their owner as well (it will unset a key that later leaves the
YAML).
"""


@click.command("import", help=_HELP)
@env_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write (default: the catalog directory).",
)
@click.option("--adopt", is_flag=True, help="Write all metadata: adopting takes it over too.")
@click.option("--include-archived", is_flag=True, help="Import archived objects too.")
@click.option("--deals", is_flag=True, help="Import open subscription schedules as deals.")
@click.option("--force", is_flag=True, help="Overwrite catalog files already in DIR.")
@pass_options
def import_command(
    options: Options,
    *,
    env_name: str | None,
    out: Path | None,
    adopt: bool,
    include_archived: bool,
    deals: bool,
    force: bool,
) -> None:
    """See `_HELP`."""
    import_into(
        options.catalog_dir,
        out or options.catalog_dir,
        env_name,
        adopt=adopt,
        include_archived=include_archived,
        deals=deals,
        force=force,
    )


def import_into(
    catalog_dir: Path,
    target: Path,
    env_name: str | None,
    *,
    adopt: bool = False,
    include_archived: bool = False,
    deals: bool = False,
    force: bool = False,
) -> None:
    """Import the account of ``env_name`` (from catalog_dir's config) into ``target``."""
    config = load_config(catalog_dir)
    if config.path is None:
        raise ConfigError(
            f"no {CONFIG_FILE} in {catalog_dir}: import reads an existing account, so name it "
            "there first (`catalogsync init` writes one)"
        )
    env = config.environment(env_name)
    present = existing_files(target)
    if present and not force:
        raise ConfigError(
            f"{target} already holds {len(present)} catalog file(s); import into an empty "
            "directory, or pass --force to overwrite the files import writes"
        )
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
    unexpressible = (*selection.unexpressible, *contracts.unexpressible)
    if unexpressible:
        raise ImportRefused(
            "import refused, nothing was written: these objects carry billing the catalog "
            "format cannot express, so a catalog without it would change what customers pay "
            "(remove the setting in Stripe, then import again):\n"
            + "\n".join(f"  {line}" for line in unexpressible)
        )
    schemas = schema_base(target)
    files = render_files(selection.catalog, schemas, contracts.documents)
    write_files(target, files)
    errors = [d for d in check_catalog(target) if d.severity == "error"]
    if errors:  # the import must read back; anything else is a bug worth reporting
        raise CatalogInvalid(errors)
    _report(target, len(files), selection, len(contracts.documents) if deals else None)
    if schemas is None:
        click.echo(
            "note: no schemas/ directory in this repository, so the files carry no $schema "
            "modeline (`catalogsync init` writes the schemas)",
            err=True,
        )


def _report(target: Path, files: int, selection: Selection, deals: int | None) -> None:
    c = selection.catalog
    counts = {
        "products": len(c.products),
        "prices": len(c.prices),
        "coupons": len(c.coupons),
        "promotion codes": len(c.promotion_codes),
        "features": len(c.features),
        "meters": len(c.meters),
    }
    if deals is not None:
        counts["deals"] = deals
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    click.echo(f"Wrote {files} file(s) to {target}: {summary}.")
    if selection.unmanaged:
        kinds = Counter(u.rsplit(" ", 1)[0] for u in selection.unmanaged)
        listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        click.echo(
            f"Not managed by catalogsync yet: {listed}. `catalogsync plan` shows them as "
            "adopt; applying that plan adds the catalogsync markers."
        )
    for note in selection.keys_generated:
        click.echo(f"generated lookup key for {note} (the plan's adoption sets it)")
    for note in selection.left_out:
        click.echo(f"left out: {note}", err=True)
