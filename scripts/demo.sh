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

# 4. Migrating existing subscribers, in a copy of the catalog (its own local
#    account, so the steps above stay as they were). Five customers subscribe to
#    Advanced monthly; then its price goes up from $99 to $109: the plan replaces
#    the price, and the example catalog's migration (catalog/migrations.yaml)
#    moves the five to the new price at their renewal, keeping seats and coupons.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R catalog/. "$work"
rm -rf "$work/.catalogsync"
run catalogsync --catalog "$work" apply --yes
run python scripts/demo_subscribers.py "$work" subscribe 5
sed -i.orig 's/unit_amount: "99.00"/unit_amount: "109.00"/' "$work/products/advanced.yaml"
rm "$work/products/advanced.yaml.orig"
run catalogsync --catalog "$work" plan
run catalogsync --catalog "$work" apply --yes
run catalogsync --catalog "$work" migrations report advanced_monthly_2027

# 5. Their renewal: the emulator's clock moves past it; each subscription now
#    bills $109 a seat, on one item, with its seats and coupon.
run python scripts/demo_subscribers.py "$work" renew
