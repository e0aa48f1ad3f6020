"""Is each keyword of a schema shaped the way JSON Schema says (before any comparison)?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from blue_tui.core.realm.compat.jsonvalue import JSON_TYPES, is_number
from blue_tui.core.realm.compat.resolve import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED

COUNTS = (
    "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    "minContains", "maxContains",
)  # fmt: skip
NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def is_schema(value: Any) -> bool:
    return isinstance(value, dict | bool)


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def keyword_problem(word: str, value: Any, draft: int, *, declared: bool = True) -> str | None:
    """Why ``value`` is not a valid value of keyword ``word`` (None when it is). Without a declared
    draft, the forms of every draft are accepted (draft-04's boolean ``exclusiveMaximum``)."""
    if word == "type":
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or any(n not in JSON_TYPES for n in names):
            return f"`type` must be one of {', '.join(JSON_TYPES)} or a list of them"
    elif word == "enum":
        if not isinstance(value, list):
            return "`enum` must be a list"
    elif word in NUMERIC:
        if word.startswith("exclusive") and (draft == 4 or (not declared and isinstance(value, bool))):
            if not isinstance(value, bool):
                return f"`{word}` must be a boolean in draft-04"
        elif not is_number(value):
            return f"`{word}` must be a number"
    elif word == "multipleOf":
        if not is_number(value) or value <= 0:
            return "`multipleOf` must be a number greater than 0"
    elif word in COUNTS:
        if (
            isinstance(value, bool)
            or not (isinstance(value, int) or (isinstance(value, float) and value.is_integer()))
            or value < 0
        ):
            return f"`{word}` must be a non-negative integer"
    elif word in ("pattern", "$ref", "$dynamicRef", "$recursiveRef"):
        if not isinstance(value, str):
            return f"`{word}` must be a string"
    elif word == "required":
        if not _string_list(value):
            return "`required` must be a list of property names"
    elif word == "uniqueItems":
        if not isinstance(value, bool):
            return "`uniqueItems` must be true or false"
    elif word in SCHEMA_VALUED:
        if not is_schema(value):
            return f"`{word}` must be a schema (an object or a boolean)"
    elif word in SCHEMA_LISTS:
        if not isinstance(value, list) or not value or not all(is_schema(v) for v in value):
            return f"`{word}` must be a non-empty list of schemas"
    elif word in SCHEMA_MAPS:
        if not isinstance(value, dict) or not all(is_schema(v) for v in value.values()):
            return f"`{word}` must map names to schemas"
    elif word == "items":
        if not (is_schema(value) or (isinstance(value, list) and all(is_schema(v) for v in value))):
            return "`items` must be a schema or a list of schemas"
    elif word == "dependentRequired":
        if not isinstance(value, dict) or not all(_string_list(v) for v in value.values()):
            return "`dependentRequired` must map property names to lists of property names"
    elif word == "dependencies" and (
        not isinstance(value, dict) or not all(_string_list(v) or is_schema(v) for v in value.values())
    ):
        return "`dependencies` must map property names to lists of names or to schemas"
    return None


def problems(root: Any, draft: int, *, declared: bool = True) -> Iterator[tuple[list[str | int], str]]:
    """Every badly shaped keyword in a schema document, as (JSON path tokens, reason)."""
    yield from _walk(root, [], draft, set(), declared)


def _walk(
    node: Any, path: list[str | int], draft: int, seen: set[int], declared: bool
) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(node, bool):
        return
    if not isinstance(node, dict):
        yield path, f"a schema must be an object or a boolean, not {type(node).__name__}"
        return
    if id(node) in seen:
        return
    seen.add(id(node))
    for word, value in node.items():
        reason = keyword_problem(word, value, draft, declared=declared)
        if reason:
            yield [*path, word], reason
            continue
        if word in SCHEMA_VALUED:
            yield from _walk(value, [*path, word], draft, seen, declared)
        elif word in SCHEMA_LISTS or (word == "items" and isinstance(value, list)):
            for i, child in enumerate(value):
                yield from _walk(child, [*path, word, i], draft, seen, declared)
        elif word in SCHEMA_MAPS:
            for name, child in value.items():
                yield from _walk(child, [*path, word, name], draft, seen, declared)
        elif word == "items":
            yield from _walk(value, [*path, word], draft, seen, declared)
        elif word == "dependencies":
            for name, child in value.items():
                if is_schema(child):
                    yield from _walk(child, [*path, word, name], draft, seen, declared)
