"""Prices: nickname, metadata, active and newly added currency options change in place.

Amount, currency, recurring, billing scheme, tiers, ``transform_quantity``
and ``custom_unit_amount`` are immutable: the price is replaced (`Replace`:
new price with ``transfer_lookup_key``, then a default-price move and the old
price's archive as their own steps). A replace keeps the old price's billing
fields the catalog leaves undeclared (`carried`), and is refused for a price
carrying a billing field the format cannot express (``Remote.unmodelled``).
``tax_behavior`` changes in place only from ``unspecified``. Changing or
removing a currency option the price already has is a replace too: Stripe
would take a new amount in place (its update parameters accept any currency,
https://docs.stripe.com/api/prices/update#update_price-currency_options), and
that would reprice the currency's existing subscribers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from catalogsync.changes import FieldChange
from catalogsync.errors import PlanError
from catalogsync.model import Catalog, CurrencyOption, Price, Remote
from catalogsync.plan.compare.common import (
    Changes,
    KindRules,
    archive_if_active,
    compare_kind,
    diff,
    unmanaged_by_identity,
)
from catalogsync.plan.operations import Operation, Replace
from catalogsync.state import KindState, RemoteState
from catalogsync.values import Value, declared_fields, to_value

_MUTABLE = frozenset({"nickname", "active"})
_OWN_RULES = frozenset({"currency_options", "tax_behavior"})


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create, update, adopt, replace or archive prices."""
    meter_ids = {
        r.resource.event_name: r.id
        for r in [*remote.meters.managed.values(), *remote.meters.unmanaged]
    }

    def refs(price: Price) -> Mapping[str, str]:
        meter = price.recurring.meter if price.recurring else None
        found = meter_ids.get(meter) if meter else None
        return {f"meter:{meter}": found} if meter and found else {}

    keyless: set[str] = set()

    def extra(want: Price, have: Remote[Price]) -> Changes:
        found = _extra(want, have)
        if have.id not in keyless:
            return found
        key = (FieldChange("lookup_key", None, want.lookup_key),)
        return Changes(mutable=key + found.mutable, immutable=found.immutable)

    rules: KindRules[Price] = KindRules(
        kind="price",
        mutable=_MUTABLE,
        skip=frozenset({"lookup_key"}) | _OWN_RULES,
        normalize=normalize,
        removal=archive_if_active("price"),
        refs=refs,
        extra=extra,
        archive_replaced=True,
        carry=carried,
    )
    state = _with_keyless_matches(desired.prices, remote.prices, rules, keyless)
    ops = list(compare_kind(desired.prices, state, rules))
    _refuse_unmodelled(ops, state)
    return ops


# Billing fields a replace copies from the old price when the catalog leaves
# them undeclared: dropping them would change what new subscribers pay.
_CARRIED = ("transform_quantity", "custom_unit_amount", "tax_behavior", "currency_options")


def carried(want: Price, have: Remote[Price]) -> dict[str, Value]:
    """The old price's billing fields that ``want`` does not declare (see `_CARRIED`)."""
    old = declared_fields(have.resource)
    out = {n: old[n] for n in _CARRIED if getattr(want, n) is None and old.get(n) is not None}
    if out.get("tax_behavior") == "unspecified":
        del out["tax_behavior"]
    options = out.pop("currency_options", None)
    if isinstance(options, Mapping):
        # Stripe lists the price's own currency among its options; it is not an option.
        others = {c: _option_value(o) for c, o in options.items() if c != want.currency}
        if others:
            out["currency_options"] = others
    return out


def _option_value(option: Value) -> Value:
    assert isinstance(option, Mapping)
    return {k: normalize(k, v) for k, v in option.items()}


def _refuse_unmodelled(ops: Iterable[Operation], state: KindState[Price]) -> None:
    """A price whose billing the format cannot express is never replaced by one without it."""
    by_id = {r.id: r for r in [*state.managed.values(), *state.unmanaged]}
    errors = []
    for op in ops:
        have = by_id.get(op.target.stripe_id or "") if isinstance(op, Replace) else None
        if have is not None and have.unmodelled:
            errors.append(
                f"price {op.target.key} ({have.id}) carries {', '.join(have.unmodelled)}, "
                "which the catalog format cannot express: replacing it would create a price "
                "without it and change what new subscribers pay. Remove that setting in "
                "Stripe first, or leave the price's billing fields unchanged."
            )
    if errors:
        raise PlanError("\n".join(errors))


def _with_keyless_matches(
    desired: Mapping[str, Price],
    state: KindState[Price],
    rules: KindRules[Price],
    matched: set[str],
) -> KindState[Price]:
    """``state`` with each active unmanaged keyless price named by the catalog price it equals.

    A legacy account has prices without a lookup key; `import` gives each a
    generated one. A catalog price that no Stripe price holds by key is
    paired with an unmanaged, active, keyless price whose every immutable
    field (product, currency, amount, recurring, tiers, …) is the same, oldest
    first, one to one: the plan adopts that price and sets its key, so
    subscribers stay where they are and nothing is created. Ids of the
    paired prices are added to ``matched``.
    """
    keyed = unmanaged_by_identity(state, rules.identity)
    keyless = sorted(
        (r for r in state.unmanaged if not r.resource.lookup_key and r.resource.active),
        key=lambda r: (r.created, r.id),
    )
    renamed: dict[str, Remote[Price]] = {}
    for key in sorted(desired):
        if key in state.managed or key in keyed:
            continue
        for remote in keyless:
            if remote.id not in matched and not diff(desired[key], remote, rules).immutable:
                matched.add(remote.id)
                named = dataclasses.replace(remote.resource, lookup_key=key)
                renamed[remote.id] = dataclasses.replace(remote, resource=named)
                break
    if not renamed:
        return state
    unmanaged = tuple(renamed.get(r.id, r) for r in state.unmanaged)
    return dataclasses.replace(state, unmanaged=unmanaged)


# What a price bills: equal in these, two prices charge the same.
_BILLING = (
    "product",
    "currency",
    "unit_amount",
    "recurring",
    "billing_scheme",
    "tiers_mode",
    "tiers",
    "transform_quantity",
    "custom_unit_amount",
)


def same_billing(want: Price, have: Price) -> bool:
    """Whether ``want`` (from the catalog) bills exactly as ``have`` (from Stripe).

    Undeclared fields count as Stripe's defaults (per unit, no transform), and
    every currency option must match.
    """
    wanted, actual = declared_fields(want), declared_fields(have)
    wanted.setdefault("billing_scheme", "per_unit")
    return (
        all(normalize(n, wanted.get(n)) == normalize(n, actual.get(n)) for n in _BILLING)
        and not any(_currency_options(want, have))
        and _options_declared(want, have)
    )


def _options_declared(want: Price, have: Price) -> bool:
    # Options the catalog leaves undeclared would be missing from a new price.
    return want.currency_options is not None or not set(have.currency_options or {}) - {
        have.currency
    }


def normalize(name: str, value: Value) -> Value:
    """Tiers compare without amounts Stripe reports as zero or null."""
    if name == "tiers" and isinstance(value, tuple):
        return tuple(_tier(t) for t in value)
    return value


def _tier(tier: Value) -> Value:
    if not isinstance(tier, Mapping):
        return tier
    return {k: v for k, v in tier.items() if (v is not None and v != 0) or k == "up_to"}


def _extra(want: Price, have: Remote[Price]) -> Changes:
    tax = _tax_behavior(want, have)
    options = tuple(_currency_options(want, have.resource))
    added = tuple(c for c in options if c.before is None)
    changed = tuple(c for c in options if c.before is not None)
    return Changes(mutable=tax.mutable + added, immutable=tax.immutable + changed)


def _tax_behavior(want: Price, have: Remote[Price]) -> Changes:
    before = have.resource.tax_behavior or "unspecified"
    if want.tax_behavior is None or want.tax_behavior == before:
        return Changes()
    change = (FieldChange("tax_behavior", before, want.tax_behavior),)
    # Stripe lets tax_behavior be set once, from unspecified
    # (docs.stripe.com/api/prices/update#update_price-tax_behavior).
    return Changes(mutable=change) if before == "unspecified" else Changes(immutable=change)


def _currency_options(want: Price, have: Price) -> Iterable[FieldChange]:
    if want.currency_options is None:
        return
    wanted = {c: _option(o) for c, o in want.currency_options.items()}
    actual = dict(have.currency_options or {})
    actual.pop(want.currency, None)  # Stripe lists the price's own currency too
    for currency in sorted(wanted.keys() | actual.keys()):
        after = wanted.get(currency)
        before = _project(actual.get(currency), after)
        if after != before:
            yield FieldChange(f"currency_options.{currency}", before, after)


def _option(option: CurrencyOption) -> Value:
    fields = declared_fields(option)
    if "tiers" in fields:
        fields["tiers"] = normalize("tiers", fields["tiers"])
    return fields


def _project(option: CurrencyOption | None, wanted: Value) -> Value:
    """The remote option restricted to the fields the catalog declares for it."""
    if option is None:
        return None
    fields = _option(option)
    assert isinstance(fields, dict)
    keep = set(wanted) if isinstance(wanted, Mapping) else {"unit_amount", "tiers"}
    return to_value({k: v for k, v in fields.items() if k in keep})
