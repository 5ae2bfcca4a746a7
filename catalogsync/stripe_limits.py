"""Limits of Stripe's API that both `validate` (refusing them first) and the emulator know.

Amounts live with the other money rules (`money.MAX_MINOR`), currencies in `currencies`.
"""

from __future__ import annotations

from datetime import UTC, datetime

# stripe-python params/_price_create_params.py, recurring.interval_count: "Maximum of three
# years interval allowed (3 years, 36 months, or 156 weeks)"; days are not named there:
# 3 * 365 is the conservative reading.
MAX_INTERVAL = {"day": 3 * 365, "week": 156, "month": 36, "year": 3}
# docs.stripe.com/billing/subscriptions/subscription-schedules: at most 10 phases.
MAX_SCHEDULE_PHASES = 10
# stripe-python params/_coupon_create_params.py, redeem_by: "cannot be set to more than 5
# years in the future".
MAX_REDEEM_BY_YEARS = 5


def latest_redeem_by(now: int) -> int:
    """The latest ``redeem_by`` Stripe accepts at ``now`` (unix seconds).

    The same calendar instant `MAX_REDEEM_BY_YEARS` later; 29 February falls
    back to the 28th. `validate` and the emulator both use this one reading.
    """
    start = datetime.fromtimestamp(now, UTC)
    year = start.year + MAX_REDEEM_BY_YEARS
    try:
        later = start.replace(year=year)
    except ValueError:
        later = start.replace(year=year, day=28)
    return int(later.timestamp())
