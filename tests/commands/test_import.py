"""`catalogsync import`: round trips through plan and apply, exact amounts, stable files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from catalogsync.catalog import check_catalog, load_catalog
from catalogsync.errors import ConfigError
from catalogsync.importer.write import write_files
from catalogsync.scaffold import schema_files
from tests.commands.account import BY_HAND, by_hand, catalog_dir, client, run, seed_example


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An account holding the example catalog (managed) and objects made by hand."""
    path = tmp_path / "account.sqlite"
    emulator, sdk = client(path)
    seed_example(sdk)
    by_hand(sdk)
    emulator.close()
    return path


def _plan(catalog: Path) -> dict[str, object]:
    result = run(catalog, "plan", "--format", "json", "--no-impact")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_import_then_plan_shows_only_adoptions(tmp_path: Path, db: Path) -> None:
    catalog = catalog_dir(tmp_path / "catalog", db)
    result = run(catalog, "import")
    assert result.exit_code == 0, result.output
    assert "Wrote 15 file(s)" in result.stdout
    assert "Not managed by catalogsync yet:" in result.stdout
    # The keyless price gets a generated key; the plan's adoption sets it.
    assert re.search(
        r"generated lookup key for price price_\w+ of product kw_plan: kw_plan_usd_once",
        result.stdout,
    )
    # Only the warning the loader gives any licensed price finer than a cent.
    assert {d.code for d in check_catalog(catalog)} == {"fractional-amount"}
    ops = _plan(catalog)["operations"]
    assert isinstance(ops, list)
    adopted = {(op["target"]["kind"], op["target"]["key"]) for op in ops}
    expected = {(kind, key) for kind, keys in BY_HAND.items() for key in keys}
    assert adopted == expected | {("price", "kw_plan_usd_once")}
    assert {op["op"] for op in ops} == {"Adopt"}
    changes = {op["target"]["key"]: op["changes"] for op in ops if op["changes"]}
    assert changes == {
        "kw_plan_usd_once": [{"field": "lookup_key", "before": None, "after": "kw_plan_usd_once"}]
    }, "adopting changes no field but the generated key"


def test_imported_amounts_are_exact_major_units(tmp_path: Path, db: Path) -> None:
    catalog = catalog_dir(tmp_path / "catalog", db)
    run(catalog, "import")
    jp = (catalog / "products" / "jp_plan.yaml").read_text()
    assert 'unit_amount: "10800"' in jp  # JPY: zero-decimal
    kw = (catalog / "products" / "kw_plan.yaml").read_text()
    assert 'unit_amount: "5.120"' in kw  # KWD: three decimals
    assert "recurring: {interval: year, interval_count: 2}" in kw
    assert "tax_behavior: inclusive" in kw
    assert 'jpy: {unit_amount: "3000"}' in kw
    assert 'kwd: {unit_amount: "6.170"}' in kw
    assert 'eur: {unit_amount: "18.495"}' in kw  # finer than a cent, kept exactly
    volume = (catalog / "products" / "volume_plan.yaml").read_text()
    assert '- {up_to: 10, unit_amount: "12.00", flat_amount: "50.00"}' in volume
    assert '- {up_to: inf, unit_amount: "9.5025"}' in volume
    assert "percent_off: 5.5" in (catalog / "coupons.yaml").read_text()
    # The loader reads back the amounts Stripe holds, in minor units.
    prices = load_catalog(catalog).catalog.prices
    assert str(prices["jp_monthly"].unit_amount) == "10800"
    assert str(prices["kw_monthly"].unit_amount) == "5120"
    options = prices["usd_multi"].currency_options
    assert options is not None
    assert str(options["eur"].unit_amount) == "1849.5"


def test_import_leaves_out_archived_objects_and_names_keyless_prices(
    tmp_path: Path, db: Path
) -> None:
    catalog = catalog_dir(tmp_path / "catalog", db)
    run(catalog, "import")
    assert not (catalog / "products" / "old_plan.yaml").exists()
    kw = load_catalog(catalog).catalog
    assert sorted(p for p, v in kw.prices.items() if v.product == "kw_plan") == [
        "kw_monthly",
        "kw_plan_usd_once",
        "usd_multi",
    ]
    keyless = kw.prices["kw_plan_usd_once"]
    assert (keyless.currency, str(keyless.unit_amount), keyless.recurring) == ("usd", "500", None)
    archived = catalog_dir(tmp_path / "archived", db)
    assert run(archived, "import", "--include-archived").exit_code == 0
    old = (archived / "products" / "old_plan.yaml").read_text()
    assert "active: false" in old
    assert _plan(archived)["operations"] != []  # old_plan is adopted too


def test_importing_twice_writes_byte_identical_files(tmp_path: Path, db: Path) -> None:
    first = catalog_dir(tmp_path / "first", db)
    second = catalog_dir(tmp_path / "second", db)
    run(first, "import")
    run(second, "import")
    assert _files(first) == _files(second)
    run(first, "import", "--force")
    assert _files(first) == _files(second)


def test_modelines_point_at_the_repositorys_own_schemas(tmp_path: Path, db: Path) -> None:
    # A repository (its top holds .git) with the schemas `init` writes.
    (tmp_path / ".git").mkdir()
    write_files(tmp_path / "schemas", schema_files())
    catalog = catalog_dir(tmp_path / "catalog", db)
    run(catalog, "import")
    for path in catalog.rglob("*.yaml"):
        if path.name != "catalogsync.yaml":
            first = path.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=")
            schema = (path.parent / first.split("=", 1)[1]).resolve()
            assert schema.is_file(), schema
            assert schema.is_relative_to(tmp_path / "schemas"), "never into the installation"
    result = run(catalog, "validate")
    assert result.exit_code == 0, result.output


def test_without_schemas_in_the_repository_files_carry_no_modeline(
    tmp_path: Path, db: Path
) -> None:
    (tmp_path / ".git").mkdir()
    catalog = catalog_dir(tmp_path / "catalog", db)
    result = run(catalog, "import")
    assert result.exit_code == 0, result.output
    assert "no schemas/ directory in this repository" in result.stderr
    for path in catalog.rglob("*.yaml"):
        assert "$schema" not in path.read_text(), path


def test_import_refuses_to_overwrite_a_catalog(tmp_path: Path, db: Path) -> None:
    catalog = catalog_dir(tmp_path / "catalog", db)
    run(catalog, "import")
    with pytest.raises(ConfigError, match="already holds"):
        run(catalog, "import")


def test_adopt_writes_metadata_and_apply_then_plan_shows_nothing(tmp_path: Path, db: Path) -> None:
    plain = catalog_dir(tmp_path / "plain", db)
    run(plain, "import")
    assert "crm" not in (plain / "products" / "jp_plan.yaml").read_text()
    catalog = catalog_dir(tmp_path / "catalog", db)
    result = run(catalog, "import", "--adopt")
    assert result.exit_code == 0, result.output
    assert "metadata: {crm: jp-1}" in (catalog / "products" / "jp_plan.yaml").read_text()
    applied = run(catalog, "apply", "--yes")
    assert applied.exit_code == 0, applied.output
    assert _plan(catalog)["operations"] == []
    # Every object and metadata key is now catalogsync's, the keyless price
    # made by hand too (under its generated key): drift has nothing to report.
    drift = run(catalog, "drift", "--unmanaged")
    assert drift.exit_code == 0, drift.output
