"""Rules across the whole catalog: unique identities and references that resolve.

The index of identities is built from every document whose kind is known,
even one with schema errors, so a typo in one field does not also make every
reference to that resource fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalogsync import money
from catalogsync.catalog.sourcemap import Document, pointer
from catalogsync.errors import Diagnostic


@dataclass(frozen=True)
class Declared:
    """Where an identity was declared, and (for prices) by which product."""

    document: Document
    ptr: str
    owner: str | None = None
    recurring: bool = True
    currency: str | None = None


# Identity field per kind, and the label diagnostics use for it.
_IDENTITY = {
    "Product": ("key", "product key"),
    "Coupon": ("id", "coupon id"),
    "PromotionCode": ("code", "promotion code"),
    "Feature": ("lookup_key", "feature lookup_key"),
    "Meter": ("event_name", "meter event_name"),
    "Ramp": ("key", "ramp key"),
    "Deal": ("key", "deal key"),
    "Migration": ("key", "migration key"),
}


@dataclass
class Index:
    """Every identity in the catalog: kind (or "Price") -> identity -> declaration."""

    by_kind: dict[str, dict[str, Declared]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, kind: str, identity: str, declared: Declared, label: str) -> None:
        # Promotion codes are unique regardless of case in Stripe.
        norm = identity.casefold() if kind == "PromotionCode" else identity
        table = self.by_kind.setdefault(kind, {})
        first = table.get(norm)
        if first is None:
            table[norm] = declared
            return
        self.diagnostics.append(
            declared.document.diagnostic(
                declared.ptr,
                "unique",
                f"duplicate {label} '{identity}' (first declared at "
                f"{first.document.where(first.ptr)})",
            )
        )

    def get(self, kind: str, identity: str) -> Declared | None:
        return self.by_kind.get(kind, {}).get(identity)


def build_index(documents: Iterable[Document]) -> Index:
    """Index every identity, reporting duplicates (code `unique`)."""
    index = Index()
    for document in documents:
        data = document.data
        kind = data["kind"]
        name, label = _IDENTITY[kind]
        if isinstance(data.get(name), str):
            index.add(kind, data[name], Declared(document, "/" + name), label)
        if kind == "Product":
            _index_prices(index, document)
    return index


def _index_prices(index: Index, document: Document) -> None:
    prices = document.data.get("prices")
    owner = document.data.get("key")
    for i, price in enumerate(prices if isinstance(prices, list) else []):
        if isinstance(price, dict) and isinstance(price.get("lookup_key"), str):
            declared = Declared(
                document,
                pointer("prices", i, "lookup_key"),
                owner if isinstance(owner, str) else None,
                "recurring" in price,
                price["currency"] if isinstance(price.get("currency"), str) else None,
            )
            index.add("Price", price["lookup_key"], declared, "price lookup_key")


def check_references(document: Document, index: Index) -> list[Diagnostic]:
    """Every reference in a schema-valid document resolves."""
    checker = _REFERENCES.get(document.data["kind"])
    return list(checker(document, index)) if checker else []


def _missing(
    document: Document, index: Index, kind: str, ptr: str, identity: str, *, label: str
) -> Iterator[Diagnostic]:
    if index.get(kind, identity) is None:
        yield document.diagnostic(ptr, "reference", f"no {label} '{identity}' in the catalog")


def _product(document: Document, index: Index) -> Iterator[Diagnostic]:
    data = document.data
    for i, feature in enumerate(data.get("features", [])):
        yield from _missing(
            document, index, "Feature", pointer("features", i), feature, label="feature"
        )
    for i, price in enumerate(data.get("prices", [])):
        meter = price.get("recurring", {}).get("meter")
        if meter is not None:
            yield from _missing(
                document,
                index,
                "Meter",
                pointer("prices", i, "recurring", "meter"),
                meter,
                label="meter",
            )
    default = data.get("default_price")
    own = {p["lookup_key"] for p in data.get("prices", [])}
    if default is not None and default not in own:
        other = index.get("Price", default)
        where = f" (it belongs to product '{other.owner}')" if other and other.owner else ""
        yield document.diagnostic(
            "/default_price",
            "reference",
            f"default_price '{default}' is not a price of this product{where}",
        )


def _coupon(document: Document, index: Index) -> Iterator[Diagnostic]:
    for i, product in enumerate(document.data.get("applies_to", [])):
        yield from _missing(
            document, index, "Product", pointer("applies_to", i), product, label="product"
        )


def _promotion_code(document: Document, index: Index) -> Iterator[Diagnostic]:
    coupon = document.data["coupon"]
    yield from _missing(document, index, "Coupon", "/coupon", coupon, label="coupon")


def _ramp(document: Document, index: Index) -> Iterator[Diagnostic]:
    yield from _phases(document, index, "/phases", document.data["phases"])


def _phases(
    document: Document, index: Index, ptr: str, phases: list[Mapping[str, Any]]
) -> Iterator[Diagnostic]:
    for i, phase in enumerate(phases):
        base = ptr + pointer(i)
        yield from _items(document, index, base + "/items", phase["items"])
        yield from _discounts(document, index, base + "/discounts", phase.get("discounts", []))


def _items(
    document: Document, index: Index, ptr: str, items: list[Mapping[str, Any]]
) -> Iterator[Diagnostic]:
    """A phase's items: recurring prices in one currency, amounts and coupons that resolve."""
    currencies: dict[str, str] = {}
    for j, item in enumerate(items):
        base = ptr + pointer(j)
        yield from _phase_price(document, index, base + "/price", item)
        yield from _discounts(document, index, base + "/discounts", item.get("discounts", []))
        declared = index.get("Price", item["price"])
        if declared is None or declared.currency is None:
            continue
        currencies.setdefault(declared.currency, item["price"])
        if "unit_amount" in item:
            yield from _negotiated(document, base + "/unit_amount", item, declared.currency)
    if len(currencies) > 1:
        named = ", ".join(f"{price} ({c})" for c, price in sorted(currencies.items()))
        yield document.diagnostic(
            ptr, "deal-terms", f"all items of a phase bill in one currency; here: {named}"
        )


def _negotiated(
    document: Document, ptr: str, item: Mapping[str, Any], currency: str
) -> Iterator[Diagnostic]:
    try:
        money.to_minor(Decimal(str(item["unit_amount"])), currency)
    except money.AmountError as e:
        yield document.diagnostic(ptr, "amount", f"negotiated amount of {item['price']}: {e}")


def _one_off(document: Document, index: Index) -> Iterator[Diagnostic]:
    for i, item in enumerate(document.data.get("one_off", [])):
        ptr = pointer("one_off", i, "price")
        declared = index.get("Price", item["price"])
        if declared is None:
            yield document.diagnostic(
                ptr, "reference", f"no price '{item['price']}' in the catalog"
            )
        elif declared.recurring:
            yield document.diagnostic(
                ptr,
                "reference",
                f"price '{item['price']}' is recurring; a one-off bills a one-time price",
            )


def _phase_price(
    document: Document, index: Index, ptr: str, item: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    declared = index.get("Price", item["price"])
    if declared is None:
        yield document.diagnostic(ptr, "reference", f"no price '{item['price']}' in the catalog")
    elif not declared.recurring:
        yield document.diagnostic(
            ptr,
            "reference",
            f"price '{item['price']}' is not recurring; phases bill recurring prices",
        )


def _discounts(
    document: Document, index: Index, ptr: str, coupons: list[str]
) -> Iterator[Diagnostic]:
    for i, coupon in enumerate(coupons):
        yield from _missing(document, index, "Coupon", ptr + pointer(i), coupon, label="coupon")


def _deal(document: Document, index: Index) -> Iterator[Diagnostic]:
    data = document.data
    for name in ("phases", "extra_phases"):
        yield from _phases(document, index, "/" + name, data.get(name, []))
    yield from _one_off(document, index)
    ramp_key = data.get("ramp")
    if ramp_key is None:
        return
    ramp = index.get("Ramp", ramp_key)
    if ramp is None:
        yield document.diagnostic("/ramp", "reference", f"no ramp '{ramp_key}' in the catalog")
        return
    yield from _overrides(document, index, ramp.document.data.get("phases"))


def _overrides(document: Document, index: Index, ramp_phases: Any) -> Iterator[Diagnostic]:
    phases = ramp_phases if isinstance(ramp_phases, list) else []
    for i, override in enumerate(document.data.get("overrides", [])):
        base = pointer("overrides", i)
        yield from _discounts(document, index, base + "/discounts", override.get("discounts", []))
        number = override["phase"]
        if number > len(phases):
            yield document.diagnostic(
                base + "/phase",
                "reference",
                f"the ramp has {len(phases)} phase(s), numbered from 1; there is no phase {number}",
            )
            continue
        phase = phases[number - 1]
        items = phase.get("items", []) if isinstance(phase, dict) else []
        prices = {item.get("price") for item in items if isinstance(item, dict)}
        for price in override.get("quantities", {}):
            if price not in prices:
                yield document.diagnostic(
                    base + pointer("quantities", price),
                    "reference",
                    f"phase {number} of the ramp has no price '{price}'",
                    key=True,
                )
        for j, item in enumerate(override.get("items", [])):
            if item["price"] not in prices:
                yield document.diagnostic(
                    base + pointer("items", j, "price"),
                    "reference",
                    f"phase {number} of the ramp has no price '{item['price']}'",
                )
        yield from _items(document, index, base + "/items", override.get("items", []))


def _migration(document: Document, index: Index) -> Iterator[Diagnostic]:
    """Moves name licensed recurring prices; no price moves twice.

    ``to`` is a price of the catalog. A ``from`` lookup key may have left the
    catalog (old prices removed, archived by the same plan after the moves),
    and a ``from`` may be a price id: those are checked at plan time, when
    the account's prices are read.
    """
    for i, move in enumerate(document.data["moves"]):
        base = pointer("moves", i)
        ends = [
            (end, key)
            for end in ("from", "to")
            if isinstance(key := move[end], str) and (end == "to" or index.get("Price", key))
        ]
        problems = [d for end, key in ends for d in _move_price(document, index, base, end, key)]
        yield from problems
        prices = [_catalog_price(index, key) for _, key in ends]
        if not problems and len(prices) == 2:  # both prices of the catalog, both fine
            old, new = prices
            assert old is not None
            assert new is not None
            yield from _move_terms(document, base, (old, new), document.data["at"])
    yield from _moved_twice(document, index)


def _catalog_price(index: Index, key: str) -> Mapping[str, Any] | None:
    """The catalog price ``key`` names, as written (None when there is none)."""
    declared = index.get("Price", key)
    if declared is None:
        return None
    number = int(declared.ptr.split("/")[2])  # /prices/<n>/lookup_key
    price: Mapping[str, Any] = declared.document.data["prices"][number]
    return price


def _move_price(
    document: Document, index: Index, base: str, end: str, key: str
) -> Iterator[Diagnostic]:
    """A move's price exists, is licensed and recurring, and (to move to) active."""
    ptr = f"{base}/{end}"
    price = _catalog_price(index, key)
    if price is None:
        yield document.diagnostic(ptr, "reference", f"no price '{key}' in the catalog")
    elif "recurring" not in price:
        yield document.diagnostic(
            ptr, "migration", f"price '{key}' is not recurring; migrations move subscriptions"
        )
    elif price["recurring"].get("usage_type") == "metered":
        yield document.diagnostic(
            ptr,
            "migration",
            f"price '{key}' is metered; migrations move licensed prices only "
            "(Stripe does not prorate metered prices)",
        )
    elif end == "to" and price.get("active") is False:
        yield document.diagnostic(
            ptr,
            "migration",
            f"price '{key}' is archived (active: false); subscribers cannot move to it",
        )


def _move_terms(
    document: Document, base: str, prices: tuple[Mapping[str, Any], Mapping[str, Any]], at: str
) -> Iterator[Diagnostic]:
    """The new price bills every currency of the old one; ``at: now`` keeps the interval."""
    old, new = prices
    if "recurring" not in old or "recurring" not in new:
        return  # reported by `_price_problems`
    missing = sorted(_currencies(old) - _currencies(new))
    if missing:
        yield document.diagnostic(
            base + "/to",
            "migration",
            f"price '{new['lookup_key']}' has no {', '.join(c.upper() for c in missing)} "
            f"amount, which '{old['lookup_key']}' bills: subscribers in that currency "
            "could not move (add a currency option)",
        )
    if at == "now" and _interval_of(old) != _interval_of(new):
        yield document.diagnostic(
            base + "/to",
            "migration",
            f"'{old['lookup_key']}' bills every {_interval_text(old)} and "
            f"'{new['lookup_key']}' every {_interval_text(new)}: a price swap now would "
            "reset the billing date; move at renewal or on a date instead",
        )


def _currencies(price: Mapping[str, Any]) -> set[str]:
    return {c.lower() for c in (price["currency"], *price.get("currency_options", {}))}


def _interval_of(price: Mapping[str, Any]) -> tuple[str, int]:
    recurring = price["recurring"]
    return recurring["interval"], recurring.get("interval_count", 1)


def _interval_text(price: Mapping[str, Any]) -> str:
    interval, count = _interval_of(price)
    return interval if count == 1 else f"{count} {interval}s"


def _moved_twice(document: Document, index: Index) -> Iterator[Diagnostic]:
    """A price is moved by one move of one migration: two would race for its subscribers."""
    mine = document.data["key"]
    owners: dict[str, str] = {}
    for key, declared in sorted(index.by_kind.get("Migration", {}).items()):
        moves = declared.document.data.get("moves")
        for move in moves if isinstance(moves, list) else []:
            given = move.get("from") if isinstance(move, dict) else None
            name = _ref_name(given)
            if name is not None and key != mine:
                owners.setdefault(name, key)
    seen: set[str] = set()
    for i, move in enumerate(document.data["moves"]):
        name = _ref_name(move["from"])
        ptr = pointer("moves", i, "from")
        if name is None:
            continue
        if name in seen:
            yield document.diagnostic(ptr, "migration", f"{name} is moved twice in this migration")
        elif name in owners:
            yield document.diagnostic(
                ptr, "migration", f"{name} is already moved by migration '{owners[name]}'"
            )
        seen.add(name)


def _ref_name(given: Any) -> str | None:
    """A `from` as the diagnostics name it: the lookup key, or "price <id>"."""
    if isinstance(given, str):
        return f"price '{given}'"
    if isinstance(given, dict) and isinstance(given.get("id"), str):
        return f"price {given['id']}"
    return None


_REFERENCES = {
    "Product": _product,
    "Coupon": _coupon,
    "PromotionCode": _promotion_code,
    "Ramp": _ramp,
    "Deal": _deal,
    "Migration": _migration,
}
