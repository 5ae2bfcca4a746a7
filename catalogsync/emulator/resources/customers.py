"""Customers: create/retrieve/list (filter `email`) — enough for deals to name their customer."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import Where, merge_metadata
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.search import search_objects
from catalogsync.emulator.store import Json

# `key` is the email (the list's `email` filter).
KIND = Kind("customer", "cus_", "customer", columns=lambda body: Columns(key=body["email"]))


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    customer_id, seq = ctx.new_id("customer")
    body: Json = {
        "id": customer_id,
        "object": "customer",
        "address": params.get("address") or None,
        "balance": int(params.get("balance") or 0),
        "created": ctx.now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": params.get("description") or None,
        "discount": None,
        "email": params.get("email") or None,
        "invoice_prefix": customer_id[4:12].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": ctx.livemode,
        "metadata": merge_metadata({}, params.get("metadata")),
        "name": params.get("name") or None,
        "next_invoice_sequence": 1,
        "phone": params.get("phone") or None,
        "preferred_locales": list(params.get("preferred_locales") or []),
        "shipping": None,
        "tax_exempt": params.get("tax_exempt") or "none",
        "test_clock": None,
    }
    ctx.save("customer", body, seq)
    return body


# docs.stripe.com/search#query-fields-for-customers
_SEARCH_FIELDS = {
    "created": "number",
    "email": "string",
    "metadata": "string",
    "name": "string",
    "phone": "string",
}


def _search(ctx: Ctx) -> Json:
    """GET /v1/customers/search (`email:'x'`, `metadata['k']:'v'`, AND/OR, see `search`)."""
    return search_objects(ctx, "customer", "/v1/customers/search", _SEARCH_FIELDS)


def _filters(params: dict[str, Any]) -> Where:
    """Filter: email — exact and case-sensitive, like Stripe."""
    email = params.get("email")
    return [("key = ?", email)] if email else []


ROUTES = Resource(KIND, "/v1/customers", "Customer").routes(
    _create, filters=_filters, search=_search
)
