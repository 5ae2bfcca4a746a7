"""Benchmarks: a synthetic large catalog, an emulator seeded with it, and the harness that
measures `plan` and `apply` against the pagination floor and the Terraform refresh pattern.

Run with `make bench` (`python -m benchmarks.run`); not part of `make test`.
"""
