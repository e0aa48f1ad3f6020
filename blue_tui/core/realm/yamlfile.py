"""Safe YAML for realm files: plain values plus the line of every key path.

Parsing uses libyaml's composer (``CSafeLoader`` when available) and a small walker that builds
plain ``dict``/``list``/scalars while recording ``key path -> line`` (``imports[0].version``).
Only the JSON-like core tags are accepted. Timestamps stay strings. Duplicate keys are reported.
Anchors on collections, over-deep nesting and oversized files are refused before they can hurt
(libyaml's recursive composer crashes the interpreter on ~100k nesting levels, so nesting is
bounded before composing).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1 << 20
#: Deepest nesting the walker accepts (JSON Schemas in contracts nest a few levels).
MAX_DEPTH = 64
#: Above this bound the document is pre-scanned, because libyaml's composer recurses in C.
SCAN_THRESHOLD = 1000

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(
    {
        _STR,
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader without the timestamp resolver: dates stay the strings the user wrote."""


class _PyLoader(yaml.SafeLoader):
    """The pure-Python parser, used only to tell why libyaml refused a document."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class YamlError(Exception):
    """A file that is not usable YAML. ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Issue:
    """A non-fatal finding of the parser (a duplicate key)."""

    key: str
    line: int
    message: str


@dataclass
class Parsed:
    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def line(self, key: str | None) -> int | None:
        """The line of ``key``, else of its nearest parent that has one, else None."""
        while key:
            found = self.lines.get(key)
            if found is not None:
                return found
            key = parent_key(key)
        return self.lines.get("")


def parent_key(key: str) -> str:
    if key.endswith("]"):
        return key[: key.rfind("[")]
    dot = key.rfind(".")
    return key[:dot] if dot >= 0 else ""


def join_key(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth: every level needs an indicator or more indentation.

    Flow collections open with ``[``/``{``, block sequences with ``-``, explicit keys with ``?``,
    and a nested block mapping needs deeper indentation than its parent.
    """
    if len(text) < SCAN_THRESHOLD:
        return len(text)  # every level costs at least one character
    indicators = text.count("[") + text.count("{") + text.count("-") + text.count("?")
    if indicators >= SCAN_THRESHOLD:
        return indicators
    indent = max((len(ln) - len(ln.lstrip(" ")) for ln in text.split("\n")), default=0)
    return indicators + indent + 1


def _count_depth(text: str, loader: Any) -> None:
    """Walk an event stream (iterative, cannot crash) and refuse over-deep documents."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise YamlError(f"nested deeper than {MAX_DEPTH} levels", mark.line + 1 if mark else None)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _scan_depth(text: str) -> None:
    """Refuse over-deep documents with the product's own message, whoever notices first.

    libyaml may stop on deep nesting itself (it scans tokens ahead of the events, and newer
    releases cap the nesting level), so when the fast scan fails, the pure-Python parser, which
    has no cap of its own and emits events as it goes, decides whether depth was the problem.
    """
    try:
        _count_depth(text, _Loader)
        return
    except yaml.YAMLError as exc:
        first: yaml.YAMLError = exc
    with contextlib.suppress(yaml.YAMLError):  # not about depth: the first error stands
        _count_depth(text, _PyLoader)
    if isinstance(first, yaml.MarkedYAMLError):
        raise _marked(first) from None
    raise YamlError(f"not valid YAML: {first}") from None


def _marked(exc: yaml.MarkedYAMLError) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    context = f" {exc.context}" if exc.context else ""
    line = mark.line + 1 if mark is not None else None
    started = exc.context_mark.line + 1 if exc.context_mark is not None else None
    if started is not None and line is not None and started != line:
        context += f" (started at line {started})"
    return YamlError(f"not valid YAML: {problem}{context}".strip(), line)


def parse_text(text: str) -> Parsed:
    """Parse one YAML document into plain values with a key-path -> line table."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise YamlError("contains a NUL character")
    if _depth_bound(text) >= SCAN_THRESHOLD:
        _scan_depth(text)
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _marked(exc) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"not valid YAML: {exc}") from None
        parsed = Parsed(None)
        if node is None:
            return parsed
        parsed.lines[""] = node.start_mark.line + 1
        parsed.data = _Walker(loader, parsed).walk(node, "", 0)
        return parsed
    finally:
        loader.dispose()


def parse_bytes(raw: bytes) -> Parsed:
    if len(raw) > MAX_BYTES:
        raise YamlError(f"file is larger than {MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError("is not UTF-8 text", line) from None
    return parse_text(text)


class _Walker:
    __slots__ = ("loader", "parsed", "seen")

    def __init__(self, loader: Any, parsed: Parsed) -> None:
        self.loader = loader
        self.parsed = parsed
        self.seen: set[int] = set()

    def walk(self, node: Node, path: str, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return node.value
            if node.tag not in _SCALAR_TAGS:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed (plain values only)", node.start_mark.line + 1
                )
            try:
                return self.loader.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError) as exc:
                raise YamlError(f"bad value {node.value!r}: {exc}", node.start_mark.line + 1) from None
        if depth >= MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        if id(node) in self.seen:
            raise YamlError(
                "anchors and aliases of lists or mappings are not allowed", node.start_mark.line + 1
            )
        self.seen.add(id(node))
        lines = self.parsed.lines
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed (plain mappings only)", node.start_mark.line + 1
                )
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, ScalarNode):
                    raise YamlError("mapping keys must be plain strings", line)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError("merge keys (<<) are not allowed", line)
                key = self.walk(key_node, path, depth + 1)
                sub = join_key(path, key)
                if key in out:
                    self.parsed.issues.append(
                        Issue(
                            sub,
                            line,
                            f"duplicate key {key!r} (first at line {lines.get(sub)}); the last one wins",
                        )
                    )
                else:
                    lines[sub] = line
                out[key] = self.walk(value_node, sub, depth + 1)
            return out
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed (plain lists only)", node.start_mark.line + 1
                )
            items: list[Any] = []
            for index, item in enumerate(node.value):
                sub = f"{path}[{index}]"
                lines[sub] = item.start_mark.line + 1
                items.append(self.walk(item, sub, depth + 1))
            return items
        raise YamlError("unsupported YAML node", node.start_mark.line + 1)  # pragma: no cover


def dump(data: Any) -> str:
    """Block-style YAML in insertion order, the way the admin commands write realm files."""
    text: str = yaml.dump(
        data, Dumper=_BaseDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )
    return text
