"""The emulator control that puts a subscription in a status Stripe reaches over time."""

from __future__ import annotations

import pytest
import stripe


def _subscription(client: stripe.StripeClient) -> str:
    price = client.v1.prices.create(
        {
            "product_data": {"name": "Seat"},
            "currency": "usd",
            "unit_amount": 900,
            "recurring": {"interval": "month"},
        }
    )
    customer = client.v1.customers.create({"email": "a@example.com"})
    return client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": price.id}]}
    ).id


def test_forced_status_is_what_the_api_reports_and_filters_by(
    stripe_client: stripe.StripeClient,
) -> None:
    sub = _subscription(stripe_client)
    stripe_client.raw_request("post", f"/_emulator/subscriptions/{sub}/status", status="unpaid")
    assert stripe_client.v1.subscriptions.retrieve(sub).status == "unpaid"
    listed = stripe_client.v1.subscriptions.list({"status": "unpaid"})
    assert [s.id for s in listed.data] == [sub]
    assert stripe_client.v1.subscriptions.list({"status": "active"}).data == []


def test_unknown_status_or_subscription_is_refused(stripe_client: stripe.StripeClient) -> None:
    sub = _subscription(stripe_client)
    # past_due and trialing are reached as in Stripe: a failed payment, a trial.
    path = f"/_emulator/subscriptions/{sub}/status"
    with pytest.raises(stripe.InvalidRequestError, match="Invalid status: past_due"):
        stripe_client.raw_request("post", path, status="past_due")
    with pytest.raises(stripe.InvalidRequestError, match="No such subscription"):
        stripe_client.raw_request(
            "post", "/_emulator/subscriptions/sub_nope/status", status="unpaid"
        )
