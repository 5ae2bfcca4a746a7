"""How commands write for people: paths as typed, colour only where it is wanted."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from catalogsync.errors import Diagnostic


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
