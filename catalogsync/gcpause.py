"""Pausing the cyclic garbage collector around large acyclic work.

Loading a catalog and planning against a large account allocate hundreds of
thousands of small objects (YAML nodes, model values, plan values), none of
them in reference cycles. The collector's full passes over that growing heap
cost about half of the time of a 10,000-price load and grow faster than the
heap itself; reference counting alone frees everything these steps drop.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block with the cyclic collector off, restoring its previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
