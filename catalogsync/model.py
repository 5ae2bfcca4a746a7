"""The catalog model: frozen dataclasses for every kind.

The loader builds these from YAML and the Stripe gateway builds the same
types from the account, so `compare` works on one vocabulary. Amounts are
`Decimal` minor units (see `money.py`). A field that is ``None`` was not
declared in YAML: compare skips it (server-side-apply style). Remote objects
have every field Stripe returns filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, TypeVar

# Identity fields in Stripe metadata: the marks of an object catalogsync manages.
MANAGED_KEY = "catalogsync_managed"
IDENTITY_KEY = "catalogsync_key"
# The metadata keys catalogsync set last time, comma-separated (like
# kubectl's last-applied annotation): only these are unset when they leave YAML.
OWNED_KEYS_KEY = "catalogsync_owned"
RESERVED_METADATA = frozenset({MANAGED_KEY, IDENTITY_KEY, OWNED_KEYS_KEY})
# On a subscription a migration moved, and on the schedule that moves one later:
# the migration's key. A migration's schedule carries no MANAGED_KEY: it is no deal.
MIGRATION_KEY = "catalogsync_migration"
# The subscription statuses Stripe bills again, so the subscribers a price change
# concerns (docs.stripe.com/billing/subscriptions/overview#subscription-statuses).
BILLABLE_STATUSES = ("active", "trialing", "past_due", "unpaid", "paused")


@dataclass(frozen=True)
class Source:
    """Where a resource or field was declared (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Tier:
    up_to: int | None  # None is Stripe's "inf"
    unit_amount: Decimal | None = None
    flat_amount: Decimal | None = None


@dataclass(frozen=True)
class Recurring:
    interval: Literal["day", "week", "month", "year"]
    interval_count: int = 1
    usage_type: Literal["licensed", "metered"] = "licensed"
    meter: str | None = None  # the meter's event_name; the gateway maps it to an id


@dataclass(frozen=True)
class TransformQuantity:
    """Bill per bundle: the quantity is divided by ``divide_by`` and rounded before pricing."""

    divide_by: int
    round: Literal["up", "down"]


@dataclass(frozen=True)
class CustomUnitAmount:
    """The customer chooses the amount (Checkout, Payment Links), within these bounds."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    preset: Decimal | None = None


@dataclass(frozen=True)
class CurrencyOption:
    unit_amount: Decimal | None = None
    tiers: tuple[Tier, ...] | None = None
    tax_behavior: str | None = None


@dataclass(frozen=True)
class Price:
    lookup_key: str
    product: str  # product key
    currency: str
    unit_amount: Decimal | None = None
    recurring: Recurring | None = None
    billing_scheme: Literal["per_unit", "tiered"] | None = None
    tiers_mode: Literal["graduated", "volume"] | None = None
    tiers: tuple[Tier, ...] | None = None
    transform_quantity: TransformQuantity | None = None
    custom_unit_amount: CustomUnitAmount | None = None
    nickname: str | None = None
    tax_behavior: Literal["inclusive", "exclusive", "unspecified"] | None = None
    currency_options: Mapping[str, CurrencyOption] | None = None
    active: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Product:
    key: str  # the Stripe product id
    name: str
    description: str | None = None
    tax_code: str | None = None
    statement_descriptor: str | None = None
    unit_label: str | None = None
    url: str | None = None
    default_price: str | None = None  # a lookup key of one of this product's prices
    features: tuple[str, ...] | None = None  # entitlement feature lookup keys
    active: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Coupon:
    id: str
    name: str | None = None
    percent_off: Decimal | None = None
    amount_off: Decimal | None = None  # minor units of `currency`
    currency: str | None = None
    currency_options: Mapping[str, Decimal] | None = None  # amount_off per currency
    duration: Literal["once", "repeating", "forever"] = "once"
    duration_in_months: int | None = None
    max_redemptions: int | None = None
    redeem_by: int | None = None  # unix seconds
    applies_to: tuple[str, ...] | None = None  # product keys
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PromotionCode:
    code: str
    coupon: str  # coupon id
    active: bool = True
    max_redemptions: int | None = None
    expires_at: int | None = None  # unix seconds
    first_time_transaction: bool | None = None
    minimum_amount: Decimal | None = None  # minor units of minimum_amount_currency
    minimum_amount_currency: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Feature:
    lookup_key: str
    name: str
    active: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Meter:
    event_name: str
    display_name: str
    aggregation: Literal["sum", "count", "last"] = "sum"
    customer_payload_key: str | None = None  # Stripe's default: stripe_customer_id
    value_payload_key: str | None = None  # Stripe's default: value
    active: bool = True
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Duration:
    interval: Literal["day", "week", "month", "year"]
    count: int = 1


@dataclass(frozen=True)
class PhaseItem:
    price: str  # price lookup key
    quantity: int = 1
    # A negotiated amount per unit, in the price's major unit as written ("120.00"):
    # the schedule bills an inline price with the catalog price's product,
    # currency and interval instead of the catalog price.
    unit_amount: Decimal | None = None
    discounts: tuple[str, ...] = ()  # coupon ids on this item only (line-item discounts)


@dataclass(frozen=True)
class Phase:
    duration: Duration
    items: tuple[PhaseItem, ...]
    discounts: tuple[str, ...] = ()  # coupon ids
    trial: bool = False


@dataclass(frozen=True)
class Ramp:
    """A reusable shape of a ramped deal; lives only in the catalog."""

    key: str
    phases: tuple[Phase, ...]
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PhaseOverride:
    """A deal's change to one phase of its ramp (numbered from 1, as the plan shows phases)."""

    phase: int
    quantities: Mapping[str, int] = field(default_factory=dict)  # price lookup key -> qty
    discounts: tuple[str, ...] | None = None
    items: tuple[PhaseItem, ...] = ()  # replace the phase's item of the same price


@dataclass(frozen=True)
class CustomerRef:
    id: str | None = None
    email: str | None = None


CollectionMethod = Literal["charge_automatically", "send_invoice"]
ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]


@dataclass(frozen=True)
class Deal:
    """One customer's ramped contract, synced to a subscription schedule."""

    key: str
    customer: CustomerRef
    start_date: date
    ramp: str | None = None
    phases: tuple[Phase, ...] | None = None  # inline phases instead of a ramp
    overrides: tuple[PhaseOverride, ...] = ()
    extra_phases: tuple[Phase, ...] = ()
    end_behavior: Literal["release", "cancel"] = "release"
    metadata: Mapping[str, str] = field(default_factory=dict)
    schedule: str | None = None  # a schedule made outside catalogsync that the deal adopts
    source: Source | None = field(default=None, compare=False)
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: int | None = None  # payment terms; only with send_invoice
    proration_behavior: ProrationBehavior = "create_prorations"  # at each phase transition
    one_off: tuple[PhaseItem, ...] = ()  # one-time prices billed with the first invoice


# The subscription statuses a migration may move (those Stripe bills again), and
# the ones it moves unless its cohort says otherwise.
MigrationStatus = Literal["active", "trialing", "past_due", "unpaid", "paused"]
DEFAULT_COHORT_STATUSES: tuple[MigrationStatus, ...] = ("active", "trialing", "past_due")


@dataclass(frozen=True)
class PriceRef:
    """A price a migration moves from: a lookup key (every price that ever held it) or an id."""

    lookup_key: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        return self.lookup_key if self.lookup_key is not None else f"{{id: {self.id}}}"


@dataclass(frozen=True)
class Move:
    """Subscribers on ``from_price`` move to the price holding the lookup key ``to``."""

    from_price: PriceRef
    to: str


@dataclass(frozen=True)
class Cohort:
    """Which subscriptions on a migration's `from` prices move (``None``: any)."""

    statuses: tuple[MigrationStatus, ...] = DEFAULT_COHORT_STATUSES
    currencies: tuple[str, ...] | None = None
    customer_metadata: Mapping[str, str] = field(default_factory=dict)
    exclude_customers: tuple[str, ...] = ()
    include_deals: bool = False
    limit: int | None = None  # at most this many per apply, oldest subscription first


@dataclass(frozen=True)
class Migration:
    """Existing subscribers to move to new prices: now, at renewal or on a date.

    ``proration_behavior`` is set only with ``at == "now"`` (Stripe's default,
    ``create_prorations``, when the YAML does not say).
    """

    key: str
    moves: tuple[Move, ...]
    at: Literal["now", "renewal"] | date
    proration_behavior: ProrationBehavior | None = None
    cohort: Cohort = field(default_factory=Cohort)
    source: Source | None = field(default=None, compare=False)


Resource = Product | Price | Coupon | PromotionCode | Feature | Meter | Ramp | Deal | Migration


@dataclass(frozen=True)
class Catalog:
    """The desired state, keyed by each kind's identity."""

    products: Mapping[str, Product] = field(default_factory=dict)
    prices: Mapping[str, Price] = field(default_factory=dict)  # by lookup_key
    coupons: Mapping[str, Coupon] = field(default_factory=dict)
    promotion_codes: Mapping[str, PromotionCode] = field(default_factory=dict)
    features: Mapping[str, Feature] = field(default_factory=dict)
    meters: Mapping[str, Meter] = field(default_factory=dict)  # by event_name
    ramps: Mapping[str, Ramp] = field(default_factory=dict)
    deals: Mapping[str, Deal] = field(default_factory=dict)
    migrations: Mapping[str, Migration] = field(default_factory=dict)


R = TypeVar("R")


@dataclass(frozen=True)
class Remote(Generic[R]):
    """A resource as read from Stripe, with what only Stripe knows about it.

    ``resource.metadata`` holds the user's keys only; catalogsync's own
    bookkeeping keys are parsed into ``managed`` and ``owned_metadata``.
    """

    id: str
    resource: R
    managed: bool
    owned_metadata: frozenset[str] = frozenset()
    created: int = 0
    # Billing fields Stripe holds that the catalog format cannot express
    # ("recurring.trial_period_days"): such an object is never replaced nor imported.
    unmodelled: tuple[str, ...] = ()
