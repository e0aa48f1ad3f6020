"""Example strings for a regular expression, to look for ``pattern`` counterexamples.

The automata give the shortest strings of the pattern's language (:func:`automata.examples`);
more varied ones are built from the parse tree of Python's own regex parser (private API, so
every failure simply yields no examples). Every string is checked with ``re.search``.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

from blue_tui.core.realm.compat import automata

_CATEGORY = {
    "CATEGORY_DIGIT": "0", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_SPACE": " ", "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a", "CATEGORY_NOT_WORD": "-",
}  # fmt: skip
_PROBES = "a0Z_ -.xé9/@"


class _Unsupported(Exception):
    pass


def _in_category(ch: str, name: str) -> bool:
    tests = {
        "CATEGORY_DIGIT": ch.isdigit(), "CATEGORY_NOT_DIGIT": not ch.isdigit(),
        "CATEGORY_SPACE": ch.isspace(), "CATEGORY_NOT_SPACE": not ch.isspace(),
        "CATEGORY_WORD": ch.isalnum() or ch == "_", "CATEGORY_NOT_WORD": not (ch.isalnum() or ch == "_"),
    }  # fmt: skip
    if name not in tests:
        raise _Unsupported(name)
    return tests[name]


def _in_set(ch: str, items: list[Any]) -> bool:
    negate = False
    hit = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or ord(ch) == arg
        elif name == "RANGE":
            hit = hit or arg[0] <= ord(ch) <= arg[1]
        elif name == "CATEGORY":
            hit = hit or _in_category(ch, str(arg))
        else:
            raise _Unsupported(name)
    return hit != negate


def _pick(items: list[Any], k: int) -> str:
    positive = [(str(op), arg) for op, arg in items if str(op) != "NEGATE"]
    if len(positive) == len(items) and positive:
        name, arg = positive[k % len(positive)]
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0] + (k % (arg[1] - arg[0] + 1)))
        if name == "CATEGORY":
            return _CATEGORY.get(str(arg), "a")
    for ch in _PROBES[k % len(_PROBES) :] + _PROBES:
        if _in_set(ch, items):
            return ch
    raise _Unsupported("empty class")


def _emit(tree: Any, k: int, extra: int) -> str:
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_pick(arg, k))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            times = min(low + extra, high) if high >= low else low
            out.extend(_emit(sub, k + i, extra) for i in range(times))
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1], k, extra))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg, k, extra))
        elif name == "BRANCH":
            alternatives = arg[1]
            out.append(_emit(alternatives[k % len(alternatives)], k, extra))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORY.get(str(arg), "a"))
        else:
            raise _Unsupported(name)
    return "".join(out)


@lru_cache(maxsize=256)
def examples(pattern: str, limit: int = 10) -> tuple[str, ...]:
    """Up to ``limit`` distinct strings in which ``re.search(pattern, s)`` finds a match."""
    try:
        compiled = re.compile(pattern)
        tree = importlib.import_module("re._parser").parse(pattern)
    except Exception:
        return ()
    found: dict[str, None] = dict.fromkeys(t for t in automata.examples(pattern, limit) if compiled.search(t))
    for extra in (0, 1, 3):
        for k in range(4):
            try:
                text = _emit(tree, k, extra)
            except (_Unsupported, ValueError, TypeError, IndexError, OverflowError):
                continue
            if compiled.search(text) is not None:
                found.setdefault(text, None)
            if len(found) >= limit:
                return tuple(found)
    return tuple(found)
