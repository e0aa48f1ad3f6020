"""JSON value helpers with JSON Schema's notion of equality (1 == 1.0, true != 1)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

JSON_TYPES: tuple[str, ...] = ("null", "boolean", "integer", "number", "string", "array", "object")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def json_type(value: Any) -> str:
    """The narrowest JSON Schema type of ``value`` ("integer" for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_integer(value):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def has_type(value: Any, name: str) -> bool:
    kind = json_type(value)
    return kind == name or (name == "number" and kind == "integer")


def fraction(value: Any) -> Fraction | None:
    """The exact decimal a JSON number was written as (0.1 -> 1/10), or None."""
    if not is_number(value):
        return None
    if isinstance(value, int):
        return Fraction(value)
    try:
        return Fraction(Decimal(repr(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return None


def key(value: Any) -> Hashable:
    """A hashable key such that key(a) == key(b) iff a and b are equal JSON values."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        return ("num", fraction(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list | tuple):
        return ("arr", tuple(key(v) for v in value))
    if isinstance(value, dict):
        return ("obj", frozenset((k, key(v)) for k, v in value.items()))
    return ("other", repr(value))


def json_equal(a: Any, b: Any) -> bool:
    return key(a) == key(b)


def unique(values: Iterable[Any]) -> list[Any]:
    seen: set[Hashable] = set()
    out = []
    for value in values:
        k = key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
    return out


def pointer_escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(path: str, *tokens: str | int) -> str:
    """Extend a ``#/a/b`` JSON pointer with escaped tokens."""
    out = path
    for token in tokens:
        out += "/" + pointer_escape(str(token))
    return out


def split(path: str) -> list[str]:
    body = path[1:] if path.startswith("#") else path
    if not body:
        return []
    return [pointer_unescape(t) for t in body.lstrip("/").split("/")]
