"""The `catalogsync` command line: options, wiring, and the one error handler.

Commands live one per module in `catalogsync.commands`; this module owns the
group, the shared options and the mapping from exceptions to exit codes
(0 ok, 1 expected error, 2 changes/drift where a command says so, 3 internal
error, 130 interrupted).
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
from catalogsync.commands.options import Options
from catalogsync.commands.plan import plan_command
from catalogsync.commands.schema import schema as schema_command
from catalogsync.commands.validate import for_display
from catalogsync.commands.validate import validate as validate_command
from catalogsync.config import discover_catalog
from catalogsync.errors import CatalogInvalid, CatalogsyncError
from catalogsync.redact import redact

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


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
    ctx.obj = Options(catalog_dir=catalog_dir or discover_catalog(Path.cwd()), debug=debug)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map errors to exit codes."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="catalogsync", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.ClickException as e:
        e.show()
        # Exit 2 means "changes" (plan --detailed-exitcode) and "drift" (drift):
        # a mistyped option must not look like either to a CI job.
        code = 1 if isinstance(e, click.UsageError) else e.exit_code
    except click.Abort as e:
        # click turns Ctrl-C into Abort; an end of input at a prompt is a refusal, not an interrupt.
        if isinstance(e.__cause__, EOFError):
            click.echo("Aborted: no answer.", err=True)
            code = 1
        else:
            click.echo("Interrupted.", err=True)
            code = EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    except CatalogsyncError as e:
        if debug:
            raise
        if isinstance(e, CatalogInvalid):  # say what is wrong, as `validate` would
            for diagnostic in for_display(e.diagnostics):
                click.echo(redact(str(diagnostic)), err=True)
        click.echo(redact(f"error: {e}"), err=True)
        code = e.exit_code
    except Exception as e:
        if debug:
            raise
        click.echo(
            redact(f"internal error: {type(e).__name__}: {e} (rerun with --debug for details)"),
            err=True,
        )
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else 0)


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
)
for _command in _COMMANDS:
    cli.add_command(_command)
