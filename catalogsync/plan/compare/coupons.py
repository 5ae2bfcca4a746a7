"""Coupons: name, metadata and currency_options change in place.

Any other declared field (percent_off, amount_off, duration, …) is
immutable in Stripe. ASSUMPTION (docs.stripe.com/api/coupons/delete does
not say whether a deleted coupon's id can be reused): such a change is
planned as a `Replace` that deletes the coupon and recreates it under the
same id, so promotion codes and applies_to references keep their id;
discounts customers already have keep working after the delete. This is
the one place that decides it; if Stripe refuses the id, the executor's
error must say to give the coupon a new id in the catalog instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalogsync.model import Catalog, Coupon
from catalogsync.plan.compare.common import KindRules, compare_kind, delete
from catalogsync.plan.operations import Operation
from catalogsync.state import RemoteState
from catalogsync.values import Value


def _normalize(name: str, value: Value) -> Value:
    # applies_to is a set of products; Stripe does not keep the YAML's order.
    if name == "applies_to" and isinstance(value, tuple):
        return tuple(sorted(str(v) for v in value))
    return value


RULES: KindRules[Coupon] = KindRules(
    kind="coupon",
    mutable=frozenset({"name", "currency_options"}),
    skip=frozenset({"id"}),
    normalize=_normalize,
    removal=delete("coupon"),
)


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create, update, adopt, replace or delete coupons."""
    return compare_kind(desired.coupons, remote.coupons, RULES)
