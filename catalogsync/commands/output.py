"""How commands write for people: paths as typed, colour only where wanted, reports."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from catalogsync.errors import Diagnostic
from catalogsync.kinds import KINDS, SPECS
from catalogsync.pipeline.importing import Imported


def display_path(file: str) -> str:
    """``file`` relative to the current directory when it lies below it."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return file


def for_display(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with their files shown relative to the current directory."""
    return [replace(d, file=display_path(d.file)) for d in diagnostics]


def show_warnings(warnings: Sequence[Diagnostic]) -> None:
    """The catalog's warnings on stderr: a command goes on despite them."""
    for d in for_display(warnings):
        click.echo(str(d), err=True)


def use_color() -> bool:
    """Colour on a terminal unless NO_COLOR is set to a non-empty value (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def show_import(imported: Imported) -> None:
    """What an import wrote, what the next plan adopts, and what it left out."""
    selection, deals = imported.selection, imported.deals
    # Kinds read as objects come from the selection; deals (schedules) only with --deals.
    counts = {s: len(s.declared(selection.catalog)) for s in KINDS if s.objects}
    if deals is not None:
        counts[SPECS["deal"]] = deals
    summary = ", ".join(f"{n} {spec.label}s" for spec, n in counts.items())
    click.echo(f"Wrote {imported.files} file(s) to {imported.target}: {summary}.")
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
    if not imported.schemas:
        click.echo(
            "note: no schemas/ directory in this repository, so the files carry no $schema "
            "modeline (`catalogsync init` writes the schemas)",
            err=True,
        )
