"""Counterexample documents: valid under the writer's schema, invalid under the reader's.

Candidates are built from the writer schema: minimal valid values everywhere, and many
variations at the path of the change (bounds, lengths, pattern examples, enum values, optional
and undeclared properties ...). Each is checked with :class:`Validator` on both sides, so a
counterexample is only returned when both answers are definite.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import ceil
from typing import Any

from blue_tui.core.realm.compat.jsonvalue import key, split
from blue_tui.core.realm.compat.normalize import Norm, Normalizer, effective_types
from blue_tui.core.realm.compat.regex import examples
from blue_tui.core.realm.compat.resolve import S
from blue_tui.core.realm.compat.validate import Validator

NOTHING: Any = object()
ABSENT: Any = object()  # "leave this property out"
PALETTE: tuple[Any, ...] = (None, True, 0, 1, -1, 0.5, "", "a", [], {})
MAX_DEPTH = 5
CAP = 120

_OBJECT = {"properties", "required", "additionalProperties", "patternProperties", "minProperties",
           "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas", "unevaluatedProperties"}  # fmt: skip
_ARRAY = {"items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems", "unevaluatedItems"}
_STRING = {"minLength", "maxLength", "pattern"}
_NUMBER = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}


def _dedupe(values: list[Any], cap: int = CAP) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for value in values:
        if value is NOTHING:
            continue
        k = ("absent",) if value is ABSENT else key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
            if len(out) >= cap:
                break
    return out


def _num(f: Fraction) -> int | float:
    return int(f) if f.denominator == 1 else float(f)


class Generator:
    def __init__(self, norm: Normalizer, valid: Validator, *, extras: bool) -> None:
        self.norm = norm
        self.valid = valid
        self.extras = extras
        self._minimal: dict[int, Any] = {}

    # ---- minimal valid values ----

    def minimal(self, s: S | None, depth: int = 0) -> Any:
        if s is None:
            return None
        if id(s.raw) in self._minimal:
            return self._minimal[id(s.raw)]
        if depth > MAX_DEPTH:
            return NOTHING
        self._minimal[id(s.raw)] = NOTHING  # recursion guard
        found = NOTHING
        for candidate in self.simple(s, depth):
            if self.valid(s, candidate) is True:
                found = candidate
                break
        self._minimal[id(s.raw)] = found
        return found

    def _types(self, n: Norm) -> list[str]:
        types = effective_types(n)
        order = ["object", "array", "string", "integer", "number", "boolean", "null"]
        if types is not None:
            wanted = set(types) | ({"integer"} if "number" in types else set())
            return [t for t in order if t in wanted]
        words = set(n.kw)
        hinted = [
            t
            for t, group in (("object", _OBJECT), ("array", _ARRAY), ("string", _STRING), ("number", _NUMBER))
            if words & group
        ]
        return hinted + [t for t in order if t not in hinted]

    def simple(self, s: S, depth: int) -> list[Any]:
        n = self.norm(s)
        if n.is_false:
            return []
        if "values" in n.kw:
            return list(n.kw["values"][:8])
        out: list[Any] = []
        if "default" in n.meta:
            out.append(n.meta["default"])
        if isinstance(n.meta.get("examples"), list):
            out += n.meta["examples"][:3]
        for t in self._types(n):
            if t == "null":
                out.append(None)
            elif t == "boolean":
                out += [False, True]
            elif t in ("integer", "number"):
                out += self._numbers(n, t == "integer")[:4]
            elif t == "string":
                out += self._strings(n)[:6]
            elif t == "array":
                out.append(self._array_min(n, depth))
            elif t == "object":
                out.append(self._object_min(n, depth))
        for word in ("anyOf", "oneOf"):
            for branch in n.kw.get(word, []):
                out.append(self._with_base(n, self.minimal(branch, depth + 1), depth))
        for conjunct, _ in n.rest:
            out.append(self._with_base(n, self.minimal(conjunct, depth + 1), depth))
        return _dedupe(out, 24)

    def _with_base(self, n: Norm, value: Any, depth: int) -> Any:
        if isinstance(value, dict):
            base = self._object_min(n, depth)
            if isinstance(base, dict):
                return {**base, **value}
        return value

    def _numbers(self, n: Norm, integer: bool) -> list[Any]:
        from blue_tui.core.realm.compat.scalars import _bound

        kw = n.kw
        points = [Fraction(p) for p in (0, 1, -1, 2, 10, -10, 1000)]
        lo = _bound(n, "minimum", "exclusiveMinimum", False)
        hi = _bound(n, "maximum", "exclusiveMaximum", True)
        half = Fraction(1, 2)
        for bound in (lo, hi):
            if bound is not None:
                v = bound[0]
                points += [v, v + 1, v - 1, v + half, v - half, Fraction(ceil(v)), Fraction(ceil(v)) - 1]
        step = kw.get("multipleOf")
        if step is not None:
            start = ceil(lo[0] / step) if lo is not None else 1
            points += [step * start, step * (start + 1), step, step * 2, -step, step / 2, step * 3 / 2]
        if not integer:
            points += [half, Fraction(3, 2), -half, Fraction(1, 10)]
        values = [_num(p) for p in points if not integer or p.denominator == 1]
        from blue_tui.core.realm.compat.validate import _number

        good = [v for v in values if _number(kw, v) is True]
        return _dedupe(good + values, 40)

    def _strings(self, n: Norm) -> list[Any]:
        kw = n.kw
        lo, hi = kw.get("minLength", 0), kw.get("maxLength")
        out: list[str] = []
        if "pattern" in kw:
            for text in examples(kw["pattern"]):
                out.append(text)
                if len(text) < lo:
                    out.append(text + "a" * (lo - len(text)))
        out += ["a" * lo, "a" * max(lo, 1), "a" * (lo + 1), "", "a", "0", "A", " ", "é", "ab-c", "2020-01-01"]
        if hi is not None:
            out += ["a" * hi, "a" * (hi + 1)]
        if lo:
            out.append("a" * (lo - 1))
        from blue_tui.core.realm.compat.validate import _string

        good = [v for v in out if _string(kw, v) is True]
        return _dedupe(good + out, 30)

    def _array_min(self, n: Norm, depth: int) -> Any:
        kw = n.kw
        prefix, rest = kw.get("prefixItems", []), kw.get("items")
        out = []
        for i in range(kw.get("minItems", 0)):
            value = self.minimal(prefix[i] if i < len(prefix) else rest, depth + 1)
            if value is NOTHING:
                return NOTHING
            out.append(value)
        if "contains" in kw:
            value = self.minimal(kw["contains"], depth + 1)
            if value is NOTHING:
                return NOTHING
            while sum(1 for x in out if key(x) == key(value)) < kw.get("minContains", 1):
                out.append(value)
        return out

    def _eff(self, n: Norm, name: str) -> S | None:
        import re

        props = n.kw.get("properties", {})
        if name in props:
            return props[name]  # type: ignore[no-any-return]
        for pattern, schema in n.kw.get("patternProperties", {}).items():
            try:
                if re.search(pattern, name):
                    return schema  # type: ignore[no-any-return]
            except re.error:
                continue
        return n.kw.get("additionalProperties")

    def _object_min(self, n: Norm, depth: int) -> Any:
        kw = n.kw
        need = list(kw.get("required", ()))
        deps = kw.get("dependentRequired", {})
        out: dict[str, Any] = {}
        while need:
            name = need.pop(0)
            if name in out:
                continue
            value = self.minimal(self._eff(n, name), depth + 1)
            if value is NOTHING:
                return NOTHING
            out[name] = value
            need += [x for x in deps.get(name, ()) if x not in out]
        for name in kw.get("properties", {}):
            if len(out) >= kw.get("minProperties", 0):
                break
            value = self.minimal(kw["properties"][name], depth + 1)
            if value is not NOTHING and name not in out:
                out[name] = value
        return out

    # ---- many values at one place ----

    def broad(self, s: S | None, depth: int = 0) -> list[Any]:
        if s is None:
            return list(PALETTE)
        n = self.norm(s)
        if n.is_false:
            return []
        out = self.simple(s, depth)
        if depth > MAX_DEPTH:
            return out
        if "values" in n.kw:
            return _dedupe(out + list(n.kw["values"]))
        for t in self._types(n):
            if t in ("integer", "number"):
                out += self._numbers(n, t == "integer")
            elif t == "string":
                out += self._strings(n)
            elif t == "array":
                out += self._arrays(n, depth)
            elif t == "object":
                out += self._objects(n, depth)
        for word in ("anyOf", "oneOf"):
            for branch in n.kw.get(word, []):
                out += [self._with_base(n, v, depth) for v in self.broad(branch, depth + 1)[:12]]
        for conjunct, _ in n.rest:
            out += [self._with_base(n, v, depth) for v in self.broad(conjunct, depth + 1)[:12]]
        for word in ("if", "then", "else", "not"):
            if word in n.kw:
                out += [self._with_base(n, v, depth) for v in self.broad(n.kw[word], depth + 1)[:8]]
        if n.kw.get("type") is None:
            out += list(PALETTE)
        return _dedupe(out)

    def _arrays(self, n: Norm, depth: int) -> list[Any]:
        kw = n.kw
        base = self._array_min(n, depth)
        base = base if isinstance(base, list) else []
        prefix, rest = kw.get("prefixItems", []), kw.get("items")
        out: list[Any] = [[], base]
        fill = [self.minimal(p, depth + 1) for p in prefix]
        fill = [None if v is NOTHING else v for v in fill]
        for i, schema in enumerate(prefix):
            out += [[*fill[:i], v] for v in self.broad(schema, depth + 1)[:8]]
        more = self.broad(rest, depth + 1)[:8] if (rest is not None or self.extras) else []
        out += [[*fill, v] for v in more] + [[*base, v] for v in more]
        if base:
            out.append([*base, base[-1]])
        item = self.minimal(rest, depth + 1) if rest is not None else 0
        if item is not NOTHING:
            out += [[item, item], [item] * (kw.get("maxItems", 1) + 1)]
        if "contains" in kw:
            out += [[v] for v in self.broad(kw["contains"], depth + 1)[:6]]
        return out

    def _objects(self, n: Norm, depth: int) -> list[Any]:
        kw = n.kw
        base = self._object_min(n, depth)
        base = base if isinstance(base, dict) else {}
        out: list[Any] = [base, {}]
        props = kw.get("properties", {})
        for name, schema in props.items():
            out += [{**base, name: v} for v in self.broad(schema, depth + 1)[:10]]
        for name in base:
            out.append({k: v for k, v in base.items() if k != name})
        if self.extras:
            addl = kw.get("additionalProperties")
            values = self.broad(addl, depth + 1)[:8] if addl is not None else list(PALETTE[:5])
            out += [{**base, "extra": v} for v in values]
            for pattern, schema in kw.get("patternProperties", {}).items():
                for name in [x for x in examples(pattern) if x not in props][:2]:
                    out += [{**base, name: v} for v in self.broad(schema, depth + 1)[:6]]
        for name in kw.get("dependentRequired", {}) | kw.get("dependentSchemas", {}):
            value = self.minimal(props.get(name), depth + 1) if name in props else None
            out.append({**base, name: None if value is NOTHING else value})
        return out

    # ---- following the path of a change ----

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
    gen = Generator(norm, writer_ok, extras=not lenient)
    focus = split(path)
    # Values the reader accepts at the same place make good controls.
    reader_gen = Generator(norm, reader_ok, extras=not lenient)
    controls = _dedupe([v for _, values in reader_gen.frames(reader, focus) for v in values[:20]], 60)
    tried = 0
    for build, values in gen.frames(writer, focus):
        witness: Any = NOTHING
        control = False
        for value in _dedupe(list(hints) + list(values) + list(PALETTE) + controls, 260):
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
