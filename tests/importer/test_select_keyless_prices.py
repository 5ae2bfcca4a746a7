"""Keyless prices of a legacy account: import names them, the plan adopts them and sets the key."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.importer.select import generated_lookup_key
from catalogsync.model import Price, Recurring
from tests.conftest import CliResult

LOCAL_KEY = "sk_test_catalogsync_local"  # the key `connect` sends to the embedded emulator


@pytest.fixture
def account(tmp_path: Path) -> Iterator[stripe.StripeClient]:
    """A `local` account of a catalog in tmp_path/catalog, with one product and no prices."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  local: {emulator: .catalogsync/local.sqlite}\n"
    )
    (catalog / ".catalogsync").mkdir()
    emulator = Emulator(catalog / ".catalogsync" / "local.sqlite")
    client = emulator.stripe_client(LOCAL_KEY)
    client.v1.products.create({"id": "legacy", "name": "Legacy"})
    yield client
    emulator.close()


def _monthly(client: stripe.StripeClient, cents: int) -> str:
    price = client.v1.prices.create(
        {
            "product": "legacy",
            "currency": "usd",
            "unit_amount": cents,
            "recurring": {"interval": "month"},
        }
    )
    return price.id


def _catalog(tmp_path: Path, prices: str) -> None:
    (tmp_path / "catalog" / "legacy.yaml").write_text(
        f"kind: Product\nkey: legacy\nname: Legacy\nprices:\n{prices}"
    )


def _plan(run_cli: Callable[..., CliResult], tmp_path: Path) -> list[dict[str, Any]]:
    result = run_cli(
        "--catalog", str(tmp_path / "catalog"), "plan", "--format", "json", "--no-impact"
    )
    assert result.code == 0, result.err
    ops: list[dict[str, Any]] = json.loads(result.out)["operations"]
    return ops


def test_a_catalog_price_equal_to_a_keyless_one_adopts_it_and_sets_the_key(
    tmp_path: Path, account: stripe.StripeClient, run_cli: Callable[..., CliResult]
) -> None:
    nine = _monthly(account, 900)
    _catalog(
        tmp_path,
        '  - {lookup_key: legacy_monthly, currency: usd, unit_amount: "9.00",'
        " recurring: {interval: month}}\n"
        '  - {lookup_key: legacy_pro, currency: usd, unit_amount: "19.00",'
        " recurring: {interval: month}}\n",
    )
    ops = {(o["op"], o["target"]["key"]): o for o in _plan(run_cli, tmp_path)}
    adopt = ops[("Adopt", "legacy_monthly")]
    assert adopt["target"]["stripe_id"] == nine
    assert adopt["changes"] == [{"field": "lookup_key", "before": None, "after": "legacy_monthly"}]
    # A different amount is not the same price: it is created, the keyless one stays as it is.
    assert ("Create", "legacy_pro") in ops
    applied = run_cli("--catalog", str(tmp_path / "catalog"), "apply", "--yes")
    assert applied.code == 0, applied.err
    assert account.v1.prices.retrieve(nine).lookup_key == "legacy_monthly"
    assert _plan(run_cli, tmp_path) == []


def test_identical_keyless_prices_pair_one_to_one(
    tmp_path: Path, account: stripe.StripeClient, run_cli: Callable[..., CliResult]
) -> None:
    first, second = _monthly(account, 900), _monthly(account, 900)
    line = 'currency: usd, unit_amount: "9.00", recurring: {interval: month}}\n'
    _catalog(
        tmp_path,
        f"  - {{lookup_key: a, {line}  - {{lookup_key: b, {line}  - {{lookup_key: c, {line}",
    )
    ops = _plan(run_cli, tmp_path)
    adopted = {
        o["target"]["stripe_id"]
        for o in ops
        if o["op"] == "Adopt" and o["target"]["kind"] == "price"
    }
    assert adopted == {first, second}
    created = [o["target"]["key"] for o in ops if o["op"] == "Create"]
    assert len(created) == 1, "two Stripe prices, three catalog prices: one is new"


def test_an_archived_keyless_price_is_never_adopted(
    tmp_path: Path, account: stripe.StripeClient, run_cli: Callable[..., CliResult]
) -> None:
    account.v1.prices.update(_monthly(account, 900), {"active": False})
    _catalog(
        tmp_path,
        '  - {lookup_key: legacy_monthly, currency: usd, unit_amount: "9.00",'
        " recurring: {interval: month}}\n",
    )
    assert [(o["op"], o["target"]["key"]) for o in _plan(run_cli, tmp_path)] == [
        ("Adopt", "legacy"),
        ("Create", "legacy_monthly"),
    ]


def test_generated_keys_read_as_cadence_and_never_clash() -> None:
    def price(recurring: Recurring | None, currency: str = "usd") -> Price:
        return Price(lookup_key="", product="team", currency=currency, recurring=recurring)

    taken = {"team_usd_month"}
    assert generated_lookup_key(price(Recurring("month")), taken) == "team_usd_month_2"
    assert generated_lookup_key(price(Recurring("month", 3)), taken) == "team_usd_3month"
    assert generated_lookup_key(price(None, "eur"), taken) == "team_eur_once"
