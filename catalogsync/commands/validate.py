"""`catalogsync validate`: schema and semantic checks, no network.

Every diagnostic of every file is collected first, then one reporter chosen
by name prints them (text, JSON or GitHub annotations). Exit 0 when there is
no error (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import click

from catalogsync.catalog.loader import CatalogReport, inspect_catalog
from catalogsync.commands.options import Options, pass_options
from catalogsync.commands.output import for_display
from catalogsync.config import check_config
from catalogsync.errors import ExitCode


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: CatalogReport) -> str:
    """`2 errors, 1 warning in 3 files` or `catalog is valid: N resources in M files`."""
    errors = sum(d.severity == "error" for d in report.diagnostics)
    warnings = len(report.diagnostics) - errors
    if errors:
        files = len({d.file for d in report.diagnostics})
        counts = _plural(errors, "error")
        if warnings:
            counts += ", " + _plural(warnings, "warning")
        return f"{counts} in {_plural(files, 'file')}"
    text = (
        f"catalog is valid: {_plural(report.resources, 'resource')} "
        f"in {_plural(len(report.files), 'file')}"
    )
    return text + (f" ({_plural(warnings, 'warning')})" if warnings else "")


def render_text(report: CatalogReport) -> str:
    lines = [str(d) for d in for_display(report.diagnostics)]
    return "\n".join([*lines, summary(report)])


def render_json(report: CatalogReport) -> str:
    return json.dumps(
        [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "pointer": d.pointer,
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
            }
            for d in for_display(report.diagnostics)
        ],
        indent=2,
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CatalogReport) -> str:
    """GitHub workflow commands: one annotation per diagnostic, then the summary."""
    lines = []
    for d in for_display(report.diagnostics):
        where = f"file={_escape_property(d.file)},line={d.line},col={d.column}"
        title = _escape_property(f"catalogsync {d.code}")
        message = _escape_data(f"{d.pointer or '/'}: {d.message}")
        lines.append(f"::{d.severity} {where},title={title}::{message}")
    return "\n".join([*lines, summary(report)])


REPORTERS: dict[str, Callable[[CatalogReport], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}


@click.command("validate")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="text (compiler style), json (a list of diagnostics) or github (annotations).",
)
@pass_options
def validate(options: Options, output_format: str) -> int:
    """Check the catalog and catalogsync.yaml against the schemas and rules (no network)."""
    report = inspect_catalog(options.catalog_dir)
    config_problems = check_config(options.catalog_dir)
    if config_problems:
        report = replace(report, diagnostics=sorted([*report.diagnostics, *config_problems]))
    click.echo(REPORTERS[output_format](report))
    return ExitCode.ERROR if any(d.severity == "error" for d in report.diagnostics) else ExitCode.OK
