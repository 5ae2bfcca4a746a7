"""The embedded Stripe emulator: products, prices, coupons, promotion codes, features, meters,
customers, subscriptions and subscription schedules, over SQLite, in-process or over HTTP.

Its modules import downwards only (the `emulator-layers` contract in pyproject.toml):
``core`` (the `Emulator`) → ``app`` (the WSGI application: auth, faults, idempotency,
routing) → ``control`` (the `/_emulator/` endpoints) → ``resources`` (one module per
Stripe resource; the catalog ones are each a `crud.Resource` with their own rules) →
what subscriptions do over time and bill: ``lifecycle`` (the clock: renewals, schedule
phases) → ``subscription_changes`` (item swaps and their prorations) → ``discounts`` →
``billing`` (invoices, invoice items) → ``subscription_body`` (items and periods) →
``pricing``, ``proration`` and ``invoice_discounts`` (the arithmetic) → ``crud`` (the
endpoints every resource has alike) → ``common`` (lists, filters, params)
→ ``render`` (responses, `expand[]`) → ``routing`` (routes, kinds, the handlers'
context) → ``store`` (SQLite).
"""

from catalogsync.emulator.core import Emulator
from catalogsync.emulator.faults import Faults

__all__ = ["Emulator", "Faults"]
