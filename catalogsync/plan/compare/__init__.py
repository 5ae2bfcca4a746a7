"""compare(desired, remote) -> operations: one pure module per kind.

`comparers` names each kind's comparers (a kind missing there fails type
checking); `COMPARERS` runs them in dependency order (by level, as the kinds
are declared), each receiving the operations the earlier ones produced
(default price moves follow price replacements and archives).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import assert_never

from catalogsync.kinds import KINDS, Kind
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


def comparers(kind: Kind) -> tuple[Comparer, ...]:
    """The comparers of one kind, in the order they run."""
    match kind:
        case "product":
            return (products.compare, product_features.compare)
        case "price":  # default prices follow the prices they point at
            return (prices.compare, default_prices.compare)
        case "coupon":
            return (coupons.compare,)
        case "promotion_code":
            return (promotion_codes.compare,)
        case "feature":
            return (features.compare,)
        case "meter":
            return (meters.compare,)
        case "deal":
            return (deals.compare,)
        case "migration":  # after prices: a move to a price this plan creates resolves by key
            return (migrations.compare,)
        case _:
            assert_never(kind)


COMPARERS: tuple[Comparer, ...] = tuple(
    c for spec in sorted(KINDS, key=lambda s: s.level) for c in comparers(spec.kind)
)


def compare(
    desired: Catalog, remote: RemoteState, comparers: Sequence[Comparer] = COMPARERS
) -> tuple[Operation, ...]:
    """The operations that bring ``remote`` to ``desired``, in plan order."""
    ops: list[Operation] = []
    for comparer in comparers:
        ops.extend(comparer(desired, remote, ops))
    return tuple(sorted(ops, key=sort_key))
