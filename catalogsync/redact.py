"""Keep API keys out of every output, log, file and error message."""

from __future__ import annotations

import re

# Stripe secret and restricted keys: sk_test_…, sk_live_…, rk_test_…, rk_live_….
_KEY = re.compile(r"\b([sr]k)_(test|live)_[0-9A-Za-z]+")


def redact(text: str) -> str:
    """Replace every Stripe secret or restricted key in ``text`` with a marker."""
    return _KEY.sub(lambda m: f"{m.group(1)}_{m.group(2)}_***", text)
