"""The Plan: a frozen, serialisable value (sqlmesh-style).

It records what the plan was computed from (catalog digest, account,
livemode, the remote state's fingerprint) and the ordered operations. Each
operation has a deterministic id, a hash of its canonical content, which
`apply` sends in its Idempotency-Key, scoped by the run (see
`catalogsync.gateway.write` for why the bare id is not enough). The plan
digest covers the operations only, so a plan recomputed at merge time from
the same catalog and the same account state has the same digest.
Subscriber counts (``impact``) inform reviewers and are in neither the ids
nor the digest: new subscribers arriving between review and merge must not
invalidate a reviewed plan. Nor are the ``destructive`` marks (operations
apply runs only with ``--allow-destroy``, see `catalogsync.plan.guards`):
they are derived from the operations and the state the fingerprint covers.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogsync.changes import FieldChange
from catalogsync.errors import PlanError
from catalogsync.kinds import LEVELS
from catalogsync.migrations import CohortReport, Skipped
from catalogsync.model import Source
from catalogsync.plan.operations import (
    DEAL_NAMES,
    OPERATION_TYPES,
    ItemSwap,
    Operation,
    Target,
    level,
    name_of,
)
from catalogsync.values import decode, digest, encode

FORMAT_VERSION = 1
# A deal's operations share their names with the generic ones: the target's kind tells.
_TYPES = {t.__name__: t for t in OPERATION_TYPES if t not in DEAL_NAMES}
_DEAL_TYPES = {name: t for t, name in DEAL_NAMES.items()}
# A move's moment and proration follow the plan's clock (``at: now``): a plan
# recomputed at merge time from the same catalog and cohort keeps its digest.
# The fingerprint still covers the cohort, so a saved plan whose cohort changed is stale.
_NOT_HASHED = frozenset({"source", "moves_at", "proration"})
_DECIMALS = frozenset({"proration", "mrr_before", "mrr_after"})
_OPTIONAL_FIELDS = frozenset({"details"})


@dataclass(frozen=True)
class Plan:
    """What `plan` computed and `apply` executes.

    ``impact`` maps a price id (one the plan replaces or archives) to the
    number of subscriptions on it by billable status (`catalogsync.model.BILLABLE_STATUSES`;
    statuses without any are left out); absent when not read (--no-impact).
    ``destructive`` maps the id of each operation that needs ``apply
    --allow-destroy`` to the reason; written to JSON only when not empty.
    ``notes`` maps an operation id to a note for the reviewer (a lookup-key
    change that looks like a rename); written to JSON only when not empty.
    ``deals`` maps such a price id to the keys of the live deals whose
    schedules use it (they stay on it); like ``impact``, outside the digest.
    ``migrations`` maps a migration key to what the plan does not move
    (skipped with reasons, already scheduled, over the limit); outside the
    digest, and written to JSON only when not empty.
    """

    catalog_digest: str
    account_id: str
    livemode: bool
    fingerprint: str
    operations: tuple[Operation, ...]
    impact: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    destructive: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    deals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    migrations: Mapping[str, CohortReport] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Hash of the operations (not of the fingerprint or impact)."""
        return digest([operation_id(op) for op in self.operations])

    @property
    def has_changes(self) -> bool:
        return bool(self.operations)

    def levels(self) -> tuple[tuple[Operation, ...], ...]:
        """Operations grouped by dependency level, in order; empty levels left out."""
        grouped = [tuple(op for op in self.operations if level(op) == n) for n in LEVELS]
        return tuple(g for g in grouped if g)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data: exact (Decimals as tagged strings)."""
        data: dict[str, Any] = {
            "format_version": self.format_version,
            "catalog_digest": self.catalog_digest,
            "account_id": self.account_id,
            "livemode": self.livemode,
            "fingerprint": self.fingerprint,
            "digest": self.digest,
            "impact": {k: dict(sorted(v.items())) for k, v in sorted(self.impact.items())},
        }
        if self.deals:  # only when a changed price has deals, as most plans have none
            data["deals"] = {k: list(v) for k, v in sorted(self.deals.items())}
        if self.destructive:
            data["destructive"] = dict(sorted(self.destructive.items()))
        if self.notes:
            data["notes"] = dict(sorted(self.notes.items()))
        if self.migrations:
            data["migrations"] = {
                k: dataclasses.asdict(v) for k, v in sorted(self.migrations.items())
            }
        data["operations"] = [_encode_operation(op) for op in self.operations]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Plan:
        """Rebuild a plan, refusing another format version or a tampered digest."""
        if data.get("format_version") != FORMAT_VERSION:
            raise PlanError(
                f"plan format version {data.get('format_version')!r} is not "
                f"{FORMAT_VERSION}; re-run `catalogsync plan` with this version"
            )
        plan = cls(
            catalog_digest=data["catalog_digest"],
            account_id=data["account_id"],
            livemode=bool(data["livemode"]),
            fingerprint=data["fingerprint"],
            operations=tuple(_decode_operation(o) for o in data["operations"]),
            impact={
                str(price): {str(status): int(n) for status, n in counts.items()}
                for price, counts in data.get("impact", {}).items()
            },
            destructive={str(k): str(v) for k, v in data.get("destructive", {}).items()},
            notes={str(k): str(v) for k, v in data.get("notes", {}).items()},
            deals={str(k): tuple(map(str, v)) for k, v in data.get("deals", {}).items()},
            migrations={str(k): _cohort_report(v) for k, v in data.get("migrations", {}).items()},
        )
        if data.get("digest") != plan.digest:
            raise PlanError("the plan file's digest does not match its operations")
        return plan

    @classmethod
    def from_json(cls, text: str) -> Plan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise PlanError(f"not a plan file: {e}") from None
        return cls.from_data(data)


def load_plan(path: Path) -> Plan:
    """Read a plan written by ``catalogsync plan --out``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PlanError(f"cannot read plan file {path}: {e.strerror}") from None
    return Plan.from_json(text)


def operation_id(op: Operation) -> str:
    """A deterministic id: hash of the operation's type and canonical content."""
    content = {k: v for k, v in _encode_fields(op).items() if k not in _NOT_HASHED}
    return "op_" + digest([name_of(type(op)), content])[:32]


def _encode_operation(op: Operation) -> dict[str, Any]:
    return {"op": name_of(type(op)), "id": operation_id(op), "level": level(op)} | (
        _encode_fields(op)
    )


def _encode_fields(op: Operation) -> dict[str, Any]:
    # A removal's ``details`` (a deal's phases) are left out when empty, so
    # every other removal keeps the content, and so the id, it always had.
    return {
        f.name: _encode_field(f.name, getattr(op, f.name))
        for f in dataclasses.fields(op)
        if f.name not in _OPTIONAL_FIELDS or getattr(op, f.name)
    }


def _encode_field(name: str, value: Any) -> Any:
    if name == "target":
        return dataclasses.asdict(value)
    if name == "changes":
        return [
            {"field": c.field, "before": encode(c.before), "after": encode(c.after)} for c in value
        ]
    if name == "source":
        return dataclasses.asdict(value) if value is not None else None
    if name in ("fields", "refs", "details"):
        return encode(value)
    if name in ("owned", "discounts"):
        return list(value)
    if name == "swaps":
        return [dataclasses.asdict(swap) for swap in value]
    if name == "kept":
        return [list(item) for item in value]
    if name in _DECIMALS:
        return encode(value)
    return value


def _cohort_report(data: Mapping[str, Any]) -> CohortReport:
    return CohortReport(
        skipped=tuple(Skipped(**s) for s in data["skipped"]),
        scheduled=tuple(data["scheduled"]),
        waiting=tuple(data["waiting"]),
    )


def _decode_operation(data: Mapping[str, Any]) -> Operation:
    types = _DEAL_TYPES if (data.get("target") or {}).get("kind") == "deal" else _TYPES
    cls = types.get(data.get("op", ""))
    if cls is None:
        raise PlanError(f"unknown operation {data.get('op')!r} in plan file")
    kwargs = {
        f.name: _decode_field(f.name, data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data or f.name not in _OPTIONAL_FIELDS
    }
    op = cls(**kwargs)
    if data.get("id") != operation_id(op):
        raise PlanError(f"operation {data.get('id')!r} does not match its content")
    return op


def _decode_field(name: str, value: Any) -> Any:
    if name == "target":
        return Target(**value)
    if name == "changes":
        return tuple(
            FieldChange(c["field"], decode(c["before"]), decode(c["after"])) for c in value
        )
    if name == "source":
        return Source(**value) if value is not None else None
    if name in ("fields", "refs", "details"):
        return decode(value)
    if name in ("owned", "discounts"):
        return tuple(value)
    if name == "swaps":
        return tuple(ItemSwap(**swap) for swap in value)
    if name == "kept":
        return tuple((str(price), int(quantity)) for price, quantity in value)
    if name in _DECIMALS:
        return decode(value)
    return value
