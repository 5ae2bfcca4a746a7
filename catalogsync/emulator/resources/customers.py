"""Customers: create/retrieve/list (filter `email`) — enough for deals to name their customer."""

from __future__ import annotations

from stripe.params._customer_create_params import CustomerCreateParams
from stripe.params._customer_list_params import CustomerListParams
from stripe.params._customer_retrieve_params import CustomerRetrieveParams
from stripe.params._customer_search_params import CustomerSearchParams

from catalogsync.emulator.common import list_objects, merge_metadata, respond, retriever
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.search import search_objects
from catalogsync.emulator.store import Json

KIND = Kind("customer", "cus_", "customer")


def create(ctx: Ctx) -> Json:
    """POST /v1/customers."""
    params = ctx.params
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
    ctx.tx.put(ctx.account, "customer", body, seq=seq, key=body["email"])
    return respond(ctx, "customer", body)


# docs.stripe.com/search#query-fields-for-customers
_SEARCH_FIELDS = {
    "created": "number",
    "email": "string",
    "metadata": "string",
    "name": "string",
    "phone": "string",
}


def search(ctx: Ctx) -> Json:
    """GET /v1/customers/search (`email:'x'`, `metadata['k']:'v'`, AND/OR, see `search`)."""
    return search_objects(ctx, "customer", "/v1/customers/search", _SEARCH_FIELDS)


def list_customers(ctx: Ctx) -> Json:
    """GET /v1/customers (filters: email — exact and case-sensitive, like Stripe — and created)."""
    email = ctx.params.get("email")
    where = [("key = ?", email)] if email else []
    return list_objects(ctx, "customer", where, "/v1/customers")


ROUTES = [
    Route("POST", "/v1/customers", create, CustomerCreateParams),
    Route("GET", "/v1/customers", list_customers, CustomerListParams),
    # Before `/v1/customers/{id}`: "search" is a path, not a customer id.
    Route("GET", "/v1/customers/search", search, CustomerSearchParams),
    Route("GET", "/v1/customers/{id}", retriever("customer"), CustomerRetrieveParams),
]
