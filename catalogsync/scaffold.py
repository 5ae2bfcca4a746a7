"""What `catalogsync init` writes into a catalog repository, as path -> text.

Everything a company's own repository needs to adopt catalogsync, nothing of
catalogsync's source: the configuration (local, test, live), the JSON
Schemas (so ``$schema`` modelines resolve inside the repository, versioned
with the tool), ``.gitignore``, the three workflows pinned to this version,
a pre-commit hook and editor schema associations.
"""

from __future__ import annotations

import json
from importlib import resources

from catalogsync import __version__
from catalogsync.ci.templates import WORKFLOWS, render_workflow
from catalogsync.config import CONFIG_FILE, DEFAULT_CATALOG

SCHEMAS = "schemas"

CONFIG_TEXT = f"""\
# yaml-language-server: $schema=../{SCHEMAS}/config.schema.json
# Where catalogsync plans and applies. Keys come only from environment variables.
version: 1
environments:
  local: {{emulator: .catalogsync/local.sqlite}}   # embedded emulator, the default
  test: {{api_key_env: STRIPE_TEST_API_KEY}}
  live: {{api_key_env: STRIPE_LIVE_API_KEY, protected: true}}
"""

GITIGNORE = """\
# catalogsync's local emulator accounts and CI plan files
.catalogsync/
"""

# pre-commit.com: a local hook with catalogsync pinned from the package index.
PRE_COMMIT_CONFIG = f"""\
repos:
  - repo: local
    hooks:
      - id: catalogsync-validate
        name: catalogsync validate
        entry: catalogsync validate
        language: python
        additional_dependencies: ["catalogsync=={__version__}"]
        files: ^{DEFAULT_CATALOG}/
        pass_filenames: false
"""


def schema_files() -> dict[str, str]:
    """The package's JSON Schemas, by file name (kinds refer to common.schema.json)."""
    folder = resources.files("catalogsync").joinpath(SCHEMAS)
    return {
        entry.name: entry.read_text("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".schema.json")
    }


def editor_settings() -> str:
    """VS Code (YAML extension) associations; modelines in files take precedence."""
    associations = {
        f"./{SCHEMAS}/config.schema.json": [f"{DEFAULT_CATALOG}/{CONFIG_FILE}"],
        f"./{SCHEMAS}/catalog.schema.json": [f"{DEFAULT_CATALOG}/**/*.yaml"],
    }
    return json.dumps({"yaml.schemas": associations}, indent=2) + "\n"


def scaffold() -> dict[str, str]:
    """Every file `init` writes, relative to the repository's top directory."""
    files = {
        f"{DEFAULT_CATALOG}/{CONFIG_FILE}": CONFIG_TEXT,
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT_CONFIG,
        ".vscode/settings.json": editor_settings(),
    }
    files |= {f"{SCHEMAS}/{name}": text for name, text in schema_files().items()}
    files |= {f".github/workflows/{name}": render_workflow(name, __version__) for name in WORKFLOWS}
    return files
