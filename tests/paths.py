"""Where the repository's own files are, for a test at any depth of tests/."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "catalog"  # the example catalog shipped with the repository
CASES = REPO / "tests" / "cases"  # the golden plan cases
