"""Comparing the catalog with Stripe: operations, the comparers and the Plan value."""
