"""API keys never appear in output: every secret or restricted key becomes a marker."""

from __future__ import annotations

import pytest

from catalogsync.redact import redact


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("sk_test_51Habc123XYZ", "sk_test_***"),
        ("sk_live_51Habc123XYZ", "sk_live_***"),
        ("rk_test_51Habc123XYZ", "rk_test_***"),
        ("rk_live_51Habc123XYZ", "rk_live_***"),
        (
            "Invalid API Key provided: sk_test_abc; retry with rk_live_def.",
            "Invalid API Key provided: sk_test_***; retry with rk_live_***.",
        ),
        ("key=sk_test_abc&other=1", "key=sk_test_***&other=1"),
    ],
)
def test_keys_are_replaced(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "pk_test_51Habc123",  # publishable keys are public
        "price_1Habc",
        "mask_test_abc",  # not a key: the prefix is inside a word
        "sk_prod_abc",  # not a Stripe mode
        "nothing here",
    ],
)
def test_other_text_is_unchanged(text: str) -> None:
    assert redact(text) == text
