"""catalogsync: a Stripe catalog kept as reviewed YAML in git."""

__version__ = "0.1.0"
