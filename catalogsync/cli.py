"""The `catalogsync` command line: options, wiring, and reporting errors.

Commands live one per module in `catalogsync.commands`; this module owns the
group and its options, and `main` reports what a command raised: an expected
error (`CatalogsyncError`) in one line, anything else as an internal error,
unless ``--debug`` asks for the exception itself with its traceback. The
exit codes are `catalogsync.errors.ExitCode`, chosen by
`catalogsync.errors.exit_code` (click's own outcomes, usage errors and
aborts, are mapped here onto the same codes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalogsync import __version__
from catalogsync.commands.apply import apply_command
from catalogsync.commands.ci import ci as ci_command
from catalogsync.commands.drift import drift_command
from catalogsync.commands.emulator import emulator as emulator_command
from catalogsync.commands.import_ import import_command
from catalogsync.commands.init import init_command
from catalogsync.commands.migrations import migrations as migrations_command
from catalogsync.commands.options import Options
from catalogsync.commands.output import for_display
from catalogsync.commands.plan import plan_command
from catalogsync.commands.schema import schema as schema_command
from catalogsync.commands.validate import validate as validate_command
from catalogsync.config import discover_catalog
from catalogsync.errors import CatalogInvalid, CatalogsyncError, ExitCode, exit_code
from catalogsync.redact import redact


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The catalog directory [default: the nearest directory holding catalogsync.yaml, "
    "here or above, else ./catalog].",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="catalogsync")
@click.pass_context
def cli(ctx: click.Context, catalog_dir: Path | None, debug: bool) -> None:
    """Keep a Stripe catalog as reviewed YAML: validate, plan, apply, detect drift."""
    del debug  # read by `main`, and only once a command has failed
    ctx.obj = Options(catalog_dir=catalog_dir or discover_catalog(Path.cwd()))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, exit with the code its outcome maps to."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = cli.main(args=args, prog_name="catalogsync", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.ClickException as e:
        e.show()
        # Exit 2 means "changes" (plan --detailed-exitcode) and "drift" (drift):
        # a mistyped option must not look like either to a CI job.
        code = ExitCode.ERROR if isinstance(e, click.UsageError) else e.exit_code
    except click.Abort as e:
        # click turns Ctrl-C into Abort; an end of input at a prompt is a refusal, not an interrupt.
        if isinstance(e.__cause__, EOFError):
            click.echo("Aborted: no answer.", err=True)
            code = ExitCode.ERROR
        else:
            click.echo("Interrupted.", err=True)
            code = ExitCode.INTERRUPTED
    except Exception as error:
        if _debug(args):
            raise
        _report(error)
        code = exit_code(error)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _debug(args: list[str]) -> bool:
    """Whether the group's ``--debug`` was given, as click parses it.

    Asked only once a command has failed, so the group's options are parsed
    again, leniently and without running anything: ``--env --debug`` names
    an environment, it does not ask for tracebacks.
    """
    with cli.make_context("catalogsync", list(args), resilient_parsing=True) as ctx:
        return bool(ctx.params["debug"])


def _report(error: Exception) -> None:
    """One line on stderr (after the diagnostics of an invalid catalog), redacted."""
    if isinstance(error, CatalogInvalid):  # say what is wrong, as `validate` would
        for diagnostic in for_display(error.diagnostics):
            click.echo(redact(str(diagnostic)), err=True)
    if isinstance(error, CatalogsyncError):
        click.echo(redact(f"error: {error}"), err=True)
    else:
        click.echo(
            redact(
                f"internal error: {type(error).__name__}: {error} (rerun with --debug for details)"
            ),
            err=True,
        )


# Each command module defines one click command; add new ones to this tuple.
_COMMANDS: tuple[click.Command, ...] = (
    emulator_command,
    validate_command,
    schema_command,
    plan_command,
    apply_command,
    import_command,
    drift_command,
    ci_command,
    init_command,
    migrations_command,
)
for _command in _COMMANDS:
    cli.add_command(_command)
