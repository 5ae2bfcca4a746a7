"""The emulator's `Stripe-Version` rule: a released-looking version of the right major name.

Stripe knows each release date; the emulator knows the first day of each major release
(docs.stripe.com/changelog) and accepts a date under the name of the release it falls in, up
to the version it models. The contract tests in test_refusals.py check the same cases that
real Stripe answers.
"""

from __future__ import annotations

import pytest

from catalogsync.emulator.app import API_VERSION
from catalogsync.emulator.errors import StripeError
from catalogsync.emulator.versions import check


@pytest.mark.parametrize(
    "version",
    [API_VERSION, "2026-03-25.dahlia", "2025-09-30.clover", "2024-09-30.acacia", "2023-10-16"],
)
def test_versions_of_the_right_release_are_accepted(version: str) -> None:
    assert check(version, API_VERSION) == version


def test_absent_header_is_answered_with_the_modelled_version() -> None:
    assert check(None, API_VERSION) == API_VERSION


@pytest.mark.parametrize(
    "version",
    [
        "2099-01-01",  # after the modelled version
        "2026-10-29.endive",  # after the modelled version, right name
        "2025-03-31.clover",  # a basil date under clover's name
        "2023-10-16.acacia",  # before named releases, with a name
        "2024-10-28",  # a named-release date without its name
        "2025-02-30.acacia",  # no such day
        "2010-12-31",  # before Stripe's first version
        "latest",
    ],
)
def test_versions_stripe_never_released_are_refused(version: str) -> None:
    with pytest.raises(StripeError) as info:
        check(version, API_VERSION)
    assert info.value.status == 400
    assert info.value.message == f"Invalid Stripe API version: {version}"
