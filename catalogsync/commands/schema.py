"""`catalogsync schema [KIND]`: print the JSON Schemas, for editors and tooling."""

from __future__ import annotations

import json

import click

from catalogsync.catalog.schemas import CONFIG, all_schemas, bundled, resolve_name
from catalogsync.kinds import DOCUMENT_KINDS


@click.command("schema")
@click.argument("kind", required=False)
def schema(kind: str | None) -> None:
    """Print the JSON Schema of KIND, or all of them as one object keyed by kind.

    KIND is one of Product, Coupon, PromotionCode, Feature, Meter, Ramp, Deal
    or config (case-insensitive).
    """
    if kind is None:
        click.echo(json.dumps(all_schemas(), indent=2))
        return
    name = resolve_name(kind)
    if name is None:
        choices = ", ".join((*DOCUMENT_KINDS, CONFIG))
        raise click.BadParameter(f"unknown kind '{kind}' (one of {choices})", param_hint="KIND")
    click.echo(json.dumps(bundled(name), indent=2))
