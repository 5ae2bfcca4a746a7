"""Stripe's own proration for an item swap: ``POST /v1/invoices/create_preview``.

The invoice preview is asked for the very swap a migration makes
(``subscription_details[items]`` with the item ids, the new prices and the
kept quantities, the ``proration_behavior`` and, with prorations, the
``proration_date``), and its proration lines
(``parent.subscription_item_details.proration = true``,
docs.stripe.com/api/invoices/create_preview, docs.stripe.com/billing/subscriptions/prorations
"preview a proration") are summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import stripe

from catalogsync.errors import GatewayError
from catalogsync.gateway.failures import describe_error
from catalogsync.gateway.fetch import Json, paced
from catalogsync.transport.ratelimit import TokenBucket

# (subscription item id, new price id, quantity)
Swap = tuple[str, str, int]


def previewed_proration(
    client: stripe.StripeClient,
    subscription: str,
    swaps: Sequence[Swap],
    *,
    behavior: str,
    moment: int,
    limiter: TokenBucket,
) -> Decimal | None:
    """The sum of the proration lines Stripe previews; None when they fill more than a page."""
    details: dict[str, Any] = {
        "items": [{"id": item, "price": price, "quantity": qty} for item, price, qty in swaps],
        "proration_behavior": behavior,
    }
    if behavior != "none":  # Stripe takes no proration date without prorations
        details["proration_date"] = moment
    path = "/v1/invoices/create_preview"
    params = {"subscription": subscription, "subscription_details": details}
    try:
        invoice: Json = paced(lambda: client.raw_request("post", path, **params), limiter).data
    except stripe.StripeError as e:
        raise GatewayError(
            f"previewing the proration of {subscription} failed: {describe_error(e)}"
        ) from None
    lines = invoice["lines"]
    if lines.get("has_more"):
        return None
    return sum(
        (Decimal(line["amount"]) for line in lines["data"] if _is_proration(line)), Decimal(0)
    )


def _is_proration(line: Json) -> bool:
    details = (line.get("parent") or {}).get("subscription_item_details") or {}
    return bool(details.get("proration"))
