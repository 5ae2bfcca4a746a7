"""Notes the plan shows beside operations, derived from the operations and the state.

A note informs the reviewer; it is not part of the digest (the operations
are). `notes` maps an operation id to its note.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalogsync.model import Catalog, Price
from catalogsync.plan.compare.prices import same_billing
from catalogsync.plan.coupon_deals import coupon_deal_notes
from catalogsync.plan.operations import Archive, Create, Operation
from catalogsync.plan.plan import operation_id
from catalogsync.state import RemoteState

RENAME = "looks like a rename"


def notes(catalog: Catalog, operations: Sequence[Operation], state: RemoteState) -> dict[str, str]:
    """Operation id -> note: lookup-key changes that look like renames, and the deals
    that keep a replaced or deleted coupon's discount in their current phase."""
    return rename_hints(catalog, operations, state) | coupon_deal_notes(operations, state)


def _signature(price: Price) -> tuple[object, ...]:
    return (price.product, price.currency, price.unit_amount)


def rename_hints(
    catalog: Catalog, operations: Sequence[Operation], state: RemoteState
) -> dict[str, str]:
    """A new price and an archived one that bill the same: a lookup-key change.

    Nothing moves the old price's subscribers, so the plan says so on both.
    """
    # Candidates by product, currency and amount: one dict lookup per archive.
    created: dict[tuple[object, ...], list[Create]] = {}
    for op in operations:
        new = catalog.prices.get(op.target.key) if op.target.kind == "price" else None
        if isinstance(op, Create) and new is not None:
            created.setdefault(_signature(new), []).append(op)
    out: dict[str, str] = {}
    for op in operations:
        if not (isinstance(op, Archive) and op.reason == "removed"):
            continue
        old = state.prices.managed.get(op.target.key) if op.target.kind == "price" else None
        if old is None:
            continue
        for create in created.get(_signature(old.resource), []):
            if operation_id(create) not in out and same_billing(
                catalog.prices[create.target.key], old.resource
            ):
                was, now = op.target.key, create.target.key
                out[operation_id(create)] = (
                    f"{RENAME} of {was}: existing subscribers stay on the archived price"
                )
                out[operation_id(op)] = f"{RENAME} to {now} (the same billing)"
                break
    return out
