"""Schema-valid documents -> the model, converting money and dates on the way.

Amounts arrive as text, int or Decimal (never float, see `sourcemap.py`) in
major units and leave as Decimal minor units; an amount its currency cannot
represent is a diagnostic (code `amount`), and a licensed price finer than the
minor unit is a warning (code `fractional-amount`), almost always a typo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from catalogsync import money
from catalogsync.catalog.sourcemap import Document, pointer
from catalogsync.currencies import normalise
from catalogsync.errors import Diagnostic
from catalogsync.model import (
    DEFAULT_COHORT_STATUSES,
    Cohort,
    Coupon,
    CurrencyOption,
    CustomerRef,
    CustomUnitAmount,
    Deal,
    Duration,
    Feature,
    Meter,
    Migration,
    Move,
    Phase,
    PhaseItem,
    PhaseOverride,
    Price,
    PriceRef,
    Product,
    PromotionCode,
    Ramp,
    Recurring,
    Resource,
    Source,
    Tier,
    TransformQuantity,
)

_ZERO = Decimal(0)


@dataclass
class Built:
    """The model objects built so far, in declaration order, and what went wrong."""

    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def build(documents: list[Document]) -> Built:
    """Build the model from schema-valid documents."""
    built = Built()
    for document in documents:
        _Converter(document, built).run()
    return built


def parse_timestamp(text: str) -> int:
    """Unix seconds of an ISO 8601 timestamp with a time zone; ValueError when it does not exist."""
    moment = datetime.fromisoformat(text.upper().replace(" ", "T"))
    return int(moment.astimezone(UTC).timestamp())


def source_of(document: Document, ptr: str = "") -> Source:
    line, column = document.source.locate(ptr)
    return Source(document.file, line, column)


def _text_map(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value) if value else {}


class _Converter:
    """Converts one document, collecting diagnostics into ``built``."""

    def __init__(self, document: Document, built: Built) -> None:
        self.document = document
        self.data: dict[str, Any] = document.data
        self.built = built

    def run(self) -> None:
        BUILDERS[self.data["kind"]](self)

    # -- money and time -------------------------------------------------------

    def _amount(self, ptr: str, value: Any, currency: str, *, price: bool = False) -> Decimal:
        try:
            return money.to_minor(Decimal(str(value)), currency, fractional=price)
        except money.AmountError as e:
            code = "amount-max" if isinstance(e, money.AmountTooLarge) else "amount"
            self.built.diagnostics.append(self.document.diagnostic(ptr, code, str(e)))
            return _ZERO

    def _price_amount(self, ptr: str, value: Any, currency: str, licensed: bool) -> Decimal:
        minor = self._amount(ptr, value, currency, price=True)
        if licensed and not money.is_whole(minor):
            self.built.diagnostics.append(
                self.document.diagnostic(
                    ptr,
                    "fractional-amount",
                    f"{value} {currency.upper()} is finer than the smallest unit of the "
                    "currency; usual for metered prices, almost always a typo for a "
                    "licensed one",
                    severity="warning",
                )
            )
        return minor

    def _timestamp(self, ptr: str, text: str) -> int | None:
        try:
            return parse_timestamp(text)
        except ValueError as e:
            self._time_error(ptr, text, e)
            return None

    def _date(self, ptr: str, text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError as e:
            self._time_error(ptr, text, e)
            return date.min

    def _time_error(self, ptr: str, text: str, error: ValueError) -> None:
        self.built.diagnostics.append(
            self.document.diagnostic(ptr, "timestamp", f"'{text}' is not a valid date: {error}")
        )

    # -- kinds ----------------------------------------------------------------

    def _product(self) -> None:
        d = self.data
        self.built.resources.append(
            Product(
                key=d["key"],
                name=d["name"],
                description=d.get("description"),
                tax_code=d.get("tax_code"),
                statement_descriptor=d.get("statement_descriptor"),
                unit_label=d.get("unit_label"),
                url=d.get("url"),
                default_price=d.get("default_price"),
                features=tuple(d["features"]) if "features" in d else None,
                active=d.get("active", True),
                metadata=_text_map(d.get("metadata")),
                source=source_of(self.document),
            )
        )
        for i, price in enumerate(d.get("prices", [])):
            self.built.resources.append(self._price(f"/prices/{i}", price))

    def _price(self, ptr: str, p: Mapping[str, Any]) -> Price:
        currency = normalise(p["currency"])
        recurring = self._recurring(p.get("recurring"))
        licensed = recurring is None or recurring.usage_type == "licensed"
        unit = p.get("unit_amount")
        options = p.get("currency_options")
        return Price(
            lookup_key=p["lookup_key"],
            product=self.data["key"],
            currency=currency,
            unit_amount=None
            if unit is None
            else self._price_amount(ptr + "/unit_amount", unit, currency, licensed),
            recurring=recurring,
            billing_scheme=p.get("billing_scheme"),
            tiers_mode=p.get("tiers_mode"),
            tiers=self._tiers(ptr + "/tiers", p.get("tiers"), currency, licensed),
            transform_quantity=_transform(p.get("transform_quantity")),
            custom_unit_amount=self._custom(ptr + "/custom_unit_amount", p, currency),
            nickname=p.get("nickname"),
            tax_behavior=p.get("tax_behavior"),
            currency_options=None
            if options is None
            else {
                normalise(c): self._currency_option(
                    ptr + pointer("currency_options", c), o, normalise(c), licensed
                )
                for c, o in options.items()
            },
            active=p.get("active", True),
            metadata=_text_map(p.get("metadata")),
            source=source_of(self.document, ptr),
        )

    def _custom(self, ptr: str, p: Mapping[str, Any], currency: str) -> CustomUnitAmount | None:
        given = p.get("custom_unit_amount")
        if given is None:
            return None
        return CustomUnitAmount(
            **{
                name: self._amount(f"{ptr}/{name}", value, currency)
                for name, value in given.items()
            }
        )

    @staticmethod
    def _recurring(r: Mapping[str, Any] | None) -> Recurring | None:
        if r is None:
            return None
        return Recurring(
            interval=r["interval"],
            interval_count=r.get("interval_count", 1),
            usage_type=r.get("usage_type", "licensed"),
            meter=r.get("meter"),
        )

    def _tiers(
        self, ptr: str, tiers: list[Mapping[str, Any]] | None, currency: str, licensed: bool
    ) -> tuple[Tier, ...] | None:
        if tiers is None:
            return None
        out = []
        for i, t in enumerate(tiers):
            amounts = {
                name: self._price_amount(f"{ptr}/{i}/{name}", t[name], currency, licensed)
                for name in ("unit_amount", "flat_amount")
                if name in t
            }
            up_to = None if t["up_to"] == "inf" else int(t["up_to"])
            out.append(Tier(up_to=up_to, **amounts))
        return tuple(out)

    def _currency_option(
        self, ptr: str, o: Mapping[str, Any], currency: str, licensed: bool
    ) -> CurrencyOption:
        unit = o.get("unit_amount")
        return CurrencyOption(
            unit_amount=None
            if unit is None
            else self._price_amount(ptr + "/unit_amount", unit, currency, licensed),
            tiers=self._tiers(ptr + "/tiers", o.get("tiers"), currency, licensed),
            tax_behavior=o.get("tax_behavior"),
        )

    def _coupon(self) -> None:
        d = self.data
        currency = None if "currency" not in d else normalise(d["currency"])
        amount_off = None
        if "amount_off" in d and currency is not None:
            amount_off = self._amount("/amount_off", d["amount_off"], currency)
        options = d.get("currency_options")
        redeem_by = d.get("redeem_by")
        self.built.resources.append(
            Coupon(
                id=d["id"],
                name=d.get("name"),
                percent_off=Decimal(str(d["percent_off"])) if "percent_off" in d else None,
                amount_off=amount_off,
                currency=currency,
                currency_options=None
                if options is None
                else {
                    normalise(c): self._amount(
                        pointer("currency_options", c, "amount_off"), o["amount_off"], normalise(c)
                    )
                    for c, o in options.items()
                },
                duration=d.get("duration", "once"),
                duration_in_months=d.get("duration_in_months"),
                max_redemptions=d.get("max_redemptions"),
                redeem_by=None if redeem_by is None else self._timestamp("/redeem_by", redeem_by),
                applies_to=tuple(d["applies_to"]) if "applies_to" in d else None,
                metadata=_text_map(d.get("metadata")),
                source=source_of(self.document),
            )
        )

    def _promotion_code(self) -> None:
        d = self.data
        written = d.get("minimum_amount_currency")
        currency = None if written is None else normalise(written)
        minimum = None
        if "minimum_amount" in d and currency is not None:
            minimum = self._amount("/minimum_amount", d["minimum_amount"], currency)
        expires = d.get("expires_at")
        self.built.resources.append(
            PromotionCode(
                code=d["code"],
                coupon=d["coupon"],
                active=d.get("active", True),
                max_redemptions=d.get("max_redemptions"),
                expires_at=None if expires is None else self._timestamp("/expires_at", expires),
                first_time_transaction=d.get("first_time_transaction"),
                minimum_amount=minimum,
                minimum_amount_currency=currency,
                metadata=_text_map(d.get("metadata")),
                source=source_of(self.document),
            )
        )

    def _feature(self) -> None:
        d = self.data
        self.built.resources.append(
            Feature(
                lookup_key=d["lookup_key"],
                name=d["name"],
                active=d.get("active", True),
                metadata=_text_map(d.get("metadata")),
                source=source_of(self.document),
            )
        )

    def _meter(self) -> None:
        d = self.data
        self.built.resources.append(
            Meter(
                event_name=d["event_name"],
                display_name=d["display_name"],
                aggregation=d.get("aggregation", "sum"),
                customer_payload_key=d.get("customer_payload_key"),
                value_payload_key=d.get("value_payload_key"),
                active=d.get("active", True),
                source=source_of(self.document),
            )
        )

    def _ramp(self) -> None:
        d = self.data
        self.built.resources.append(
            Ramp(key=d["key"], phases=_phases(d["phases"]), source=source_of(self.document))
        )

    def _deal(self) -> None:
        d = self.data
        customer = d["customer"]
        if isinstance(customer, str):  # the plain form: a customer id
            customer = {"id": customer}
        self.built.resources.append(
            Deal(
                key=d["key"],
                customer=CustomerRef(id=customer.get("id"), email=customer.get("email")),
                start_date=self._date("/start_date", d["start_date"]),
                ramp=d.get("ramp"),
                phases=_phases(d["phases"]) if "phases" in d else None,
                overrides=tuple(
                    PhaseOverride(
                        phase=o["phase"],
                        quantities={
                            **o.get("quantities", {}),
                            **{
                                i["price"]: i["quantity"]
                                for i in o.get("items", [])
                                if "quantity" in i
                            },
                        },
                        discounts=tuple(o["discounts"]) if "discounts" in o else None,
                        items=_items(o.get("items", [])),  # their terms; quantities above
                    )
                    for o in d.get("overrides", [])
                ),
                extra_phases=_phases(d.get("extra_phases", [])),
                end_behavior=d.get("end_behavior", "release"),
                metadata=_text_map(d.get("metadata")),
                schedule=d.get("schedule"),
                source=source_of(self.document),
                collection_method=d.get("collection_method", "charge_automatically"),
                days_until_due=d.get("days_until_due"),
                proration_behavior=d.get("proration_behavior", "create_prorations"),
                one_off=_items(d.get("one_off", [])),
            )
        )

    def _migration(self) -> None:
        d = self.data
        at = d["at"]
        cohort = d.get("cohort", {})
        statuses = cohort.get("statuses")
        currencies = cohort.get("currencies")
        self.built.resources.append(
            Migration(
                key=d["key"],
                moves=tuple(Move(from_price=_price_ref(m["from"]), to=m["to"]) for m in d["moves"]),
                at=at if at in ("now", "renewal") else self._date("/at", at),
                # Stripe's default when the YAML does not say; only `at: now` prorates.
                proration_behavior=d.get("proration_behavior", "create_prorations")
                if at == "now"
                else None,
                cohort=Cohort(
                    statuses=DEFAULT_COHORT_STATUSES if statuses is None else tuple(statuses),
                    currencies=None if currencies is None else tuple(map(normalise, currencies)),
                    customer_metadata=_text_map(cohort.get("customer_metadata")),
                    exclude_customers=tuple(cohort.get("exclude_customers", [])),
                    include_deals=cohort.get("include_deals", False),
                    limit=cohort.get("limit"),
                ),
                source=source_of(self.document),
            )
        )


def _price_ref(given: str | Mapping[str, str]) -> PriceRef:
    if isinstance(given, str):
        return PriceRef(lookup_key=given)
    return PriceRef(id=given["id"])


def _transform(given: Mapping[str, Any] | None) -> TransformQuantity | None:
    if given is None:
        return None
    return TransformQuantity(divide_by=given["divide_by"], round=given["round"])


def _items(items: list[Mapping[str, Any]]) -> tuple[PhaseItem, ...]:
    """Phase items, one-offs, and an override's items (whose quantities go to ``quantities``)."""
    return tuple(
        PhaseItem(
            price=i["price"],
            quantity=i.get("quantity", 1),
            unit_amount=Decimal(str(i["unit_amount"])) if "unit_amount" in i else None,
            discounts=tuple(i.get("discounts", [])),
        )
        for i in items
    )


def _phases(phases: list[Mapping[str, Any]]) -> tuple[Phase, ...]:
    return tuple(
        Phase(
            duration=Duration(
                interval=p["duration"]["interval"], count=p["duration"].get("count", 1)
            ),
            items=_items(p["items"]),
            discounts=tuple(p.get("discounts", [])),
            trial=p.get("trial", False),
        )
        for p in phases
    )


# The builder of each YAML document kind (`catalogsync.kinds.DOCUMENT_KINDS`).
BUILDERS: Mapping[str, Callable[[_Converter], None]] = {
    "Product": _Converter._product,  # and the prices declared inside it
    "Coupon": _Converter._coupon,
    "PromotionCode": _Converter._promotion_code,
    "Feature": _Converter._feature,
    "Meter": _Converter._meter,
    "Ramp": _Converter._ramp,
    "Deal": _Converter._deal,
    "Migration": _Converter._migration,
}
