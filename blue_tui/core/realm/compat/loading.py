"""Reading a JSON Schema from a file: JSON, YAML, or a contract YAML's ``schema:`` key."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from blue_tui.core.realm.compat.errors import SchemaFileError
from blue_tui.core.realm.compat.resolve import detect_draft
from blue_tui.core.realm.compat.shape import problems

# Keys that only a contract file has at its top level (a JSON Schema has none of them).
CONTRACT_KEYS = ("name", "version", "owner", "compatibility", "evolution", "validation", "schema")
SCHEMA_KEYS = (
    "$schema",
    "$id",
    "$ref",
    "type",
    "properties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "enum",
    "const",
)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps the node tree (for line numbers) and leaves dates as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, source: str) -> tuple[Any, Any]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(x for x in (exc.context, exc.problem) if x) or "broken YAML"
        raise SchemaFileError(
            source, f"not valid YAML: {reason}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise SchemaFileError(source, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, node


def _line(node: Any, path: list[str | int]) -> int | None:
    """The line of the YAML node at ``path`` (or of its deepest existing ancestor)."""
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for token in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == token:
                    node, line = value_node, int(key_node.start_mark.line) + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(token, int) and token < len(node.value):
            node = node.value[token]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line


def _json_problem(value: Any, path: list[str | int]) -> tuple[list[str | int], str] | None:
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return path, f"keys must be strings, found {k!r}"
            found = _json_problem(v, [*path, k])
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _json_problem(v, [*path, i])
            if found:
                return found
    elif isinstance(value, float) and not math.isfinite(value):
        return path, f"{value} is not a JSON number"
    elif not (value is None or isinstance(value, bool | int | float | str)):
        return path, f"{type(value).__name__} values are not JSON"
    return None


def _pointer(path: list[str | int]) -> str:
    return "#" + "".join(f"/{str(t).replace('~', '~0').replace('/', '~1')}" for t in path)


def load_schema_file(path: Path) -> dict[str, Any]:
    """The JSON Schema in ``path``: a JSON or YAML schema, or a contract YAML's ``schema:``.

    Raises :class:`SchemaFileError` naming the file (and the line, where there is one).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaFileError(source, "no such file") from None
    except IsADirectoryError:
        raise SchemaFileError(source, "is a directory, not a schema file") from None
    except UnicodeDecodeError:
        raise SchemaFileError(source, "is not UTF-8 text") from None
    except OSError as exc:
        raise SchemaFileError(source, f"cannot be read: {exc.strerror or exc}") from None
    node = None
    if Path(path).suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaFileError(source, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
        try:
            node = _parse_yaml(text, source)[1]  # only for line numbers; JSON is (nearly) YAML
        except SchemaFileError:
            node = None
    else:
        data, node = _parse_yaml(text, source)
    if data is None:
        raise SchemaFileError(source, "is empty: expected a JSON Schema or a contract with a `schema:` key")
    prefix: list[str | int] = []
    if (
        isinstance(data, dict)
        and not any(k in data for k in SCHEMA_KEYS)
        and any(k in data for k in CONTRACT_KEYS)
    ):
        if "schema" not in data:
            raise SchemaFileError(
                source, "is a contract without a `schema:` key", line=_line(node, []),
                hint="add the contract's JSON Schema under `schema:`",
            )  # fmt: skip
        data, prefix = data["schema"], ["schema"]
    if not isinstance(data, dict):
        kind = "boolean" if isinstance(data, bool) else type(data).__name__
        what = "the contract's `schema:`" if prefix else "the schema"
        raise SchemaFileError(
            source, f"{what} must be a JSON object (a mapping), not a {kind}", line=_line(node, prefix),
            hint="write {} for a schema that accepts everything" if data is True else None,
        )  # fmt: skip
    bad = _json_problem(data, [])
    if bad:
        where, reason = bad
        raise SchemaFileError(source, f"{_pointer(where)}: {reason}", line=_line(node, prefix + where))
    found = list(problems(data, detect_draft(data)))
    if found:
        where, reason = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise SchemaFileError(source, f"{_pointer(where)}: {reason}{more}", line=_line(node, prefix + where))
    return data
