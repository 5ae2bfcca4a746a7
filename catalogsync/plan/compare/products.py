"""Products: every declared field changes in place; removed products are archived.

``features`` and ``default_price`` are compared by their own modules
(`product_features`, `default_prices`), as separate steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalogsync.model import Catalog, Product
from catalogsync.plan.compare.common import KindRules, archive_if_active, compare_kind
from catalogsync.plan.operations import Operation
from catalogsync.state import RemoteState

_SEPARATE = frozenset({"features", "default_price"})

RULES: KindRules[Product] = KindRules(
    kind="product",
    mutable=frozenset(
        {"name", "description", "tax_code", "statement_descriptor", "unit_label", "url", "active"}
    ),
    skip=frozenset({"key"}) | _SEPARATE,
    removal=archive_if_active("product"),
    create_exclude=_SEPARATE,
)


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create, update, adopt or archive products."""
    return compare_kind(desired.products, remote.products, RULES)
