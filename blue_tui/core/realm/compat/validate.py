"""A small tri-state validator over canonical schemas, used to confirm counterexamples.

It answers True (valid), False (invalid) or None (cannot tell: unresolved refs, regexes Python
cannot compile, float arithmetic that python-jsonschema would do differently). A counterexample
is only reported when it answers definitely on both sides.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from blue_tui.core.realm.compat import automata
from blue_tui.core.realm.compat.jsonvalue import fraction, has_type, is_number, json_equal, key
from blue_tui.core.realm.compat.model import Verdict, overall
from blue_tui.core.realm.compat.normalize import Normalizer
from blue_tui.core.realm.compat.resolve import S

MAX_DEPTH = 48


class Validator:
    """``ignore_unknown``: a lenient reader, which ignores undeclared properties."""

    def __init__(self, norm: Normalizer, *, ignore_unknown: bool = False) -> None:
        self.norm = norm
        self.ignore_unknown = ignore_unknown
        self.steps = 0

    def __call__(self, s: S, value: Any) -> Verdict:
        return self._v(s, value, 0, self.ignore_unknown)

    def _v(self, s: S, value: Any, depth: int, relax: bool) -> Verdict:
        """``relax``: ignore undeclared properties here (only where that can only accept more:
        never under ``not``, ``oneOf`` or an ``if`` condition)."""
        self.steps += 1
        if depth > MAX_DEPTH:
            return None
        n = self.norm(s)
        if n.is_false:
            return False
        kw = n.kw
        results: list[Verdict] = [None] if n.problems else []
        types = kw.get("type")
        if types is not None and not any(has_type(value, t) for t in types):
            return False
        if "values" in kw and not any(json_equal(value, v) for v in kw["values"]):
            return False
        if is_number(value):
            results.append(_number(kw, value))
        elif isinstance(value, str):
            results.append(_string(kw, value))
        elif isinstance(value, list):
            results.append(self._array(n.kw, n.applicators, value, depth, relax))
        elif isinstance(value, dict):
            results.append(self._object(n.kw, n.applicators, value, depth, relax))
        if False in results:
            return False
        for sub, _ in n.rest:
            results.append(self._v(sub, value, depth + 1, relax))
        if "anyOf" in kw:
            got = [self._v(b, value, depth + 1, relax) for b in kw["anyOf"]]
            results.append(True if True in got else None if None in got else False)
        if "oneOf" in kw:
            got = [self._v(b, value, depth + 1, False) for b in kw["oneOf"]]
            hits = got.count(True)
            results.append(False if hits > 1 else None if None in got else hits == 1)
        if "not" in kw:
            inner = self._v(kw["not"], value, depth + 1, False)
            results.append(None if inner is None else not inner)
        if "if" in kw and ("then" in kw or "else" in kw):
            cond = self._v(kw["if"], value, depth + 1, False)
            branch = kw.get("then") if cond else kw.get("else")
            if cond is None:
                results.append(None)
            elif branch is not None:
                results.append(self._v(branch, value, depth + 1, relax))
        return overall(results)

    def _array(
        self, kw: dict[str, Any], applicators: bool, value: list[Any], depth: int, relax: bool
    ) -> Verdict:
        if "maxItems" in kw and len(value) > kw["maxItems"]:
            return False
        if "minItems" in kw and len(value) < kw["minItems"]:
            return False
        if kw.get("uniqueItems") and len({key(v) for v in value}) != len(value):
            return False
        results: list[Verdict] = []
        prefix = kw.get("prefixItems", [])
        rest = kw.get("items")
        if rest is None and "unevaluatedItems" in kw:
            if applicators:
                results.append(None)
            else:
                rest = kw["unevaluatedItems"]
        for i, item in enumerate(value):
            schema = prefix[i] if i < len(prefix) else rest
            if schema is not None:
                results.append(self._v(schema, item, depth + 1, relax))
                if results[-1] is False:
                    return False
        if "contains" in kw:
            hits = [self._v(kw["contains"], item, depth + 1, False) for item in value]
            low, high = kw.get("minContains", 1), kw.get("maxContains")
            if None in hits:
                results.append(None)
            elif hits.count(True) < low or (high is not None and hits.count(True) > high):
                return False
        return overall(results)

    def _object(
        self, kw: dict[str, Any], applicators: bool, value: dict[str, Any], depth: int, relax: bool
    ) -> Verdict:
        if any(name not in value for name in kw.get("required", ())):
            return False
        if "maxProperties" in kw and len(value) > kw["maxProperties"]:
            return False
        if "minProperties" in kw and len(value) < kw["minProperties"]:
            return False
        for name, names in kw.get("dependentRequired", {}).items():
            if name in value and any(other not in value for other in names):
                return False
        results: list[Verdict] = []
        props = kw.get("properties", {})
        patterns = kw.get("patternProperties", {})
        addl = kw.get("additionalProperties")
        if addl is None and "unevaluatedProperties" in kw:
            if applicators:
                results.append(None)
            else:
                addl = kw["unevaluatedProperties"]
        if relax:
            addl = None
        for name, item in value.items():
            matched = False
            if name in props:
                matched = True
                results.append(self._v(props[name], item, depth + 1, relax))
            for pattern, schema in patterns.items():
                hit = automata.search(pattern, name)
                if hit is None:
                    results.append(None)
                elif hit:
                    matched = True
                    results.append(self._v(schema, item, depth + 1, relax))
            if not matched and addl is not None:
                results.append(self._v(addl, item, depth + 1, relax))
            if "propertyNames" in kw:
                results.append(self._v(kw["propertyNames"], name, depth + 1, False))
            if results and results[-1] is False:
                return False
        for name, schema in kw.get("dependentSchemas", {}).items():
            if name in value:
                results.append(self._v(schema, value, depth + 1, relax))
        return overall(results)


def _number(kw: dict[str, Any], value: int | float) -> Verdict:
    exact = fraction(value)
    if exact is None:
        return None
    if "maximum" in kw and exact > kw["maximum"]:
        return False
    if "exclusiveMaximum" in kw and exact >= kw["exclusiveMaximum"]:
        return False
    if "minimum" in kw and exact < kw["minimum"]:
        return False
    if "exclusiveMinimum" in kw and exact <= kw["exclusiveMinimum"]:
        return False
    if "multipleOf" in kw:
        step: Fraction = kw["multipleOf"]
        ok = (exact / step).denominator == 1
        if ok != _float_multiple(value, step):
            return None  # python-jsonschema's float arithmetic would disagree: do not claim either way
        return ok
    return True


def _float_multiple(value: int | float, step: Fraction) -> bool:
    divisor: int | float = int(step) if step.denominator == 1 else float(step)
    if isinstance(divisor, float) or isinstance(value, float):
        try:
            quotient = value / divisor
            return int(quotient) == quotient
        except (OverflowError, ZeroDivisionError):
            return False
    return value % divisor == 0


def _string(kw: dict[str, Any], value: str) -> Verdict:
    if "maxLength" in kw and len(value) > kw["maxLength"]:
        return False
    if "minLength" in kw and len(value) < kw["minLength"]:
        return False
    if "pattern" in kw:
        return automata.search(kw["pattern"], value)
    return True
