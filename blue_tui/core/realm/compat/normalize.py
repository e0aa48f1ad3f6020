"""Schemas in one canonical shape, whatever draft or spelling they were written in.

- ``$ref`` is followed (local only) and merged with its siblings where that is exact;
- ``allOf`` members, and ``anyOf``/``oneOf`` with a single branch, are merged into the schema
  when no keyword of one depends on a sibling in the other (``additionalProperties`` on
  ``properties``, ``items`` on ``prefixItems`` ...); the rest stay separate conjuncts;
- draft-04 boolean ``exclusiveMaximum``, tuple ``items``/``additionalItems`` and ``dependencies``
  become their 2020-12 forms; ``enum`` and ``const`` become one list of allowed values;
- keywords that do not constrain documents (``title``, ``format``, unknown ones) go to ``meta``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from blue_tui.core.realm.compat.jsonvalue import fraction, json_type, key, unique
from blue_tui.core.realm.compat.resolve import S, resolve_ref
from blue_tui.core.realm.compat.shape import COUNTS, NUMERIC, keyword_problem

# Keywords that vanish from the canonical form (their effect is elsewhere or nowhere).
_SKIP = {"$schema", "$vocabulary", "$defs", "definitions", "$anchor", "$dynamicAnchor", "$ref", "allOf"}
# Keywords of a later draft than the schema's are annotations there (as validators treat them).
_SINCE = {
    "const": 6, "contains": 6, "propertyNames": 6, "if": 7, "then": 7, "else": 7,
    "dependentRequired": 2019, "dependentSchemas": 2019, "unevaluatedProperties": 2019,
    "unevaluatedItems": 2019, "minContains": 2019, "maxContains": 2019, "prefixItems": 2020,
    "$dynamicRef": 2020, "$recursiveRef": 2019,
}  # fmt: skip
_UNTIL = {"dependencies": 7, "additionalItems": 2019}

# Keywords that read their siblings: merging conjuncts must not separate or join them wrongly.
_GROUPS = (
    ({"additionalProperties"}, {"properties", "patternProperties"}),
    ({"items"}, {"prefixItems"}),
)
_TOGETHER = ({"contains", "minContains", "maxContains"}, {"if", "then", "else"})
_NEVER_MERGE = {"unevaluatedProperties", "unevaluatedItems"}


@dataclass(eq=False)
class Norm:
    """A schema in canonical form. ``kw`` holds constraints, ``meta`` annotations."""

    always: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    rest: list[tuple[S, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)

    @property
    def is_false(self) -> bool:
        return self.always is False

    @property
    def is_true(self) -> bool:
        return self.always is not False and not self.kw and not self.rest and not self.problems

    @property
    def has_default(self) -> bool:
        return "default" in self.meta

    @property
    def applicators(self) -> bool:
        """In-place applicators that can evaluate properties/items for ``unevaluated*``."""
        return bool(self.rest) or any(w in self.kw for w in ("anyOf", "oneOf", "if", "dependentSchemas"))


def type_meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    out = set(a & b)
    if ("number" in a and "integer" in b) or ("integer" in a and "number" in b):
        out.add("integer")
    return frozenset(out)


def effective_types(n: Norm) -> frozenset[str] | None:
    """The JSON types a schema can accept (None: any), using ``type`` and allowed values."""
    types: frozenset[str] | None = n.kw.get("type")
    if "values" in n.kw:
        from_values = frozenset(json_type(v) for v in n.kw["values"])
        types = from_values if types is None else type_meet(types, from_values)
    return types


class Normalizer:
    """Turns :class:`S` into :class:`Norm`, once per schema object (cached by identity)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[S, Norm]] = {}
        self._busy: set[int] = set()

    def __call__(self, s: S) -> Norm:
        hit = self._cache.get(id(s.raw))
        if hit is not None and hit[0].doc is s.doc:
            return hit[1]
        self._busy.add(id(s.raw))
        try:
            result = self._build(s)
        finally:
            self._busy.discard(id(s.raw))
        self._cache[id(s.raw)] = (s, result)
        return result

    def _build(self, s: S) -> Norm:
        raw = s.raw
        if raw is True:
            return Norm(always=True)
        if raw is False:
            return Norm(always=False)
        if not isinstance(raw, dict):
            return Norm(problems=[f"a schema must be an object or a boolean, not {type(raw).__name__}"])
        n = Norm()
        draft, declared = s.doc.draft, s.doc.declared
        ref = raw.get("$ref")
        siblings_ignored = isinstance(ref, str) and draft <= 7
        for word, value in raw.items():
            if word in _SKIP or (siblings_ignored and word not in ("title", "description", "$comment")):
                continue
            if declared and (_SINCE.get(word, 0) > draft or _UNTIL.get(word, 9999) < draft):
                n.meta[word] = value  # a keyword of another draft: an annotation in this one
                continue
            reason = keyword_problem(word, value, draft, declared=declared)
            if reason:
                n.problems.append(reason)
                continue
            self._take(n, s, word, value, raw)
        self._fix_draft4_exclusive(n, raw, draft if declared else 4)
        conjuncts: list[tuple[S, str]] = []
        if isinstance(ref, str):
            target = resolve_ref(s, ref)
            if isinstance(target, str):
                n.problems.append(target)
            else:
                conjuncts.append((target, "$ref"))
        elif "$ref" in raw:
            n.problems.append("`$ref` must be a string")
        if not siblings_ignored:
            for word in ("$dynamicRef", "$recursiveRef"):
                if word in raw and _SINCE[word] <= draft:
                    n.problems.append(f"{word} {raw[word]!r} is not followed (dynamic scope)")
            members = raw.get("allOf")
            if members is not None:
                reason = keyword_problem("allOf", members, draft)
                if reason:
                    n.problems.append(reason)
                else:
                    conjuncts.extend((s.child(m), f"allOf/{i}") for i, m in enumerate(members))
            for word in ("anyOf", "oneOf"):
                if isinstance(raw.get(word), list) and len(raw[word]) == 1:
                    conjuncts.append((s.child(raw[word][0]), f"{word}/0"))
        for conjunct, suffix in conjuncts:
            if self._merge(n, conjunct, suffix):
                return Norm(always=False, meta=n.meta)
        if "not" in n.kw and self(n.kw["not"]).is_true:
            return Norm(always=False, meta=n.meta)
        return n

    def _take(self, n: Norm, s: S, word: str, value: Any, raw: dict[str, Any]) -> None:
        kw = n.kw
        if word == "type":
            kw["type"] = frozenset([value] if isinstance(value, str) else value)
        elif word in ("enum", "const"):
            values = unique(value) if word == "enum" else [value]
            if "values" in kw:
                keys = {key(v) for v in values}
                values = [v for v in kw["values"] if key(v) in keys]
                n.words["values"] = "enum+const"
            else:
                n.words["values"] = word
            kw["values"] = values
        elif word in NUMERIC:
            if not isinstance(value, bool):
                kw[word] = fraction(value)
        elif word == "multipleOf":
            kw[word] = fraction(value)
        elif word in COUNTS:
            count = int(value)
            if count > 0 or word.startswith("max") or word == "minContains":
                kw[word] = count
        elif word == "pattern":
            kw[word] = value
        elif word in ("properties", "patternProperties", "dependentSchemas"):
            kw[word] = {name: s.child(sub) for name, sub in value.items()}
        elif word == "required":
            kw[word] = frozenset(value) | kw.get(word, frozenset())
        elif word == "dependentRequired":
            kw[word] = {name: frozenset(names) for name, names in value.items()}
        elif word == "dependencies":
            for name, dep in value.items():
                target = "dependentRequired" if isinstance(dep, list) else "dependentSchemas"
                kw.setdefault(target, {})[name] = frozenset(dep) if isinstance(dep, list) else s.child(dep)
                n.words[target] = "dependencies"
        elif word == "items":
            if isinstance(value, list):
                kw["prefixItems"] = [s.child(v) for v in value]
                n.words["prefix"] = "items"
            else:
                kw["items"] = s.child(value)
                n.words["rest"] = "items"
        elif word == "prefixItems":
            kw[word] = [s.child(v) for v in value]
            n.words["prefix"] = "prefixItems"
        elif word == "additionalItems":
            if isinstance(raw.get("items"), list):
                kw["items"] = s.child(value)
                n.words["rest"] = "additionalItems"
        elif word == "uniqueItems":
            if value:
                kw[word] = True
        elif word in ("anyOf", "oneOf"):
            if len(value) > 1:
                kw[word] = [s.child(v) for v in value]
        elif word in (
            "additionalProperties", "unevaluatedProperties", "propertyNames", "contains", "not",
            "if", "then", "else", "unevaluatedItems",
        ):  # fmt: skip
            kw[word] = s.child(value)
        elif word in ("$dynamicRef", "$recursiveRef"):
            pass
        else:
            n.meta[word] = value

    @staticmethod
    def _fix_draft4_exclusive(n: Norm, raw: dict[str, Any], draft: int) -> None:
        if draft != 4:
            return
        for bound, flag in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
            if raw.get(flag) is True and bound in n.kw:
                n.kw[flag] = n.kw.pop(bound)
                n.words[flag] = "draft-04"

    def _merge(self, n: Norm, conjunct: S, suffix: str) -> bool:
        """Merge a conjunct into ``n`` where exact; True when the result accepts nothing."""
        if id(conjunct.raw) in self._busy:
            n.rest.append((conjunct, suffix))
            return False
        c = self(conjunct)
        if c.is_false:
            return True
        for word, value in c.meta.items():
            n.meta.setdefault(word, value)
        if c.is_true:
            return False
        if not c.problems and _mergeable(n, c):
            for word, value in c.kw.items():
                n.kw[word] = _meet(word, n.kw.get(word), value) if word in n.kw else value
            for word, spelling in c.words.items():
                n.words.setdefault(word, spelling)
            n.rest.extend((sub, f"{suffix}/{path}") for sub, path in c.rest)
        else:
            n.rest.append((conjunct, suffix))
        return False


def _mergeable(a: Norm, b: Norm) -> bool:
    ka, kb = set(a.kw), set(b.kw)
    if (ka | kb) & _NEVER_MERGE:
        return False
    for reader, read in _GROUPS:
        if (ka & reader and kb & read) or (kb & reader and ka & read):
            return False
    for group in _TOGETHER:
        if ka & group and kb & group:
            return False
    return all(_meet(word, a.kw[word], b.kw[word]) is not None for word in ka & kb)


def _meet(word: str, a: Any, b: Any) -> Any:
    """The value of ``word`` that means both ``a`` and ``b`` (None when there is no such value)."""
    if word == "type":
        return type_meet(a, b)
    if word in ("required",):
        return a | b
    if word == "values":
        keys = {key(v) for v in b}
        return [v for v in a if key(v) in keys]
    if word in ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"):
        return max(a, b)
    if word in ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"):
        return min(a, b)
    if word == "multipleOf":
        big, small = (a, b) if a >= b else (b, a)
        return big if isinstance(big, Fraction) and (big / small).denominator == 1 else None
    if word in ("pattern",):
        return a if a == b else None
    if word == "uniqueItems":
        return True
    if word in ("properties", "patternProperties", "dependentSchemas"):
        return {**a, **b} if not set(a) & set(b) else None
    if word == "dependentRequired":
        merged = dict(a)
        for name, names in b.items():
            merged[name] = merged.get(name, frozenset()) | names
        return merged
    return None
