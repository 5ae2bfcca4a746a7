"""Contract: `GET /v1/customers/search` and Stripe's search query language.

Sources: docs.stripe.com/api/customers/search (parameters `query`, `limit`, `page`; a
`search_result` with `data`, `has_more`, `next_page`, `url`), docs.stripe.com/search (query
language; query fields for customers: created, email, metadata, name, phone). Search is
eventually consistent on Stripe ("data is searchable in less than a minute"): against real
Stripe each search is retried until it shows what was written, for at most two minutes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import stripe

from tests.emulator.test_contract import make_client, uniq

pytestmark = pytest.mark.stripe_live

_PATIENCE_S = 120.0


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _search(
    client: stripe.StripeClient, query: str, expected: list[str], **extra: int
) -> stripe.SearchResultObject[stripe.Customer]:
    """Search until the result ids equal `expected` (newest first) or patience runs out."""
    deadline = time.monotonic() + _PATIENCE_S
    while True:
        found = client.v1.customers.search({"query": query, **extra})  # type: ignore[typeddict-item]  # **extra: parameters a caller adds
        if [c.id for c in found.data] == expected or time.monotonic() > deadline:
            return found
        time.sleep(2)


def _customer(client: stripe.StripeClient, **params: object) -> str:
    return client.v1.customers.create(params).id  # type: ignore[arg-type]


def test_search_by_email_is_a_search_result(client: stripe.StripeClient) -> None:
    email = f"{uniq('find')}@example.com"
    wanted = _customer(client, email=email)
    _customer(client, email=f"{uniq('other')}@example.com")
    found = _search(client, f"email:'{email}'", [wanted])
    assert [c.id for c in found.data] == [wanted]
    assert found["object"] == "search_result"
    assert found["url"] == "/v1/customers/search"
    assert found.has_more is False
    assert found.next_page is None


def test_search_by_metadata_and_email(client: stripe.StripeClient) -> None:
    tag, email = uniq("tag"), f"{uniq('both')}@example.com"
    wanted = _customer(client, email=email, metadata={"catalog": tag})
    _customer(client, email=f"{uniq('same_tag')}@example.com", metadata={"catalog": tag})
    found = _search(client, f"metadata['catalog']:'{tag}' AND email:'{email}'", [wanted])
    assert [c.id for c in found.data] == [wanted]


def test_search_by_metadata_alone_finds_every_match(client: stripe.StripeClient) -> None:
    tag = uniq("tag")
    first = _customer(client, metadata={"catalog": tag})
    second = _customer(client, metadata={"catalog": tag})
    _customer(client, metadata={"catalog": uniq("tag")})
    found = _search(client, f'metadata["catalog"]:"{tag}"', [second, first])
    assert [c.id for c in found.data] == [second, first]


def test_search_with_or(client: stripe.StripeClient) -> None:
    a, b = f"{uniq('a')}@example.com", f"{uniq('b')}@example.com"
    first, second = _customer(client, email=a), _customer(client, email=b)
    found = _search(client, f"email:'{a}' OR email:'{b}'", [second, first])
    assert [c.id for c in found.data] == [second, first]


def test_search_pages_with_next_page(client: stripe.StripeClient) -> None:
    tag = uniq("page")
    made = [_customer(client, metadata={"page": tag}) for _ in range(3)]
    query = f"metadata['page']:'{tag}'"
    first = _search(client, query, made[::-1][:2], limit=2)
    assert first.has_more is True
    assert isinstance(first.next_page, str)
    rest = client.v1.customers.search({"query": query, "limit": 2, "page": first.next_page})
    assert [c.id for c in first.data + rest.data] == made[::-1]
    assert rest.has_more is False


def test_search_without_query_is_parameter_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.customers.search({})  # type: ignore[typeddict-item]
    assert info.value.code == "parameter_missing"
    assert info.value.error is not None
    assert info.value.error.param == "query"


def test_search_path_is_not_a_customer_id(client: stripe.StripeClient) -> None:
    # GET /v1/customers/search is its own endpoint: asked without a query it is the missing
    # query that is refused, never "No such customer: 'search'".
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.customers.retrieve("search")
    assert info.value.http_status == 400
    assert "No such customer" not in str(info.value.user_message)


def test_unknown_search_field_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/search#query-fields-for-customers lists the searchable fields.
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.customers.search({"query": "colour:'red'"})
    assert info.value.error is not None
    assert info.value.error.param == "query"
