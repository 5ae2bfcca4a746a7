"""Coverage of processes a test starts with an environment of its own."""

from __future__ import annotations

import os


def coverage_env() -> dict[str, str]:
    """coverage.py's variables, when the suite runs under it (`patch = subprocess` in
    pyproject.toml): a process started with a clean environment is measured too.
    Empty otherwise, so the process sees exactly the environment the test gives it."""
    return {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
