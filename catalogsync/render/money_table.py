"""The money table's rows for prices and coupons: every amount a plan sets or changes.

Unit amounts, each unit range of a tiered price (a range whose amount changed is marked), every
currency option (tiers included), coupon amounts off (per currency) and
percentages. Deals have their own rows (`render.deals.deal_money`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from catalogsync.changes import FieldChange
from catalogsync.plan.compare.prices import normalize
from catalogsync.plan.operations import Adopt, Create, Operation, Replace, Update
from catalogsync.values import Value

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
    """One row per unit range, cut at every ``up_to`` bound of the old and the new tiers.

    Tiers are paired by the units they cover, not by position: inserting a tier
    between two others changes only the range it takes over, and the plan must
    not call the untouched ranges changed. Each range shows the amounts of the
    tier covering it before and after; only a range whose amounts differ is
    marked (a new price's ranges are not "changed").
    """
    old, new = _tiers(before), _tiers(after)
    lower = 1
    for upper in _bounds(old, new):
        was, now = _covering(old, upper), _covering(new, upper)
        for amount, suffix in (("unit_amount", ""), ("flat_amount", " flat")):
            a, b = was.get(amount), now.get(amount)
            if isinstance(a, Decimal) or isinstance(b, Decimal):
                yield MoneyRow(
                    f"{key}, {_span(lower, upper)}{suffix}",
                    currency,
                    a if isinstance(a, Decimal) else None,
                    b if isinstance(b, Decimal) else None,
                    changed=bool(old) and a != b,
                )
        if upper is None:
            return
        lower = upper + 1


def _span(lower: int, upper: int | None) -> str:
    """``units 1,001-10,000`` (an en dash), ``units above 10,000``, or ``all units``."""
    if upper is not None:
        return f"units {lower:,}\u2013{upper:,}"
    return f"units above {lower - 1:,}" if lower > 1 else "all units"


def _bounds(*tier_lists: list[Mapping[str, Value]]) -> list[int | None]:
    """Every finite ``up_to`` of the given tiers, ascending, then None for "and above"."""
    finite = {t.get("up_to") for tiers in tier_lists for t in tiers}
    return [*sorted(b for b in finite if isinstance(b, int)), None]


def _covering(tiers: list[Mapping[str, Value]], upper: int | None) -> Mapping[str, Value]:
    """The tier whose range holds the units up to ``upper`` (None: the last, unbounded one)."""
    for tier in tiers:
        up_to = tier.get("up_to")
        if not isinstance(up_to, int) or (upper is not None and upper <= up_to):
            return tier
    return {}


def _tiers(value: Value) -> list[Mapping[str, Value]]:
    tiers = normalize("tiers", value)
    return [t for t in tiers if isinstance(t, Mapping)] if isinstance(tiers, tuple) else []


def _mapping(value: Value) -> Mapping[str, Value]:
    return value if isinstance(value, Mapping) else {}


def currency_of(fields: Mapping[str, Value]) -> str | None:
    """The currency an operation's amounts are in (a price's, a coupon's, a minimum's)."""
    cur = fields.get("currency", fields.get("minimum_amount_currency"))
    return cur if isinstance(cur, str) else None
