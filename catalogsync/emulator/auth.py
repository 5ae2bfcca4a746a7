"""API keys: which account a request acts on, and whether its key may write."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from catalogsync.emulator.errors import StripeError, invalid


def authenticate(headers: Mapping[str, str]) -> tuple[str, bool]:
    """The account a request acts on and whether its key is read-only (`rk_test_`)."""
    auth = headers.get("authorization", "")
    scheme, _, key = auth.partition(" ")
    if not auth:
        raise StripeError(
            401,
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    if scheme.lower() != "bearer" or not key.startswith(("sk_test_", "rk_test_")) or len(key) <= 8:
        # The key itself is never echoed: secrets must not reach logs.
        raise StripeError(
            401, "Invalid API Key provided. The emulator accepts only test-mode keys."
        )
    connected = headers.get("stripe-account")
    if connected:
        if not connected.startswith("acct_"):
            raise invalid(f"Invalid Stripe-Account header: {connected}")
        return connected, key.startswith("rk_")
    # sk_test_X and rk_test_X share an account, like a secret key and its restricted keys.
    digest = hashlib.sha256(key[8:].encode()).hexdigest()[:16]
    return f"acct_{digest}", key.startswith("rk_")
