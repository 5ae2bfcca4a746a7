"""The money table's rows for prices and coupons: every amount a plan sets or changes.

Unit amounts, each tier of a tiered price (a changed tier is marked), every
currency option (tiers included), coupon amounts off (per currency) and
percentages. Deals have their own rows (`render.deals.deal_money`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from catalogsync.plan.compare.prices import normalize
from catalogsync.plan.operations import Adopt, Create, FieldChange, Operation, Replace, Update
from catalogsync.plan.values import Value

PERCENT = "%"  # the currency of a percentage row (a coupon's percent_off)


@dataclass(frozen=True)
class MoneyRow:
    """A row of the money-changes table; ``changed`` marks a changed tier."""

    resource: str
    currency: str
    before: Decimal | None
    after: Decimal | None
    changed: bool = False


def resource_money(op: Operation, key: str) -> Iterator[MoneyRow]:
    """The rows for one price or coupon operation, labelled ``key``."""
    if isinstance(op, Create):
        cur = currency_of(op.fields)
        changes = [FieldChange(name, None, value) for name, value in op.fields.items()]
    elif isinstance(op, Update | Replace | Adopt):
        cur = currency_of(op.fields) if isinstance(op, Replace) else None
        changes = list(op.changes)
    else:
        return
    for change in changes:
        yield from _field_rows(key, change, cur)


def _field_rows(key: str, change: FieldChange, cur: str | None) -> Iterator[MoneyRow]:
    name, before, after = change.field, change.before, change.after
    if name in ("unit_amount", "amount_off", "minimum_amount") and cur:
        yield from _amount_row(key, cur, before, after)
    elif name == "percent_off":
        yield from _amount_row(key, PERCENT, before, after)
    elif name == "tiers" and cur:
        yield from _tier_rows(key, cur, before, after)
    elif name.startswith("currency_options."):
        currency = name.removeprefix("currency_options.")
        yield from _option_rows(key, currency, before, after)
    elif name == "currency_options":
        for currency in sorted(_mapping(before).keys() | _mapping(after).keys()):
            was, now = _mapping(before).get(currency), _mapping(after).get(currency)
            yield from _option_rows(key, currency, was, now)


def _option_rows(key: str, currency: str, before: Value, after: Value) -> Iterator[MoneyRow]:
    """A currency option: a price's ``{unit_amount | tiers}``, or a coupon's amount off."""
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        yield from _amount_row(key, currency, before, after)
        return
    old, new = _mapping(before), _mapping(after)
    if "tiers" in old or "tiers" in new:
        yield from _tier_rows(key, currency, old.get("tiers"), new.get("tiers"))
    else:
        yield from _amount_row(key, currency, old.get("unit_amount"), new.get("unit_amount"))


def _amount_row(key: str, currency: str, before: Value, after: Value) -> Iterator[MoneyRow]:
    was = before if isinstance(before, Decimal) else None
    now = after if isinstance(after, Decimal) else None
    if (was is not None or now is not None) and was != now:
        yield MoneyRow(key, currency, was, now)


def _tier_rows(key: str, currency: str, before: Value, after: Value) -> Iterator[MoneyRow]:
    """Every tier of the new (or old) tiers, amounts before and after; changed ones marked."""
    old, new = _tiers(before), _tiers(after)
    for n in range(max(len(old), len(new))):  # a new price's tiers are not "changed"
        was = old[n] if n < len(old) else {}
        now = new[n] if n < len(new) else {}
        up_to = (now or was).get("up_to")
        bound = f"up to {up_to:,}" if isinstance(up_to, int) else "above"
        for amount, suffix in (("unit_amount", ""), ("flat_amount", " flat")):
            a, b = was.get(amount), now.get(amount)
            if isinstance(a, Decimal) or isinstance(b, Decimal):
                yield MoneyRow(
                    f"{key}, tier {n + 1} ({bound}){suffix}",
                    currency,
                    a if isinstance(a, Decimal) else None,
                    b if isinstance(b, Decimal) else None,
                    changed=bool(old) and was != now,
                )


def _tiers(value: Value) -> list[Mapping[str, Value]]:
    tiers = normalize("tiers", value)
    return [t for t in tiers if isinstance(t, Mapping)] if isinstance(tiers, tuple) else []


def _mapping(value: Value) -> Mapping[str, Value]:
    return value if isinstance(value, Mapping) else {}


def currency_of(fields: Mapping[str, Value]) -> str | None:
    """The currency an operation's amounts are in (a price's, a coupon's, a minimum's)."""
    cur = fields.get("currency", fields.get("minimum_amount_currency"))
    return cur if isinstance(cur, str) else None
