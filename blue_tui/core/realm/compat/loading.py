"""Reading a JSON Schema from a file: JSON, YAML, or a contract YAML's ``schema:`` key."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from blue_tui.core.realm.compat.errors import SchemaFileError
from blue_tui.core.realm.compat.resolve import declares_draft, detect_draft
from blue_tui.core.realm.compat.shape import problems
from blue_tui.core.realm.yamlfile import MAX_BYTES, MAX_DEPTH, Parsed, YamlError, join_key, parse_bytes

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


def _parse_yaml(raw: bytes, source: str) -> Parsed:
    """YAML through the realm's guarded loader: no collection aliases, depth and size caps."""
    try:
        return parse_bytes(raw)
    except YamlError as exc:
        message = (
            exc.message if exc.message.startswith("not valid YAML") else f"not valid YAML: {exc.message}"
        )
        raise SchemaFileError(source, message, line=exc.line) from None


def _line(parsed: Parsed | None, path: list[str | int]) -> int | None:
    """The line of the value at ``path`` (or of its deepest ancestor that has one)."""
    if parsed is None:
        return None
    key = ""
    for token in path:
        key = f"{key}[{token}]" if isinstance(token, int) else join_key(key, token)
    return parsed.line(key)


def _load_json(raw: bytes, source: str) -> Any:
    if len(raw) > MAX_BYTES:
        raise SchemaFileError(source, f"file is larger than {MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemaFileError(source, "is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaFileError(source, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise SchemaFileError(source, f"not valid JSON: nested deeper than {MAX_DEPTH} levels") from None
    if _too_deep(data):
        raise SchemaFileError(source, f"not valid JSON: nested deeper than {MAX_DEPTH} levels")
    return data


def _too_deep(value: Any) -> bool:
    """Is ``value`` nested deeper than the YAML loader allows (iteratively, so it cannot overflow)?"""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


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
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SchemaFileError(source, "no such file") from None
    except IsADirectoryError:
        raise SchemaFileError(source, "is a directory, not a schema file") from None
    except OSError as exc:
        raise SchemaFileError(source, f"cannot be read: {exc.strerror or exc}") from None
    parsed: Parsed | None
    if Path(path).suffix.lower() == ".json":
        data = _load_json(raw, source)
        try:
            parsed = parse_bytes(raw)  # only for line numbers; JSON is (nearly) YAML
        except YamlError:
            parsed = None
    else:
        parsed = _parse_yaml(raw, source)
        data = parsed.data
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
                source, "is a contract without a `schema:` key", line=_line(parsed, []),
                hint="add the contract's JSON Schema under `schema:`",
            )  # fmt: skip
        data, prefix = data["schema"], ["schema"]
    if not isinstance(data, dict):
        kind = "boolean" if isinstance(data, bool) else type(data).__name__
        what = "the contract's `schema:`" if prefix else "the schema"
        raise SchemaFileError(
            source, f"{what} must be a JSON object (a mapping), not a {kind}", line=_line(parsed, prefix),
            hint="write {} for a schema that accepts everything" if data is True else None,
        )  # fmt: skip
    bad = _json_problem(data, [])
    if bad:
        where, reason = bad
        raise SchemaFileError(source, f"{_pointer(where)}: {reason}", line=_line(parsed, prefix + where))
    found = list(problems(data, detect_draft(data), declared=declares_draft(data)))
    if found:
        where, reason = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise SchemaFileError(
            source, f"{_pointer(where)}: {reason}{more}", line=_line(parsed, prefix + where)
        )
    return data
