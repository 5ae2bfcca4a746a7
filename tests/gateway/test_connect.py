"""connect(): environments to clients; keys only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.config import Environment
from catalogsync.errors import ConfigError
from catalogsync.gateway.connect import API_VERSION, connect


def test_key_comes_from_the_named_variable_and_live_keys_mean_livemode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CS_TEST_LIVE_KEY", "sk_live_canary123")
    connection = connect(Environment(name="live", api_key_env="CS_TEST_LIVE_KEY", protected=True))
    assert connection.livemode
    monkeypatch.setenv("CS_TEST_LIVE_KEY", "rk_test_canary123")
    assert not connect(Environment(name="test", api_key_env="CS_TEST_LIVE_KEY")).livemode


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CS_TEST_ABSENT_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"\$CS_TEST_ABSENT_KEY"):
        connect(Environment(name="test", api_key_env="CS_TEST_ABSENT_KEY"))


def test_local_environment_is_an_emulator_in_a_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / ".catalogsync" / "local.sqlite"
    connection = connect(Environment(name="local", emulator=db))
    try:
        account = connection.client.v1.accounts.retrieve_current()
        assert account.id.startswith("acct_")
        assert account.last_response is not None
        assert account.last_response.headers["Stripe-Version"] == API_VERSION
    finally:
        connection.close()
    assert db.exists()
    assert not connection.livemode
