"""Emulator-specific behaviour: auth, accounts, idempotency, faults, counters, ids, persistence."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator


def _http(
    method: str, url: str, data: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(
        url, data=data.encode() if method == "POST" else None, method=method
    )
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        e.close()
        return e.code, body, dict(e.headers)


AUTH = {"Authorization": "Bearer sk_test_x"}


def test_missing_key_is_401(emulator_url: str) -> None:
    status, body, _ = _http("GET", f"{emulator_url}/v1/products")
    assert status == 401
    assert body["error"]["type"] == "invalid_request_error"


def test_live_key_is_401_and_not_echoed(emulator_url: str) -> None:
    status, body, _ = _http(
        "GET", f"{emulator_url}/v1/products", headers={"Authorization": "Bearer sk_live_secret123"}
    )
    assert status == 401
    assert "secret123" not in json.dumps(body)


def test_unknown_route_is_404(emulator_url: str) -> None:
    status, body, _ = _http("GET", f"{emulator_url}/v1/nothing", headers=AUTH)
    assert status == 404
    assert "Unrecognized request URL" in json.dumps(body)


def test_form_encoded_brackets_over_http(emulator_url: str) -> None:
    status, body, headers = _http(
        "POST",
        f"{emulator_url}/v1/products",
        "name=A&metadata[tier]=gold&id=a",
        {**AUTH, "Stripe-Version": "2026-10-28.endive"},
    )
    assert status == 200
    assert body["metadata"] == {"tier": "gold"}
    assert headers["Stripe-Version"] == "2026-10-28.endive"


def test_bracket_in_a_metadata_key_over_http_nests_and_is_refused(emulator_url: str) -> None:
    # The raw form the SDK sends for metadata key "a[b]": refused, and nothing is stored
    # (it once became key "b").
    status, body, _ = _http(
        "POST", f"{emulator_url}/v1/products", "name=A&id=a&metadata[a[b]]=v", AUTH
    )
    assert (status, body["error"]["param"]) == (400, "metadata")
    assert _http("GET", f"{emulator_url}/v1/products/a", headers=AUTH)[0] == 404


def test_unauthenticated_error_has_a_request_id_but_no_log_url(emulator_url: str) -> None:
    # Without an account there is no Dashboard log to point at.
    status, body, headers = _http("GET", f"{emulator_url}/v1/products")
    assert status == 401
    assert "request_log_url" not in body["error"]
    assert headers["Request-Id"].startswith("req_")


def test_restricted_key_reads_but_cannot_write(emulator: Emulator) -> None:
    emulator.stripe_client("sk_test_same").v1.products.create({"name": "A", "id": "a"})
    reader = emulator.stripe_client("rk_test_same")
    assert reader.v1.products.retrieve("a").id == "a"
    with pytest.raises(stripe.PermissionError):
        reader.v1.products.create({"name": "B"})


def test_stripe_account_header_isolates(emulator: Emulator) -> None:
    one = emulator.stripe_client(stripe_account="acct_one")
    two = emulator.stripe_client(stripe_account="acct_two")
    one.v1.products.create({"name": "A", "id": "a"})
    assert two.v1.products.list().data == []
    assert two.v1.accounts.retrieve_current().id == "acct_two"


def test_api_keys_have_separate_default_accounts(emulator: Emulator) -> None:
    emulator.stripe_client("sk_test_a").v1.products.create({"name": "A"})
    assert emulator.stripe_client("sk_test_b").v1.products.list().data == []


def test_idempotent_replay(emulator: Emulator, stripe_client: stripe.StripeClient) -> None:
    first = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "k"})
    again = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "k"})
    assert again.id == first.id
    assert again.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_client.v1.coupons.list().data) == 1


def test_idempotency_key_with_other_params(stripe_client: stripe.StripeClient) -> None:
    stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "k"})
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.coupons.create({"percent_off": 6}, {"idempotency_key": "k"})


def test_a_key_in_flight_is_refused_with_409_then_replayed(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    # docs.stripe.com/api/idempotent_requests: a request that "conflicts with
    # another that's executing concurrently" saves no result and may be retried;
    # Stripe answers it 409 `idempotency_error` ("There is currently another
    # in-progress request using this Idempotent Key"). The emulator's latency is
    # spent while the key is in flight, so the second request lands in it.
    emulator.faults.latency_ms = 300
    barrier = threading.Barrier(2)

    def create(delay: float) -> str | stripe.StripeError:
        barrier.wait()
        time.sleep(delay)
        try:
            options: Any = {"idempotency_key": "in-flight", "max_network_retries": 0}
            return stripe_client.v1.coupons.create({"percent_off": 5}, options).id
        except stripe.StripeError as e:
            return e

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(create, [0.0, 0.1])
    assert isinstance(first, str)
    assert isinstance(second, stripe.APIError)  # stripe-python's class for a v1 409
    assert second.http_status == 409
    assert isinstance(second.json_body, dict)
    assert second.json_body["error"]["type"] == "idempotency_error"
    assert "another in-progress request" in str(second.user_message)
    emulator.faults.latency_ms = 0
    again = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "in-flight"})
    assert again.id == first
    assert again.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_client.v1.coupons.list().data) == 1


def test_a_refused_request_leaves_its_key_free(stripe_client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/idempotent_requests: results are saved only once
    # execution begins; a request whose parameters fail validation saves none.
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.coupons.create({"duration": "forever"}, {"idempotency_key": "free"})
    made = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "free"})
    assert made.last_response is not None
    assert "Idempotent-Replayed" not in made.last_response.headers


def test_a_key_is_replayed_for_24_hours_then_runs_anew(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    # docs.stripe.com/api/idempotent_requests: keys are removed once at least
    # 24 hours old, and "a new request" is generated if a pruned key is reused.
    emulator.clock.set(1_800_000_000)
    first = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "day"})
    emulator.clock.set(1_800_000_000 + 24 * 3600 - 1)
    assert stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "day"}).id == (
        first.id
    )
    emulator.clock.set(1_800_000_000 + 24 * 3600)
    later = stripe_client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": "day"})
    assert later.id != first.id
    assert len(stripe_client.v1.coupons.list().data) == 2


def _leave_in_flight(emulator: Emulator, key: str, seconds_ago: float) -> None:
    """The row a request leaves when its process is killed mid-request (before it finished)."""
    account = emulator.stripe_client().v1.accounts.retrieve_current().id
    with emulator.store.transaction() as tx:
        tx.remember(
            account,
            key,
            fingerprint="of a request that never finished",
            status=0,
            body="",
            now=emulator.clock.now(),
            claimed_at=time.time() - seconds_ago,
        )


def test_a_key_left_in_flight_by_a_dead_request_is_free_after_its_lease(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    # A request executes and saves its response in one transaction, so one
    # killed mid-request (kill -9 of an apply running the local emulator)
    # executed nothing but leaves its key in flight. Stripe-style keys treat a
    # request locked longer than a timeout as abandoned and let the key be
    # retried (brandur.org/idempotency-keys); so does the emulator after 60 s,
    # instead of answering 409 for the key's 24 hours.
    options: Any = {"idempotency_key": "abandoned", "max_network_retries": 0}
    _leave_in_flight(emulator, "abandoned", seconds_ago=5)
    with pytest.raises(stripe.APIError) as refused:
        stripe_client.v1.coupons.create({"percent_off": 5}, options)
    assert refused.value.http_status == 409  # a live claim is still honoured
    _leave_in_flight(emulator, "abandoned", seconds_ago=61)
    made = stripe_client.v1.coupons.create({"percent_off": 5}, options)
    assert made.last_response is not None
    assert "Idempotent-Replayed" not in made.last_response.headers
    again = stripe_client.v1.coupons.create({"percent_off": 5}, options)
    assert again.id == made.id  # and the key then replays as usual
    assert len(stripe_client.v1.coupons.list().data) == 1


def test_a_file_from_before_the_lease_frees_its_keys_in_flight(tmp_path: Path) -> None:
    # An emulator file whose idempotency table predates the lease column: its
    # in-flight rows have no claim time, so they count as long abandoned.
    db = tmp_path / "old.sqlite"
    emulator = Emulator(db)
    account = emulator.stripe_client().v1.accounts.retrieve_current().id
    emulator.close()
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE idempotency DROP COLUMN claimed_at")
        conn.execute(
            "INSERT INTO idempotency VALUES (?, 'old', 'fingerprint', 0, '', 0)", (account,)
        )
    options: Any = {"idempotency_key": "old", "max_network_retries": 0}
    emulator = Emulator(db)
    made = emulator.stripe_client().v1.coupons.create({"percent_off": 5}, options)
    assert made.last_response is not None
    assert "Idempotent-Replayed" not in made.last_response.headers
    emulator.close()


def test_a_file_from_before_due_times_gets_the_column(tmp_path: Path) -> None:
    # An emulator file whose objects table predates `due` (when the clock next changes a
    # subscription): opening it adds the column, and subscriptions made then renew.
    db = tmp_path / "old.sqlite"
    Emulator(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX objects_due")
        conn.execute("ALTER TABLE objects DROP COLUMN due")
    emulator = Emulator(db)
    emulator.clock.set(1_798_761_600)  # 2027-01-01
    client = emulator.stripe_client()
    product = client.v1.products.create({"name": "Seat"}).id
    price = client.v1.prices.create(
        {
            "product": product,
            "currency": "usd",
            "unit_amount": 100,
            "recurring": {"interval": "day"},
        }
    ).id
    customer = client.v1.customers.create({"email": "old@example.com"}).id
    sub = client.v1.subscriptions.create({"customer": customer, "items": [{"price": price}]})
    emulator.clock.advance(86_400)
    assert len(client.v1.invoices.list({"subscription": sub.id}).data) == 2
    emulator.close()


def test_ids_are_deterministic() -> None:
    def run() -> list[str]:
        client = Emulator().stripe_client()
        product = client.v1.products.create({"name": "A"})
        price = client.v1.prices.create(
            {"product": product.id, "currency": "usd", "unit_amount": 1}
        )
        return [product.id, price.id, client.v1.coupons.create({"percent_off": 1}).id]

    assert run() == run()


def test_equal_created_still_newest_first(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.clock.set(1_800_000_000)
    made = [stripe_client.v1.coupons.create({"percent_off": 1}).id for _ in range(3)]
    assert [c.id for c in stripe_client.v1.coupons.list().data] == made[::-1]


def test_created_comes_from_the_clock(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.clock.set(1_700_000_000)
    assert stripe_client.v1.coupons.create({"percent_off": 1}).created == 1_700_000_000


def test_counters_count_by_route_template(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    product = stripe_client.v1.products.create({"name": "A"})
    stripe_client.v1.products.retrieve(product.id)
    stripe_client.v1.products.retrieve(product.id)
    assert emulator.counters()[("GET", "/v1/products/{id}")] == 2
    emulator.reset_counters()
    assert emulator.counters() == {}


def test_rate_limit_answers_429_like_stripe(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.faults.rate_limit = 2
    stripe_client.v1.coupons.list()
    stripe_client.v1.coupons.list()
    with pytest.raises(stripe.RateLimitError) as info:
        stripe_client.v1.coupons.list()
    assert info.value.error is not None
    assert info.value.error.code == "rate_limit"
    assert "Too many requests" in str(info.value.user_message)
    assert emulator.counters()[("GET", "/v1/coupons")] == 3


def test_fail_rate_gives_500_before_the_write(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.faults.fail_rate = 1.0
    with pytest.raises(stripe.APIError):
        stripe_client.v1.coupons.create({"percent_off": 1})
    emulator.faults.fail_rate = 0.0
    assert stripe_client.v1.coupons.list().data == []


def test_drop_in_process_commits_then_raises_connection_error(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.faults.drop_rate = 1.0
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.coupons.create({"percent_off": 1}, {"idempotency_key": "d"})
    emulator.faults.drop_rate = 0.0
    replay = stripe_client.v1.coupons.create({"percent_off": 1}, {"idempotency_key": "d"})
    assert [c.id for c in stripe_client.v1.coupons.list().data] == [replay.id]


def test_drop_over_http_closes_the_socket(emulator: Emulator, emulator_url: str) -> None:
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": emulator_url})
    emulator.faults.drop_rate = 1.0
    with pytest.raises(stripe.APIConnectionError):
        client.v1.products.create({"name": "A", "id": "a"})
    emulator.faults.drop_rate = 0.0
    assert client.v1.products.retrieve("a").id == "a"


def test_sdk_retries_recover_from_drops(emulator: Emulator) -> None:
    emulator.faults.drop_rate = 0.5
    emulator.faults.seed = 7
    client = emulator.stripe_client(max_network_retries=10)
    stripe.HTTPClient.INITIAL_DELAY = 0.001  # keep the test fast; restored below
    try:
        for _ in range(6):
            client.v1.coupons.create({"percent_off": 1})
    finally:
        stripe.HTTPClient.INITIAL_DELAY = 0.5
    emulator.faults.drop_rate = 0.0
    assert len(client.v1.coupons.list({"limit": 100}).data) == 6


def test_latency_overlaps_across_threads(emulator: Emulator, emulator_url: str) -> None:
    # Four requests with a 1 s injected latency each: served concurrently they
    # finish together; served one after another the last would end 4 s after the
    # first started. The bound (two latencies) leaves a whole second of slack for
    # a loaded machine, so it tells the two apart without timing the emulator.
    emulator.faults.latency_ms = 1000
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": emulator_url})

    def timed(_: int) -> tuple[float, float]:
        started = time.monotonic()
        client.v1.coupons.list()
        return started, time.monotonic()

    with ThreadPoolExecutor(4) as pool:
        spans = list(pool.map(timed, range(4)))
    assert max(end for _, end in spans) - min(start for start, _ in spans) < 2.0


def test_control_endpoints(emulator: Emulator, emulator_url: str) -> None:
    _http("GET", f"{emulator_url}/v1/coupons", headers=AUTH)
    _, counts, _ = _http("GET", f"{emulator_url}/_emulator/requests")
    assert counts["requests"] == [{"method": "GET", "path": "/v1/coupons", "count": 1}]
    _http("POST", f"{emulator_url}/_emulator/clock", "now=1800000000")
    assert emulator.clock.now() == 1_800_000_000
    _http("POST", f"{emulator_url}/_emulator/faults", "fail_rate=0.5&rate_limit=10")
    assert emulator.faults.fail_rate == 0.5
    assert emulator.faults.rate_limit == 10


def test_file_database_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "local.sqlite"
    first = Emulator(db)
    first.stripe_client().v1.products.create({"name": "Kept", "id": "kept"})
    first.close()
    second = Emulator(db)
    assert second.stripe_client().v1.products.retrieve("kept").name == "Kept"
    second.close()


def test_responses_are_dated_by_the_emulator_clock(emulator: Emulator, emulator_url: str) -> None:
    # Every origin server with a clock sends Date (RFC 9110 §6.6.1), Stripe's API
    # included; the emulator's is its own clock, so a client reading "now" from it
    # agrees with the emulator's periods and prorations.
    emulator.clock.set(1_796_083_200)
    expected = "Tue, 01 Dec 2026 00:00:00 GMT"
    request = urllib.request.Request(f"{emulator_url}/v1/products", headers=AUTH)
    with urllib.request.urlopen(request) as response:
        assert response.headers.get_all("Date") == [expected]  # one, not the wall clock's too
    client = emulator.stripe_client()
    assert client.raw_request("get", "/v1/products").headers["Date"] == expected
