"""A repository checkout for CI tests: the example catalog aimed at emulator accounts.

``test`` and ``live`` in catalogsync.yaml point at the emulator served over
HTTP; their keys are two different test-mode keys, so they are two separate
accounts (the emulator refuses live keys). Read-only ``rk_test_`` keys of
the same accounts stand for the restricted keys the plan and drift jobs use.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import stripe

from catalogsync.emulator import Emulator
from tests.paths import REPO

TEST_KEY, TEST_READ_KEY = "sk_test_ci_test_account", "rk_test_ci_test_account"
LIVE_KEY, LIVE_READ_KEY = "sk_test_ci_live_account", "rk_test_ci_live_account"
DEAL_CUSTOMER = "finance@acme.example"


def make_workspace(root: Path, url: str) -> Path:
    """Copy the example catalog under ``root``; returns ``root``."""
    shutil.copytree(REPO / "catalog", root / "catalog", ignore=shutil.ignore_patterns(".*"))
    (root / "catalog" / "catalogsync.yaml").write_text(
        "version: 1\n"
        "environments:\n"
        f"  test: {{api_key_env: STRIPE_TEST_API_KEY, api_base: '{url}'}}\n"
        f"  live: {{api_key_env: STRIPE_LIVE_API_KEY, api_base: '{url}', protected: true}}\n"
        "default_environment: test\n"
    )
    return root


def account(emulator: Emulator, key: str) -> stripe.StripeClient:
    """An SDK client for the account ``key`` opens, with the deal's customer in it."""
    client = emulator.stripe_client(key)
    if not client.v1.customers.list({"email": DEAL_CUSTOMER}).data:
        client.v1.customers.create({"email": DEAL_CUSTOMER, "name": "Acme"})
    return client
