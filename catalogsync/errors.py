"""The exception tree and diagnostics.

Every error catalogsync expects is a `CatalogsyncError`; `cli.py` maps each
class to an exit code in one place. Anything else is an internal error
(exit 3). Diagnostics are values, collected and reported together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about the catalog, located to file, line, column and JSON pointer."""

    file: str
    line: int
    column: int
    pointer: str
    code: str
    message: str
    severity: Severity = "error"

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
