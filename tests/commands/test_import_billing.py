"""Import writes every billing field, or refuses the object and names the field.

A storage price billed per 10 GB rounded up (`transform_quantity`), a
pay-what-you-want price (`custom_unit_amount`) and a product's
`statement_descriptor` survive import, and a later price change keeps the
unit: new customers keep paying per 10 GB.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from catalogsync.errors import ImportRefused
from tests.commands.account import catalog_dir, client, run


def _account(db: Path, *, trial_days: int | None = None) -> None:
    emulator, sdk = client(db)
    v1 = sdk.v1
    v1.products.create({"id": "storage", "name": "Storage", "statement_descriptor": "ACME STORAGE"})
    recurring: dict[str, object] = {"interval": "month"}
    if trial_days is not None:
        recurring["trial_period_days"] = trial_days
    v1.prices.create(
        {
            "product": "storage",
            "currency": "usd",
            "unit_amount": 50,  # $0.50 per started 10 GB
            "recurring": recurring,  # type: ignore[typeddict-item]
            "transform_quantity": {"divide_by": 10, "round": "up"},
            "lookup_key": "storage_10gb",
        }
    )
    v1.prices.create(
        {
            "product": "storage",
            "currency": "usd",
            "custom_unit_amount": {"enabled": True, "minimum": 500, "preset": 2500},
            "lookup_key": "storage_donation",
        }
    )
    emulator.close()


def _plan(catalog: Path) -> list[dict[str, object]]:
    result = run(catalog, "plan", "--format", "json", "--no-impact")
    assert result.exit_code == 0, result.output
    ops: list[dict[str, object]] = json.loads(result.stdout)["operations"]
    return ops


def test_billing_fields_survive_import_and_a_later_price_change(tmp_path: Path) -> None:
    db = tmp_path / "account.sqlite"
    _account(db)
    catalog = catalog_dir(tmp_path / "catalog", db)
    assert run(catalog, "import").exit_code == 0
    written = yaml.safe_load((catalog / "products" / "storage.yaml").read_text())
    assert written["statement_descriptor"] == "ACME STORAGE"
    prices = {p["lookup_key"]: p for p in written["prices"]}
    assert prices["storage_10gb"]["transform_quantity"] == {"divide_by": 10, "round": "up"}
    assert prices["storage_donation"]["custom_unit_amount"] == {
        "minimum": "5.00",
        "preset": "25.00",
    }
    ops = _plan(catalog)
    assert {op["op"] for op in ops} == {"Adopt"}
    assert all(not op["changes"] for op in ops)  # nothing differs: every field was written
    assert run(catalog, "apply", "--yes").exit_code == 0

    # A 10 % increase: the new price keeps billing per 10 GB, rounded up.
    path = catalog / "products" / "storage.yaml"
    path.write_text(path.read_text().replace('unit_amount: "0.50"', 'unit_amount: "0.55"'))
    plan = run(catalog, "plan")
    assert "unit_amount: $0.50 → $0.55 (+10.0%)" in plan.stdout
    assert "transform_quantity: per 10 units, rounded up" in plan.stdout
    assert run(catalog, "apply", "--yes").exit_code == 0
    emulator, sdk = client(db)
    new = sdk.v1.prices.list({"lookup_keys": ["storage_10gb"]}).data[0].to_dict()
    emulator.close()
    assert new["unit_amount"] == 55
    assert new["transform_quantity"] == {"divide_by": 10, "round": "up"}


def test_a_price_with_billing_the_format_cannot_express_is_refused_by_name(
    tmp_path: Path,
) -> None:
    db = tmp_path / "account.sqlite"
    _account(db, trial_days=14)
    catalog = catalog_dir(tmp_path / "catalog", db)
    with pytest.raises(ImportRefused) as refused:
        run(catalog, "import")
    assert "import refused, nothing was written" in str(refused.value)
    assert re.search(
        r"price storage_10gb \(price_\w+\): recurring.trial_period_days", str(refused.value)
    )
    assert not (catalog / "products").exists()
