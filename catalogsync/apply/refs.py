"""Resolving references to objects by catalog identity while a plan runs.

An operation may name an object the same plan creates (a new meter for a
new metered price, a new price that becomes a default price, a new feature
to attach). Its id is taken, in order, from what earlier writes of this run
returned, from the id the plan already knew, and finally from Stripe itself:
after an interrupted run the object may exist although this run did not
create it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from catalogsync.errors import CatalogsyncError
from catalogsync.gateway.write import Writer
from catalogsync.plan.operations import Kind
from catalogsync.plan.values import Value


class UnresolvedReference(CatalogsyncError):
    """An operation names an object that neither this run nor Stripe has."""


class Recorded:
    """Ids recorded from responses, shared by the threads of one run."""

    def __init__(self) -> None:
        self._ids: dict[tuple[Kind, str], str] = {}
        self._lock = threading.Lock()

    def record(self, kind: Kind, key: str, stripe_id: str) -> None:
        with self._lock:
            self._ids[(kind, key)] = stripe_id

    def get(self, kind: Kind, key: str) -> str | None:
        with self._lock:
            return self._ids.get((kind, key))


class LiveRefs(Recorded):
    """References resolved from this run, the plan, then Stripe."""

    def __init__(self, writer: Writer) -> None:
        super().__init__()
        self._writer = writer

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        found = self.get(kind, key) or known or self._writer.find_id(kind, key)
        if found is None:
            raise UnresolvedReference(
                f"{kind} {key!r} is neither created by this plan nor found in Stripe; "
                "run `catalogsync plan` again"
            )
        self.record(kind, key, found)
        return found

    def price_options(self, price_id: str) -> Mapping[str, Value]:
        price = self._writer.read(f"/v1/prices/{price_id}", {"expand": ["currency_options"]})
        own = price.get("currency")
        options = price.get("currency_options") or {}
        return {cur: _option(o) for cur, o in options.items() if cur != own}


class PlaceholderRefs(Recorded):
    """For a dry run: an object not known yet is shown as ``<new kind key>``; nothing is read."""

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        return self.get(kind, key) or known or f"<new {kind} {key}>"

    def price_options(self, price_id: str) -> Mapping[str, Value]:
        return {}


def _option(option: Mapping[str, Any]) -> Value:
    out: dict[str, Value] = {}
    amount = _amount(option, "unit_amount")
    if amount is not None:
        out["unit_amount"] = amount
    if option.get("tiers"):
        out["tiers"] = tuple(_tier(t) for t in option["tiers"])
    if option.get("tax_behavior"):
        out["tax_behavior"] = str(option["tax_behavior"])
    return out


def _tier(tier: Mapping[str, Any]) -> Value:
    out: dict[str, Value] = {}
    if tier.get("up_to") is not None:
        out["up_to"] = int(tier["up_to"])
    for name in ("unit_amount", "flat_amount"):
        amount = _amount(tier, name)
        if amount is not None:
            out[name] = amount
    return out


def _amount(data: Mapping[str, Any], name: str) -> Decimal | None:
    # The *_decimal field is exact (the SDK returns it as a Decimal or a string).
    decimal = data.get(f"{name}_decimal")
    if decimal is not None:
        return Decimal(str(decimal))
    whole = data.get(name)
    return Decimal(int(whole)) if whole is not None else None
