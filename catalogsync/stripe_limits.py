"""Limits of Stripe's API that both `validate` (refusing them first) and the emulator know.

Amounts live with the other money rules (`money.MAX_MINOR`), currencies in `currencies`.
"""

from __future__ import annotations

# stripe-python params/_price_create_params.py, recurring.interval_count: "Maximum of three
# years interval allowed (3 years, 36 months, or 156 weeks)"; days are not named there:
# 3 * 365 is the conservative reading.
MAX_INTERVAL = {"day": 3 * 365, "week": 156, "month": 36, "year": 3}
# docs.stripe.com/billing/subscriptions/subscription-schedules: at most 10 phases.
MAX_SCHEDULE_PHASES = 10
# stripe-python params/_coupon_create_params.py, redeem_by: "cannot be set to more than 5
# years in the future".
MAX_REDEEM_BY_YEARS = 5
