#!/usr/bin/env bash
# The catalogsync demo on the example catalog in catalog/. `make demo` runs it
# with the project's virtualenv first on PATH. Each command is echoed first.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    printf '\n$ %s\n' "$*"
    "$@"
}

# 1. Check the catalog: schemas and semantic rules, no network.
run catalogsync validate
