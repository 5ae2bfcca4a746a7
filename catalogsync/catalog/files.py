"""Finding the catalog's YAML files and reading them, within fixed limits.

Every file that should hold catalog resources but cannot be read is a
diagnostic (code `file`), never skipped silently: a dangling or looping
symlink, an unreadable directory or file. Silently skipping one would make
the plan archive whatever it was meant to declare.

Reading is bounded (code `yaml-limits`): a file above `MAX_FILE_BYTES`, or
files adding up to more than `MAX_CATALOG_BYTES`, are not read at all, so no
input makes `validate` hold more than a few hundred MB. A file that is not
UTF-8 is reported (code `encoding`) at the line and column of its first bad
byte.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from catalogsync.errors import ConfigError, Diagnostic

CONFIG_FILE = "catalogsync.yaml"
SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CATALOG_BYTES = 40 * 1024 * 1024


@dataclass
class Scan:
    """The catalog's YAML files, sorted, and the entries that could not be followed."""

    files: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def scan(catalog_dir: Path) -> Scan:
    """Every YAML file under ``catalog_dir``: dot-entries and the top config file excluded.

    Symlinks are followed (to files and to directories); one that dangles or
    loops, or a directory that cannot be listed, is reported.
    """
    if not catalog_dir.is_dir():
        raise ConfigError(
            f"catalog directory not found: {catalog_dir} (no {CONFIG_FILE} here or in a "
            "parent directory; pass --catalog DIR, or run `catalogsync init`)"
        )
    result = Scan()
    _walk(catalog_dir, frozenset({catalog_dir.resolve()}), result)
    top_config = catalog_dir / CONFIG_FILE
    result.files = sorted(p for p in result.files if p != top_config)
    return result


def _walk(directory: Path, ancestors: frozenset[Path], result: Scan) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as e:
        result.diagnostics.append(_problem(directory, f"cannot list directory: {e.strerror}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        target = _follow(path, result) if entry.is_symlink() else path
        if target is None:
            continue
        if target.is_dir():
            real = target.resolve()
            if real in ancestors:
                result.diagnostics.append(
                    _problem(
                        path,
                        f"symlink loop: {path.name} -> {os.readlink(path)} leads back to "
                        "a directory it is in",
                    )
                )
                continue
            _walk(path, ancestors | {real}, result)
        elif path.suffix in SUFFIXES and target.is_file():
            result.files.append(path)


def _follow(link: Path, result: Scan) -> Path | None:
    """The file or directory ``link`` resolves to, or None (reported) when it cannot."""
    try:
        return link.resolve(strict=True)
    except FileNotFoundError:
        message = f"dangling symlink: {link.name} -> {os.readlink(link)}, which does not exist"
    except RuntimeError:  # Path.resolve's "Symlink loop from ..."
        message = f"symlink loop: {link.name} -> {os.readlink(link)} never reaches a file"
    except OSError as e:
        message = f"cannot follow symlink {link.name}: {e.strerror}"
    result.diagnostics.append(_problem(link, message))
    return None


def _problem(path: Path, message: str) -> Diagnostic:
    return Diagnostic(str(path), 1, 1, "", "file", message)


@dataclass
class Reader:
    """Reads catalog files as text, keeping the catalog's total size under its cap."""

    budget: int = MAX_CATALOG_BYTES

    def read(self, path: Path) -> str | Diagnostic:
        """The file's text, or the diagnostic saying why it was not read."""
        file = str(path)
        try:
            with path.open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                limit = min(MAX_FILE_BYTES, self.budget)
                if size > limit:
                    return Diagnostic(file, 1, 1, "", "yaml-limits", self._too_big(size))
                data = stream.read(limit + 1)  # a file that grows while read stays bounded
        except OSError as e:
            return Diagnostic(file, 1, 1, "", "file", f"cannot read the file: {e.strerror}")
        if len(data) > limit:
            return Diagnostic(file, 1, 1, "", "yaml-limits", self._too_big(len(data)))
        self.budget -= len(data)
        return decode(data, file)

    def _too_big(self, size: int) -> str:
        if size > MAX_FILE_BYTES:
            return f"the file is {size:,} bytes; catalogsync reads files up to {MAX_FILE_BYTES:,}"
        return (
            f"the file is {size:,} bytes and the catalog's other files already hold "
            f"{MAX_CATALOG_BYTES - self.budget:,}; catalogsync reads at most "
            f"{MAX_CATALOG_BYTES:,} bytes per catalog"
        )


def decode(data: bytes, file: str) -> str | Diagnostic:
    """UTF-8 text, or an `encoding` diagnostic at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        return Diagnostic(
            file,
            line,
            column,
            "",
            "encoding",
            f"byte 0x{data[e.start]:02X} is not UTF-8 (a Latin-1 or Windows-1252 file?); "
            "catalogsync reads YAML as UTF-8: re-save the file as UTF-8",
        )
