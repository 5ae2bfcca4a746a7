"""The Plan value: ids, digest, levels and an exact JSON round trip."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from catalogsync.errors import PlanError
from catalogsync.plan.operations import level
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
