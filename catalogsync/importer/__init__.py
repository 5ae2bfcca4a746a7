"""`catalogsync import`: write catalog YAML from what an account already holds.

read (`gateway.inventory`) -> choose what to import (`select`) -> one
document per resource (`documents`) -> files (`write`). Nothing here writes
to Stripe: objects catalogsync does not manage yet become `adopt`
operations of the next plan, reviewed and applied like any other change.
"""
