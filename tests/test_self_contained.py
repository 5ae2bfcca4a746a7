"""The repository stands alone: tests read nothing beside it, files cite nothing outside it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests import self_contained
from tests.paths import REPO

# A path into a folder beside the repository, or a design document that is not in it.
OUTSIDE_REFERENCE = re.compile(r"\.\./shared|shared/(stripe|design)|\b(FACTS|DESIGN|STYLE)\.md\b")

_PROBE = """
import sys
from pathlib import Path
from tests.self_contained import install_guard
repo = Path(sys.argv[1])
install_guard(repo)
print((repo / "inside.txt").read_text())
(repo.parent / "made-after-install.txt").write_text("test output")
print((repo.parent / "made-after-install.txt").read_text())
(repo.parent / "shared" / "fixtures3.json").read_text()
"""


def test_reading_a_file_beside_the_repository_is_refused(tmp_path: Path) -> None:
    # A checkout with a `shared` folder beside it, as on a developer's machine.
    repo = tmp_path / "checkout"
    repo.mkdir()
    (repo / "inside.txt").write_text("inside")
    (tmp_path / "shared" / "stripe").mkdir(parents=True)
    (tmp_path / "shared" / "fixtures3.json").write_text("{}")
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(repo)],
        env={**os.environ, "PYTHONPATH": str(REPO)},  # `tests` importable as a package
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.stdout.splitlines() == ["inside", "test output"]
    assert probe.returncode == 1
    assert "ReadOutsideRepository: read outside the repository: " in probe.stderr
    assert str(tmp_path / "shared" / "fixtures3.json") in probe.stderr


def test_this_test_run_is_guarded() -> None:
    # conftest installs the guard for this checkout in every test process.
    assert REPO in self_contained.GUARDED or REPO.parent == Path(REPO.anchor)


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
