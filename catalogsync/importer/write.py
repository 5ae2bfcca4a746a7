"""Imported documents as files: one per product with its prices, one per other kind.

Layout: ``products/<key>.yaml``, ``coupons.yaml``, ``promotion_codes.yaml``,
``features.yaml``, ``meters.yaml`` and, with ``--deals``, ``deals.yaml`` (a
kind with nothing to import gets no file). Each
file starts with the yaml-language-server ``$schema`` modeline, like the
example catalog. Documents and keys are in a fixed order and the YAML
emitter is deterministic, so importing an unchanged account twice writes
byte-identical files.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, assert_never

import yaml

from catalogsync.catalog.loader import catalog_files
from catalogsync.catalog.schemas import schema_file
from catalogsync.importer import documents
from catalogsync.importer.documents import Amount, Document, Inline, InlineList, Number
from catalogsync.kinds import KINDS, Kind
from catalogsync.model import Catalog, Price

_WIDTH = 100


def render_files(
    catalog: Catalog, schemas: str | None, deals: Sequence[Document] = ()
) -> dict[str, str]:
    """Relative path -> file text for ``catalog``; ``schemas`` is the modeline's base path.

    Without a schemas directory (None) the files carry no modeline.
    """
    files = {
        path: docs
        for spec in KINDS
        for path, docs in _kind_files(spec.kind, catalog, deals).items()
    }
    return {
        path: _text(docs, _modeline(path, schemas, docs)) for path, docs in files.items() if docs
    }


def _kind_files(
    kind: Kind, catalog: Catalog, deals: Sequence[Document]
) -> dict[str, list[Document]]:
    """The files holding ``kind``'s documents: a file per product, one per other kind."""
    match kind:
        case "product":
            by_product: dict[str, list[Price]] = defaultdict(list)
            for p in catalog.prices.values():
                by_product[p.product].append(p)
            return {
                f"products/{key}.yaml": [documents.product(product, by_product[key])]
                for key, product in _sorted(catalog.products)
            }
        case "price":  # in their product's file
            return {}
        case "coupon":
            return {"coupons.yaml": [documents.coupon(c) for _, c in _sorted(catalog.coupons)]}
        case "promotion_code":
            codes = _sorted(catalog.promotion_codes)
            return {"promotion_codes.yaml": [documents.promotion_code(c) for _, c in codes]}
        case "feature":
            return {"features.yaml": [documents.feature(f) for _, f in _sorted(catalog.features)]}
        case "meter":
            return {"meters.yaml": [documents.meter(m) for _, m in _sorted(catalog.meters)]}
        case "deal":  # read from schedules by `importer.deals`, only with --deals
            return {"deals.yaml": list(deals)}
        case "migration":  # an intent, not something the account holds
            return {}
        case _:
            assert_never(kind)


def schema_base(out: Path) -> str | None:
    """How files under ``out`` name the schemas directory, relative, as the example does.

    The nearest ``schemas/`` directory (holding product.schema.json) from
    ``out`` up to the top of its git repository, or, outside git, in ``out``
    or its parent: a modeline must resolve on every clone, so never into an
    installed package or elsewhere on this machine. None when there is none.
    """
    out = out.resolve()
    for parent in _repository_dirs(out):
        candidate = parent / "schemas"
        if (candidate / "product.schema.json").is_file():
            return os.path.relpath(candidate, out)
    return None


def _repository_dirs(out: Path) -> list[Path]:
    dirs = [out, *out.parents]
    for depth, directory in enumerate(dirs):
        if (directory / ".git").exists():
            return dirs[: depth + 1]
    return dirs[:2]


def existing_files(out: Path) -> list[Path]:
    """Catalog YAML files already in ``out`` (none when it does not exist)."""
    return catalog_files(out) if out.is_dir() else []


def write_files(out: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` under ``out``, creating directories; returns the paths written."""
    written = []
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _modeline(rel: str, schemas: str | None, docs: Sequence[Document]) -> str:
    """The ``$schema`` modeline naming the schema of the file's documents (one kind a file)."""
    if schemas is None:
        return ""
    up = "../" * rel.count("/")
    base = Path(schemas).as_posix()
    return f"# yaml-language-server: $schema={up}{base}/{schema_file(docs[0]['kind'])}\n"


def _sorted(resources: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    return iter(sorted(resources.items()))


class _Dumper(yaml.SafeDumper):
    """Block style like the example catalog; amounts double-quoted, numbers plain."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key (`prices:\n  - lookup_key: …`).
        super().increase_indent(flow, False)


def _amount(dumper: yaml.SafeDumper, value: Amount) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _number(dumper: yaml.SafeDumper, value: Number) -> yaml.Node:
    tag = "tag:yaml.org,2002:float" if "." in value else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(value))


def _inline(dumper: yaml.SafeDumper, value: Inline) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _inline_list(dumper: yaml.SafeDumper, value: InlineList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(Amount, _amount)
_Dumper.add_representer(Inline, _inline)
_Dumper.add_representer(InlineList, _inline_list)
_Dumper.add_representer(Number, _number)


def _text(docs: list[Document], modeline: str) -> str:
    parts = [
        yaml.dump(
            doc,
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=_WIDTH,
        )
        for doc in docs
    ]
    return modeline + "---\n".join(parts)
