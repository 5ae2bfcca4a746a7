"""The Plan value: ids, digest, levels and an exact JSON round trip."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from catalogsync.changes import FieldChange
from catalogsync.errors import PlanError
from catalogsync.kinds import LEVEL_DEALS, LEVEL_REMOVALS
from catalogsync.plan.operations import (
    Adopt,
    AdoptDeal,
    Archive,
    CancelDeal,
    Create,
    CreateDeal,
    Delete,
    Operation,
    ReleaseDeal,
    Target,
    Update,
    UpdateDeal,
    level,
)
from catalogsync.plan.plan import Plan, load_plan, operation_id
from catalogsync.state import fingerprint
from tests.plan.sample_plan import remote, sample_plan


def test_json_round_trips_exactly(tmp_path: Path) -> None:
    plan = sample_plan()
    assert Plan.from_json(plan.to_json()) == plan
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json())
    assert load_plan(path) == plan


def test_amounts_are_strings_in_json_never_floats() -> None:
    text = sample_plan().to_json()
    assert '{"$decimal": "9900"}' in text.replace("\n", "").replace("  ", "")
    assert not any(isinstance(v, float) for v in _leaves(json.loads(text)))


def test_ids_are_deterministic_and_distinct() -> None:
    a, b = sample_plan(), sample_plan()
    assert [operation_id(op) for op in a.operations] == [operation_id(op) for op in b.operations]
    assert len({operation_id(op) for op in a.operations}) == len(a.operations)
    assert a.digest == b.digest


def test_digest_ignores_fingerprint_impact_and_sources() -> None:
    plan = sample_plan()
    other = dataclasses.replace(plan, fingerprint="x", impact={}, catalog_digest="y")
    assert other.digest == plan.digest
    moved = tuple(
        # mypy cannot narrow the union by hasattr: operations without a source are kept as is.
        dataclasses.replace(op, source=None) if hasattr(op, "source") else op  # type: ignore[arg-type]
        for op in plan.operations
    )
    assert dataclasses.replace(plan, operations=moved).digest == plan.digest
    assert dataclasses.replace(plan, operations=plan.operations[1:]).digest != plan.digest


def test_levels_are_in_dependency_order() -> None:
    levels = sample_plan().levels()
    assert [level(group[0]) for group in levels] == sorted({level(g[0]) for g in levels})
    assert sum(len(g) for g in levels) == len(sample_plan().operations)


def test_tampered_plan_file_is_refused() -> None:
    data = json.loads(sample_plan().to_json())
    data["operations"][0]["target"]["key"] = "other"
    with pytest.raises(PlanError, match="does not match"):
        Plan.from_data(data)


def test_other_format_version_is_refused() -> None:
    data = json.loads(sample_plan().to_json()) | {"format_version": 99}
    with pytest.raises(PlanError, match="format version"):
        Plan.from_data(data)


def test_fingerprint_changes_with_any_remote_field() -> None:
    r = remote()
    renamed = dataclasses.replace(r, default_prices={"pro": "price_other"})
    assert fingerprint(r) == fingerprint(remote())
    assert fingerprint(renamed) != fingerprint(r)


def _leaves(data: object) -> list[object]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


DEAL = Target("deal", "acme", "sub_sched_1")
NEW_DEAL = Target("deal", "acme")
TERMS = (FieldChange("end_behavior", "release", "cancel"),)
# Each deal operation, and the generic operation deals were planned as before
# they had types of their own: the same content, so the same name and id.
DEAL_OPERATIONS: list[tuple[Operation, Operation]] = [
    (CreateDeal(NEW_DEAL, {"customer": "cus_1"}), Create(NEW_DEAL, {"customer": "cus_1"})),
    (UpdateDeal(DEAL, TERMS), Update(DEAL, TERMS)),
    (AdoptDeal(DEAL, ()), Adopt(DEAL, ())),
    (ReleaseDeal(DEAL), Archive(DEAL)),
    (CancelDeal(DEAL), Delete(DEAL)),
]


@pytest.mark.parametrize(("deal_op", "generic"), DEAL_OPERATIONS)
def test_deal_operations_keep_the_names_and_ids_saved_plans_have(
    deal_op: Operation, generic: Operation
) -> None:
    plan = dataclasses.replace(sample_plan(), operations=(deal_op,))
    (saved,) = plan.to_data()["operations"]
    assert saved["op"] == type(generic).__name__
    assert saved["id"] == operation_id(generic)
    (loaded,) = Plan.from_json(plan.to_json()).operations
    assert loaded == deal_op
    assert type(loaded) is type(deal_op)


def test_a_removed_deal_keeps_what_it_would_have_billed_through_its_file() -> None:
    release = ReleaseDeal(DEAL, details={"status": "active", "phases": ()})
    plan = dataclasses.replace(sample_plan(), operations=(release,))
    assert Plan.from_json(plan.to_json()).operations == (release,)
    assert operation_id(release) != operation_id(ReleaseDeal(DEAL))


def test_a_generic_name_on_another_kind_loads_the_generic_operation() -> None:
    archive = Archive(Target("price", "pro_month", "price_1"))
    plan = dataclasses.replace(sample_plan(), operations=(archive,))
    (loaded,) = Plan.from_json(plan.to_json()).operations
    assert type(loaded) is Archive


def test_deal_operations_run_at_the_deal_and_removal_levels() -> None:
    assert {level(op) for op, _ in DEAL_OPERATIONS[:3]} == {LEVEL_DEALS}
    assert {level(op) for op, _ in DEAL_OPERATIONS[3:]} == {LEVEL_REMOVALS}
