"""`catalogsync drift`: Dashboard-style edits through the SDK, each with exit code and report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.errors import ConfigError
from tests.commands.account import catalog_dir, client, run, seed_example
from tests.paths import EXAMPLE

Edit = Callable[[stripe.StripeClient], None]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The example catalog (no deals) and an account where it is applied, as SDK calls."""
    db = tmp_path / "account.sqlite"
    emulator, sdk = client(db)
    seed_example(sdk)
    emulator.close()
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".*", "deals"))
    return catalog_dir(root, db)


def _edit(catalog: Path, edit: Edit) -> None:
    emulator, sdk = client(catalog.parent / "account.sqlite")
    edit(sdk)
    emulator.close()


def _price(sdk: stripe.StripeClient, key: str) -> str:
    price_id: str = sdk.v1.prices.list({"lookup_keys": [key]}).data[0].id
    return price_id


def _nickname(sdk: stripe.StripeClient) -> None:
    sdk.v1.prices.update(_price(sdk, "advanced_seat_monthly"), {"nickname": "Advanced (promo)"})


def _metadata(sdk: stripe.StripeClient) -> None:
    sdk.v1.products.update("advanced", {"metadata": {"tier": ""}})  # the catalog's key removed
    sdk.v1.coupons.update("STARTUP90", {"metadata": {"program": "accelerator"}})


def _archive(sdk: stripe.StripeClient) -> None:
    sdk.v1.prices.update(_price(sdk, "expert_seat_annual"), {"active": False})


def _delete_coupon(sdk: stripe.StripeClient) -> None:
    sdk.v1.coupons.delete("ANNUAL_PREPAY_15")


def _unmanaged_price(sdk: stripe.StripeClient) -> None:
    sdk.v1.prices.create(
        {
            "product": "advanced",
            "recurring": {"interval": "month"},
            "currency": "usd",
            "unit_amount": 4900,
            "nickname": "Advanced, Black Friday",
        }
    )


CASES: dict[str, tuple[Edit, list[str]]] = {
    "nickname": (
        _nickname,
        [
            "changed   price advanced_seat_monthly (price_",
            'nickname: Stripe has "Advanced (promo)", the catalog says "Advanced seat, monthly"',
            "1 difference between Stripe and the catalog: 1 changed in Stripe.",
        ],
    ),
    "metadata": (
        _metadata,
        [
            "changed   product advanced differs",
            'metadata.tier: Stripe has (unset), the catalog says "advanced"',
            "changed   coupon STARTUP90 differs",
            'metadata.program: Stripe has "accelerator", the catalog says "early_stage"',
            "2 differences between Stripe and the catalog: 2 changed in Stripe.",
        ],
    ),
    "archived price": (
        _archive,
        [
            "changed   price expert_seat_annual (price_",
            "archived in Stripe; the catalog has it active",
        ],
    ),
    "deleted coupon": (
        _delete_coupon,
        [
            "missing   coupon ANNUAL_PREPAY_15 is in the catalog but not in Stripe",
            "`catalogsync apply` would: 1 to create, 0 to update, 0 to replace, 0 to archive.",
        ],
    ),
    "unmanaged price": (
        _unmanaged_price,
        [
            "extra     price price_",
            "on product advanced is in Stripe, not in the catalog",
            'nickname "Advanced, Black Friday", $49.00, every month, no lookup key',
            "1 difference between Stripe and the catalog: 1 in Stripe, not in the catalog.",
        ],
    ),
}


def test_no_drift_exits_0(catalog: Path) -> None:
    result = run(catalog, "drift")
    assert result.exit_code == 0, result.output
    assert "No drift: Stripe matches the catalog." in result.stdout


@pytest.mark.parametrize("case", CASES)
def test_dashboard_edit_is_drift(catalog: Path, case: str) -> None:
    edit, expected = CASES[case]
    _edit(catalog, edit)
    result = run(catalog, "drift")
    assert result.exit_code == 2, result.output
    for line in expected:
        assert line in result.stdout
    markdown = run(catalog, "drift", "--format", "markdown")
    assert markdown.exit_code == 2
    assert markdown.stdout.startswith("### catalogsync drift\n")
    assert "<summary>The plan</summary>" in markdown.stdout or case == "unmanaged price"


def test_markdown_report_is_an_issue_body(catalog: Path) -> None:
    _edit(catalog, _nickname)
    _edit(catalog, _delete_coupon)
    body = run(catalog, "drift", "--format", "markdown").stdout
    assert "**2 differences between Stripe and the catalog: 1 changed in Stripe, 1 missing" in body
    assert "#### Changed in Stripe\n\n- price advanced_seat_monthly (price_" in body
    assert "#### Missing from Stripe\n\n- coupon ANNUAL_PREPAY_15 is in the catalog" in body
    # The fix is the plan, rendered by the plan's own Markdown renderer.
    assert "### catalogsync plan" in body
    assert "<code>~</code> update price advanced_seat_monthly" in body
    assert "objects catalogsync does not own not listed" in body


def _foreign(sdk: stripe.StripeClient) -> None:
    sdk.v1.products.create({"id": "side_project", "name": "Side project"})
    sdk.v1.products.update("essential", {"metadata": {"salesforce_id": "SF-1"}})


def test_unmanaged_lists_what_catalogsync_does_not_own(catalog: Path) -> None:
    _edit(catalog, _foreign)
    assert run(catalog, "drift").exit_code == 0, "not reported unless asked"
    result = run(catalog, "drift", "--unmanaged")
    assert result.exit_code == 2
    assert (
        "unmanaged product side_project is in Stripe, not managed by catalogsync" in result.stdout
    )
    assert "unmanaged product essential: metadata the catalog does not declare" in result.stdout
    assert 'metadata.salesforce_id: Stripe has "SF-1"' in result.stdout


def test_json_report(catalog: Path) -> None:
    _edit(catalog, _archive)
    result = run(catalog, "drift", "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["drift"] is True
    (finding,) = data["findings"]
    assert finding["category"] == "changed"
    assert finding["key"] == "expert_seat_annual"
    assert finding["details"] == ["archived in Stripe; the catalog has it active"]
    assert data["plan"]["digest"] in result.stdout
    # The same finding as data: the field, both values, and the step that undoes it.
    assert finding["changes"] == [{"field": "active", "stripe": False, "catalog": True}]
    (op,) = data["plan"]["operations"]
    assert finding["operation"] == op["id"]
    assert finding["metadata"] == {}


def test_json_lists_foreign_metadata_as_data(catalog: Path) -> None:
    _edit(catalog, _foreign)
    data = json.loads(run(catalog, "drift", "--unmanaged", "--format", "json").stdout)
    (metadata, unmanaged) = sorted(data["findings"], key=lambda f: not f["metadata"])
    assert (metadata["kind"], metadata["key"]) == ("product", "essential")
    assert metadata["metadata"] == {"salesforce_id": "SF-1"}
    assert (unmanaged["key"], unmanaged["metadata"], unmanaged["changes"]) == (
        "side_project",
        {},
        [],
    )
    assert metadata["operation"] is None
    assert unmanaged["operation"] is None


def test_drift_reads_with_a_restricted_read_only_key(
    catalog: Path, emulator: Emulator, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_example(emulator.stripe_client("sk_test_drift_account"))
    live = f"{{api_key_env: DRIFT_KEY, api_base: '{emulator_url}'}}"
    (catalog / "catalogsync.yaml").write_text(f"version: 1\nenvironments:\n  live: {live}\n")
    emulator.reset_counters()
    monkeypatch.setenv("DRIFT_KEY", "rk_test_drift_account")
    result = run(catalog, "drift", "--env", "live")
    assert result.exit_code == 0, result.output
    assert all(method == "GET" for method, _ in emulator.counters())
    with pytest.raises(stripe.PermissionError):  # the key really is read-only
        emulator.stripe_client("rk_test_drift_account").v1.products.update(
            "advanced", {"name": "x"}
        )


def test_missing_key_is_an_error(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  live: {api_key_env: DRIFT_KEY_UNSET}\n"
    )
    monkeypatch.delenv("DRIFT_KEY_UNSET", raising=False)
    with pytest.raises(ConfigError, match="DRIFT_KEY_UNSET"):
        run(catalog, "drift", "--env", "live")
