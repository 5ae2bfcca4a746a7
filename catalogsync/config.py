"""catalog/catalogsync.yaml: the environments catalogsync can plan and apply against.

A missing file means one environment, `local`: the embedded emulator
persisted in `.catalogsync/local.sqlite` beside the catalog. API keys are
never in this file, only the names of the environment variables holding them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogsync.catalog.files import Reader
from catalogsync.catalog.schemas import CONFIG, schema_errors
from catalogsync.catalog.sourcemap import Document, parse_yaml
from catalogsync.errors import ConfigError, Diagnostic

CONFIG_FILE = "catalogsync.yaml"
DEFAULT_CATALOG = "catalog"
DEFAULT_ENVIRONMENT = "local"
DEFAULT_EMULATOR_DB = Path(".catalogsync") / "local.sqlite"
CONFIG_VERSION = 1
# Requests in flight at once to one account, reading or writing, unless the
# environment sets `concurrency`.
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class LocalCustomer:
    """A customer a fresh emulator account starts with (deals name customers by email)."""

    email: str
    name: str | None = None


@dataclass(frozen=True)
class Environment:
    """One Stripe account: the embedded emulator, or an API with a key from the environment."""

    name: str
    emulator: Path | None = None  # SQLite file, resolved relative to the config file
    api_key_env: str | None = None  # name of the variable holding the key
    api_base: str | None = None  # another Stripe-compatible server
    protected: bool = False
    rate_limit: float | None = None  # requests per second
    concurrency: int = DEFAULT_CONCURRENCY
    customers: tuple[LocalCustomer, ...] = ()  # emulator environments only


@dataclass(frozen=True)
class Config:
    """The parsed configuration file."""

    environments: Mapping[str, Environment]
    default_environment: str = DEFAULT_ENVIRONMENT
    path: Path | None = None  # None when the file does not exist
    version: int = CONFIG_VERSION
    # (kind, Stripe id) of objects outside the catalog that drift does not report.
    drift_ignore: frozenset[tuple[str, str]] = frozenset()

    def environment(self, name: str | None) -> Environment:
        """The environment called ``name`` (the default when None)."""
        chosen = name or self.default_environment
        try:
            return self.environments[chosen]
        except KeyError:
            known = ", ".join(sorted(self.environments))
            raise ConfigError(f"unknown environment '{chosen}' (configured: {known})") from None


def discover_catalog(start: Path) -> Path:
    """The catalog a command run in ``start`` means, found as git and Terraform users expect.

    The nearest directory holding catalogsync.yaml, ``start`` or a parent
    (relative to ``start`` when below it or above it), else ``start/catalog``.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_FILE).is_file():
            return Path(os.path.relpath(directory, start))
    return Path(DEFAULT_CATALOG)


def load_config(catalog_dir: Path) -> Config:
    """Read ``catalog_dir/catalogsync.yaml``, or the default when it is missing."""
    config, diagnostics = _parse(catalog_dir)
    if config is None:
        lines = "\n".join(str(d) for d in diagnostics)
        raise ConfigError(f"invalid configuration:\n{lines}")
    return config


def check_config(catalog_dir: Path) -> list[Diagnostic]:
    """Every problem in ``catalog_dir/catalogsync.yaml`` (none when it is missing)."""
    return _parse(catalog_dir)[1]


def _parse(catalog_dir: Path) -> tuple[Config | None, list[Diagnostic]]:
    path = catalog_dir / CONFIG_FILE
    if not path.is_file():
        local = Environment(DEFAULT_ENVIRONMENT, emulator=catalog_dir / DEFAULT_EMULATOR_DB)
        return Config(environments={DEFAULT_ENVIRONMENT: local}), []
    text = Reader().read(path)  # bounded, and a bad byte reported where it is
    if isinstance(text, Diagnostic):
        return None, [text]
    parsed = parse_yaml(text, str(path))
    diagnostics = list(parsed.diagnostics)
    if not parsed.documents and not diagnostics:
        diagnostics.append(Diagnostic(str(path), 1, 1, "", "schema", "the file is empty"))
    elif len(parsed.documents) > 1:
        second = parsed.documents[1]
        diagnostics.append(second.diagnostic("", "schema", "expected a single YAML document"))
    if not diagnostics:
        document = parsed.documents[0]
        diagnostics = schema_errors(document, CONFIG) or _semantic(document)
        if not diagnostics:
            return _build(document.data, path), []
    return None, sorted(diagnostics)


def _semantic(document: Document) -> list[Diagnostic]:
    data = document.data
    out = []
    # Without default_environment, a file may leave `local` out: commands then
    # need --env, and `Config.environment` says which environments exist.
    default = data.get("default_environment")
    if default is not None and default not in data["environments"]:
        out.append(
            document.diagnostic(
                "/default_environment",
                "config",
                f"default environment '{default}' is not defined",
            )
        )
    for name, env in data["environments"].items():
        ptr = f"/environments/{name}"
        if "emulator" in env and ("api_key_env" in env or "api_base" in env):
            out.append(
                document.diagnostic(
                    ptr, "config", "an emulator environment takes no api_key_env or api_base"
                )
            )
        if "customers" in env and "emulator" not in env:
            out.append(
                document.diagnostic(
                    f"{ptr}/customers",
                    "config",
                    "only an emulator environment starts with customers "
                    "(a real account has its own)",
                )
            )
        if not {"emulator", "api_key_env", "api_base"} & set(env):
            out.append(
                document.diagnostic(ptr, "config", "needs emulator, api_key_env or api_base")
            )
    return out


def _build(data: Mapping[str, Any], path: Path) -> Config:
    base = path.parent
    environments = {
        name: Environment(
            name=name,
            emulator=base / env["emulator"] if "emulator" in env else None,
            api_key_env=env.get("api_key_env"),
            api_base=env.get("api_base"),
            protected=env.get("protected", False),
            rate_limit=_float(env.get("rate_limit")),
            concurrency=env.get("concurrency", DEFAULT_CONCURRENCY),
            customers=tuple(
                LocalCustomer(c["email"], c.get("name")) for c in env.get("customers", ())
            ),
        )
        for name, env in data["environments"].items()
    }
    ignored = data.get("drift", {}).get("ignore", ())
    return Config(
        environments=environments,
        default_environment=data.get("default_environment", DEFAULT_ENVIRONMENT),
        path=path,
        version=data.get("version", CONFIG_VERSION),
        drift_ignore=frozenset((i["kind"], i["id"]) for i in ignored),
    )


def _float(value: int | Decimal | None) -> float | None:
    # A rate is not money: float is the right type for the rate limiter.
    return None if value is None else float(value)
