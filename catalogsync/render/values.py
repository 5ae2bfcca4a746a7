"""Field values in words people review: money for its currency, dates, tiers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from catalogsync.money import format_money, percent_change
from catalogsync.periods import utc_minute
from catalogsync.values import Value

# Fields whose Decimal value is an amount in minor units of the context currency.
MONEY_FIELDS = frozenset({"unit_amount", "flat_amount", "amount_off", "minimum_amount"})
_TIMESTAMPS = frozenset({"expires_at", "redeem_by"})
UNSET = "(unset)"
NONE = "(none)"


def field_currency(name: str, currency: str | None) -> str | None:
    """The currency a field's amounts are in: ``currency_options.eur`` is in EUR."""
    if name.startswith("currency_options."):
        return name.split(".", 1)[1]
    return currency


def is_money(name: str, value: Value) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return isinstance(value, Decimal) and (
        leaf in MONEY_FIELDS or name.startswith("currency_options.")
    )


def show(name: str, value: Value, currency: str | None) -> str:
    """One value of field ``name`` (dotted), amounts in ``currency``."""
    leaf = name.rsplit(".", 1)[-1]
    cur = field_currency(name, currency)
    if value is None:
        return UNSET if name.startswith("metadata.") else NONE
    if isinstance(value, Decimal):
        return _decimal(leaf, value, cur, money=is_money(name, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _timestamp(value) if leaf in _TIMESTAMPS else f"{value:,}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return _sequence(leaf, value, cur)
    return _mapping(leaf, value, cur)


def change(name: str, before: Value, after: Value, currency: str | None) -> str:
    """``$85.00 → $99.00 (+16.5%)``: before and after, with the change in percent."""
    text = f"{show(name, before, currency)} → {show(name, after, currency)}"
    old, new = amount_of(name, before), amount_of(name, after)
    if old is not None and new is not None and (pct := percent_change(old, new)):
        text += f" ({pct})"
    return text


def amount_of(name: str, value: Value) -> Decimal | None:
    """The amount in a money field's value (``{unit_amount: …}`` options too)."""
    if isinstance(value, Mapping) and name.startswith("currency_options."):
        value = value.get("unit_amount")
    return value if isinstance(value, Decimal) and is_money(name, value) else None


def tiers_text(tiers: tuple[Value, ...], currency: str | None) -> str:
    """``up to 1,000: $0.99; above: $0.79``."""
    parts: list[str] = []
    for tier in tiers:
        if not isinstance(tier, Mapping):
            continue
        up_to = tier.get("up_to")
        bound = f"up to {up_to:,}" if isinstance(up_to, int) else "above"
        amounts = [
            show(k, tier[k], currency) + (" flat" if k == "flat_amount" else "")
            for k in ("unit_amount", "flat_amount")
            if tier.get(k) is not None
        ]
        parts.append(f"{bound}: {' + '.join(amounts) or NONE}")
    return "; ".join(parts)


def _decimal(leaf: str, value: Decimal, currency: str | None, *, money: bool) -> str:
    if money and currency:
        return format_money(value, currency)
    if leaf == "percent_off":
        return f"{value.normalize():f}%"
    return f"{value.normalize():f}"


def _timestamp(seconds: int) -> str:
    return utc_minute(seconds)


def _sequence(leaf: str, value: tuple[Value, ...], currency: str | None) -> str:
    if leaf == "tiers":
        return tiers_text(value, currency)
    return "[" + ", ".join(show(leaf, v, currency) for v in value) + "]"


def _mapping(leaf: str, value: Mapping[str, Value], currency: str | None) -> str:
    if leaf == "recurring":
        return _recurring(value)
    if leaf == "transform_quantity":
        return f"per {value.get('divide_by')} units, rounded {value.get('round')}"
    if leaf == "custom_unit_amount":
        bounds = (
            f"{k} {show('amount_off', v, currency)}"
            for k in ("minimum", "maximum", "preset")
            if (v := value.get(k)) is not None
        )
        return "chosen by the customer" + "".join(f", {b}" for b in bounds)
    if leaf == "currency_options":
        # Each option is in its own currency: {eur: €80.00, jpy: ¥9,800}.
        items = (f"{c}: {show(f'currency_options.{c}', v, c)}" for c, v in sorted(value.items()))
        return "{" + ", ".join(items) + "}"
    if "tiers" in value and isinstance(value["tiers"], tuple):
        return tiers_text(value["tiers"], currency)
    if set(value) == {"unit_amount"}:
        return show("unit_amount", value["unit_amount"], currency)
    items = (f"{k}: {show(k, v, currency)}" for k, v in sorted(value.items()))
    return "{" + ", ".join(items) + "}"


def _recurring(value: Mapping[str, Value]) -> str:
    count = value.get("interval_count", 1)
    interval = value.get("interval")
    text = f"every {interval}" if count == 1 else f"every {count} {interval}s"
    if value.get("usage_type") == "metered":
        text += f", metered by {value.get('meter')}"
    return text
