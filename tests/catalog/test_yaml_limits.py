"""Hostile or broken input is bounded and reported: aliases, nodes, sizes, huge values, symlinks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.yaml_limits import anchored_scalar, run_measured
from catalogsync.catalog import check_catalog, load_catalog
from catalogsync.catalog.files import MAX_CATALOG_BYTES, MAX_FILE_BYTES
from catalogsync.catalog.sourcemap import NodeBudget, _node_bound, parse_yaml
from catalogsync.config import check_config
from catalogsync.errors import MAX_SHOWN

# Ten levels of nine aliases: 9**10 = 3,486,784,401 strings once expanded, from 14 lines.
ALIAS_BOMB = "kind: Product\nkey: bomb\nname: Bomb\nmetadata:\n" + "".join(
    f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}" if n else '"lol"'] * 9) + "]\n" for n in range(10)
)
PEAK_MEMORY_LIMIT_KB = 300 * 1024


def _alias_bomb(catalog: Path) -> None:
    (catalog / "bomb.yaml").write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB.splitlines()) == 14


# The 14-line alias bomb, and a 1 MB string anchored once and aliased 400 times
# (400 MB of text if an aliased string cost one node whatever its size).
@pytest.mark.parametrize("make", [_alias_bomb, anchored_scalar], ids=["bomb", "anchored_scalar"])
def test_alias_bomb_is_refused_quickly_in_bounded_memory(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    make(catalog)
    # The kernel's peak RSS of the validate process (os.wait4), started from a
    # minimal launcher so this test process's own memory is not charged to it.
    # The deadline is a hang guard; timings are in benchmarks/yaml_limits.py.
    command = [sys.executable, "-m", "catalogsync", "--catalog", str(catalog), "validate"]
    run = run_measured(command, tmp_path, deadline_s=60)
    assert run.exit_code == 1, run.output
    assert "error[yaml-limits]" in run.output
    assert "YAML aliases expand past" in run.output
    assert run.peak_rss_kb < PEAK_MEMORY_LIMIT_KB, f"peak RSS {run.peak_rss_kb} KB"


def test_a_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    # 20 MB of one value: refused by its size, and never echoed.
    value = "x" * (20 * 1024 * 1024)
    (tmp_path / "big.yaml").write_text(f"kind: Product\nkey: p\nname: {value}\n")
    (diagnostic,) = check_catalog(tmp_path)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("yaml-limits", 1, 1)
    assert f"files up to {MAX_FILE_BYTES:,}" in diagnostic.message
    assert len(str(diagnostic)) < 400


def test_the_catalog_as_a_whole_has_a_size_cap(tmp_path: Path) -> None:
    # Files each under the per-file cap add up to more than the catalog's.
    comment = "#" + "x" * (MAX_FILE_BYTES - 100) + "\n"
    count = MAX_CATALOG_BYTES // len(comment) + 1
    for n in range(count):
        text = f"{comment}kind: Feature\nlookup_key: f{n}\nname: F\n"
        (tmp_path / f"f{n:02d}.yaml").write_text(text)
    (diagnostic,) = check_catalog(tmp_path)
    assert diagnostic.code == "yaml-limits"
    assert Path(diagnostic.file).name == f"f{count - 1:02d}.yaml"
    assert f"at most {MAX_CATALOG_BYTES:,} bytes per catalog" in diagnostic.message


def test_a_huge_value_is_never_echoed_whole(tmp_path: Path) -> None:
    value = "A" * (3 * 1024 * 1024)  # twice in the file, under its 10 MB cap
    text = (
        "kind: Product\nkey: p\nname: P\nprices:\n"
        f"  - {{lookup_key: {value}, currency: {value}, unit_amount: '1.00'}}\n"
    )
    (tmp_path / "p.yaml").write_text(text)
    diagnostics = check_catalog(tmp_path)
    assert diagnostics
    for diagnostic in diagnostics:
        assert len(diagnostic.message) <= MAX_SHOWN + 40
        assert len(diagnostic.pointer) <= MAX_SHOWN + 40
    schema = next(d for d in diagnostics if d.pointer == "/prices/0/currency")
    assert "…(" in schema.message
    assert "characters)…" in schema.message
    assert schema.message.endswith("is not a three-letter ISO currency code such as usd")


def test_the_node_budget_is_shared_and_counted_before_composing() -> None:
    budget = NodeBudget(remaining=50)
    small = parse_yaml("a: [1, 2, 3]\n", "a.yaml", budget=budget)
    assert (small.diagnostics, budget.remaining) == ([], 45)
    flat = "b: [" + ", ".join(["1"] * 60) + "]\n"
    refused = parse_yaml(flat, "b.yaml", budget=budget)
    (diagnostic,) = refused.diagnostics
    assert refused.documents == []
    assert (diagnostic.code, diagnostic.line) == ("yaml-limits", 1)
    # The mapping, its key, the list and 42 items fit in the 45 left: the 43rd item does not.
    assert diagnostic.column == len("b: [") + 1 + 3 * 42
    assert budget.spent


_SCALARS = st.one_of(
    st.integers(), st.text(max_size=5), st.booleans(), st.none(), st.just("- a: b, [c]")
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=30,
)


def _composed(node: yaml.Node) -> int:
    if isinstance(node, yaml.SequenceNode):
        return 1 + sum(_composed(item) for item in node.value)
    if isinstance(node, yaml.MappingNode):
        return 1 + sum(_composed(k) + _composed(v) for k, v in node.value)
    return 1


@settings(max_examples=200, deadline=None)
@given(tree=_TREES, flow=st.sampled_from([True, False, None]))
def test_the_cheap_node_bound_never_undercounts(tree: object, flow: bool | None) -> None:
    # The bound decides whether a file is composed without an exact count first:
    # it must never be below the number of nodes composing creates.
    text = yaml.safe_dump(tree, default_flow_style=flow, width=20)
    nodes = sum(_composed(root) for root in yaml.compose_all(text, Loader=yaml.SafeLoader))
    assert nodes <= _node_bound(text)


def test_symlinked_directories_are_followed(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "features.yaml").write_text("kind: Feature\nlookup_key: sso\nname: SSO\n")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "shared").symlink_to(shared)
    assert list(load_catalog(catalog).catalog.features) == ["sso"]


def test_a_latin1_file_is_reported_at_its_first_bad_byte(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_bytes(b"kind: Product\nkey: p\nname: Caf\xe9\n")
    (diagnostic,) = check_catalog(tmp_path)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("encoding", 3, 10)


def test_the_config_file_is_read_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_bytes(
        b"version: 1\nenvironments:\n  test: {api_key_env: CL\xc9}\n"
    )
    (diagnostic,) = check_config(tmp_path)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("encoding", 3, 25)
