"""Idempotency keys of an operation's writes.

A single-write operation's key is its operation id; an operation that needs
several writes derives one key per write from the operation id and a fixed
step name, so a retry of any one write reuses its own key.
"""

from __future__ import annotations

from catalogsync.plan.operations import Operation
from catalogsync.plan.plan import operation_id


def key_for(op: Operation, step: str = "") -> str:
    """The idempotency key: the operation id, plus ``:step`` for a multi-write operation."""
    return operation_id(op) + (f":{step}" if step else "")
