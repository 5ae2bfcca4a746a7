"""catalog/catalogsync.yaml: environments, defaults, paths relative to the file, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.config import Environment, check_config, load_config
from catalogsync.errors import ConfigError
from tests.paths import EXAMPLE


def _write(directory: Path, text: str) -> Path:
    (directory / "catalogsync.yaml").write_text(text)
    return directory


def test_missing_file_means_one_local_emulator(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.default_environment == "local"
    assert dict(config.environments) == {
        "local": Environment("local", emulator=tmp_path / ".catalogsync" / "local.sqlite")
    }
    assert config.path is None


def test_the_example_configuration() -> None:
    config = load_config(EXAMPLE)
    local, test, live = (config.environments[n] for n in ("local", "test", "live"))
    assert local.emulator == EXAMPLE / ".catalogsync" / "local.sqlite"
    assert (local.api_key_env, local.protected) == (None, False)
    assert (test.api_key_env, test.protected, test.emulator) == ("STRIPE_TEST_API_KEY", False, None)
    assert (live.api_key_env, live.protected) == ("STRIPE_LIVE_API_KEY", True)
    assert config.environment(None) is local
    assert config.environment("live") is live


def test_every_environment_setting(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "version: 1\ndefault_environment: staging\nenvironments:\n"
        "  staging: {api_base: 'http://127.0.0.1:12111', api_key_env: EMU_KEY,"
        " rate_limit: 12.5, concurrency: 4}\n"
        "  local: {emulator: /abs/db.sqlite}\n",
    )
    config = load_config(tmp_path)
    staging = config.environment(None)
    assert staging == Environment(
        "staging",
        api_base="http://127.0.0.1:12111",
        api_key_env="EMU_KEY",
        rate_limit=12.5,
        concurrency=4,
    )
    assert isinstance(staging.rate_limit, float)
    assert config.environments["local"].emulator == Path("/abs/db.sqlite")


def test_unknown_environment_names_the_configured_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown environment 'prod' \(configured: local\)"):
        load_config(tmp_path).environment("prod")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 2\nenvironments: {local: {emulator: x}}\n",
            "catalogsync.yaml:1:10: error[schema] /version: expected 1, got 2",
        ),
        (
            "environments:\n  test: {api_key_envv: K}\n",
            "catalogsync.yaml:2:10: error[schema] /environments/test/api_key_envv: "
            "unknown field 'api_key_envv' (did you mean 'api_key_env'?)",
        ),
        (
            "environments:\n  live: {api_key_env: STRIPE_LIVE_API_KEY, protected: yes please}\n",
            "catalogsync.yaml:2:55: error[schema] /environments/live/protected: "
            "expected boolean, got 'yes please'",
        ),
        (
            "environments:\n  test: {protected: true}\n",
            "catalogsync.yaml:2:9: error[config] /environments/test: "
            "needs emulator, api_key_env or api_base",
        ),
        (
            "environments:\n  local: {emulator: x, api_key_env: K}\n",
            "catalogsync.yaml:2:10: error[config] /environments/local: "
            "an emulator environment takes no api_key_env or api_base",
        ),
        (
            "default_environment: prod\nenvironments:\n  local: {emulator: x}\n",
            "catalogsync.yaml:1:22: error[config] /default_environment: "
            "default environment 'prod' is not defined",
        ),
        (
            "environments: {local: {emulator: x}}\nenvironments: {}\n",
            "catalogsync.yaml:2:1: error[duplicate-key] /environments: "
            "duplicate key 'environments' (first at line 1, column 1)",
        ),
        (
            "environments: [local\n",
            "catalogsync.yaml:2:1: error[yaml-syntax] /: did not find expected ',' or ']' "
            "(while parsing a flow sequence at line 1)",
        ),
    ],
)
def test_invalid_configuration_is_reported_with_position(
    tmp_path: Path, text: str, expected: str
) -> None:
    _write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    lines = str(raised.value).splitlines()
    assert lines[0] == "invalid configuration:"
    assert [line.replace(str(tmp_path) + "/", "") for line in lines[1:]] == [expected]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "# nothing here\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_config(tmp_path)


def test_check_config_lists_problems_without_raising(tmp_path: Path) -> None:
    assert check_config(tmp_path) == []  # no file: the default
    _write(tmp_path, "version: 1\nenvironments: {local: {emulator: x, colour: blue}}\n")
    assert [(d.line, d.column, d.code, d.pointer) for d in check_config(tmp_path)] == [
        (2, 37, "schema", "/environments/local/colour")
    ]
