"""What Stripe holds after apply is what the plan said: prices, currency options, metadata.

Each test applies a catalog to the emulator through the real SDK, changes the
catalog, plans, applies, and reads back what the subscriptions and prices hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import stripe

from catalogsync.plan.operations import Replace, Update
from tests.apply.apply_support import apply_plan, converge, plan_for

PRO = """\
kind: Product
key: pro
name: Pro
prices:
  - lookup_key: pro_seat
    currency: usd
    unit_amount: "30.00"
    recurring: {{interval: month}}
{extra}"""


def _catalog(path: Path, extra: str) -> Path:
    path.mkdir(exist_ok=True)
    (path / "pro.yaml").write_text(PRO.format(extra=extra))
    return path


def _price(client: stripe.StripeClient, lookup_key: str) -> dict[str, Any]:
    query = {"lookup_keys": [lookup_key], "expand": ["data.currency_options"]}
    found = client.v1.prices.list(query).data  # type: ignore[arg-type]
    assert len(found) == 1
    return found[0].to_dict()


def _subscribe(client: stripe.StripeClient, price: str, **extra: Any) -> str:
    customer = client.v1.customers.create({"email": f"{len(extra)}@example.com"})
    items = [{"price": price, "quantity": 3}]
    return client.v1.subscriptions.create({"customer": customer.id, "items": items, **extra}).id  # type: ignore[arg-type]  # **extra: parameters a caller adds


def _item_price(client: stripe.StripeClient, subscription: str) -> str:
    sub = client.v1.subscriptions.retrieve(subscription).to_dict()
    return str(sub["items"]["data"][0]["price"]["id"])


def _amounts(price: dict[str, Any]) -> dict[str, int]:
    return {c: o["unit_amount"] for c, o in price["currency_options"].items()}


def test_changed_currency_option_is_a_replace_and_its_subscribers_keep_the_old_amount(
    stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    options = (
        '    currency_options: {{eur: {{unit_amount: "{eur}"}}, gbp: {{unit_amount: "23.00"}}}}\n'
    )
    catalog = _catalog(tmp_path / "catalog", options.format(eur="27.00"))
    assert not converge(stripe_client, catalog).operations
    old = _price(stripe_client, "pro_seat")["id"]
    in_eur = _subscribe(stripe_client, old, currency="eur")

    _catalog(catalog, options.format(eur="29.70"))
    plan = plan_for(stripe_client, catalog)
    assert isinstance(plan.operations[0], Replace)
    apply_plan(stripe_client, plan)

    assert _item_price(stripe_client, in_eur) == old
    kept = stripe_client.v1.prices.retrieve(old, {"expand": ["currency_options"]}).to_dict()
    assert _amounts(kept) == {"usd": 3000, "eur": 2700, "gbp": 2300}
    assert kept["active"] is False
    new = _price(stripe_client, "pro_seat")
    assert new["id"] != old
    assert _amounts(new) == {"usd": 3000, "eur": 2970, "gbp": 2300}
    assert not plan_for(stripe_client, catalog).operations


def test_added_currency_option_changes_the_price_in_place(
    stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = _catalog(
        tmp_path / "catalog", '    currency_options: {eur: {unit_amount: "27.00"}}\n'
    )
    assert not converge(stripe_client, catalog).operations
    old = _price(stripe_client, "pro_seat")["id"]

    added = '    currency_options: {eur: {unit_amount: "27.00"}, aud: {unit_amount: "45.00"}}\n'
    _catalog(catalog, added)
    plan = plan_for(stripe_client, catalog)
    assert [type(op) for op in plan.operations] == [Update]
    apply_plan(stripe_client, plan)

    price = _price(stripe_client, "pro_seat")
    assert price["id"] == old
    assert _amounts(price) == {"usd": 3000, "eur": 2700, "aud": 4500}


def _metadata(client: stripe.StripeClient, price_id: str) -> dict[str, str]:
    return dict(client.v1.prices.retrieve(price_id).to_dict()["metadata"])


def _applied_then_tagged(
    client: stripe.StripeClient, catalog: Path, extra: str, tags: dict[str, str]
) -> str:
    """Apply the catalog, then let someone else write ``tags`` on the price; its id."""
    assert not converge(client, _catalog(catalog, extra)).operations
    price = str(_price(client, "pro_seat")["id"])
    client.v1.prices.update(price, {"metadata": tags})
    return price


def test_declared_key_that_already_matched_becomes_owned_and_is_unset_when_removed(
    stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    price = _applied_then_tagged(stripe_client, catalog, "", {"tier": "pro"})  # set by hand

    _catalog(catalog, "    metadata: {tier: pro}\n")  # the catalog now declares it
    assert not converge(stripe_client, catalog).operations
    assert _metadata(stripe_client, price)["catalogsync_owned"] == "tier"

    _catalog(catalog, "")  # and drops it again: catalogsync set it, so it is unset
    assert not converge(stripe_client, catalog).operations
    assert "tier" not in _metadata(stripe_client, price)


def test_replace_copies_the_metadata_other_tools_wrote_to_the_new_price(
    stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    tier = "    metadata: {tier: pro}\n"
    old = _applied_then_tagged(stripe_client, catalog, tier, {"crm_id": "crm-881"})  # a CRM sync

    (catalog / "pro.yaml").write_text(PRO.format(extra=tier).replace('"30.00"', '"33.00"'))
    assert not converge(stripe_client, catalog).operations
    new = _price(stripe_client, "pro_seat")
    assert new["id"] != old
    assert new["unit_amount"] == 3300
    assert {k: v for k, v in new["metadata"].items() if not k.startswith("catalogsync_")} == {
        "tier": "pro",
        "crm_id": "crm-881",
    }
    assert new["metadata"]["catalogsync_owned"] == "tier"  # crm_id stays the CRM's
