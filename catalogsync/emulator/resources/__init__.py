"""Every emulated resource: its kinds (id prefixes, labels, rendering) and its routes."""

from __future__ import annotations

from catalogsync.emulator import discounts
from catalogsync.emulator.resources import (
    account,
    coupons,
    customers,
    features,
    invoice_items,
    invoices,
    meters,
    prices,
    product_features,
    products,
    promotion_codes,
    schedules,
    subscriptions,
)
from catalogsync.emulator.routing import Kind, Route

_MODULES = (
    account,
    products,
    product_features,
    prices,
    coupons,
    promotion_codes,
    features,
    meters,
    customers,
    subscriptions,
    schedules,
    discounts,
    invoices,
    invoice_items,
)

KINDS: dict[str, Kind] = {m.KIND.name: m.KIND for m in _MODULES}
ROUTES: list[Route] = [route for m in _MODULES for route in m.ROUTES]
