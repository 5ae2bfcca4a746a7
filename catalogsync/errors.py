"""The exception tree, the exit codes, and diagnostics.

Every error catalogsync expects is a `CatalogsyncError` declared here, and
`exit_code` is the one map from an exception to the process's exit code
(`cli.py` reports the error and exits with it). Anything else is an internal
error (exit 3). An exception carries a finished message, never a higher
layer's data: what a failed run did is returned as a value (the apply
executor's report), not smuggled in an exception. Diagnostics are values,
collected and reported together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

Severity = Literal["error", "warning"]

# A message or pointer longer than this is shortened in the middle: a 20 MB
# value echoed in an error would bury the terminal, the CI log and the PR.
MAX_SHOWN = 300


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text``, or its start and end around an ellipsis saying how much was left out."""
    if len(text) <= limit:
        return text
    keep = limit // 2
    return f"{text[:keep]}…({len(text) - 2 * keep:,} characters)…{text[-keep:]}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about the catalog, located to file, line, column and JSON pointer.

    Messages and pointers may quote the catalog's values; both are clipped
    (`clip`) so that no value, however large, is echoed whole.
    """

    file: str
    line: int
    column: int
    pointer: str
    code: str
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "pointer", clip(self.pointer))
        object.__setattr__(self, "message", clip(self.message))

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}] "
            f"{self.pointer or '/'}: {self.message}"
        )


class ExitCode(IntEnum):
    """What the `catalogsync` process exits with; every command keeps to this table."""

    OK = 0
    ERROR = 1  # an expected failure: bad input, a refusal, Stripe said no, a usage error
    CHANGES = 2  # `plan --detailed-exitcode`: the plan has changes
    DRIFT = 2  # `drift`, `ci drift-issue`: Stripe differs from the catalog
    INTERNAL = 3  # a bug: an exception catalogsync did not expect
    INTERRUPTED = 130  # 128 + SIGINT, as for any interrupted command


class CatalogsyncError(Exception):
    """An expected failure: reported without a traceback (exit code: `exit_code`)."""


class ConfigError(CatalogsyncError):
    """catalogsync.yaml or the command line names something unusable."""


class CatalogInvalid(CatalogsyncError):
    """The catalog has errors; nothing may touch the network."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = sum(d.severity == "error" for d in diagnostics)
        super().__init__(f"the catalog has {errors} error(s)")


class GatewayError(CatalogsyncError):
    """Stripe (or the emulator) refused or failed a request (after retries); redacted."""


class PlanError(CatalogsyncError):
    """The desired catalog cannot be reached from the current account state."""


class UnsupportedOperation(PlanError):
    """The plan holds an operation Stripe has no way to perform."""


class PlanRefused(CatalogsyncError):
    """apply refused to run a plan: stale, digest mismatch, unconfirmed, or env not named."""


class ApplyLocked(CatalogsyncError):
    """Another apply on this machine holds the account."""


class UnsafeLockDirectory(CatalogsyncError):
    """The lock directory could be another user's: refuse rather than trust it."""


class UnresolvedReference(CatalogsyncError):
    """An operation names an object that neither this run nor Stripe has."""


class ApplyFailed(CatalogsyncError):
    """One or more operations failed; the message says what was done and what to do next."""


class ApplyInterrupted(CatalogsyncError):
    """Ctrl-C stopped an apply; the message says what was applied before it stopped."""


class ImportRefused(CatalogsyncError):
    """The account holds objects the catalog cannot describe faithfully."""


class CiError(CatalogsyncError):
    """A CI step cannot run: a missing variable, a failed GitHub call, a refusal."""


class CiRefused(CiError):
    """A CI step will not act on what it was given (an unreviewed or untrusted plan)."""


def exit_code(error: Exception) -> ExitCode:
    """The exit code for ``error``: the one map from exceptions to exit codes."""
    match error:
        case ApplyInterrupted():
            return ExitCode.INTERRUPTED
        case CatalogsyncError():
            return ExitCode.ERROR
        case _:
            return ExitCode.INTERNAL
