"""Counterexample search: vary the document at the path of a change, keep the surroundings.

A :class:`Searcher` is a :class:`~.witness.Generator` that also knows how to follow a change's
path (``#/properties/a/items``) into the writer's schema and offer many values there. A witness
is only taken from a frame in which the reader also accepts some document (a control), so the
break is where the change is, and both schemas are asked about every candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blue_tui.core.realm.compat.jsonvalue import split
from blue_tui.core.realm.compat.normalize import Norm, Normalizer
from blue_tui.core.realm.compat.regex import examples
from blue_tui.core.realm.compat.resolve import S
from blue_tui.core.realm.compat.validate import Validator
from blue_tui.core.realm.compat.witness import ABSENT, MAX_DEPTH, NOTHING, PALETTE, Generator, dedupe


class Searcher(Generator):
    def frames(self, s: S | None, focus: list[str], depth: int = 0) -> list[Frame]:
        """Ways to vary the document at ``focus``: fixed surroundings, many values in one place."""
        if s is None:
            return [(_same, list(PALETTE))]
        if not focus or depth > MAX_DEPTH:
            return [(_same, self.broad(s, depth))]
        n = self.norm(s)
        kw = n.kw
        word, tail = focus[0], focus[1:]
        base = self._object_min(n, depth)
        base = base if isinstance(base, dict) else {}
        out: list[Frame] = []
        if word == "properties" and tail:
            name = tail[0]
            if name in kw.get("properties", {}) or self.extras:
                out += _wrap(self.frames(self._eff(n, name), tail[1:], depth + 1), _put(base, name))
            if not tail[1:]:  # the change is about the property itself: try without it too
                out.append((_put(base, name), [ABSENT]))
        elif word in ("additionalProperties", "unevaluatedProperties"):
            if self.extras:
                out += _wrap(
                    self.frames(kw.get("additionalProperties"), tail, depth + 1), _put(base, "extra")
                )
        elif word == "patternProperties" and tail:
            schema = kw.get("patternProperties", {}).get(tail[0])
            if self.extras:
                for name in [x for x in examples(tail[0]) if x not in kw.get("properties", {})][:2]:
                    out += _wrap(self.frames(schema, tail[1:], depth + 1), _put(base, name))
        elif word in ("prefixItems", "items", "additionalItems", "unevaluatedItems"):
            out += self._array_frames(n, word, tail, depth)
        elif word == "contains":
            arr = self._array_min(n, depth)
            inner = self.frames(kw.get("contains"), tail, depth + 1)
            out += _wrap(inner, lambda v: [v])
            if isinstance(arr, list) and arr:
                out += _wrap(inner, lambda v: [*arr, v])
        elif word in ("anyOf", "oneOf") and tail and tail[0].isdigit():
            branches = kw.get(word, [])
            i = int(tail[0])
            order = ([i] if i < len(branches) else []) + [j for j in range(len(branches)) if j != i]
            for j in order:
                out += _wrap(
                    self.frames(branches[j], tail[1:], depth + 1), lambda v: self._with_base(n, v, depth)
                )
        elif word in ("allOf", "$ref"):
            for conjunct, suffix in n.rest:
                parts = suffix.split("/")
                if focus[: len(parts)] == parts:
                    inner = self.frames(conjunct, focus[len(parts) :], depth + 1)
                    out += _wrap(inner, lambda v: self._with_base(n, v, depth))
        elif word in ("dependentSchemas", "dependencies", "dependentRequired") and tail:
            name = tail[0]
            value = self.minimal(kw.get("properties", {}).get(name), depth + 1)
            with_name = {**base, name: None if value is NOTHING else value}
            out.append((_same, [with_name]))
            schema = kw.get("dependentSchemas", {}).get(name)
            if schema is not None:
                merge = lambda v: {**with_name, **v} if isinstance(v, dict) else v  # noqa: E731
                out += _wrap(self.frames(schema, tail[1:], depth + 1), merge)
        else:
            out.append((_same, self.broad(s, depth)))
        return out

    def _array_frames(self, n: Norm, word: str, tail: list[str], depth: int) -> list[Frame]:
        kw = n.kw
        prefix, rest = kw.get("prefixItems", []), kw.get("items")
        fill = [self.minimal(p, depth + 1) for p in prefix]
        fill = [None if v is NOTHING else v for v in fill]
        if tail and tail[0].isdigit() and word in ("prefixItems", "items"):
            i = int(tail[0])
            schema = prefix[i] if i < len(prefix) else rest
            filler = self.minimal(rest, depth + 1) if rest is not None else None
            pad = fill[:i] + [None if filler is NOTHING else filler] * max(0, i - len(fill))
            return _wrap(self.frames(schema, tail[1:], depth + 1), lambda v: [*pad, v])
        inner = self.frames(rest, tail, depth + 1)
        return _wrap(inner, lambda v: [*fill, v]) + _wrap(inner, lambda v: [v])


Frame = tuple[Callable[[Any], Any], list[Any]]


def _same(value: Any) -> Any:
    return value


def _put(base: dict[str, Any], name: str) -> Callable[[Any], Any]:
    """Set ``name`` in a copy of ``base`` (or leave it out, for :data:`ABSENT`)."""
    return lambda v: {k: x for k, x in base.items() if k != name} if v is ABSENT else {**base, name: v}


def _compose(outer: Callable[[Any], Any], inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: outer(inner(v))


def _wrap(frames: list[Frame], outer: Callable[[Any], Any]) -> list[Frame]:
    return [(_compose(outer, build), values) for build, values in frames]


def find_counterexample(
    norm: Normalizer,
    writer: S,
    reader: S,
    path: str,
    *,
    lenient: bool,
    limit: int = 400,
    hints: tuple[Any, ...] = (),
) -> tuple[bool, Any]:
    """A document ``writer`` accepts and ``reader`` rejects because of what is at ``path``.

    Within one frame only the value at ``path`` varies; a witness is only taken from a frame in
    which the reader also accepts some document (a control), so the break is where the change is
    and not in the surroundings. ``hints`` are values tried first at ``path`` (e.g. strings the
    automata found in one pattern's language and not the other's). Returns (False, None) when
    none is found.
    """
    writer_ok = Validator(norm)
    reader_ok = Validator(norm, ignore_unknown=lenient)
    gen = Searcher(norm, writer_ok, extras=not lenient)
    focus = split(path)
    # Values the reader accepts at the same place make good controls.
    reader_gen = Searcher(norm, reader_ok, extras=not lenient)
    controls = dedupe([v for _, values in reader_gen.frames(reader, focus) for v in values[:20]], 60)
    tried = 0
    for build, values in gen.frames(writer, focus):
        witness: Any = NOTHING
        control = False
        for value in dedupe(list(hints) + list(values) + list(PALETTE) + controls, 260):
            if tried >= limit:
                break
            tried += 1
            doc = build(value)
            verdict = reader_ok(reader, doc)
            if verdict is True:
                control = True
            elif verdict is False and witness is NOTHING and writer_ok(writer, doc) is True:
                witness = doc
            if control and witness is not NOTHING:
                return True, witness
    return False, None
