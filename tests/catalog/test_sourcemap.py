"""YAML text -> documents: Decimal from the text, positions by JSON pointer, duplicate keys."""

from __future__ import annotations

from decimal import Decimal

from catalogsync.catalog.sourcemap import parse_yaml, pointer

TEXT = """\
kind: Product
key: advanced   # a comment
name: "Advanced"
prices:
  - lookup_key: a/b~c
    unit_amount: 0.1
    tiers: [{up_to: 1000, unit_amount: 0.30000000000000004}, {up_to: .inf}]
    when: 2027-01-31T00:00:00Z
    count: 1_000
    on: yes
    nothing: ~
"""


def test_numbers_are_decimal_from_the_text_never_float() -> None:
    data = parse_yaml(TEXT, "f.yaml").documents[0].data
    price = data["prices"][0]
    assert price["unit_amount"] == Decimal("0.1")
    assert isinstance(price["unit_amount"], Decimal)
    assert price["tiers"][0]["unit_amount"] == Decimal("0.30000000000000004")
    assert price["tiers"][1]["up_to"] == "inf"
    assert price["count"] == 1000
    assert price["on"] is True
    assert price["nothing"] is None


def test_timestamps_stay_text() -> None:
    data = parse_yaml(TEXT, "f.yaml").documents[0].data
    assert data["prices"][0]["when"] == "2027-01-31T00:00:00Z"


def test_positions_by_pointer() -> None:
    source = parse_yaml(TEXT, "f.yaml").documents[0].source
    assert source.locate("") == (1, 1)
    assert source.locate("/key") == (2, 6)
    assert source.locate("/name") == (3, 7)
    assert source.locate("/prices/0") == (5, 5)
    assert source.locate("/prices/0/unit_amount") == (6, 18)
    assert source.locate("/prices/0/tiers/1/up_to") == (7, 70)
    assert source.locate_key("/prices/0/unit_amount") == (6, 5)


def test_escaped_pointer_segments_and_missing_paths() -> None:
    source = parse_yaml(TEXT, "f.yaml").documents[0].source
    assert pointer("prices", 0, "a/b~c") == "/prices/0/a~1b~0c"
    # A path that does not exist falls back to its nearest existing ancestor.
    assert source.locate("/prices/0/nope/deeper") == (5, 5)
    assert source.locate("/prices/7") == (5, 3)


def test_multi_document_files_keep_their_own_positions() -> None:
    parsed = parse_yaml("kind: A\n---\n\n---\nkind: B\nx: 1\n", "m.yaml")
    assert [d.data["kind"] for d in parsed.documents] == ["A", "B"]
    assert [d.index for d in parsed.documents] == [0, 2]
    assert parsed.documents[1].source.locate("/x") == (6, 4)


def test_duplicate_keys_are_errors_with_position() -> None:
    parsed = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "d.yaml")
    assert [str(d) for d in sorted(parsed.diagnostics)] == [
        "d.yaml:4:3: error[duplicate-key] /b/c: duplicate key 'c' (first at line 3, column 3)",
        "d.yaml:5:1: error[duplicate-key] /a: duplicate key 'a' (first at line 1, column 1)",
    ]


def test_syntax_errors_are_diagnostics_with_position() -> None:
    parsed = parse_yaml("a: 1\nb: [1, 2\n", "s.yaml")
    assert parsed.documents == []
    (diagnostic,) = parsed.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.code) == ("s.yaml", 3, "yaml-syntax")


def test_documents_before_a_syntax_error_are_kept() -> None:
    parsed = parse_yaml("kind: A\n---\nkind: [\n", "s.yaml")
    assert [d.data for d in parsed.documents] == [{"kind": "A"}]
    assert [d.code for d in parsed.diagnostics] == ["yaml-syntax"]
