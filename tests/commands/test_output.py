"""What commands write for people (`catalogsync.commands.output`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from catalogsync.commands.output import for_display, show_warnings, use_color
from catalogsync.errors import Diagnostic


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout", Tty())
    assert use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color()
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.delenv("NO_COLOR")
    assert not use_color()


def _warning(file: Path) -> Diagnostic:
    return Diagnostic(str(file), 3, 5, "/name", "style", "a warning", "warning")


def test_files_below_the_current_directory_show_relative_others_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here" / "products").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "here")
    below, elsewhere = tmp_path / "here" / "products" / "a.yaml", tmp_path / "b.yaml"
    shown = for_display([_warning(below), _warning(elsewhere)])
    assert [d.file for d in shown] == ["products/a.yaml", str(elsewhere)]


def test_warnings_go_to_stderr_one_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    show_warnings([_warning(tmp_path / "a.yaml"), _warning(tmp_path / "b.yaml")])
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "a.yaml:3:5: warning[style] /name: a warning\nb.yaml:3:5: warning[style] /name: a warning\n"
    )
