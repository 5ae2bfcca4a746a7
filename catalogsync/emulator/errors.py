"""Stripe-shaped API errors raised by emulator handlers and turned into JSON bodies by the app."""

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

    def body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


class DroppedConnection(Exception):
    """Raised after a committed write when fault injection drops the connection."""


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    """A 400 `invalid_request_error`."""
    return StripeError(400, message, param=param, code=code)


def missing(kind_label: str, object_id: str, param: str = "id") -> StripeError:
    """A 404 `resource_missing` ("No such price: 'price_x'")."""
    return StripeError(
        404, f"No such {kind_label}: '{object_id}'", code="resource_missing", param=param
    )


def required(param: str) -> StripeError:
    """A 400 for a missing required parameter."""
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
