"""What every command receives from the `catalogsync` group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Options:
    """The group's options, carried as click's ``ctx.obj``."""

    catalog_dir: Path


pass_options = click.make_pass_decorator(Options)
