"""Stripe-shaped API errors raised by emulator handlers and turned into JSON bodies by the app.

Stripe's error body (docs.stripe.com/api/errors): `{"error": {type, code, message, param,
doc_url, request_log_url}}`; `doc_url` is present when there is a `code`, and
`request_log_url` points at the request's log entry in the Dashboard. The helpers below are
the one place where each kind of refusal gets its status and code.
"""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An API error with Stripe's status and body shape (`{"error": {...}}`)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def body(self, request_log_url: str | None = None) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        if request_log_url is not None:
            error["request_log_url"] = request_log_url
        return {"error": error}


class DroppedConnection(Exception):
    """Raised after a committed write when fault injection drops the connection."""


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    """A 400 `invalid_request_error`."""
    return StripeError(400, message, param=param, code=code)


def missing(
    kind_label: str, object_id: str, param: str = "id", *, status: int = 404
) -> StripeError:
    """`resource_missing` ("No such price: 'price_x'").

    404 for the object a URL names; 400 when a body parameter refers to it (a price's
    `product`, a list's `starting_after`), as Stripe answers.
    """
    return StripeError(
        status, f"No such {kind_label}: '{object_id}'", code="resource_missing", param=param
    )


def required(param: str) -> StripeError:
    """A 400 `parameter_missing` for an absent required parameter."""
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def empty(param: str) -> StripeError:
    """A 400 `parameter_invalid_empty`: `""` (Stripe's "unset") for a value that cannot be unset."""
    return invalid(
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' "
        "from your request or supply a non-empty value.",
        param=param,
        code="parameter_invalid_empty",
    )


def unknown(param: str) -> StripeError:
    """A 400 `parameter_unknown` ("Received unknown parameter: recurring[foo]")."""
    return invalid(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def not_integer(value: Any, param: str) -> StripeError:
    """A 400 `parameter_invalid_integer` ("Invalid integer: abc")."""
    return invalid(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")


def exclusive(*params: str) -> StripeError:
    """A 400 for parameters that cannot be sent together."""
    return invalid(f"You may only specify one of these parameters: {', '.join(params)}.")
