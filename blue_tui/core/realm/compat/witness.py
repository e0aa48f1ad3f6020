"""Candidate values for counterexamples: minimal valid values of a schema, and many varied ones.

Values are built from the writer schema: minimal valid values everywhere, and variations (bounds,
lengths, pattern examples, enum values, optional and undeclared properties ...). The search that
places them at the path of a change lives in :mod:`.counterexample`; every candidate is checked
with :class:`Validator` on both schemas before it is reported.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import Any

from blue_tui.core.realm.compat import automata
from blue_tui.core.realm.compat.jsonvalue import key
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


def dedupe(values: list[Any], cap: int = CAP) -> list[Any]:
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
        return dedupe(out, 24)

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
        return dedupe(good + values, 40)

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
        return dedupe(good + out, 30)

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

        props = n.kw.get("properties", {})
        if name in props:
            return props[name]  # type: ignore[no-any-return]
        for pattern, schema in n.kw.get("patternProperties", {}).items():
            if automata.search(pattern, name):
                return schema  # type: ignore[no-any-return]
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
            return dedupe(out + list(n.kw["values"]))
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
        return dedupe(out)

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
