"""What every command receives from the `catalogsync` group, and the options they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click

_Command = TypeVar("_Command", bound=Callable[..., object])


@dataclass(frozen=True)
class Options:
    """The group's options, carried as click's ``ctx.obj``."""

    catalog_dir: Path


pass_options = click.make_pass_decorator(Options)


def env_option(*, required: bool = False) -> Callable[[_Command], _Command]:
    """``--env NAME`` (the command's ``env_name``): the environment to work on."""
    help_text = "Environment from catalogsync.yaml" + ("." if required else " (default: local).")
    return click.option("--env", "env_name", required=required, help=help_text)
