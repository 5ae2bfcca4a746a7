"""The account (`GET /v1/account`): one per API key, or the `Stripe-Account` header's id."""

from __future__ import annotations

from stripe.params._account_retrieve_current_params import AccountRetrieveCurrentParams

from catalogsync.emulator.common import respond
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("account", "acct_", "account")


def retrieve(ctx: Ctx) -> Json:
    """GET /v1/account; the account object is stored on first sight (seq 0: ids stay stable)."""
    body = ctx.tx.get(ctx.account, "account", ctx.account)
    if body is None:
        body = _new_account(ctx)
        ctx.tx.put(ctx.account, "account", body, seq=0)
    return respond(ctx, "account", body)


def _new_account(ctx: Ctx) -> Json:
    return {
        "id": ctx.account,
        "object": "account",
        "business_profile": {"name": "catalogsync emulator", "url": None, "support_email": None},
        "business_type": None,
        "capabilities": {},
        "charges_enabled": True,
        "controller": {"type": "account"},
        "country": "US",
        "created": ctx.now,
        "default_currency": "usd",
        "details_submitted": True,
        "email": None,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{ctx.account}/external_accounts",
        },
        "future_requirements": {"currently_due": [], "eventually_due": [], "past_due": []},
        "metadata": {},
        "payouts_enabled": True,
        "requirements": {"currently_due": [], "eventually_due": [], "past_due": []},
        "settings": {"dashboard": {"display_name": "catalogsync emulator", "timezone": "Etc/UTC"}},
        "tos_acceptance": {"date": None},
        "type": "standard",
    }


ROUTES = [Route("GET", "/v1/account", retrieve, AccountRetrieveCurrentParams)]
