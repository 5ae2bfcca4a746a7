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

# 2. What would change in the local account (an embedded emulator that starts
#    with the customer the example deal names; see catalog/catalogsync.yaml),
#    then apply it and plan again: the second plan shows no changes.
run catalogsync plan
run catalogsync apply --yes
run catalogsync plan

# 3. Drift: nothing differs right after apply. The scheduled CI job runs the
#    same command against live and opens an issue when it exits 2.
run catalogsync drift
