"""What each operation sends: the dispatch from operation type to Stripe writes.

`steps` turns one operation into its writes, in order. The idempotency key
of a single-write operation is its operation id; an operation that needs
several writes (a coupon replaced by delete + create, a meter created and
then deactivated) derives one key per write from the operation id and a
fixed step name. The writer scopes every key by its run, so retries within a
run reuse a key while a later run is never answered from Stripe's cache.
References to objects the plan creates are resolved through `Refs` when the
operation runs (after the levels that create them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from catalogsync.apply.deal_steps import deal_steps
from catalogsync.apply.keys import key_for
from catalogsync.apply.migration_steps import migration_steps
from catalogsync.apply.refs import Refs
from catalogsync.changes import FieldChange
from catalogsync.errors import UnsupportedOperation
from catalogsync.gateway import params as p
from catalogsync.gateway.paths import collection_path
from catalogsync.gateway.write import Write
from catalogsync.kinds import Kind
from catalogsync.plan.operations import (
    Adopt,
    AdoptDeal,
    Archive,
    AttachFeature,
    CancelDeal,
    Create,
    CreateDeal,
    Delete,
    DetachFeature,
    MoveDefaultPrice,
    MoveSubscription,
    Operation,
    ReleaseDeal,
    Replace,
    Target,
    Update,
    UpdateDeal,
)
from catalogsync.values import Value


def steps(op: Operation, refs: Refs) -> tuple[Write, ...]:
    """The writes that perform ``op``, in order."""
    match op:
        case Create():
            return _create(op, op.target, op.fields, refs)
        case Update():
            return _update(op, op.changes, op.owned, refs, markers=False)
        case Adopt():
            return _update(op, op.changes, op.owned, refs, markers=True)
        case Replace():
            return _replace(op, refs)
        case Archive():
            return (_deactivate(op, op.target),)
        case Delete():
            return (_delete(op, op.target, key_for(op)),)
        case MoveDefaultPrice():
            price = refs.resolve("price", op.after, op.after_price_id) if op.after else ""
            path = f"/v1/products/{_id(op.target)}"
            return (Write("POST", path, {"default_price": price}, key_for(op)),)
        case AttachFeature():
            feature = refs.resolve("feature", op.feature, op.feature_id)
            path = f"/v1/products/{_id(op.target)}/features"
            return (Write("POST", path, {"entitlement_feature": feature}, key_for(op)),)
        case DetachFeature():
            path = f"/v1/products/{_id(op.target)}/features/{op.attachment_id}"
            return (Write("DELETE", path, {}, key_for(op), missing_ok=True),)
        case MoveSubscription():
            return migration_steps(op, refs)
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            return deal_steps(op, refs)
        case _:
            assert_never(op)


def _id(target: Target) -> str:
    # Products and coupons are created under their catalog key.
    return target.stripe_id or target.key


def _create(
    op: Operation, target: Target, fields: Mapping[str, Value], refs: Refs, step: str = ""
) -> tuple[Write, ...]:
    kind, key = target.kind, target.key
    records = (kind, key)
    idem = key_for(op, step)
    path = collection_path(kind)
    match kind:
        case "product":
            return (Write("POST", path, p.product_create(key, fields), idem, records),)
        case "price":
            meter = _meter_of(fields)
            meter_id = refs.resolve("meter", meter, _ref(op, meter)) if meter else None
            return (Write("POST", path, p.price_create(key, fields, meter_id), idem, records),)
        case "coupon":
            return (Write("POST", path, p.coupon_create(key, fields), idem, records),)
        case "promotion_code":
            return (Write("POST", path, p.promotion_code_create(key, fields), idem, records),)
        case "feature":
            write = Write("POST", path, p.feature_create(key, fields), idem, records)
            # Features are created active; an inactive one is archived right after.
            if fields.get("active") is False:
                return (write, _after_create(op, kind, key, "archive", {"active": False}))
            return (write,)
        case "meter":
            write = Write("POST", path, p.meter_create(key, fields), idem, records)
            if fields.get("active") is False:
                return (write, _after_create(op, kind, key, "deactivate", None))
            return (write,)
        case "deal":  # a deal's schedule is created by `CreateDeal`
            raise UnsupportedOperation(f"deal {key!r}: create it with a CreateDeal operation")
        case "migration":
            # A migration owns no Stripe object: it only moves subscriptions.
            raise UnsupportedOperation(f"migration {key} has nothing to create")
        case _:
            assert_never(kind)


def _after_create(
    op: Operation, kind: Kind, key: str, step: str, params: Mapping[str, Value] | None
) -> Write:
    # The id is not known until the create ran: the executor fills in {id}.
    suffix = f"/{step}" if params is None else ""
    path = f"{collection_path(kind)}/{{id}}{suffix}"
    return Write("POST", path, params or {}, key_for(op, step), path_id=(kind, key))


def _meter_of(fields: Mapping[str, Value]) -> str | None:
    recurring = fields.get("recurring")
    if isinstance(recurring, Mapping) and isinstance(recurring.get("meter"), str):
        return str(recurring["meter"])
    return None


def _ref(op: Operation, meter: str) -> str | None:
    refs = getattr(op, "refs", {})
    found = refs.get(f"meter:{meter}")
    return str(found) if found else None


def _update(
    op: Operation,
    changes: tuple[FieldChange, ...],
    owned: tuple[str, ...],
    refs: Refs,
    *,
    markers: bool,
) -> tuple[Write, ...]:
    target = op.target
    kind, path = target.kind, f"{collection_path(target.kind)}/{_id(target)}"
    if kind == "meter":
        return _meter_update(op, changes, path)
    params = p.update(target.key, changes, owned, markers=markers)
    options = [c for c in changes if c.field.startswith("currency_options")]
    if options and kind == "coupon":
        params["currency_options"] = p.coupon_options(options[-1].after)
    elif options and kind == "price":
        # Only added currencies change in place (a changed or removed one is a replace).
        params["currency_options"] = {
            c.field.removeprefix("currency_options."): p.price_option(c.after) for c in options
        }
    if not params:
        return ()
    return (Write("POST", path, params, key_for(op)),)


def _meter_update(op: Operation, changes: tuple[FieldChange, ...], path: str) -> tuple[Write, ...]:
    writes = []
    for change in changes:
        if change.field == "display_name":
            params = {"display_name": change.after}
            writes.append(Write("POST", path, params, key_for(op, "display_name")))
        elif change.field == "active":
            step = "reactivate" if change.after else "deactivate"
            writes.append(Write("POST", f"{path}/{step}", {}, key_for(op, step)))
        else:
            raise UnsupportedOperation(f"meter {op.target.key!r}: {change.field} cannot change")
    if len(writes) == 1:  # one write: the operation id itself is the key
        writes[0] = Write(writes[0].method, writes[0].path, writes[0].params, key_for(op))
    return tuple(writes)


def _replace(op: Replace, refs: Refs) -> tuple[Write, ...]:
    target = op.target
    match target.kind:
        case "price":
            # One write: the new price takes the lookup key atomically; the
            # default price move and the old price's archive are their own steps.
            return _create(op, target, op.fields, refs)
        case "coupon":
            # ASSUMPTION (plan/compare/coupons.py): the id can be reused after a delete.
            delete = _delete(op, target, key_for(op, "delete"))
            return (delete, *_create(op, target, op.fields, refs, "create"))
        case "promotion_code":
            deactivate = _deactivate(op, target, "deactivate")
            return (deactivate, *_create(op, target, op.fields, refs, "create"))
        case _:
            raise UnsupportedOperation(
                f"{target.kind} {target.key!r}: Stripe cannot replace this kind of object"
            )


def _deactivate(op: Operation, target: Target, step: str = "") -> Write:
    path = f"{collection_path(target.kind)}/{_id(target)}"
    if target.kind == "meter":
        return Write("POST", f"{path}/deactivate", {}, key_for(op, step))
    if target.kind == "coupon":
        return _delete(op, target, key_for(op, step))
    return Write("POST", path, {"active": False}, key_for(op, step))


def _delete(op: Operation, target: Target, key: str) -> Write:
    return Write(
        "DELETE", f"{collection_path(target.kind)}/{_id(target)}", {}, key, missing_ok=True
    )
