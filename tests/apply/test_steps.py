"""What each deal operation sends, dispatched by type (not by the target's kind)."""

from __future__ import annotations

import pytest

from catalogsync.apply.keys import key_for
from catalogsync.apply.steps import steps
from catalogsync.errors import UnsupportedOperation
from catalogsync.kinds import Kind
from catalogsync.plan.operations import (
    AdoptDeal,
    CancelDeal,
    Create,
    Operation,
    ReleaseDeal,
    Target,
)

SCHEDULE = Target("deal", "acme", "sub_sched_1")


class _NoRefs:
    """A plan whose operations name no object by identity."""

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        raise AssertionError(f"unexpected reference to {kind} {key}")


@pytest.mark.parametrize(
    ("op", "path"),
    [
        (ReleaseDeal(SCHEDULE), "/v1/subscription_schedules/sub_sched_1/release"),
        (CancelDeal(SCHEDULE), "/v1/subscription_schedules/sub_sched_1/cancel"),
    ],
)
def test_removing_a_deal_releases_or_cancels_its_schedule(op: Operation, path: str) -> None:
    (write,) = steps(op, _NoRefs())
    assert (write.method, write.path, dict(write.params)) == ("POST", path, {})
    assert write.idempotency_key == key_for(op)


def test_adopting_a_deal_writes_only_the_markers() -> None:
    (write,) = steps(AdoptDeal(SCHEDULE, ()), _NoRefs())
    assert write.path == "/v1/subscription_schedules/sub_sched_1"
    assert set(write.params) == {"metadata"}
    assert write.params["metadata"]["catalogsync_key"] == "acme"


def test_a_generic_create_of_a_deal_is_refused_by_name() -> None:
    # Deals are created by CreateDeal: a Create on a deal target is a planner bug.
    with pytest.raises(UnsupportedOperation, match="deal 'acme'"):
        steps(Create(Target("deal", "acme"), {}), _NoRefs())
