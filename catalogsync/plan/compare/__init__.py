"""compare(desired, remote) -> operations: one pure module per kind.

`COMPARERS` is the registry, in dependency order; each receives the
operations the earlier ones produced (default price moves follow price
replacements and archives). A new kind (deals) adds its module here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from catalogsync.model import Catalog
from catalogsync.plan.compare import (
    coupons,
    deals,
    default_prices,
    features,
    meters,
    migrations,
    prices,
    product_features,
    products,
    promotion_codes,
)
from catalogsync.plan.operations import Operation, sort_key
from catalogsync.state import RemoteState

Comparer = Callable[[Catalog, RemoteState, Sequence[Operation]], Iterable[Operation]]

COMPARERS: tuple[Comparer, ...] = (
    features.compare,
    meters.compare,
    products.compare,
    product_features.compare,
    prices.compare,
    default_prices.compare,
    coupons.compare,
    promotion_codes.compare,
    deals.compare,
    migrations.compare,  # after prices: a move to a price this plan creates resolves by key
)


def compare(
    desired: Catalog, remote: RemoteState, comparers: Sequence[Comparer] = COMPARERS
) -> tuple[Operation, ...]:
    """The operations that bring ``remote`` to ``desired``, in plan order."""
    ops: list[Operation] = []
    for comparer in comparers:
        ops.extend(comparer(desired, remote, ops))
    return tuple(sorted(ops, key=sort_key))
