"""Hypothesis strategies for the checker's cross-check (test_compat_properties.py): random
schemas over a small vocabulary of names, patterns and values, one edit of a schema of each kind
the checker has a rule for, and pairs forced to make a given edit."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

NAMES = ["a", "b", "c"]
PATTERNS = ["^a+$", "^[ab]+$", "b", "^[a-z]{2,}$", "^[a-z]+$", "^(ab)+$", "^ab(ab)*$", "a|^b"]
ENUM_POOL: list[Any] = [1, 2, "a", "b", None, True]


def _maybe(draw: st.DrawFn, schema: dict[str, Any], word: str, values: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        schema[word] = draw(values)


@st.composite
def leaf(draw: st.DrawFn) -> Any:
    kind = draw(
        st.sampled_from(
            ["any", "string", "integer", "number", "boolean", "null", "nullable", "enum", "const", "false"]
        )
    )
    if kind == "any":
        return draw(st.sampled_from([{}, True]))
    if kind == "false":
        return False
    if kind == "nullable":
        return {"type": ["string", "null"]}
    if kind == "enum":
        return {"enum": draw(st.lists(st.sampled_from(ENUM_POOL), min_size=1, max_size=4, unique=True))}
    if kind == "const":
        return {"const": draw(st.sampled_from(ENUM_POOL))}
    schema: dict[str, Any] = {"type": kind}
    if kind == "string":
        _maybe(draw, schema, "minLength", st.integers(0, 3))
        _maybe(draw, schema, "maxLength", st.integers(1, 5))
        if draw(st.integers(0, 3)) == 0:
            schema["pattern"] = draw(st.sampled_from(PATTERNS))
    elif kind in ("integer", "number"):
        for word in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if draw(st.integers(0, 3)) == 0:
                schema[word] = draw(st.integers(-3, 5))
        if draw(st.integers(0, 3)) == 0:
            schema["multipleOf"] = draw(st.sampled_from([2, 3, 4, 6] + ([0.5] if kind == "number" else [])))
    return schema


def schemas(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return leaf()
    sub = schemas(depth - 1)
    return st.one_of(leaf(), objects(sub), arrays(sub), unions(sub), negations())


@st.composite
def objects(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> Any:
    names = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    schema: dict[str, Any] = {"type": "object", "properties": {n: draw(sub) for n in names}}
    required = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    if required:
        schema["required"] = required
    choice = draw(st.integers(0, 3))
    if choice == 1:
        schema["additionalProperties"] = False
    elif choice == 2:
        schema["additionalProperties"] = draw(leaf())
    for name in names:
        if draw(st.integers(0, 5)) == 0 and isinstance(schema["properties"][name], dict):
            schema["properties"][name] = {**schema["properties"][name], "default": 1}
    if draw(st.integers(0, 3)) == 0:
        schema["dependentRequired"] = {
            draw(st.sampled_from(NAMES)): draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
        }
    if draw(st.integers(0, 3)) == 0:
        schema["dependentSchemas"] = {draw(st.sampled_from(NAMES)): draw(dependent())}
    return schema


@st.composite
def dependent(draw: st.DrawFn) -> Any:
    name = draw(st.sampled_from(NAMES))
    return draw(st.sampled_from([{"required": [name]}, {"properties": {name: draw(leaf())}}, False, True]))


@st.composite
def arrays(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> Any:
    schema: dict[str, Any] = {"type": "array"}
    if draw(st.booleans()):
        schema["prefixItems"] = draw(st.lists(sub, min_size=1, max_size=2))
        if draw(st.booleans()):
            schema["items"] = draw(st.sampled_from([False, {"type": "integer"}]))
    elif draw(st.booleans()):
        schema["items"] = draw(sub)
    _maybe(draw, schema, "minItems", st.integers(0, 2))
    _maybe(draw, schema, "maxItems", st.integers(1, 3))
    if draw(st.integers(0, 3)) == 0:
        schema["uniqueItems"] = True
    return schema


@st.composite
def unions(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> Any:
    return {draw(st.sampled_from(["anyOf", "oneOf"])): draw(st.lists(sub, min_size=1, max_size=3))}


@st.composite
def negations(draw: st.DrawFn) -> Any:
    return {"not": draw(leaf())}


def _bump(draw: st.DrawFn, node: dict[str, Any], word: str, low: int, high: int) -> None:
    """Add, remove, raise or lower a numeric keyword."""
    if word in node and draw(st.booleans()):
        del node[word]
    else:
        node[word] = max(
            low,
            min(high, node.get(word, draw(st.integers(low, high))) + draw(st.sampled_from([-2, -1, 1, 2]))),
        )


@st.composite
def edit(draw: st.DrawFn, node: Any, forced: str | None = None) -> Any:
    """One targeted edit of one schema node, chosen among those that fit it (or ``forced``)."""
    if forced is None and (not isinstance(node, dict) or draw(st.integers(0, 9)) == 0):
        return draw(leaf())
    out = copy.deepcopy(node)
    kind = out.get("type")
    options = ["type", "nullable", "wrap"]
    if kind == "object":
        options += ["add-prop", "add-required-prop", "remove-prop", "toggle-required", "additional"] * 2
        options += ["dependent-required", "dependent-schema"]
    if kind == "array":
        options += [
            "items",
            "prefix-append",
            "prefix-pop",
            "items-false",
            "min-items",
            "max-items",
            "unique",
        ] * 2
    if kind == "string":
        options += ["min-length", "max-length", "pattern"] * 3
    if kind in ("integer", "number"):
        options += [
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "int-number",
        ] * 2
    if "enum" in out:
        options += ["enum-add", "enum-remove"] * 4
    if "const" in out:
        options += ["const"] * 4
    for word in ("anyOf", "oneOf"):
        if word in out:
            options += ["branch-add", "branch-remove", "union-kind"] * 3
    if "not" in out:
        options += ["not"] * 4
    choice = forced or draw(st.sampled_from(options))
    props = out.setdefault("properties", {}) if kind == "object" else {}
    if choice == "type":
        out["type"] = draw(st.sampled_from(["string", "integer", "number", "object", "array", "null"]))
    elif choice == "nullable" and isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif choice == "wrap":
        out = {draw(st.sampled_from(["anyOf", "oneOf"])): [out, draw(leaf())]}
    elif choice in ("add-prop", "add-required-prop"):
        name = draw(st.sampled_from(NAMES))
        props[name] = draw(leaf())
        if choice == "add-required-prop":
            out["required"] = sorted(set(out.get("required", [])) | {name})
    elif choice == "remove-prop" and props:
        name = draw(st.sampled_from(sorted(props)))
        del props[name]
        if draw(st.booleans()) and name in out.get("required", []):
            out["required"] = [n for n in out["required"] if n != name] or draw(st.just(["a"]))
    elif choice == "toggle-required":
        required = set(out.get("required", [])) ^ {draw(st.sampled_from(NAMES))}
        out["required"] = sorted(required)
        if not required:
            del out["required"]
    elif choice == "additional":
        value = draw(st.sampled_from([False, True, {"type": "string"}, {"type": "integer"}, None]))
        out.pop("additionalProperties", None)
        if value is not None:
            out["additionalProperties"] = value
    elif choice == "dependent-required":
        deps = dict(out.get("dependentRequired", {}))
        name = draw(st.sampled_from(NAMES))
        deps[name] = sorted(set(deps.get(name, [])) ^ {draw(st.sampled_from(NAMES))})
        out["dependentRequired"] = deps
    elif choice == "dependent-schema":
        deps = dict(out.get("dependentSchemas", {}))
        name = draw(st.sampled_from(NAMES))
        if name in deps and draw(st.booleans()):
            del deps[name]
        else:
            deps[name] = draw(dependent())
        out["dependentSchemas"] = deps
    elif choice == "items":
        out["items"] = draw(leaf()) if draw(st.booleans()) or "items" not in out else draw(edit(out["items"]))
    elif choice == "prefix-append":
        out["prefixItems"] = [*out.get("prefixItems", []), draw(leaf())]
    elif choice == "prefix-pop" and out.get("prefixItems"):
        out["prefixItems"] = out["prefixItems"][:-1] or [draw(leaf())]
    elif choice == "items-false":
        if out.get("items") is False:
            del out["items"]
        else:
            out["items"] = False
    elif choice in ("min-items", "max-items", "min-length", "max-length"):
        word = {
            "min-items": "minItems",
            "max-items": "maxItems",
            "min-length": "minLength",
            "max-length": "maxLength",
        }[choice]
        _bump(draw, out, word, 0, 6)
    elif choice == "unique":
        out["uniqueItems"] = not out.get("uniqueItems", False)
    elif choice == "pattern":
        if "pattern" in out and draw(st.booleans()):
            del out["pattern"]
        else:
            out["pattern"] = draw(st.sampled_from(PATTERNS))
    elif choice in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        _bump(draw, out, choice, -4, 8)
    elif choice == "multipleOf":
        if "multipleOf" in out and draw(st.booleans()):
            del out["multipleOf"]
        else:
            out["multipleOf"] = draw(st.sampled_from([2, 3, 4, 6, 12] + ([0.5] if kind == "number" else [])))
    elif choice == "int-number":
        out["type"] = "number" if kind == "integer" else "integer"
        if out["type"] == "integer" and isinstance(out.get("multipleOf"), float):
            del out["multipleOf"]
    elif choice == "enum-add":
        extra = [v for v in ENUM_POOL if v not in out["enum"]]
        if extra:
            out["enum"] = [*out["enum"], draw(st.sampled_from(extra))]
    elif choice == "enum-remove" and len(out["enum"]) > 1:
        out["enum"] = out["enum"][: draw(st.integers(1, len(out["enum"]) - 1))]
    elif choice == "const":
        out["const"] = draw(st.sampled_from(ENUM_POOL))
    elif choice in ("branch-add", "branch-remove", "union-kind"):
        word = "anyOf" if "anyOf" in out else "oneOf"
        if choice == "branch-add":
            out[word] = [*out[word], draw(leaf())]
        elif choice == "branch-remove" and len(out[word]) > 1:
            del out[word][draw(st.integers(0, len(out[word]) - 1))]
        else:
            out["oneOf" if word == "anyOf" else "anyOf"] = out.pop(word)
    elif choice == "not":
        out["not"] = draw(edit(out["not"]))
    return out


@st.composite
def mutated(draw: st.DrawFn, schema: Any, depth: int = 0) -> Any:
    """``schema`` with one or two targeted edits somewhere inside (or, rarely, an unrelated one)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(schemas(2))
    out = _descend(draw, schema, depth)
    return _descend(draw, out, depth) if draw(st.integers(0, 3)) == 0 else out


def _descend(draw: st.DrawFn, schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 3:
        return draw(edit(schema))
    out = copy.deepcopy(schema)
    children = [("properties", k) for k in out.get("properties", {})]
    children += [(w, None) for w in ("items", "additionalProperties", "not") if isinstance(out.get(w), dict)]
    children += [(w, i) for w in ("anyOf", "oneOf", "prefixItems") for i in range(len(out.get(w, [])))]
    if children and draw(st.integers(0, 2)) > 0:
        word, k = draw(st.sampled_from(children))
        if k is None:
            out[word] = _descend(draw, out[word], depth + 1)
        else:
            out[word][k] = _descend(draw, out[word][k], depth + 1)
        return out
    return draw(edit(out))


# Every edit, each on a node of the kind it applies to, somewhere in a small context.
STRING = st.builds(lambda lo, hi, pat: {"type": "string", **lo, **hi, **pat},
                   st.sampled_from([{}, {"minLength": 1}, {"minLength": 2}]), st.sampled_from([{}, {"maxLength": 3}]),
                   st.sampled_from([{}, {"pattern": "^[ab]+$"}]))  # fmt: skip
NUMBER = st.builds(lambda t, lo, hi, m: {"type": t, **lo, **hi, **m}, st.sampled_from(["integer", "number"]),
                   st.sampled_from([{}, {"minimum": 0}, {"exclusiveMinimum": -2}]), st.sampled_from([{}, {"maximum": 6}, {"exclusiveMaximum": 5}]),
                   st.sampled_from([{}, {"multipleOf": 2}, {"multipleOf": 3}]))  # fmt: skip
NODES: dict[str, st.SearchStrategy[Any]] = {
    "object": objects(leaf()), "array": arrays(leaf()), "string": STRING, "number": NUMBER,
    "enum": st.lists(st.sampled_from(ENUM_POOL), min_size=2, max_size=4, unique=True).map(lambda v: {"enum": v}),
    "const": st.sampled_from(ENUM_POOL).map(lambda v: {"const": v}),
    "union": st.builds(lambda k, b: {k: b}, st.sampled_from(["anyOf", "oneOf"]), st.lists(leaf(), min_size=2, max_size=3)),
    "not": negations(),
}  # fmt: skip
EDITS = {
    "object": ["add-prop", "add-required-prop", "remove-prop", "toggle-required", "additional", "dependent-required", "dependent-schema"],
    "array": ["items", "prefix-append", "prefix-pop", "items-false", "min-items", "max-items", "unique"],
    "string": ["min-length", "max-length", "pattern", "type", "nullable"],
    "number": ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "int-number"],
    "enum": ["enum-add", "enum-remove"], "const": ["const"],
    "union": ["branch-add", "branch-remove", "union-kind", "wrap"], "not": ["not"],
}  # fmt: skip
FORCED = [(kind, name) for kind, names in EDITS.items() for name in names]


@st.composite
def forced_pair(draw: st.DrawFn, kind: str, name: str) -> tuple[Any, Any]:
    node = draw(NODES[kind])
    if name == "prefix-pop" and not node.get("prefixItems"):
        node = {**node, "prefixItems": [draw(leaf()), draw(leaf())]}
    changed = draw(edit(node, forced=name))
    context = draw(st.sampled_from(["root", "property", "required-property", "items", "union"]))
    if context == "root":
        return node, changed
    if context in ("property", "required-property"):
        extra: dict[str, Any] = {"required": ["p"]} if context == "required-property" else {}
        closed = draw(st.sampled_from([{}, {"additionalProperties": False}]))
        return ({"type": "object", "properties": {"p": node, "q": {"type": "integer"}}, **extra, **closed},
                {"type": "object", "properties": {"p": changed, "q": {"type": "integer"}}, **extra, **closed})  # fmt: skip
    if context == "items":
        return {"type": "array", "items": node}, {"type": "array", "items": changed}
    return {"anyOf": [node, {"type": "boolean"}]}, {"anyOf": [changed, {"type": "boolean"}]}
