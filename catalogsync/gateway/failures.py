"""A Stripe error as one line for people: status, type/code and the whole message."""

from __future__ import annotations

import stripe

from catalogsync.redact import redact


def describe_error(error: stripe.StripeError) -> str:
    """`status type/code: message`, with any key redacted."""
    body = error.json_body if isinstance(error.json_body, dict) else {}
    detail = body.get("error", {}) if isinstance(body.get("error"), dict) else {}
    kind = "/".join(str(x) for x in (detail.get("type"), detail.get("code")) if x)
    message = detail.get("message") or error.user_message or str(error) or type(error).__name__
    status = f"HTTP {error.http_status}" if error.http_status else "no response"
    if isinstance(error, stripe.APIConnectionError):
        status, kind = "no response", "connection error"
        message = one_line(str(error))
    return redact(f"{status} {kind}: {message}" if kind else f"{status}: {message}")


def one_line(text: str) -> str:
    """``text`` with its line breaks and runs of spaces as single spaces.

    The SDK wraps a connection error's sentence over several lines ("If this
    problem persists,\nlet us know at …") and puts the network error after a
    blank line: printed or logged by its first line, the message was cut
    mid-sentence and lost the one useful part, the network error.
    """
    return " ".join(text.split())
