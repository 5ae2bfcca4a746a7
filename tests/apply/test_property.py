"""Property: for random valid catalogs A and B, applying A then B leaves exactly B."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogsync.emulator import Emulator
from catalogsync.render import render
from tests.apply.apply_support import apply_plan, plan_for

PRODUCTS = ("alpha", "beta", "gamma")
FEATURES = ("sso", "audit", "api")
AMOUNTS = ("9.00", "10.00", "0.0125", "99.99")


@st.composite
def price(draw: st.DrawFn, product: str, n: int) -> str:
    lines = [
        f"  - lookup_key: {product}_{n}",
        f"    currency: {draw(st.sampled_from(['usd', 'eur']))}",
        f'    unit_amount: "{draw(st.sampled_from(AMOUNTS))}"',
        f"    recurring: {{interval: {draw(st.sampled_from(['month', 'year']))}}}",
    ]
    if draw(st.booleans()):
        lines.append(f"    nickname: {draw(st.sampled_from(['Seat', 'Seat v2']))}")
    if draw(st.booleans()):
        lines.append(
            f'    currency_options: {{gbp: {{unit_amount: "{draw(st.sampled_from(AMOUNTS))}"}}}}'
        )
    if draw(st.booleans()):
        lines.append(f"    metadata: {{plan: {draw(st.sampled_from(['a', 'b']))}}}")
    return "\n".join(lines)


@st.composite
def product(draw: st.DrawFn, key: str, features: list[str]) -> str:
    count = draw(st.integers(1, 2))
    lines = [
        "kind: Product",
        f"key: {key}",
        f"name: {draw(st.sampled_from([key.title(), key.upper()]))}",
    ]
    if draw(st.booleans()):
        lines.append(f"description: {draw(st.sampled_from(['One', 'Two']))}")
    if draw(st.booleans()):
        lines.append(f"metadata: {{{draw(st.sampled_from(['tier', 'team']))}: x}}")
    if features:
        lines.append(
            f"features: [{', '.join(draw(st.lists(st.sampled_from(features), unique=True)))}]"
        )
    if draw(st.booleans()):
        lines.append(f"default_price: {key}_{draw(st.integers(0, count - 1))}")
    lines.append("prices:")
    lines.extend(draw(price(key, n)) for n in range(count))
    return "\n".join(lines)


@st.composite
def catalog(draw: st.DrawFn) -> dict[str, str]:
    features = draw(st.lists(st.sampled_from(FEATURES), unique=True))
    files = {
        f"{key}.yaml": draw(product(key, features))
        for key in draw(st.lists(st.sampled_from(PRODUCTS), unique=True, min_size=1))
    }
    docs = [f"kind: Feature\nlookup_key: {f}\nname: {f.upper()}" for f in features]
    for code in draw(st.lists(st.sampled_from(["TEN", "HALF"]), unique=True)):
        percent = draw(st.sampled_from(["10", "50"]))
        duration = draw(st.sampled_from(["once", "forever"]))
        docs.append(f"kind: Coupon\nid: {code}\npercent_off: {percent}\nduration: {duration}")
    if docs:
        files["other.yaml"] = "\n---\n".join(docs)
    return files


def write_files(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text + "\n")
    return root


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=catalog(), b=catalog())
def test_applying_a_then_b_leaves_exactly_b(a: dict[str, str], b: dict[str, str]) -> None:
    emulator = Emulator(":memory:")
    with tempfile.TemporaryDirectory() as tmp:
        first, second = write_files(Path(tmp) / "a", a), write_files(Path(tmp) / "b", b)
        client = emulator.stripe_client()
        apply_plan(client, plan_for(client, first))
        apply_plan(client, plan_for(client, second))
        after = plan_for(client, second)
    emulator.close()
    assert after.operations == (), render(after, "text")
