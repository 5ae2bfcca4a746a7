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

# 2. The local account already has the example deal's customer, as a real
#    account would (deals name existing customers). Created once, through the
#    SDK against the embedded emulator that the `local` environment uses.
mkdir -p catalog/.catalogsync
python - <<'PY'
from catalogsync.emulator import Emulator

emulator = Emulator("catalog/.catalogsync/local.sqlite")
# The key the keyless `local` environment sends (catalogsync.gateway.connect).
client = emulator.stripe_client("sk_test_catalogsync_local")
if not client.v1.customers.list({"email": "finance@acme.example"}).data:
    client.v1.customers.create({"email": "finance@acme.example", "name": "Acme Corp"})
emulator.close()
PY

# 3. What would change in the local account, then apply it and plan again:
#    the second plan shows no changes.
run catalogsync plan
run catalogsync apply --yes
run catalogsync plan

# 4. Drift: nothing differs right after apply. The scheduled CI job runs the
#    same command against live and opens an issue when it exits 2.
run catalogsync drift
