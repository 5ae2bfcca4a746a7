"""The writes for deal operations (subscription schedules).

`steps.steps` hands every deal operation to `deal_steps`:

- `CreateDeal`: ``POST /v1/subscription_schedules`` with the customer, the
  first phase's start as ``start_date``, ``end_behavior``, the markers and
  every phase with its ``duration`` (Stripe computes the same dates the plan
  predicted: `catalogsync.periods`).
- `UpdateDeal`: ``POST /v1/subscription_schedules/{id}``. Stripe replaces the
  phases from the current one on: ended phases are left out, the first phase
  sent keeps its start date, and every phase sent carries its ``end_date``
  (a duration would be re-anchored on the current phase's start day, which
  can move month ends).
- `AdoptDeal`: ``POST /v1/subscription_schedules/{id}`` with the markers (and
  the deal's metadata) only, for a schedule made outside catalogsync.
- `ReleaseDeal` releases the schedule (the subscription continues without
  it); `CancelDeal` cancels it (the subscription ends).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from catalogsync.apply.refs import Refs
from catalogsync.deals import ENDED, INLINE_PRICE_KEY, INVOICING_TERMS
from catalogsync.gateway import params as p
from catalogsync.gateway.paths import collection_path
from catalogsync.gateway.write import Write
from catalogsync.plan.operations import (
    AdoptDeal,
    CancelDeal,
    CreateDeal,
    DealOperation,
    ReleaseDeal,
    UpdateDeal,
)
from catalogsync.plan.plan import operation_id
from catalogsync.values import Value

PATH = collection_path("deal")
Params = dict[str, Any]


def deal_steps(op: DealOperation, refs: Refs) -> tuple[Write, ...]:
    """The writes performing a deal operation (create, update, adopt, release, cancel)."""
    key = operation_id(op)
    path = f"{PATH}/{op.target.stripe_id}"
    match op:
        case CreateDeal():
            return (Write("POST", PATH, _create(op, refs), key, records=("deal", op.target.key)),)
        case UpdateDeal():
            return (Write("POST", path, _update(op, refs), key),)
        case AdoptDeal():  # markers (and declared metadata) only: the phases stay
            params = p.update(op.target.key, op.changes, op.owned, markers=True)
            return (Write("POST", path, params, key),)
        case ReleaseDeal():
            return (Write("POST", f"{path}/release", {}, key),)
        case CancelDeal():
            return (Write("POST", f"{path}/cancel", {}, key),)
        case _:
            assert_never(op)


def _create(op: CreateDeal, refs: Refs) -> Params:
    phases = _phases(op.fields["phases"])
    metadata = op.fields.get("metadata") or {}
    assert isinstance(metadata, Mapping)
    params: Params = {
        "customer": op.refs["customer"],
        "start_date": phases[0]["start_date"],
        "end_behavior": op.fields["end_behavior"],
        "phases": [_phase(phase, op.refs, refs, dated=False) for phase in phases],
        "metadata": p.metadata(op.target.key, metadata, metadata.keys()),
    }
    terms = {name: op.fields[name] for name in INVOICING_TERMS if name in op.fields}
    if terms:
        params["default_settings"] = _default_settings(terms)
    return params


def _default_settings(terms: Mapping[str, Value]) -> Params:
    """``default_settings`` for changed invoicing terms (payment terms sit in invoice_settings)."""
    out: Params = {}
    if "collection_method" in terms:
        out["collection_method"] = terms["collection_method"]
    if terms.get("days_until_due") is not None:
        out["invoice_settings"] = {"days_until_due": terms["days_until_due"]}
    return out


def _update(op: UpdateDeal, refs: Refs) -> Params:
    plain = [c for c in op.changes if c.field != "phases" and c.field not in INVOICING_TERMS]
    params = p.update(op.target.key, plain, op.owned)
    terms = {c.field: c.after for c in op.changes if c.field in INVOICING_TERMS}
    if terms:
        params["default_settings"] = _default_settings(terms)
    for change in op.changes:
        if change.field == "phases":
            sent = [ph for ph in _phases(change.after) if ph["state"] != ENDED]
            params["phases"] = [_phase(ph, op.refs, refs, dated=True) for ph in sent]
            params["phases"][0]["start_date"] = sent[0]["start_date"]
    return params


def _phase(
    phase: Mapping[str, Any], known: Mapping[str, str], refs: Refs, *, dated: bool
) -> Params:
    out: Params = {"items": [_item(i, known, refs) for i in phase["items"]]}
    if phase.get("one_off"):
        out["add_invoice_items"] = [
            {"price": _price(i, known, refs), "quantity": i["quantity"]} for i in phase["one_off"]
        ]
    if phase["discounts"]:
        out["discounts"] = [{"coupon": d["coupon"]} for d in phase["discounts"]]
    if phase["trial"]:
        out["trial"] = True
    if "proration_behavior" in phase:
        out["proration_behavior"] = phase["proration_behavior"]
    if dated:
        out["end_date"] = phase["end_date"]
    else:
        duration = phase["duration"]
        out["duration"] = {"interval": duration["interval"], "interval_count": duration["count"]}
    return out


def _item(item: Mapping[str, Any], known: Mapping[str, str], refs: Refs) -> Params:
    """A phase item: the catalog price, or an inline price at the negotiated amount."""
    out: Params = {"quantity": item["quantity"]}
    if "list_unit_amount" in item:
        out["price_data"] = {
            "product": item["product"],
            "currency": item["currency"],
            "unit_amount": int(item["unit_amount"]),
            "recurring": {"interval": item["interval"], "interval_count": item["interval_count"]},
        }
        out["metadata"] = {INLINE_PRICE_KEY: item["price"]}
    else:
        out["price"] = _price(item, known, refs)
    if item.get("discounts"):
        out["discounts"] = [{"coupon": d["coupon"]} for d in item["discounts"]]
    return out


def _price(item: Mapping[str, Any], known: Mapping[str, str], refs: Refs) -> str:
    """The contract's own price id first: a replace never moves a schedule."""
    key = item["price"]
    return known.get(f"pinned.{key}") or refs.resolve("price", key, known.get(f"price.{key}"))


def _phases(value: Value) -> list[Mapping[str, Any]]:
    assert isinstance(value, tuple)
    phases = [v for v in value if isinstance(v, Mapping)]
    assert len(phases) == len(value)
    return phases
