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


# YAML input is bounded: at most MAX_NODES nodes per catalog (the 50,000-price
# scaling benchmark catalog holds 2.1 million), of which at most MAX_ALIAS_NODES
# are reached through aliases, counted each time the alias is used (a 14-line
# file of nested aliases would otherwise expand to billions); nested at most
# MAX_DEPTH deep. Measured costs: benchmarks/yaml_limits.py.
MAX_NODES = 2_500_000
MAX_ALIAS_NODES = 1_000_000
MAX_DEPTH = 64
# A scalar reached through an alias costs one node per this many characters
# (at least one), so aliases expand to at most about 16 MB of text.
ALIAS_CHARS_PER_NODE = 16
_LIMITS = "yaml-limits"


@dataclass
class NodeBudget:
    """How many more YAML nodes, and nodes through aliases, the catalog may hold.

    One budget is shared by all the files of a catalog; once it is spent,
    reading stops.
    """

    remaining: int = MAX_NODES
    aliased: int = MAX_ALIAS_NODES

    @property
    def spent(self) -> bool:
        return self.remaining < 0 or self.aliased < 0


def parse_yaml(
    text: str, file: str, name: str = "", budget: NodeBudget | None = None
) -> ParsedFile:
    """Parse every document of ``text``; empty documents are skipped.

    ``file`` goes into diagnostics; ``name`` (default: ``file``) is how
    messages about this file name it from elsewhere. ``budget`` is shared by
    the files of one catalog; a file or document that would exceed it, nest
    too deeply or contain itself is a `yaml-limits` diagnostic.
    """
    result = ParsedFile()
    budget = budget if budget is not None else NodeBudget()
    try:
        too_many = _too_many_nodes(text, file, budget)
        if too_many is not None:
            result.diagnostics.append(too_many)
            return result
        for index, root in enumerate(yaml.compose_all(text, Loader=_Loader)):
            converter = _Converter(budget)
            try:
                data = None if root is None else converter.convert(root)
            except _LimitExceeded as e:
                result.diagnostics.append(e.diagnostic(file))
                if budget.spent:
                    break
                continue
            if data is None:  # an empty document, e.g. after a trailing `---`
                continue
            document = Document(file, index, data, SourceMap(root), name or file)
            result.documents.append(document)
            result.diagnostics.extend(_duplicate_keys(document, converter.duplicates))
    except yaml.MarkedYAMLError as e:
        result.diagnostics.append(_syntax_diagnostic(e, file, text))
    except yaml.reader.ReaderError as e:
        result.diagnostics.append(_reader_diagnostic(e, file, text))
    except yaml.YAMLError as e:  # pragma: no cover - PyYAML's other errors carry a mark
        result.diagnostics.append(Diagnostic(file, 1, 1, "", "yaml-syntax", str(e)))
    return result


def _too_many_nodes(text: str, file: str, budget: NodeBudget) -> Diagnostic | None:
    """A diagnostic when composing ``text`` would hold more nodes than the budget has left.

    Composing keeps every node in memory, so the count comes first: a cheap
    upper bound from the text (every node needs a line break or one of the
    indicators counted here), and only when that bound is over budget an exact
    count of the parser's node events, which stops at the budget and holds
    nothing.
    """
    if _node_bound(text) <= budget.remaining:
        return None
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > budget.remaining:
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                message = (
                    f"the file holds more YAML nodes than the {budget.remaining:,} left of "
                    f"catalogsync's cap of {MAX_NODES:,} per catalog; reading stops here"
                )
                budget.remaining = -1
                return Diagnostic(file, line, column, "", _LIMITS, message)
    return None


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def _node_bound(text: str) -> int:
    # A node starts a line, follows `- `, `? ` or `: `, or sits in a flow
    # collection after `[`, `{` or `,` (the first entry of a flow collection is
    # counted by its bracket, hence brackets count twice).
    single = sum(text.count(c) for c in (*_LINE_BREAKS, "-", "?", ":", ","))
    return 1 + single + 2 * (text.count("[") + text.count("{"))


class _LimitExceeded(Exception):
    """A document broke a YAML limit at ``node``; the path is filled in while unwinding."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.path: list[str | int] = []

    def diagnostic(self, file: str) -> Diagnostic:
        line, column = _position(self.node)
        return Diagnostic(file, line, column, pointer(*reversed(self.path)), _LIMITS, self.message)


class _Converter:
    """Nodes -> plain values within the budget and depth, noting duplicate keys.

    The composer hands an alias over as the very node it names, so a node
    (a collection or a long scalar) met a second time is an alias being
    expanded, and a collection met again inside itself is an alias that
    contains itself.
    """

    def __init__(self, budget: NodeBudget) -> None:
        self.budget = budget
        self.duplicates: list[yaml.MappingNode] = []
        self._open: set[int] = set()  # ids of the collections being converted (the path)
        self._seen: set[int] = set()  # ids of every collection and long scalar met so far
        self._aliases = 0  # how many alias expansions enclose the current node

    def convert(self, node: yaml.Node) -> Any:
        budget = self.budget
        budget.remaining -= 1
        key = id(node)
        scalar = isinstance(node, yaml.ScalarNode)
        # Only a scalar long enough to cost more than one node is remembered
        # (a set of every scalar would cost more than the nodes themselves).
        sizable = scalar and len(node.value) >= ALIAS_CHARS_PER_NODE
        if self._aliases or (sizable and key in self._seen):
            # A scalar reached through an alias costs its size: one anchored
            # megabyte used 400 times would otherwise cost 400 nodes.
            budget.aliased -= _alias_cost(node) if scalar else 1
            if budget.aliased < 0:
                raise _LimitExceeded(node, _ALIASES_OVER)
        if budget.remaining < 0:
            raise _LimitExceeded(node, _NODES_OVER)
        if isinstance(node, yaml.ScalarNode):
            if sizable:
                self._seen.add(key)
            return _scalar(node)
        if key in self._open:
            raise _LimitExceeded(node, "a YAML alias refers to a node that contains it")
        if len(self._open) >= MAX_DEPTH:
            raise _LimitExceeded(node, f"nested more than {MAX_DEPTH} levels deep")
        again = key in self._seen
        self._seen.add(key)
        self._open.add(key)
        self._aliases += again
        try:
            return self._collection(node)
        finally:
            self._open.discard(key)
            self._aliases -= again

    def _collection(self, node: yaml.Node) -> Any:
        # The pointer of a limit error is built while it unwinds: free until then.
        if isinstance(node, yaml.SequenceNode):
            out_list = []
            for index, item in enumerate(node.value):
                try:
                    out_list.append(self.convert(item))
                except _LimitExceeded as e:
                    e.path.append(index)
                    raise
            return out_list
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key, value in node.value:
                text = _key_text(key)
                try:
                    out[text] = self.convert(value)
                except _LimitExceeded as e:
                    e.path.append(text)
                    raise
            if len(out) != len(node.value):
                self.duplicates.append(node)
            return out
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - PyYAML has 3 kinds


def _alias_cost(node: yaml.Node) -> int:
    return 1 + len(node.value) // ALIAS_CHARS_PER_NODE


_ALIASES_OVER = (
    f"YAML aliases expand past catalogsync's cap of {MAX_ALIAS_NODES:,} nodes reached "
    "through aliases per catalog (an alias counts its whole node each time it is used, a "
    f"string one node per {ALIAS_CHARS_PER_NODE} characters); reading stops here"
)
_NODES_OVER = (
    f"YAML aliases take the catalog past catalogsync's cap of {MAX_NODES:,} nodes "
    "(an alias counts its whole node each time it is used); reading stops here"
)


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


def _reader_diagnostic(error: yaml.reader.ReaderError, file: str, text: str) -> Diagnostic:
    """A character YAML does not allow, at its line and column (the error has a byte offset)."""
    before = text.encode("utf-8")[: error.position].decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    message = f"character U+{error.character:04X} is not allowed in YAML ({error.reason})"
    return Diagnostic(file, line, column, "", "yaml-syntax", message)


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
