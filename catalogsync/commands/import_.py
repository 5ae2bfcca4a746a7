"""`catalogsync import`: write catalog YAML from an existing account. Exit 0 or 1.

Import never writes to Stripe. It writes every live product (with its
prices), coupon, promotion code, entitlement feature and meter, managed by
catalogsync or not; `plan` afterwards shows no changes except an `adopt`
for each object catalogsync does not manage yet, and applying that reviewed
plan adds the ownership markers.
"""

from __future__ import annotations

from pathlib import Path

import click

from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.commands.output import show_import
from catalogsync.pipeline.importing import import_account

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
    imported = import_account(
        options.catalog_dir,
        out or options.catalog_dir,
        env_name,
        adopt=adopt,
        include_archived=include_archived,
        deals=deals,
        force=force,
    )
    show_import(imported)
