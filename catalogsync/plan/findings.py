"""What `drift` reports, as data: findings by category, and the plan that would undo them.

Below the renderers (`catalogsync.render.drift` words a report) and above
the plan it carries; `catalogsync.drift` computes the findings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

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
    """

    category: Category
    kind: str
    key: str
    stripe_id: str | None
    title: str
    details: tuple[str, ...] = ()


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
