"""Entitlement features: name, metadata and active change in place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalogsync.model import Catalog, Feature
from catalogsync.plan.compare.common import KindRules, archive_if_active, compare_kind
from catalogsync.plan.operations import Operation
from catalogsync.state import RemoteState

RULES: KindRules[Feature] = KindRules(
    kind="feature",
    mutable=frozenset({"name", "active"}),
    skip=frozenset({"lookup_key"}),
    removal=archive_if_active("feature"),
)


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create, update, adopt or archive entitlement features."""
    return compare_kind(desired.features, remote.features, RULES)
