"""An account for import and drift tests: the example catalog plus objects made by hand.

The example catalog (without deals, which import leaves alone) is created
through the SDK with catalogsync's markers, as `apply` would leave it; the
"by hand" objects are what a Dashboard user or another integration makes:
no markers, amounts in JPY, KWD and USD, tiers with flat amounts, currency
options, a price without a lookup key and an archived product.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import stripe
from click.testing import CliRunner, Result

from benchmarks.seed import seed_catalog
from catalogsync.catalog import load_catalog
from catalogsync.cli import cli
from catalogsync.emulator import Emulator
from tests.paths import EXAMPLE

LOCAL_KEY = "sk_test_catalogsync_local"  # the key `connect` uses for the embedded emulator
# Unmanaged objects `by_hand` creates that import writes (and plan then adopts).
BY_HAND = {
    "product": ["jp_plan", "kw_plan", "volume_plan"],
    "price": ["jp_monthly", "kw_monthly", "volume_tiers", "usd_multi"],
    "coupon": ["HANDMADE5"],
    "promotion_code": ["HANDMADE"],
    "feature": ["priority_support"],
}


def catalog_dir(root: Path, db: Path) -> Path:
    """A catalog directory holding only a catalogsync.yaml for the account in ``db``."""
    root.mkdir(parents=True, exist_ok=True)
    rel = Path("..") / db.relative_to(root.parent)
    (root / "catalogsync.yaml").write_text(
        f"version: 1\nenvironments:\n  local: {{emulator: {rel}}}\n"
    )
    return root


def client(db: Path) -> tuple[Emulator, stripe.StripeClient]:
    emulator = Emulator(db)
    return emulator, emulator.stripe_client(LOCAL_KEY)


def seed_example(sdk: stripe.StripeClient) -> None:
    loaded = load_catalog(EXAMPLE)
    seed_catalog(sdk, dataclasses.replace(loaded.catalog, deals={}))


def by_hand(sdk: stripe.StripeClient) -> None:
    """Objects made outside catalogsync (no markers)."""
    v1 = sdk.v1
    v1.products.create({"id": "jp_plan", "name": "Japan plan", "metadata": {"crm": "jp-1"}})
    v1.prices.create(
        {
            "product": "jp_plan",
            "currency": "jpy",
            "unit_amount": 10800,
            "recurring": {"interval": "month"},
            "lookup_key": "jp_monthly",
            "nickname": "Japan, monthly",
        }
    )
    v1.products.create({"id": "kw_plan", "name": "Kuwait plan"})
    v1.prices.create(
        {
            "product": "kw_plan",
            "currency": "kwd",
            "unit_amount": 5120,
            "recurring": {"interval": "year", "interval_count": 2},
            "lookup_key": "kw_monthly",
            "tax_behavior": "inclusive",
        }
    )
    v1.prices.create(
        {
            "product": "kw_plan",
            "currency": "usd",
            "unit_amount": 1999,
            "lookup_key": "usd_multi",
            "currency_options": {
                "jpy": {"unit_amount": 3000},
                "kwd": {"unit_amount": 6170},
                "eur": {"unit_amount_decimal": Decimal("1849.5")},
            },
        }
    )
    v1.prices.create({"product": "kw_plan", "currency": "usd", "unit_amount": 500})  # no key
    v1.products.create({"id": "volume_plan", "name": "Volume plan"})
    v1.prices.create(
        {
            "product": "volume_plan",
            "currency": "usd",
            "billing_scheme": "tiered",
            "tiers_mode": "volume",
            "recurring": {"interval": "month"},
            "lookup_key": "volume_tiers",
            "tiers": [
                {"up_to": 10, "unit_amount": 1200, "flat_amount": 5000},
                {"up_to": "inf", "unit_amount_decimal": Decimal("950.25")},
            ],
        }
    )
    v1.products.create({"id": "old_plan", "name": "Old plan", "active": False})
    v1.coupons.create({"id": "HANDMADE5", "percent_off": 5.5, "duration": "forever"})
    v1.promotion_codes.create(
        {"code": "HANDMADE", "promotion": {"type": "coupon", "coupon": "HANDMADE5"}}
    )
    v1.entitlements.features.create({"lookup_key": "priority_support", "name": "Priority support"})


def run(catalog: Path, *args: str) -> Result:
    """Run the CLI in-process on ``catalog``."""
    return CliRunner().invoke(cli, ["--catalog", str(catalog), *args], catch_exceptions=False)
