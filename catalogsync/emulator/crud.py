"""The catalog resources' endpoints: one generic piece, per-resource rules plugged into it.

A `Resource` is a stored kind at a collection URL (`/v1/products`, or under a parent the
URL names first: `/v1/products/{product}/features`). `routes()` makes its Stripe
endpoints. The generic handlers do what every resource does alike: refuse parameters
stripe-python's typed params do not declare, load or 404 (under the parent, for nested
resources), store with the kind's indexed columns, stamp `updated`, answer with the
request's `expand[]`, page lists newest first. The resource's own rules do what differs:
how a new object is made, what an update changes, what refuses a delete, which list
filters exist.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.common import Where, list_objects, respond
from catalogsync.emulator.errors import missing
from catalogsync.emulator.routing import Ctx, Handler, Kind, Route
from catalogsync.emulator.store import Json

# Validate a create request's params, store the new object, return its body.
Make = Callable[[Ctx, dict[str, Any]], Json]
# Validate an update's params and change the loaded body in place.
Change = Callable[[Ctx, Json], None]
# Raise to refuse deleting the loaded object.
Refuse = Callable[[Ctx, Json], None]
# A list request's conditions from its params.
Filters = Callable[[dict[str, Any]], Where]


def unfiltered(params: dict[str, Any]) -> Where:
    """A list with no filters of its own (`created` and pagination still apply)."""
    return []


def never_refused(ctx: Ctx, body: Json) -> None:
    """A delete nothing refuses."""


@dataclass(frozen=True)
class Resource:
    """A kind served at `url`.

    `sdk` is stripe-python's name for the resource (`Price`, `billing.Meter`): the typed
    params of each endpoint are its `<Name><Operation>Params` (`PriceCreateParams`,
    `billing.MeterDeactivateParams`). `parent` names the kind, and the URL argument,
    the resource is nested under.
    """

    kind: Kind
    url: str
    sdk: str
    parent: str | None = None

    def routes(
        self,
        make: Make,
        *,
        filters: Filters = unfiltered,
        change: Change | None = None,
        actions: Mapping[str, Change] | None = None,
        delete: Refuse | None = None,
        search: Handler | None = None,
    ) -> list[Route]:
        """Create, list, [search,] retrieve, and update, `POST url/{id}/<action>` and delete
        where the resource has them."""
        item = self.url + "/{id}"
        routes = [
            Route("POST", self.url, self._create(make), self._params("Create")),
            Route("GET", self.url, self._list(filters), self._params("List")),
        ]
        if search is not None:
            # Before `url/{id}`: "search" is a path, not an id.
            routes.append(Route("GET", self.url + "/search", search, self._params("Search")))
        routes.append(Route("GET", item, self._retrieve, self._params("Retrieve")))
        if change is not None:
            routes.append(Route("POST", item, self._update(change), self._params("Update")))
        for action, act in (actions or {}).items():
            params = self._params(action.capitalize())
            routes.append(Route("POST", f"{item}/{action}", self._update(act), params))
        if delete is not None:
            routes.append(Route("DELETE", item, self._delete(delete), self._params("Delete")))
        return routes

    def _create(self, make: Make) -> Handler:
        def create(ctx: Ctx) -> Json:
            return respond(ctx, self.kind.name, make(ctx, ctx.params))

        return create

    def _list(self, filters: Filters) -> Handler:
        def list_page(ctx: Ctx) -> Json:
            where = self._under_parent(ctx) + filters(ctx.params)
            return list_objects(ctx, self.kind.name, where, self.url.format(**ctx.args))

        return list_page

    def _retrieve(self, ctx: Ctx) -> Json:
        return respond(ctx, self.kind.name, self._load(ctx))

    def _update(self, change: Change) -> Handler:
        def update(ctx: Ctx) -> Json:
            body = self._load(ctx)
            change(ctx, body)
            if "updated" in body:  # objects with the field carry the time of their last change
                body["updated"] = ctx.now
            ctx.save(self.kind.name, body)
            return respond(ctx, self.kind.name, body)

        return update

    def _delete(self, refuse: Refuse) -> Handler:
        def delete(ctx: Ctx) -> Json:
            body = self._load(ctx)
            refuse(ctx, body)
            ctx.tx.delete(ctx.account, self.kind.name, body["id"])
            return {"id": body["id"], "object": self.kind.name, "deleted": True}

        return delete

    def _load(self, ctx: Ctx) -> Json:
        """The object the URL names (404 when missing, or not under the URL's parent)."""
        under = self._under_parent(ctx)
        body = ctx.load(self.kind.name, ctx.args["id"])
        if under and not ctx.tx.find(ctx.account, self.kind.name, [*under, ("id = ?", body["id"])]):
            raise missing(self.kind.label, body["id"])
        return body

    def _under_parent(self, ctx: Ctx) -> Where:
        # A nested object's parent is its row's `ref` (the URL names it; the body does not).
        if self.parent is None:
            return []
        parent = ctx.load(self.parent, ctx.args[self.parent], self.parent)
        return [("ref = ?", parent["id"])]

    def _params(self, operation: str) -> type:
        package, _, name = self.sdk.rpartition(".")
        module = importlib.import_module(".".join(filter(None, ("stripe.params", package))))
        params: type = getattr(module, f"{name}{operation}Params")
        return params
