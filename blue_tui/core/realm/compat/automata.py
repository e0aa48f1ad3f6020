"""Regular-language answers about ``pattern``: inclusion, disjointness and example strings.

Patterns are parsed by :mod:`.ecma` and turned into finite automata with ``interegular``
(its FSM algebra: concatenation, union, repetition, difference). JSON Schema patterns are
*unanchored*: a string is valid when the pattern matches somewhere in it. Anchors are handled
exactly by tracking, for each part of the pattern, whether its match must start at the start of
the string and whether it must end at its end; the final language is ``Σ* L Σ*`` with the ``Σ*``
dropped on an anchored side.

``\\d \\w \\s``, ``.`` and ``$`` mean different things in ECMA-262 (ASCII classes, ``$`` only at
the end) and in Python's ``re`` (Unicode classes, ``$`` also before a final newline). A pattern
using them is decided under both readings, and only an answer both give is returned.

Automata can grow exponentially (``(a|b)*a(a|b){20}``). interegular builds them in one function,
``crawl``, with no bound (and a quadratic state lookup); it is replaced here by the same walk with
a dictionary index and a work budget per decision. A decision over budget answers *unknown*.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import interegular.fsm as _interegular_fsm

from blue_tui.core.realm.compat.alphabet import Partition, charsets, ranges_of, sensitive
from blue_tui.core.realm.compat.ecma import Alt, Anchor, CharSet, Node, Repeat, Seq, Unsupported, parse

BUDGET = 250_000  # units of automaton work per decision (about half a second at worst)
_LOCAL = threading.local()
ifsm: Any = _interegular_fsm  # untyped library: used through Any

Flags = tuple[bool, bool]  # (must start at the string's start, must end at its end)


class _OverBudget(Exception):
    pass


def _key(state: Any) -> Any:
    if isinstance(state, dict):
        return ("d", tuple(sorted(state.items())))
    if isinstance(state, set):
        return frozenset(state)
    return state


def _crawl(
    alphabet: Any, initial: Any, final: Callable[[Any], bool], follow: Callable[[Any, Any], Any]
) -> Any:
    """interegular's ``crawl`` with a dictionary index and a per-thread work budget."""
    states = [initial]
    index = {_key(initial): 0}
    finals: set[int] = set()
    transitions: dict[int, dict[Any, int]] = {}
    keys = list(alphabet.by_transition)
    i = 0
    while i < len(states):
        state = states[i]
        if final(state):
            finals.add(i)
        row = transitions[i] = {}
        cost = len(state) if isinstance(state, set | frozenset | dict | tuple) else 1
        for transition in keys:
            left = getattr(_LOCAL, "left", None)
            if left is not None:
                _LOCAL.left = left - cost - 1
                if _LOCAL.left < 0:
                    raise _OverBudget
            try:
                after = follow(state, transition)
            except ifsm.OblivionError:
                continue
            j = index.setdefault(_key(after), len(states))
            if j == len(states):
                states.append(after)
            row[transition] = j
        i += 1
    return ifsm.FSM(alphabet, range(len(states)), 0, finals, transitions, __no_validation__=True)


ifsm.crawl = _crawl

# ---- automata for one reading ----------------------------------------------------------------

Parts = dict[Flags, Any]  # (must start at 0, must end at the end) -> FSM of what is consumed


class _Builder:
    def __init__(self, part: Partition, dialect: str) -> None:
        self.part = part
        self.dialect = dialect
        self.eps = ifsm.epsilon(part.alphabet)
        every = dict.fromkeys(part.alphabet.by_transition, 0)
        self.anything = ifsm.FSM(part.alphabet, {0}, 0, {0}, {0: every}, __no_validation__=True)
        self.newline = self._chars(frozenset([part.block("\n")]))

    def _chars(self, keys: frozenset[int]) -> Any:
        return ifsm.FSM(
            self.part.alphabet, {0, 1}, 0, {1}, {0: dict.fromkeys(keys, 1)}, __no_validation__=True
        )

    def search(self, node: Node) -> Any:
        """Strings in which the pattern matches somewhere (JSON Schema's reading)."""
        pieces = []
        for (start, end), fsm in self.build(node).items():
            pieces.append(
                ifsm.FSM.concatenate(
                    *([] if start else [self.anything]), fsm, *([] if end else [self.anything])
                )
            )
        return ifsm.FSM.union(*pieces) if pieces else ifsm.null(self.part.alphabet)

    def build(self, node: Node) -> Parts:
        if isinstance(node, CharSet):
            return {(False, False): self._chars(self.part.keys(ranges_of(node, self.dialect)))}
        if isinstance(node, Anchor):
            if node.kind == "^":
                return {(True, False): self.eps}
            # Python's `$` also matches before a newline that ends the string
            return {(False, True): self.eps if self.dialect == "ecma" else self.eps | self.newline}
        if isinstance(node, Seq):
            acc: Parts = {(False, False): self.eps}
            for item in node.items:
                acc = self._concat(acc, self.build(item))
            return acc
        if isinstance(node, Alt):
            out: Parts = {}
            for option in node.options:
                for flags, fsm in self.build(option).items():
                    out[flags] = out[flags] | fsm if flags in out else fsm
            return out
        return self._repeat(node)

    def _concat(self, left: Parts, right: Parts) -> Parts:
        out: Parts = {}
        for (sa, ea), fa in left.items():
            for (sb, eb), fb in right.items():
                a, b = fa, fb
                if sb:  # a `^` after consuming something never matches
                    a = self.eps if fa.initial in fa.finals else None
                if ea:
                    if self.dialect == "python" and (
                        sb or _accepts(fb, [self.part.symbols[self.part.block("\n")]])
                    ):
                        raise Unsupported(
                            "'$' followed by '^' or by something that can match a newline (Python's '$' also matches before a final newline)"
                        )
                    b = self.eps if fb.initial in fb.finals else None
                if a is None or b is None:
                    continue
                piece = b if a is self.eps else a if b is self.eps else a + b
                flags = (sa or sb, ea or eb)
                out[flags] = out[flags] | piece if flags in out else piece
        return out

    def _repeat(self, node: Repeat) -> Parts:
        inner = self.build(node.node)
        if set(inner) <= {(False, False)}:
            if not inner:
                return {(False, False): self.eps} if node.low == 0 else {}
            unit = inner[(False, False)]
            head = unit.times(node.low) if node.low else self.eps
            if node.high is None:
                tail = unit.star()
            else:
                tail = (unit | self.eps).times(node.high - node.low) if node.high > node.low else self.eps
            return {(False, False): head if tail is self.eps else tail if head is self.eps else head + tail}
        if node.high is None or node.high > 4:
            raise Unsupported("anchors inside an unbounded repetition")
        acc: Parts = {(False, False): self.eps}
        for _ in range(node.low):
            acc = self._concat(acc, inner)
        optional = dict(inner)
        optional[(False, False)] = inner[(False, False)] | self.eps if (False, False) in inner else self.eps
        for _ in range(node.high - node.low):
            acc = self._concat(acc, optional)
        return acc


def _accepts(fsm: Any, symbols: list[str]) -> bool:
    return bool(fsm.accepts(symbols))


class _Reading:
    """Both patterns' search automata under one reading, sharing one alphabet."""

    def __init__(self, trees: list[Node], dialect: str) -> None:
        sets = [ranges_of(cs, dialect) for tree in trees for cs in charsets(tree)]
        self.part = Partition([*sets, ((10, 10),)])
        builder = _Builder(self.part, dialect)
        self.fsms = [builder.search(tree) for tree in trees]

    def matches(self, i: int, text: str) -> bool:
        return _accepts(self.fsms[i], [self.part.symbols[self.part.block(ch)] for ch in text])

    def strings(self, fsm: Any, limit: int) -> list[str]:
        """Up to ``limit`` short strings ``fsm`` accepts: the shortest way to each final state."""
        symbol = {key: min(chars) for key, chars in fsm.alphabet.by_transition.items()}
        paths = {fsm.initial: ""}
        queue = deque([fsm.initial])
        found: list[str] = []
        while queue and len(found) < limit:
            state = queue.popleft()
            if state in fsm.finals:
                found.append(paths[state])
            for key, after in sorted(fsm.map.get(state, {}).items()):
                if after not in paths:
                    paths[after] = paths[state] + symbol[key]
                    queue.append(after)
        return found


# ---- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """``verdict``: True when every string ``a`` matches is matched by ``b`` (None: not decided,
    ``reason`` says why). ``witnesses``: strings ``a`` matches and ``b`` does not, in both readings."""

    verdict: bool | None
    reason: str = ""
    witnesses: tuple[str, ...] = ()


def _readings(patterns: tuple[str, ...]) -> list[_Reading] | str:
    """The automata of ``patterns`` in every reading that matters, or why there are none."""
    try:
        trees = [parse(p) for p in patterns]
    except Unsupported as exc:
        return str(exc)
    dialects = ("ecma", "python") if any(sensitive(t) for t in trees) else ("ecma",)
    out = []
    saved = getattr(_LOCAL, "left", None)
    try:
        for dialect in dialects:
            _LOCAL.left = BUDGET
            out.append(_Reading(trees, dialect))
    except Unsupported as exc:
        return str(exc)
    except _OverBudget:
        return "the automaton grows too large to decide (a bound that protects against hostile patterns)"
    finally:
        _LOCAL.left = saved
    return out


_DIALECTS = (
    "ECMA-262 and Python's re read \\d, \\w, \\s, '.' or '$' differently, and the answer depends on it"
)


@lru_cache(maxsize=512)
def inclusion(a: str, b: str) -> tuple[Decision, Decision]:
    """Does every string ``a`` matches match ``b``; and every string ``b`` matches match ``a``?"""
    readings = _readings((a, b))
    if isinstance(readings, str):
        return Decision(None, readings), Decision(None, readings)
    out = []
    for first, second in ((0, 1), (1, 0)):
        saved = getattr(_LOCAL, "left", None)
        try:
            found = []
            for reading in readings:
                _LOCAL.left = BUDGET
                extra = reading.fsms[first] - reading.fsms[second]
                found.append(reading.strings(extra, 5) if not extra.empty() else None)
        except _OverBudget:
            out.append(Decision(None, "the automaton grows too large to decide"))
            continue
        finally:
            _LOCAL.left = saved
        if all(f is None for f in found):
            out.append(Decision(True))
        elif all(f is not None for f in found):
            both = [
                w
                for f in found
                for w in f or ()
                if all(r.matches(first, w) and not r.matches(second, w) for r in readings)
            ]
            out.append(Decision(False, witnesses=tuple(dict.fromkeys(both))))
        else:
            out.append(Decision(None, _DIALECTS))
    return out[0], out[1]


@lru_cache(maxsize=512)
def disjoint(a: str, b: str) -> bool | None:
    """Can no string match both patterns? None when that is not decided."""
    readings = _readings((a, b))
    if isinstance(readings, str):
        return None
    saved = getattr(_LOCAL, "left", None)
    try:
        answers = set()
        for reading in readings:
            _LOCAL.left = BUDGET
            answers.add((reading.fsms[0] & reading.fsms[1]).empty())
    except _OverBudget:
        return None
    finally:
        _LOCAL.left = saved
    return answers.pop() if len(answers) == 1 else None


#: Longest text a backtracking engine is trusted with, for patterns outside the regular subset.
MAX_BACKTRACKING_TEXT = 24


@lru_cache(maxsize=256)
def _single(pattern: str) -> list[_Reading] | str:
    return _readings((pattern,))


def search(pattern: str, text: str) -> bool | None:
    """Does ``pattern`` match somewhere in ``text``? Runs the automaton, in time linear in the
    text, so a hostile pattern (``^(a|a)*b$``) cannot stall a check. None when the two readings
    disagree on this text, or the pattern is outside the regular subset and the text is too long
    to hand to Python's backtracking ``re``."""
    readings = _single(pattern)
    if isinstance(readings, str):
        if len(text) > MAX_BACKTRACKING_TEXT:
            return None
        try:
            return re.search(pattern, text) is not None
        except re.error:
            return None
    answers = {reading.matches(0, text) for reading in readings}
    return answers.pop() if len(answers) == 1 else None


@lru_cache(maxsize=256)
def examples(pattern: str, limit: int = 10) -> tuple[str, ...]:
    """Short strings the pattern matches in every reading (empty when it is not decided)."""
    readings = _readings((pattern,))
    if isinstance(readings, str):
        return ()
    found = readings[-1].strings(readings[-1].fsms[0], limit * 3)
    return tuple(w for w in found if all(r.matches(0, w) for r in readings))[:limit]
