"""The repository stands alone: tests read nothing beside it, files cite nothing outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from self_contained import REPO, ReadOutsideRepository

# A path into a folder beside the repository, or a design document that is not in it.
OUTSIDE_REFERENCE = re.compile(r"\.\./shared|shared/(stripe|design)|\b(FACTS|DESIGN|STYLE)\.md\b")


def test_reading_a_file_beside_the_repository_is_refused() -> None:
    # The guard installed by conftest fires before the OS is asked, so the
    # file need not exist: a test that reads a sibling folder fails everywhere.
    with pytest.raises(ReadOutsideRepository, match="read outside the repository"):
        (REPO.parent / "shared" / "stripe" / "fixtures3.json").read_text()


def test_reading_inside_the_repository_and_temporary_files_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("ok")
    assert (tmp_path / "note.txt").read_text() == "ok"
    assert "catalogsync" in (REPO / "pyproject.toml").read_text()


def test_no_tracked_file_cites_a_file_outside_the_repository() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    offenders = []
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE_REFERENCE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
