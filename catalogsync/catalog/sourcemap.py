"""YAML text -> plain documents, with a source map from JSON pointers to positions.

We compose YAML into nodes (`yaml.compose_all`, with the C loader when it is
available: it keeps marks) and convert the nodes ourselves instead of letting
PyYAML construct Python objects, because its constructor would turn `0.1`
into a float, `2027-01-01` into a date and silently keep the last of two
duplicate keys. Here numbers with a fraction become `Decimal` from the scalar
text, timestamps stay text, and duplicate keys are diagnostics.

Positions are looked up lazily: a document keeps its root node and
`SourceMap.locate` walks the node tree along a JSON pointer only when a
diagnostic needs a position, so loading a large catalog pays nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from catalogsync.errors import Diagnostic

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_constructor = yaml.constructor.SafeConstructor()


def escape(segment: str | int) -> str:
    """One JSON pointer segment (RFC 6901)."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(*segments: str | int) -> str:
    """Join segments into a JSON pointer: pointer("prices", 0) == "/prices/0"."""
    return "".join("/" + escape(s) for s in segments)


@dataclass(frozen=True)
class SourceMap:
    """Positions of one YAML document's nodes, by JSON pointer (1-based)."""

    root: yaml.Node

    def locate(self, ptr: str) -> tuple[int, int]:
        """Line and column of the value at ``ptr``, or of its nearest existing ancestor."""
        node, _ = self._walk(ptr)
        return _position(node)

    def locate_key(self, ptr: str) -> tuple[int, int]:
        """Line and column of the mapping key that ends ``ptr`` (else as `locate`)."""
        node, key = self._walk(ptr)
        return _position(key if key is not None else node)

    def _walk(self, ptr: str) -> tuple[yaml.Node, yaml.Node | None]:
        node: yaml.Node = self.root
        key: yaml.Node | None = None
        for raw in ptr.split("/")[1:] if ptr else []:
            segment = unescape(raw)
            child = _child(node, segment)
            if child is None:
                return node, None
            key, node = child
        return node, key


def _child(node: yaml.Node, segment: str) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        found = None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == segment:
                found = (key, value)  # the last one wins, as in the converted value
        return found
    if isinstance(node, yaml.SequenceNode) and segment.isdigit():
        index = int(segment)
        if index < len(node.value):
            return None, node.value[index]
    return None


def _position(node: yaml.Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


@dataclass(frozen=True)
class Document:
    """One YAML document: its plain value, where it came from, and its source map."""

    file: str
    index: int  # 0-based position among the file's documents
    data: Any
    source: SourceMap
    name: str = ""  # the file as messages name it (relative to the catalog dir)

    def where(self, ptr: str) -> str:
        """`name:line:column` of ``ptr``, for messages that point at another place."""
        line, column = self.source.locate(ptr)
        return f"{self.name or self.file}:{line}:{column}"

    def diagnostic(
        self, ptr: str, code: str, message: str, *, severity: str = "error", key: bool = False
    ) -> Diagnostic:
        """A diagnostic at ``ptr`` in this document (at the key when ``key``)."""
        line, column = self.source.locate_key(ptr) if key else self.source.locate(ptr)
        return Diagnostic(
            self.file,
            line,
            column,
            ptr,
            code,
            message,
            "warning" if severity == "warning" else "error",
        )


@dataclass
class ParsedFile:
    """What parsing one file produced: documents and any syntax/duplicate-key errors."""

    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_yaml(text: str, file: str, name: str = "") -> ParsedFile:
    """Parse every document of ``text``; empty documents are skipped.

    ``file`` goes into diagnostics; ``name`` (default: ``file``) is how
    messages about this file name it from elsewhere.
    """
    result = ParsedFile()
    try:
        for index, root in enumerate(yaml.compose_all(text, Loader=_Loader)):
            duplicates: list[yaml.MappingNode] = []
            data = None if root is None else _convert(root, duplicates)
            if data is None:  # an empty document, e.g. after a trailing `---`
                continue
            document = Document(file, index, data, SourceMap(root), name or file)
            result.documents.append(document)
            result.diagnostics.extend(_duplicate_keys(document, duplicates))
    except yaml.MarkedYAMLError as e:
        result.diagnostics.append(_syntax_diagnostic(e, file, text))
    except yaml.YAMLError as e:  # e.g. a reader error without a mark
        result.diagnostics.append(Diagnostic(file, 1, 1, "", "yaml-syntax", str(e)))
    return result


def _syntax_diagnostic(error: yaml.MarkedYAMLError, file: str, text: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = error.problem or "invalid YAML"
    context = error.context_mark
    if error.context:
        started = f" at line {context.line + 1}" if context and context.line + 1 != line else ""
        message = f"{message} ({error.context}{started})"
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        message += "; YAML indents with spaces, not tabs"
    return Diagnostic(file, line, column, "", "yaml-syntax", message)


def _convert(node: yaml.Node, duplicates: list[yaml.MappingNode]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, duplicates) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            out[_key_text(key)] = _convert(value, duplicates)
        if len(out) != len(node.value):
            duplicates.append(node)
        return out
    raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - PyYAML has 3 kinds


def _key_text(key: yaml.Node) -> str:
    # Keys are field names, currency codes or metadata keys: always text. A
    # complex key (a mapping used as a key) keeps its YAML tag so the schema
    # reports it as an unknown field.
    return key.value if isinstance(key, yaml.ScalarNode) else f"<{key.tag}>"


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    text: str = node.value
    if tag == _TAG + "str" or not tag.startswith(_TAG):
        return text
    if tag == _TAG + "int":
        return _int(node)
    if tag == _TAG + "float":
        return _decimal(text)
    if tag == _TAG + "bool":
        return text.lower() in ("yes", "true", "on")
    if tag == _TAG + "null":
        return None
    # Timestamps (and any other implicit type) stay as written: the model
    # parses dates itself so `2027-01-31T00:00:00Z` and `"2027-01-31T00:00:00Z"`
    # mean the same thing.
    return text


def _int(node: yaml.ScalarNode) -> int | str:
    try:
        return int(node.value.replace("_", ""))
    except ValueError:
        pass
    try:  # YAML 1.1 forms: 0x1f, 0o17, 017, 1:30
        return int(_constructor.construct_yaml_int(node))
    except (ValueError, yaml.YAMLError):
        return str(node.value)


def _decimal(text: str) -> Decimal | str:
    if text.lower() in (".inf", "+.inf"):
        return "inf"  # Stripe's spelling, so `up_to: .inf` means what it says
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def _duplicate_keys(document: Document, nodes: list[yaml.MappingNode]) -> list[Diagnostic]:
    diagnostics = []
    for mapping in nodes:
        base = _path_to(document.source.root, mapping)
        seen: dict[str, yaml.Node] = {}
        for key, _ in mapping.value:
            text = _key_text(key)
            if text in seen:
                first = seen[text]
                line, column = _position(key)
                diagnostics.append(
                    Diagnostic(
                        document.file,
                        line,
                        column,
                        base + pointer(text),
                        "duplicate-key",
                        f"duplicate key '{text}' (first at line {_position(first)[0]}, "
                        f"column {_position(first)[1]})",
                    )
                )
            else:
                seen[text] = key
    return diagnostics


def _path_to(root: yaml.Node, target: yaml.Node) -> str:
    """The JSON pointer of ``target`` under ``root`` (only needed for rare diagnostics)."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, ptr = stack.pop()
        if node is target:
            return ptr
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, ptr + pointer(_key_text(k))) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, ptr + pointer(i)) for i, v in enumerate(node.value))
    return ""  # pragma: no cover - the target always comes from this tree
