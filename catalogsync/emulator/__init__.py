"""The embedded Stripe emulator: products, prices, coupons, promotion codes, features, meters,
customers, subscriptions and subscription schedules, over SQLite, in-process or over HTTP."""

from catalogsync.emulator.core import Emulator
from catalogsync.emulator.faults import Faults

__all__ = ["Emulator", "Faults"]
