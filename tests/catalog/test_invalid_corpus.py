"""The invalid-catalog corpus: each folder under tests/invalid/ is a catalog and its diagnostics.

`expected.txt` holds the exact lines `validate` prints (file relative to the
case folder, line, column, severity, rule code, pointer, message), so a
change in any position, pointer, code or wording shows up here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.catalog import check_catalog
from tests.paths import REPO

CORPUS = REPO / "tests" / "invalid"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
# The moment date rules compare against, fixed so that the corpus never ages:
# `redeem_by: 2026-11-30T23:59:59Z` is in the past here, `2031-11-30` within 5 years.
NOW = datetime(2026, 12, 1, tzinfo=UTC)

# Every rule code the loader can emit; each must appear somewhere in the corpus.
RULE_CODES = {
    "yaml-syntax",
    "duplicate-key",
    "kind",
    "api-version",
    "schema",
    "unique",
    "reference",
    "tiers",
    "metered-meter",
    "duration",
    "discount",
    "currency",
    "amount",
    "fractional-amount",
    "metadata",
    "lookup-key",
    "code-charset",
    "deal-phases",
    "timestamp",
    "currency-unsupported",
    "amount-max",
    "amount-positive",
    "date-range",
    "coupon-limits",
    "interval",
    "yaml-limits",
    "file",
    "encoding",
    "backdate",
    "migration",
    "migration-date",
}


def _lines(case: Path) -> list[str]:
    return [
        str(replace(d, file=Path(d.file).relative_to(case).as_posix()))
        for d in check_catalog(case / "catalog", now=NOW)
    ]


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_case_reports_exactly_the_expected_diagnostics(case: Path) -> None:
    expected = (case / "expected.txt").read_text("utf-8").splitlines()
    assert expected, "a case with no expected diagnostic proves nothing"
    assert _lines(case) == expected


def test_corpus_is_large_and_covers_every_rule() -> None:
    assert len(CASES) >= 30
    seen = set()
    for case in CASES:
        for line in (case / "expected.txt").read_text("utf-8").splitlines():
            seen.add(line.split("[", 1)[1].split("]", 1)[0])
    assert seen == RULE_CODES


def test_one_case_has_errors_in_several_files() -> None:
    lines = (CORPUS / "several_errors_several_files" / "expected.txt").read_text().splitlines()
    files = {line.split(":", 1)[0] for line in lines}
    assert len(lines) >= 5
    assert len(files) >= 3
