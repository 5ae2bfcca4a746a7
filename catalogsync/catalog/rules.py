"""Semantic rules that look at one schema-valid document at a time.

Each rule has a stable code (the `error[code]` in a diagnostic). Rules that
need the whole catalog (uniqueness, references) are in `references.py`;
amount representability is checked where amounts are converted (`build.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from catalogsync.catalog.sourcemap import Document, pointer
from catalogsync.currencies import normalise
from catalogsync.errors import Diagnostic
from catalogsync.model import RESERVED_METADATA

Rule = Callable[[Document], Iterator[Diagnostic]]

MAX_METADATA_KEYS = 50
# Every managed object also carries catalogsync's own keys (model.RESERVED_METADATA).
MAX_USER_METADATA_KEYS = MAX_METADATA_KEYS - len(RESERVED_METADATA)
MAX_METADATA_KEY = 40
MAX_METADATA_VALUE = 500
MAX_PRICE_LOOKUP_KEY = 200
MAX_FEATURE_LOOKUP_KEY = 80
RESERVED_PREFIX = "catalogsync_"
_CODE_CHARSET = re.compile(r"^[A-Za-z0-9-]+$")


def check_document(document: Document) -> list[Diagnostic]:
    """Every per-document semantic rule for the document's kind."""
    rules = _RULES.get(document.data["kind"], ())
    return [d for rule in rules for d in rule(document)]


def metadata(document: Document, ptr: str, value: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    """Stripe's metadata limits, and catalogsync's reserved keys."""
    if not value:
        return
    if len(value) > MAX_USER_METADATA_KEYS:
        yield document.diagnostic(
            ptr,
            "metadata",
            f"{len(value)} metadata keys; at most {MAX_USER_METADATA_KEYS} (Stripe allows "
            f"{MAX_METADATA_KEYS}, and catalogsync keeps {len(RESERVED_METADATA)} of its own)",
        )
    owned = len(",".join(value))  # catalogsync records the key names in one value
    if owned > MAX_METADATA_VALUE:
        yield document.diagnostic(
            ptr,
            "metadata",
            f"the metadata key names add up to {owned} characters (comma-separated); "
            f"catalogsync records them in one value of at most {MAX_METADATA_VALUE}",
        )
    for key, text in value.items():
        at = ptr + pointer(key)
        if len(key) > MAX_METADATA_KEY:
            yield document.diagnostic(
                at, "metadata", f"metadata key is {len(key)} characters; at most 40", key=True
            )
        if "[" in key or "]" in key:
            yield document.diagnostic(
                at, "metadata", "metadata keys cannot contain '[' or ']'", key=True
            )
        if key.startswith(RESERVED_PREFIX) or key in RESERVED_METADATA:
            yield document.diagnostic(
                at, "metadata", f"metadata keys starting '{RESERVED_PREFIX}' are reserved", key=True
            )
        if len(text) > MAX_METADATA_VALUE:
            yield document.diagnostic(
                at, "metadata", f"metadata value is {len(text)} characters; at most 500"
            )


def _top_metadata(document: Document) -> Iterator[Diagnostic]:
    yield from metadata(document, "/metadata", document.data.get("metadata"))


def _prices(document: Document) -> Iterator[Diagnostic]:
    for index, price in enumerate(document.data.get("prices", [])):
        base = pointer("prices", index)
        yield from metadata(document, base + "/metadata", price.get("metadata"))
        yield from _lookup_key(document, base, price["lookup_key"], MAX_PRICE_LOOKUP_KEY)
        yield from _price_shape(document, base, price)
        yield from _metered(document, base, price)
        yield from _currency_options(document, base, price)


def _lookup_key(document: Document, base: str, key: str, limit: int) -> Iterator[Diagnostic]:
    if len(key) > limit:
        yield document.diagnostic(
            base + "/lookup_key",
            "lookup-key",
            f"lookup_key is {len(key)} characters; Stripe allows at most {limit}",
        )


def _price_shape(document: Document, base: str, price: Mapping[str, Any]) -> Iterator[Diagnostic]:
    tiered = price.get("billing_scheme") == "tiered"
    if tiered:
        if "tiers" not in price:
            yield document.diagnostic(
                base + "/billing_scheme", "tiers", "billing_scheme tiered needs tiers"
            )
        if "tiers_mode" not in price:
            yield document.diagnostic(
                base + "/billing_scheme", "tiers", "billing_scheme tiered needs tiers_mode"
            )
        if "unit_amount" in price:
            yield document.diagnostic(
                base + "/unit_amount",
                "tiers",
                "a tiered price takes its amounts from tiers, not unit_amount",
            )
        if "transform_quantity" in price:
            yield document.diagnostic(
                base + "/transform_quantity",
                "tiers",
                "transform_quantity cannot be combined with tiers",
            )
    else:
        for name, verb in (("tiers_mode", "needs"), ("tiers", "need")):
            if name in price:
                yield document.diagnostic(
                    base + "/" + name, "tiers", f"{name} {verb} billing_scheme: tiered"
                )
        if "unit_amount" not in price and "custom_unit_amount" not in price:
            yield document.diagnostic(
                base,
                "amount",
                "unit_amount (or custom_unit_amount) is required unless billing_scheme is tiered",
            )
        if "unit_amount" in price and "custom_unit_amount" in price:
            yield document.diagnostic(
                base + "/custom_unit_amount",
                "amount",
                "a price takes unit_amount or custom_unit_amount, not both",
            )
    if "tiers" in price:
        yield from tiers(document, base + "/tiers", price["tiers"])


def tiers(document: Document, ptr: str, value: list[Mapping[str, Any]]) -> Iterator[Diagnostic]:
    """Tiers ascend strictly, and only the last is (and must be) `inf`."""
    previous = 0
    for index, tier in enumerate(value):
        at = ptr + pointer(index)
        up_to = tier["up_to"]
        last = index == len(value) - 1
        yield from _tier_amount(document, at, tier)
        if up_to == "inf":
            if not last:
                yield document.diagnostic(
                    at + "/up_to", "tiers", "only the last tier can have up_to: inf"
                )
            continue
        if up_to <= previous:
            yield document.diagnostic(
                at + "/up_to",
                "tiers",
                f"tiers must ascend: up_to {up_to} is not above {previous}",
            )
        previous = max(previous, up_to)
        if last:
            yield document.diagnostic(at + "/up_to", "tiers", "the last tier needs up_to: inf")


def _tier_amount(document: Document, ptr: str, tier: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if "unit_amount" not in tier and "flat_amount" not in tier:
        yield document.diagnostic(ptr, "tiers", "a tier needs unit_amount or flat_amount")


def _metered(document: Document, base: str, price: Mapping[str, Any]) -> Iterator[Diagnostic]:
    recurring = price.get("recurring")
    if recurring is None:
        return
    metered = recurring.get("usage_type") == "metered"
    if metered and "meter" not in recurring:
        yield document.diagnostic(
            base + "/recurring",
            "metered-meter",
            "a metered price needs recurring.meter (the meter's event_name)",
        )
    if not metered and "meter" in recurring:
        yield document.diagnostic(
            base + "/recurring/meter",
            "metered-meter",
            "recurring.meter needs usage_type: metered",
        )


def _currency_options(
    document: Document, base: str, price: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    tiered = price.get("billing_scheme") == "tiered"
    main_bounds = [t["up_to"] for t in price.get("tiers", [])]
    for currency, option in price.get("currency_options", {}).items():
        at = base + pointer("currency_options", currency)
        if normalise(currency) == normalise(price["currency"]):
            yield document.diagnostic(
                at,
                "currency",
                f"currency_options repeats the price's own currency {currency}",
                key=True,
            )
        if tiered and "unit_amount" in option:
            yield document.diagnostic(
                at + "/unit_amount",
                "tiers",
                "a tiered price takes its amounts from tiers, not unit_amount",
            )
        if not tiered and "tiers" in option:
            yield document.diagnostic(at + "/tiers", "tiers", "tiers need billing_scheme: tiered")
        if tiered and "tiers" not in option:
            yield document.diagnostic(at, "tiers", "a tiered price's currency option needs tiers")
        if not tiered and "unit_amount" not in option:
            yield document.diagnostic(at, "amount", "a currency option needs unit_amount")
        if "tiers" in option:
            for j, tier in enumerate(option["tiers"]):
                yield from _tier_amount(document, at + pointer("tiers", j), tier)
            bounds = [t["up_to"] for t in option["tiers"]]
            if tiered and bounds != main_bounds:
                yield document.diagnostic(
                    at + "/tiers",
                    "tiers",
                    "currency option tiers must have the price's up_to bounds",
                )


def _coupon(document: Document) -> Iterator[Diagnostic]:
    data = document.data
    has_percent, has_amount = "percent_off" in data, "amount_off" in data
    if has_percent == has_amount:
        yield document.diagnostic(
            "", "discount", "a coupon needs exactly one of percent_off and amount_off"
        )
    if has_amount and "currency" not in data:
        yield document.diagnostic("/amount_off", "currency", "amount_off needs a currency")
    if "currency" in data and not has_amount:
        yield document.diagnostic("/currency", "currency", "currency only goes with amount_off")
    if "currency_options" in data and not has_amount:
        yield document.diagnostic(
            "/currency_options", "currency", "currency_options only go with amount_off"
        )
    repeating = data.get("duration") == "repeating"
    if repeating and "duration_in_months" not in data:
        yield document.diagnostic(
            "/duration", "duration", "duration repeating needs duration_in_months"
        )
    if not repeating and "duration_in_months" in data:
        yield document.diagnostic(
            "/duration_in_months", "duration", "duration_in_months needs duration: repeating"
        )


def _promotion_code(document: Document) -> Iterator[Diagnostic]:
    data = document.data
    if not _CODE_CHARSET.match(data["code"]):
        yield document.diagnostic(
            "/code", "code-charset", "a promotion code may contain only a-z, A-Z, 0-9 and '-'"
        )
    if ("minimum_amount" in data) != ("minimum_amount_currency" in data):
        yield document.diagnostic(
            "/minimum_amount" if "minimum_amount" in data else "/minimum_amount_currency",
            "currency",
            "minimum_amount and minimum_amount_currency go together",
        )


def _feature(document: Document) -> Iterator[Diagnostic]:
    yield from _lookup_key(document, "", document.data["lookup_key"], MAX_FEATURE_LOOKUP_KEY)


def _deal(document: Document) -> Iterator[Diagnostic]:
    data = document.data
    if ("ramp" in data) == ("phases" in data):
        yield document.diagnostic("", "deal-phases", "a deal needs exactly one of ramp and phases")
    if "phases" in data:
        for name in ("overrides", "extra_phases"):
            if name in data:
                yield document.diagnostic("/" + name, "deal-phases", f"{name} only go with a ramp")
    if "days_until_due" in data and data.get("collection_method") != "send_invoice":
        yield document.diagnostic(
            "/days_until_due",
            "deal-terms",
            "days_until_due (payment terms) only goes with collection_method: send_invoice",
        )


def _migration(document: Document) -> Iterator[Diagnostic]:
    data = document.data
    if "proration_behavior" in data and data["at"] != "now":
        yield document.diagnostic(
            "/proration_behavior",
            "migration",
            f"proration_behavior only goes with at: now (at: {data['at']} moves each "
            "subscription at a period boundary or on a date, where there is nothing to prorate)",
        )
    if data.get("cohort", {}).get("include_deals") is True:
        # A deal's schedule names the price in each of its phases: moving only the
        # subscription would last until the next phase starts.
        yield document.diagnostic(
            "/cohort/include_deals",
            "migration",
            "moving subscriptions billed by a deal's schedule is not supported yet: "
            "change the prices in the deal's phases instead (its schedule follows the deal)",
        )


_RULES: dict[str, tuple[Rule, ...]] = {
    "Product": (_top_metadata, _prices),
    "Coupon": (_top_metadata, _coupon),
    "PromotionCode": (_top_metadata, _promotion_code),
    "Feature": (_top_metadata, _feature),
    "Deal": (_top_metadata, _deal),
    "Migration": (_migration,),
}
