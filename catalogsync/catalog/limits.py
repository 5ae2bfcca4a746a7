"""Values Stripe refuses, refused by `validate` before any request is sent.

Each limit is Stripe's, as its API reference states it (the docstrings of
stripe-python's typed params, `stripe/params/_price_create_params.py`,
`_coupon_create_params.py`, `_promotion_code_create_params.py`, and
docs.stripe.com/currencies and /billing/subscriptions/subscription-schedules):
an `apply` that met one of them would stop halfway, with part of the plan
applied. Amounts above Stripe's maximum are refused where amounts are
converted (`build.py`, code `amount-max`).

Rules here run on schema-valid documents; the ones that compare against the
present take ``now`` (unix seconds) from the caller, which reads the clock once.

A date that has passed (a coupon's ``redeem_by``, a promotion code's
``expires_at``, a deal's ``start_date`` without ``backdate: true``) is a
warning, not an error: the object may already exist in Stripe, where it keeps
working, and the catalog must keep planning the day the date passes. Stripe
refuses such a value only when the object is created, so `plan` refuses a
plan that would create or replace one (`is_refused_on_create`,
`catalogsync.plan.guards.check_dated_creates`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from catalogsync import currencies
from catalogsync.catalog.build import parse_timestamp
from catalogsync.catalog.references import Index
from catalogsync.catalog.sourcemap import Document, pointer
from catalogsync.errors import Diagnostic
from catalogsync.stripe_limits import (
    MAX_INTERVAL,
    MAX_REDEEM_BY_YEARS,
    MAX_SCHEDULE_PHASES,
    latest_redeem_by,
)

Limit = Callable[[Document, Index, int], Iterator[Diagnostic]]

# The codes of the past-date warnings: Stripe refuses these values on create only.
PAST_DATE_CODES = frozenset({"date-range", "backdate"})


def is_refused_on_create(diagnostic: Diagnostic) -> bool:
    """A past-date warning: fine for an existing object, refused by Stripe on create."""
    return diagnostic.severity == "warning" and diagnostic.code in PAST_DATE_CODES


def check_limits(document: Document, index: Index, now: int) -> list[Diagnostic]:
    """Every value in ``document`` that Stripe would refuse at ``now``."""
    limits = _LIMITS.get(document.data["kind"], ())
    return [d for limit in limits for d in limit(document, index, now)]


# -- currencies -----------------------------------------------------------------


def _currency(document: Document, ptr: str, code: str) -> Iterator[Diagnostic]:
    if not currencies.is_supported(code):
        yield document.diagnostic(ptr, "currency-unsupported", _unsupported(code))


def _currency_keys(
    document: Document, ptr: str, options: Mapping[str, Any] | None
) -> Iterator[Diagnostic]:
    """Currency option keys: supported, and not the same currency twice in two spellings."""
    seen: dict[str, str] = {}
    for code in options or {}:
        at = ptr + pointer(code)
        if not currencies.is_supported(code):
            yield document.diagnostic(at, "currency-unsupported", _unsupported(code), key=True)
        first = seen.setdefault(currencies.normalise(code), code)
        if first != code:
            yield document.diagnostic(
                at, "currency", f"currency {code} is already given as {first}", key=True
            )


def _unsupported(code: str) -> str:
    hint = _near(currencies.normalise(code))
    suffix = f"; did you mean '{hint}'?" if hint else ""
    return f"'{code}' is not a currency Stripe supports ({currencies.SOURCE}){suffix}"


def _near(code: str) -> str | None:
    """A supported code with the same letters (eru -> eur), else one letter apart."""
    same_letters = [c for c in currencies.SUPPORTED if sorted(c) == sorted(code)]
    one_apart = [
        c for c in currencies.SUPPORTED if sum(a != b for a, b in zip(c, code, strict=True)) == 1
    ]
    found = sorted(same_letters) or sorted(one_apart)
    return found[0] if found else None


# -- kinds ----------------------------------------------------------------------


def _product(document: Document, _index: Index, _now: int) -> Iterator[Diagnostic]:
    for i, price in enumerate(document.data.get("prices", [])):
        base = pointer("prices", i)
        yield from _currency(document, base + "/currency", price["currency"])
        options = price.get("currency_options")
        yield from _currency_keys(document, base + "/currency_options", options)
        yield from _interval(document, base + "/recurring", price.get("recurring"))


def _interval(
    document: Document, ptr: str, recurring: Mapping[str, Any] | None
) -> Iterator[Diagnostic]:
    if recurring is None:
        return
    interval, count = recurring["interval"], recurring.get("interval_count", 1)
    limit = MAX_INTERVAL[interval]
    if count > limit:
        yield document.diagnostic(
            ptr + "/interval_count",
            "interval",
            f"billing every {count} {interval}s is more than 3 years; Stripe allows at most "
            f"{limit} {interval}s",
        )


def _coupon(document: Document, _index: Index, now: int) -> Iterator[Diagnostic]:
    data = document.data
    if "currency" in data:
        yield from _currency(document, "/currency", data["currency"])
    options = data.get("currency_options", {})
    yield from _currency_keys(document, "/currency_options", options)
    amounts = [("/amount_off", data.get("amount_off"))] + [
        (pointer("currency_options", c, "amount_off"), o["amount_off"]) for c, o in options.items()
    ]
    for ptr, amount in amounts:
        if amount is not None and Decimal(str(amount)) <= 0:
            yield document.diagnostic(
                ptr, "amount-positive", f"amount_off must be more than 0, got {amount}"
            )
    redeem_by = _timestamp(data.get("redeem_by"))
    if redeem_by is not None:
        yield from _not_past(document, "/redeem_by", redeem_by, now)
        yield from _not_too_far(document, redeem_by, now)


def _not_too_far(document: Document, redeem_by: int, now: int) -> Iterator[Diagnostic]:
    latest = latest_redeem_by(now)
    if redeem_by > latest:
        written = document.data["redeem_by"]
        message = (
            f"redeem_by {written} is more than {MAX_REDEEM_BY_YEARS} years ahead; the latest "
            "Stripe allows"
        )
        yield document.diagnostic("/redeem_by", "date-range", f"{message} is {_day(latest)}")


def _promotion_code(document: Document, index: Index, now: int) -> Iterator[Diagnostic]:
    data = document.data
    if "minimum_amount_currency" in data:
        yield from _currency(document, "/minimum_amount_currency", data["minimum_amount_currency"])
    expires_at = _timestamp(data.get("expires_at"))
    if expires_at is not None:
        yield from _not_past(document, "/expires_at", expires_at, now)
    declared = index.get("Coupon", data["coupon"])
    coupon = declared.document if declared is not None else None
    if coupon is None or not isinstance(coupon.data, dict):
        return  # `reference` reports a missing coupon
    yield from _within_coupon(document, coupon, expires_at)


def _within_coupon(
    document: Document, coupon: Document, expires_at: int | None
) -> Iterator[Diagnostic]:
    """A promotion code cannot outlive or out-redeem its coupon."""
    data, limits = document.data, coupon.data
    redeem_by = _timestamp(limits.get("redeem_by"))
    name = f"coupon {data['coupon']}"
    if expires_at is not None and redeem_by is not None and expires_at > redeem_by:
        yield document.diagnostic(
            "/expires_at",
            "coupon-limits",
            f"expires_at {data['expires_at']} is after the redeem_by {limits['redeem_by']} of "
            f"{name} ({coupon.where('/redeem_by')}); a code cannot outlive its coupon",
        )
    mine, theirs = data.get("max_redemptions"), limits.get("max_redemptions")
    if isinstance(mine, int) and isinstance(theirs, int) and mine > theirs:
        yield document.diagnostic(
            "/max_redemptions",
            "coupon-limits",
            f"max_redemptions {mine} is above the max_redemptions {theirs} of {name} "
            f"({coupon.where('/max_redemptions')}); a code cannot out-redeem its coupon",
        )


def _ramp(document: Document, _index: Index, _now: int) -> Iterator[Diagnostic]:
    yield from _phase_count(document, "/phases", 0, len(document.data["phases"]))


def _deal(document: Document, index: Index, _now: int) -> Iterator[Diagnostic]:
    data = document.data
    if "phases" in data:
        yield from _phase_count(document, "/phases", 0, len(data["phases"]))
        return
    declared = index.get("Ramp", data.get("ramp", ""))
    ramp = declared.document.data if declared is not None else None
    ramp_phases = ramp.get("phases") if isinstance(ramp, dict) else None
    if not isinstance(ramp_phases, list):
        return  # `reference` reports a missing ramp
    extra = data.get("extra_phases", [])
    if len(ramp_phases) > MAX_SCHEDULE_PHASES:
        yield document.diagnostic(
            "/ramp",
            "deal-phases",
            f"ramp {data['ramp']} has {len(ramp_phases)} phases; a Stripe subscription "
            f"schedule holds at most {MAX_SCHEDULE_PHASES}",
        )
    elif extra:
        yield from _phase_count(document, "/extra_phases", len(ramp_phases), len(extra))


def _backdated(document: Document, _index: Index, now: int) -> Iterator[Diagnostic]:
    """A deal starting before today only with ``backdate: true``.

    Stripe accepts a schedule ``start_date`` in the past and backdates it: the
    schedule starts already running and bills from that date at once, and a
    contract wholly in the past is created already completed
    (`params/_subscription_schedule_create_params.py`: "a Unix timestamp to
    backdate the subscription so that it starts on a past date"). That is
    almost always a typo, so it must be said. It is a warning: a deal whose
    schedule already runs keeps planning once its start date has passed, and
    `plan` refuses to create a schedule for it without ``backdate: true``.
    """
    data = document.data
    try:
        start = date.fromisoformat(str(data["start_date"]))
    except ValueError:
        return  # `build` reports a date that does not exist
    today = datetime.fromtimestamp(now, UTC).date()
    if start < today and data.get("backdate") is not True:
        yield document.diagnostic(
            "/start_date",
            "backdate",
            f"start_date {start} is before today ({today}): a new schedule would start "
            "already running and bill from that date at once, so plan refuses to create one; "
            "set `backdate: true` if the contract really started then",
            severity="warning",
        )


def _migration(document: Document, _index: Index, now: int) -> Iterator[Diagnostic]:
    """Cohort currencies Stripe supports, and a migration date after today.

    Subscribers move at 00:00 UTC of the date, through a schedule phase
    starting then, which cannot start in the past. A date that has come is a
    warning, not an error, as for a deal's start date: the migration has done
    its work and plans nothing once its cohort is empty, and `plan` refuses
    to schedule a move for it (`catalogsync.plan.compare.migrations`).
    """
    data = document.data
    for i, code in enumerate(data.get("cohort", {}).get("currencies", [])):
        yield from _currency(document, pointer("cohort", "currencies", i), code)
    if data["at"] in ("now", "renewal"):
        return
    try:
        day = date.fromisoformat(data["at"])
    except ValueError:
        return  # `build` reports a date that does not exist
    today = datetime.fromtimestamp(now, UTC).date()
    if day <= today:
        yield document.diagnostic(
            "/at",
            "migration-date",
            f"at: {day} has come (today is {today}, UTC): subscribers still on a `from` "
            "price cannot be scheduled to move on it, so plan refuses to; move them with "
            "at: now or a later date, or remove the migration once its cohort is empty",
            severity="warning",
        )


def _phase_count(document: Document, ptr: str, before: int, count: int) -> Iterator[Diagnostic]:
    """``count`` phases at ``ptr`` after ``before`` others: the 11th is reported."""
    if before + count > MAX_SCHEDULE_PHASES:
        first_over = MAX_SCHEDULE_PHASES - before
        yield document.diagnostic(
            ptr + pointer(first_over),
            "deal-phases",
            f"phase {MAX_SCHEDULE_PHASES + 1} of {before + count}; a Stripe subscription "
            f"schedule holds at most {MAX_SCHEDULE_PHASES} phases",
        )


# -- time -----------------------------------------------------------------------


def _timestamp(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        return None  # `build` reports a date that does not exist


def _not_past(document: Document, ptr: str, moment: int, now: int) -> Iterator[Diagnostic]:
    if moment <= now:
        field = ptr.removeprefix("/")
        yield document.diagnostic(
            ptr,
            "date-range",
            f"{field} {document.data[field]} is in the past; Stripe refuses it when the "
            "object is created, so plan refuses to create or replace it",
            severity="warning",
        )


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_LIMITS: dict[str, tuple[Limit, ...]] = {
    "Product": (_product,),
    "Coupon": (_coupon,),
    "PromotionCode": (_promotion_code,),
    "Ramp": (_ramp,),
    "Deal": (_deal, _backdated),
    "Migration": (_migration,),
}
