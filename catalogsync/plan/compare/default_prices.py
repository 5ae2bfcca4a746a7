"""Default price moves, as their own step after prices.

A product's ``default_price`` moves when the catalog names another price,
follows its price when that price is replaced (the new price gets the
lookup key, the product would still point at the old one), and is cleared
when its price is archived (Stripe refuses to archive a default price).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from catalogsync.model import Catalog
from catalogsync.plan.operations import Archive, MoveDefaultPrice, Operation, Replace, Target
from catalogsync.state import RemoteState


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterator[Operation]:
    """Move default prices of products catalogsync manages or creates."""
    replaced = {op.target.key for op in earlier if _is_price(op, Replace)}
    archived = {op.target.stripe_id for op in earlier if _is_price(op, Archive)}
    price_ids = {key: r.id for key, r in remote.prices.managed.items()}
    products = {r.id: r for r in remote.products.unmanaged} | dict(remote.products.managed)
    for key in sorted(desired.products.keys() | remote.products.managed.keys()):
        want = desired.products.get(key)
        have = products.get(key)
        current = have.resource.default_price if have else None
        current_id = remote.default_prices.get(key)
        target = Target("product", key, have.id if have else key)
        after: str | None
        if want is not None and want.default_price is not None:
            after = want.default_price
            if after == current and after not in replaced:
                continue
        elif current is not None and current in replaced:
            after = current
        elif current_id is not None and current_id in archived:
            after = None
        else:
            continue
        known = price_ids.get(after) if after and after not in replaced else None
        yield MoveDefaultPrice(target, current or current_id, after, known)


def _is_price(op: Operation, kind: type[Replace] | type[Archive]) -> bool:
    return isinstance(op, kind) and op.target.kind == "price"
