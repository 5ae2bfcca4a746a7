"""The exception tree and diagnostics.

Every error catalogsync expects is a `CatalogsyncError`; `cli.py` maps each
class to an exit code in one place. Anything else is an internal error
(exit 3). Diagnostics are values, collected and reported together.
"""

from __future__ import annotations

from dataclasses import dataclass
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


class CatalogsyncError(Exception):
    """An expected failure: reported without a traceback, exit code 1."""

    exit_code = 1


class ConfigError(CatalogsyncError):
    """catalogsync.yaml or the command line names something unusable."""


class CatalogInvalid(CatalogsyncError):
    """The catalog has errors; nothing may touch the network."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = sum(d.severity == "error" for d in diagnostics)
        super().__init__(f"the catalog has {errors} error(s)")


class GatewayError(CatalogsyncError):
    """Stripe (or the emulator) refused or failed a request."""


class PlanError(CatalogsyncError):
    """The desired catalog cannot be reached from the current account state."""


class PlanRefused(CatalogsyncError):
    """apply refused to run a plan: stale, digest mismatch, unconfirmed, or env not named."""
