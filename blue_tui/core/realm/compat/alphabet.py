"""Character classes in the two readings of a pattern, and the alphabet the automata use.

ECMA-262 reads ``\\d \\w \\s`` as ASCII classes and ``.`` as "not a line terminator"; Python's
``re`` reads them as Unicode classes and ``.`` as "not a newline". The automata do not need one
symbol per code point: a :class:`Partition` cuts Unicode into blocks that every class of the
patterns treats alike, and one readable member stands for each block.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise
from typing import Any

import interegular.fsm as _interegular_fsm

from blue_tui.core.realm.compat.ecma import Alt, Anchor, CharSet, Node, Repeat, Seq

MAX_UNICODE = 0x10FFFF
Ranges = tuple[tuple[int, int], ...]
ifsm: Any = _interegular_fsm


def _normal(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[list[int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], high)
        else:
            out.append([low, high])
    return tuple((a, b) for a, b in out)


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= MAX_UNICODE:
        out.append((start, MAX_UNICODE))
    return tuple(out)


_ECMA: dict[str, Ranges] = {
    "d": ((48, 57),),
    "w": ((48, 57), (65, 90), (95, 95), (97, 122)),
    "s": ((9, 13), (32, 32), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
          (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)),
    ".": _complement(((10, 10), (13, 13), (0x2028, 0x2029))),
}  # fmt: skip


@cache
def _python(name: str) -> Ranges:
    """Python's ``re`` classes for str patterns (what ``sre`` tests: isdecimal, isalnum, isspace)."""
    if name == ".":
        return _complement(((10, 10),))
    test: Callable[[str], bool] = {
        "d": str.isdecimal, "w": lambda c: c.isalnum() or c == "_", "s": str.isspace,
    }[name]  # fmt: skip
    return _normal((code, code) for code in range(MAX_UNICODE + 1) if test(chr(code)))


def ranges_of(cs: CharSet, dialect: str) -> Ranges:
    parts = list(cs.ranges)
    for name in cs.classes:
        table = _ECMA[name.lower()] if dialect == "ecma" else _python(name.lower())
        parts += _complement(table) if name.isupper() else table
    merged = _normal(parts)
    return _complement(merged) if cs.negated else merged


def charsets(node: Node) -> Iterable[CharSet]:
    if isinstance(node, CharSet):
        yield node
    elif isinstance(node, Seq | Alt):
        for child in node.items if isinstance(node, Seq) else node.options:
            yield from charsets(child)
    elif isinstance(node, Repeat):
        yield from charsets(node.node)


def sensitive(node: Node) -> bool:
    """Does the pattern use an atom the two readings disagree on?"""
    return any(cs.classes for cs in charsets(node)) or _has_end(node)


def _has_end(node: Node) -> bool:
    if isinstance(node, Anchor):
        return node.kind == "$"
    if isinstance(node, Seq | Alt):
        return any(_has_end(c) for c in (node.items if isinstance(node, Seq) else node.options))
    return isinstance(node, Repeat) and _has_end(node.node)


_NICE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-. @/:éß"


class Partition:
    """Blocks of code points that every set of the patterns treats alike; one symbol each."""

    def __init__(self, sets: Iterable[Ranges]) -> None:
        unique = list(dict.fromkeys(sets))
        cuts = sorted({0, MAX_UNICODE + 1}.union(*({low, high + 1} for r in unique for low, high in r)))
        self.starts = cuts[:-1]
        signatures: dict[tuple[int, ...], int] = {}
        members: dict[int, list[tuple[int, int]]] = {}
        self.block_of: list[int] = []
        for start, end in pairwise(cuts):
            sig = tuple(i for i, ranges in enumerate(unique) if _inside(ranges, start))
            block = signatures.setdefault(sig, len(signatures))
            self.block_of.append(block)
            members.setdefault(block, []).append((start, end - 1))
        self.symbols = [_pick(members[b]) for b in range(len(signatures))]
        self.alphabet = ifsm.Alphabet({ch: i for i, ch in enumerate(self.symbols)})
        self._keys = {
            ranges: frozenset(block for sig, block in signatures.items() if i in sig)
            for i, ranges in enumerate(unique)
        }

    def keys(self, ranges: Ranges) -> frozenset[int]:
        return self._keys[ranges]

    def block(self, ch: str) -> int:
        return self.block_of[bisect.bisect_right(self.starts, ord(ch)) - 1]


def _inside(ranges: Ranges, code: int) -> bool:
    i = bisect.bisect_right(ranges, (code, MAX_UNICODE + 1)) - 1
    return i >= 0 and ranges[i][0] <= code <= ranges[i][1]


def _pick(intervals: list[tuple[int, int]]) -> str:
    """A readable member of the block (witness strings are built from these)."""
    for ch in _NICE:
        if any(low <= ord(ch) <= high for low, high in intervals):
            return ch
    for low, high in intervals:
        for code in range(low, min(high, low + 64) + 1):
            if chr(code).isprintable() and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
    return chr(intervals[0][0])
