"""What `drift` reports, as data: findings by category, and the plan that would undo them.

A finding holds no words: what differs is the plan operation it reads back
(its field changes, the feature or default price it moves), the unmanaged
price it found, or the metadata keys nobody declared. Below the renderers
(`catalogsync.render.drift` words a report) and above the plan it carries;
`catalogsync.drift` computes the findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from catalogsync.kinds import Kind
from catalogsync.model import Price
from catalogsync.plan.operations import Operation
from catalogsync.plan.plan import Plan

Category = Literal["changed", "missing", "extra", "unmanaged"]
CATEGORIES: tuple[Category, ...] = ("changed", "missing", "extra", "unmanaged")
_IGNORABLE: frozenset[Category] = frozenset({"extra", "unmanaged"})


@dataclass(frozen=True)
class Finding:
    """One difference between Stripe and the catalog.

    ``category``: ``changed`` (fields differ), ``missing`` (in the catalog,
    not in Stripe), ``extra`` (in Stripe, managed or on a managed product,
    not in the catalog), ``unmanaged`` (in Stripe, not owned by catalogsync).

    What differs, one of: ``operation``, the plan step that undoes it;
    ``price``, an active price catalogsync does not manage on a product it
    manages; ``foreign_metadata``, keys (and their values in Stripe) that
    neither the catalog nor catalogsync set; none of them for an object
    catalogsync does not own. ``currency`` is the catalog's currency of the
    object, for amounts in the operation's changes.
    """

    category: Category
    kind: Kind
    key: str
    stripe_id: str | None
    operation: Operation | None = None
    price: Price | None = None
    foreign_metadata: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None


@dataclass(frozen=True)
class DriftReport:
    """Everything `drift` found, and the plan that would undo it."""

    plan: Plan
    findings: tuple[Finding, ...]
    unmanaged_listed: bool

    @property
    def has_drift(self) -> bool:
        return bool(self.findings)

    def ignoring(self, ignored: frozenset[tuple[str, str]]) -> DriftReport:
        """This report without findings about objects outside the catalog listed in ``ignored``.

        ``ignored`` holds (kind, Stripe id) pairs from catalogsync.yaml. Only
        ``extra`` and ``unmanaged`` findings can be ignored: a difference in an
        object the catalog declares is always reported.
        """
        kept = tuple(
            f
            for f in self.findings
            if f.category not in _IGNORABLE or (f.kind, f.stripe_id or f.key) not in ignored
        )
        return dataclasses.replace(self, findings=kept)
