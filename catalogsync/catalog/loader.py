"""The catalog pipeline: files -> documents -> diagnostics -> model.

`check_catalog` collects every diagnostic (errors and warnings) for
`validate`; `load_catalog` returns the model and raises `CatalogInvalid`
when there is any error. Neither touches the network.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogsync.catalog.build import Built, build
from catalogsync.catalog.files import Reader, scan
from catalogsync.catalog.limits import check_limits, is_refused_on_create
from catalogsync.catalog.references import build_index, check_references
from catalogsync.catalog.rules import check_document
from catalogsync.catalog.schemas import schema_errors
from catalogsync.catalog.sourcemap import Document, NodeBudget, parse_yaml
from catalogsync.errors import CatalogInvalid, Diagnostic
from catalogsync.gcpause import paused_gc
from catalogsync.kinds import DOCUMENT_KINDS, DOCUMENT_SPECS, catalog_of
from catalogsync.model import Catalog

API_VERSION = "catalogsync/v1"
SUPPORTED_API_VERSIONS = frozenset({API_VERSION})


@dataclass(frozen=True)
class LoadedCatalog:
    """A valid catalog: the model, any warnings, and a digest of its content.

    ``refused_on_create`` maps (operation kind, identity) to the past-date
    warnings of that resource: Stripe refuses to create it, so `plan` refuses
    to create or replace it (`catalogsync.plan.guards.check_dated_creates`).
    """

    catalog: Catalog
    warnings: list[Diagnostic]
    digest: str
    files: tuple[str, ...] = ()
    refused_on_create: Mapping[tuple[str, str], tuple[Diagnostic, ...]] = field(
        default_factory=dict
    )


@dataclass
class _Result:
    digest: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    built: Built | None = None
    refused_on_create: dict[tuple[str, str], tuple[Diagnostic, ...]] = field(default_factory=dict)


def catalog_files(catalog_dir: Path) -> list[Path]:
    """The catalog's YAML files, sorted: dot-directories and the config file excluded."""
    return scan(catalog_dir).files


def _run(catalog_dir: Path, now: datetime | None) -> _Result:
    # The clock is read here, once, and handed to the rules that need it.
    moment = now if now is not None else datetime.now(UTC)
    with paused_gc():
        return _run_pipeline(catalog_dir, int(moment.timestamp()))


def _run_pipeline(catalog_dir: Path, now: int) -> _Result:
    # The documents (and their YAML nodes) stay local: they are freed when this
    # returns, before `paused_gc` turns the collector back on.
    result = _Result()
    documents = _read_documents(catalog_dir, result)
    known = [d for d in documents if _header_ok(d, result.diagnostics)]
    index = build_index(known)
    result.diagnostics.extend(index.diagnostics)
    valid = []
    for document in known:
        errors = schema_errors(document, document.data["kind"])
        result.diagnostics.extend(errors)
        if not errors:
            valid.append(document)
    for document in valid:
        result.diagnostics.extend(check_document(document))
        result.diagnostics.extend(check_references(document, index))
        limits = check_limits(document, index, now)
        result.diagnostics.extend(limits)
        _note_refused_on_create(document, limits, result)
    result.built = build(valid)
    result.diagnostics.extend(result.built.diagnostics)
    result.diagnostics.sort()
    result.digest = digest(documents)
    return result


def _note_refused_on_create(document: Document, limits: list[Diagnostic], result: _Result) -> None:
    dated = tuple(d for d in limits if is_refused_on_create(d))
    if dated:
        spec = DOCUMENT_SPECS[document.data["kind"]]
        result.refused_on_create[(spec.kind, str(document.data[spec.identity]))] = dated


def _read_documents(catalog_dir: Path, result: _Result) -> list[Document]:
    """Every document of every file, within the catalog's byte and node caps."""
    found = scan(catalog_dir)
    result.diagnostics.extend(found.diagnostics)
    reader, budget = Reader(), NodeBudget()
    documents: list[Document] = []
    for path in found.files:
        file = str(path)
        result.files.append(file)
        text = reader.read(path)
        if isinstance(text, Diagnostic):
            result.diagnostics.append(text)
            continue
        parsed = parse_yaml(text, file, path.relative_to(catalog_dir).as_posix(), budget)
        result.diagnostics.extend(parsed.diagnostics)
        documents.extend(parsed.documents)
        if budget.spent:  # one diagnostic says so; the files after it are not read
            break
    return documents


def _header_ok(document: Document, diagnostics: list[Diagnostic]) -> bool:
    """The document is a mapping with a supported apiVersion and a known kind."""
    data = document.data
    if not isinstance(data, dict):
        diagnostics.append(
            document.diagnostic("", "kind", "a document must be a mapping with a 'kind'")
        )
        return False
    version = data.get("apiVersion", API_VERSION)
    if version not in SUPPORTED_API_VERSIONS:
        diagnostics.append(
            document.diagnostic(
                "/apiVersion",
                "api-version",
                f"unsupported apiVersion {version!r}; this catalogsync reads {API_VERSION}",
            )
        )
        return False
    kind = data.get("kind")
    if kind in DOCUMENT_KINDS:
        return True
    if kind is None:
        diagnostics.append(document.diagnostic("", "kind", "missing 'kind'"))
        return False
    hint = difflib.get_close_matches(str(kind), DOCUMENT_KINDS, n=1)
    suffix = (
        f" (did you mean '{hint[0]}'?)"
        if hint
        else f"; expected one of {', '.join(DOCUMENT_KINDS)}"
    )
    diagnostics.append(document.diagnostic("/kind", "kind", f"unknown kind '{kind}'{suffix}"))
    return False


@dataclass(frozen=True)
class CatalogReport:
    """What `validate` reports: every diagnostic, the files read, the resources found."""

    diagnostics: list[Diagnostic]
    files: tuple[str, ...]
    resources: int


def inspect_catalog(catalog_dir: Path, now: datetime | None = None) -> CatalogReport:
    """Check the catalog and count what it holds (for `validate`'s summary).

    ``now`` is the moment date rules compare against (default: the current time).
    """
    result = _run(catalog_dir, now)
    resources = len(result.built.resources) if result.built is not None else 0
    return CatalogReport(result.diagnostics, tuple(result.files), resources)


def check_catalog(catalog_dir: Path, now: datetime | None = None) -> list[Diagnostic]:
    """Every error and warning in the catalog, sorted by file and position."""
    return _run(catalog_dir, now).diagnostics


def load_catalog(catalog_dir: Path, now: datetime | None = None) -> LoadedCatalog:
    """Load and validate the catalog; raise `CatalogInvalid` when there is any error."""
    result = _run(catalog_dir, now)
    if any(d.severity == "error" for d in result.diagnostics):
        raise CatalogInvalid(result.diagnostics)
    assert result.built is not None
    return LoadedCatalog(
        catalog=catalog_of(result.built.resources),
        warnings=result.diagnostics,
        digest=result.digest,
        files=tuple(result.files),
        refused_on_create=result.refused_on_create,
    )


def digest(documents: list[Document]) -> str:
    """sha256 of the documents' canonical JSON, independent of file layout and comments."""
    canonical = sorted(
        json.dumps(d.data, sort_keys=True, separators=(",", ":"), default=_json_default)
        for d in documents
    )
    h = hashlib.sha256()
    for text in canonical:
        h.update(text.encode())
        h.update(b"\n")
    return h.hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")  # pragma: no cover
