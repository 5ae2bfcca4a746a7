"""The Migration kind read from YAML: its model, the defaults, and a valid catalog loading."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from catalogsync.catalog import load_catalog
from catalogsync.model import DEFAULT_COHORT_STATUSES, Cohort, Migration, Move, PriceRef

NOW = datetime(2026, 12, 1, tzinfo=UTC)

PRODUCT = """\
kind: Product
key: advanced
name: Advanced
prices:
  - lookup_key: advanced_monthly
    currency: usd
    unit_amount: "99.00"
    recurring: {interval: month}
    currency_options: {eur: {unit_amount: "95.00"}}
  - lookup_key: essential_monthly
    currency: usd
    unit_amount: "29.00"
    recurring: {interval: month}
    currency_options: {eur: {unit_amount: "28.00"}}
"""


def _simple(at: str, to: str = "essential_monthly") -> str:
    return f"kind: Migration\nkey: m\nmoves: [{{from: advanced_monthly, to: {to}}}]\nat: {at}\n"


def _load(tmp_path: Path, migration: str) -> Migration:
    (tmp_path / "catalog.yaml").write_text(PRODUCT + "---\n" + migration)
    migrations = load_catalog(tmp_path, now=NOW).catalog.migrations
    assert list(migrations) == ["m"]
    return migrations["m"]


def test_every_field_is_read_into_the_model(tmp_path: Path) -> None:
    migration = _load(
        tmp_path,
        """\
kind: Migration
key: m
moves:
  - {from: advanced_monthly, to: advanced_monthly}
  - {from: {id: price_1Legacy}, to: essential_monthly}
at: now
proration_behavior: always_invoice
cohort:
  statuses: [active, past_due]
  currencies: [USD, eur]
  customer_metadata: {segment: smb}
  exclude_customers: [cus_Vip1]
  include_deals: false
  limit: 500
""",
    )
    assert migration.moves == (
        Move(PriceRef(lookup_key="advanced_monthly"), "advanced_monthly"),
        Move(PriceRef(id="price_1Legacy"), "essential_monthly"),
    )
    assert migration.at == "now"
    assert migration.proration_behavior == "always_invoice"
    assert migration.cohort == Cohort(
        statuses=("active", "past_due"),
        currencies=("usd", "eur"),  # upper case read as lower case, like price currencies
        customer_metadata={"segment": "smb"},
        exclude_customers=("cus_Vip1",),
        include_deals=False,
        limit=500,
    )
    assert migration.source is not None
    assert migration.source.line == 16  # after the product's 15 lines and ---


def test_defaults_stripes_proration_now_and_the_billable_cohort(tmp_path: Path) -> None:
    migration = _load(tmp_path, _simple("now", to="advanced_monthly"))
    # Stripe prorates unless told otherwise (docs.stripe.com/billing/subscriptions/prorations).
    assert migration.proration_behavior == "create_prorations"
    assert migration.cohort == Cohort()
    assert (
        migration.cohort.statuses == DEFAULT_COHORT_STATUSES == ("active", "trialing", "past_due")
    )


def test_renewal_and_a_date_have_no_proration_behavior(tmp_path: Path) -> None:
    renewal = _load(tmp_path, _simple("renewal"))
    assert (renewal.at, renewal.proration_behavior) == ("renewal", None)
    dated = _load(tmp_path, _simple("2027-03-01"))
    assert (dated.at, dated.proration_behavior) == (date(2027, 3, 1), None)
