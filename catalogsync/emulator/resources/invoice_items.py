"""Invoice items: the prorations (and other one-off lines) waiting for a subscription's invoice.

`GET /v1/invoiceitems` filters by `customer`, `invoice` and `pending` ("only return invoice
items that are pending, i.e. not attached to any invoice", stripe-python
`params/_invoice_item_list_params.py`), newest first.
"""

from __future__ import annotations

from typing import Any

from stripe.params._invoice_item_list_params import InvoiceItemListParams
from stripe.params._invoice_item_retrieve_params import InvoiceItemRetrieveParams

from catalogsync.emulator.common import list_objects, retriever
from catalogsync.emulator.lifecycle import on_time
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("invoiceitem", "ii_", "invoice item")


@on_time
def list_items(ctx: Ctx) -> Json:
    """GET /v1/invoiceitems (filters: customer, invoice, pending, created)."""
    params = ctx.params
    where: list[tuple[str, Any]] = []
    if params.get("customer"):
        where.append(("json_extract(body, '$.customer') = ?", params["customer"]))
    if params.get("invoice"):
        where.append(("key = ?", params["invoice"]))
    if params.get("pending") is not None:
        where.append(("key IS NULL" if params["pending"] else "key IS NOT NULL", None))
    return list_objects(ctx, "invoiceitem", where, "/v1/invoiceitems")


ROUTES = [
    Route("GET", "/v1/invoiceitems", list_items, InvoiceItemListParams),
    Route(
        "GET", "/v1/invoiceitems/{id}", on_time(retriever("invoiceitem")), InvoiceItemRetrieveParams
    ),
]
