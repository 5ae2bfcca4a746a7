"""The `Stripe-Version` header: which API versions the emulator accepts.

Stripe refuses a version it never released with 400 "Invalid Stripe API version: X"
(docs.stripe.com/api/versioning). Since 2024-09-30 a version is a release date plus the name
of its major release (`2025-03-31.basil`, docs.stripe.com/changelog); earlier ones are bare
dates. The emulator cannot know every release date, so it accepts a well-formed version whose
name matches its major release and whose date is not after the version the emulator models;
anything else is refused as Stripe refuses it.
"""

from __future__ import annotations

import re
from datetime import date

from catalogsync.emulator.errors import invalid

# First day of each major release (docs.stripe.com/changelog), newest first.
_MAJORS = (
    (date(2026, 10, 28), "endive"),
    (date(2026, 3, 25), "dahlia"),
    (date(2025, 9, 30), "clover"),
    (date(2025, 3, 31), "basil"),
    (date(2024, 9, 30), "acacia"),
)
_FIRST = date(2011, 1, 1)  # Stripe's oldest dated API version
_FORMAT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\.([a-z]+))?$")


def check(requested: str | None, modelled: str) -> str:
    """The version a request is answered with (the header, or `modelled` when absent).

    Raises a 400 for a version Stripe would not recognise.
    """
    newest = _release_date(modelled)
    assert newest is not None, modelled
    if requested is None:
        return modelled
    if not _known(requested, newest):
        raise invalid(f"Invalid Stripe API version: {requested}")
    return requested


def _known(version: str, newest: date) -> bool:
    released = _release_date(version)
    if released is None or not _FIRST <= released <= newest:
        return False
    name = version.partition(".")[2] or None
    return name == _major_name(released)


def _release_date(version: str) -> date | None:
    found = _FORMAT.match(version)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _major_name(day: date) -> str | None:
    return next((name for first, name in _MAJORS if day >= first), None)
