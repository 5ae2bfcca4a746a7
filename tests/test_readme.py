"""The README's sample pull-request comment is the golden plan it names, byte for byte."""

from __future__ import annotations

from tests.paths import CASES, REPO


def test_the_sample_migration_comment_is_the_golden_plan() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    golden = (CASES / "migration_at_renewal" / "plan.md").read_text(encoding="utf-8")
    assert "(`tests/cases/migration_at_renewal/plan.md`" in readme
    assert f"```markdown\n{golden}```\n" in readme
