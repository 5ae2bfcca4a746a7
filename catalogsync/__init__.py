"""catalogsync: a Stripe catalog kept as reviewed YAML in git.

Layers, top to bottom. A module imports only from its own layer's package
and from layers below it; `lint-imports` (the contracts in pyproject.toml,
run by `make test`) fails the build otherwise, including for imports inside
functions, and refuses any import cycle between sibling modules. Only
``pipeline`` and what it calls in ``gateway`` talk to Stripe: ``plan``,
``drift``, ``render``, ``importer`` and ``catalog`` import neither the SDK
nor ``gateway``/``transport``.

- ``cli``: the click group.
- ``commands``: one module per command (`catalogsync plan`, `catalogsync apply`, …);
  commands never import each other, they share ``commands.options`` and ``commands.output``.
- ``scaffold``, then ``ci``: what ``init`` writes; the CI workflows and PR comments.
- ``pipeline``: orchestration, the only layer that connects (``gateway.connect``)
  and sets up the ``transport``: plan an environment, detect drift, import
  an account, hold an account and run a plan.
- ``drift``: a plan read the other way round, as findings.
- ``apply`` | ``importer`` | ``render``: executing a plan, turning an account
  into YAML, showing a plan (pure); independent of each other.
- ``plan``: compare desired and remote state into operations; the plan file.
- ``gateway``: Stripe requests and responses in the model's terms.
- ``transport`` | ``config``: the rate limiter and retry policy below the
  gateway; catalogsync.yaml and its environments.
- ``catalog``: YAML files to a validated `model.Catalog`.
- Model vocabulary: ``state`` (what was read), ``deals`` (schedules),
  ``migrations`` (the subscriptions a migration moves), ``changes`` (field
  changes), then ``kinds`` (the registry: each kind
  declared once), then ``model``, ``values``, ``money``,
  ``currencies``, ``periods``, ``stripe_limits``, ``errors``, ``redact``,
  ``gcpause``, ``proration`` (what a price bills per period, per month, and
  prorated).

The ``emulator`` stands apart: only ``commands.emulator`` (``emulator serve``)
and ``gateway.connect`` (the embedded ``local`` environment) import it, and it
imports nothing of catalogsync above the model vocabulary.
"""

__version__ = "0.1.0"
