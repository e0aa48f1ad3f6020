"""Cross-check the checker against python-jsonschema on sampled documents.

Random schema pairs (a random schema and a random mutation of it, or two unrelated ones) are
compared; then documents are sampled near the writer's schema and validated with
python-jsonschema (Draft 2020-12):

- whenever the checker says *backward compatible*, every sampled document valid under OLD must be
  valid under NEW; *forward compatible*: every one valid under NEW must be valid under OLD;
- every counterexample must be valid under the writer and invalid under the reader, as claimed.

Under ``lenient`` the policy's own premise is the oracle: writers send only declared properties,
and readers ignore undeclared ones (``additionalProperties`` is dropped from the reader where
that can only accept more).
"""

from __future__ import annotations

import copy
import random
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blue_tui.core.realm.compat import CompatReport, compare_schemas

NAMES = ["a", "b", "c"]
PATTERNS = ["^a+$", "^[ab]+$", "b", "^[a-z]{2,}$", "^[a-z]+$", "^(ab)+$", "^ab(ab)*$", "a|^b"]
ENUM_POOL: list[Any] = [1, 2, "a", "b", None, True]
DOCS_PER_PAIR = 40
EXAMPLES_PER_EDIT = 8
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SAMPLED = {"documents": 0, "valid_pairs": 0}


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


# ---- documents near a schema ------------------------------------------------------------------

SMALL: list[Any] = [None, True, False, 0, 1, -1, 3, 0.5, 1.5, "", "a", "ab", "b0"]
STRINGS = ["", "a", "aa", "aaa", "b", "ab", "ba", "abab", "abc", "zz", "0", "a-b", "b0", "aaaaaa"]


def documents(rng: random.Random, schema: Any, extras: bool, depth: int = 0) -> Any:
    """A value shaped after ``schema`` (often valid, sometimes not; invalid ones are skipped)."""
    if not isinstance(schema, dict) or depth > 4 or rng.random() < 0.1:
        return rng.choice(SMALL)
    if "const" in schema and rng.random() < 0.5:
        return schema["const"]
    if "enum" in schema and rng.random() < 0.5:
        return rng.choice(schema["enum"])
    for word in ("anyOf", "oneOf"):
        if word in schema:
            return documents(rng, rng.choice(schema[word]), extras, depth + 1)
    types = schema.get("type", rng.choice(["object", "array", "string", "integer", "number"]))
    kind = rng.choice(types) if isinstance(types, list) else types
    if kind == "object":
        out = {}
        for name, sub in schema.get("properties", {}).items():
            if name in schema.get("required", []) or rng.random() < 0.6:
                out[name] = documents(rng, sub, extras, depth + 1)
        for name in schema.get("required", []):
            if name not in out and rng.random() < 0.8:
                out[name] = rng.choice(SMALL)
        if extras and rng.random() < 0.3:
            out[rng.choice(["a", "b", "c", "x"])] = rng.choice(SMALL)
        return out
    if kind == "array":
        prefix = schema.get("prefixItems", [])
        rest = schema.get("items", {})
        items = [
            documents(rng, prefix[i] if i < len(prefix) else rest, extras, depth + 1)
            for i in range(rng.randint(0, 3))
        ]
        if items and rng.random() < 0.3:
            items.append(items[-1])  # duplicates exercise uniqueItems
        return items
    if kind == "string":
        return rng.choice(STRINGS)
    if kind == "integer":
        return rng.randint(-6, 12)
    if kind == "number":
        return rng.choice([rng.randint(-6, 12), 0.5, 1.5, 2.5, -0.5, 3.0])
    if kind == "boolean":
        return rng.random() < 0.5
    return None


def validator(schema: Any) -> Any:
    return jsonschema.Draft202012Validator(schema)


def relaxed(schema: Any, positive: bool = True) -> Any:
    """The lenient reader: drop additionalProperties where that only accepts more."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for word, value in schema.items():
        if word == "additionalProperties" and positive:
            continue
        # a oneOf of one branch is that branch; otherwise relaxing inside could reject more
        single = word == "oneOf" and isinstance(value, list) and len(value) == 1
        inner = positive and (word not in ("not", "oneOf", "if") or single)
        if isinstance(value, dict) and word not in ("properties", "dependentSchemas", "dependentRequired"):
            out[word] = relaxed(value, inner)
        elif word in ("properties", "dependentSchemas"):
            out[word] = {k: relaxed(v, inner) for k, v in value.items()}
        elif isinstance(value, list) and word in ("anyOf", "oneOf", "allOf", "prefixItems"):
            out[word] = [relaxed(v, inner) for v in value]
        else:
            out[word] = value
    return out


def check(
    report: CompatReport, old: Any, new: Any, docs_old: list[Any], docs_new: list[Any], lenient: bool
) -> None:
    vo, vn = validator(old), validator(new)
    ro, rn = (validator(relaxed(old)), validator(relaxed(new))) if lenient else (vo, vn)
    for direction, verdict, writer, reader, docs in (
        ("backward", report.backward, vo, rn, docs_old),
        ("forward", report.forward, vn, ro, docs_new),
    ):
        for doc in docs:
            if not writer.is_valid(doc):
                continue
            SAMPLED["documents"] += 1
            if verdict is True:
                assert reader.is_valid(doc), (
                    f"{direction} said compatible, but {doc!r} breaks it: {report.as_json()}"
                )
    for change in report.changes:
        shown = []
        if change.counterexample_for is not None:
            shown.append((change.counterexample_for, change.counterexample))
        if change.has_forward_counterexample:
            shown.append(("forward", change.forward_counterexample))
        for direction, doc in shown:
            writer, reader = (vo, vn) if direction == "backward" else (vn, vo)
            assert writer.is_valid(doc), f"{change.rule}: {doc!r} is not valid under the writer"
            assert not reader.is_valid(doc), f"{change.rule}: {doc!r} is valid under the reader"


def _run(data: st.DataObject, policy: str, forced: tuple[str, str] | None = None) -> None:
    if forced:
        old, new = data.draw(forced_pair(*forced), label="old, new")
    else:
        old = data.draw(schemas(2), label="old")
        new = data.draw(mutated(old), label="new")
    lenient = policy == "lenient"
    report = compare_schemas(old, new, policy=policy)
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    docs_old = [documents(rng, old, not lenient) for _ in range(DOCS_PER_PAIR)]
    docs_new = [documents(rng, new, not lenient) for _ in range(DOCS_PER_PAIR)]
    SAMPLED["valid_pairs"] += 1
    check(report, old, new, docs_old, docs_new, lenient)


@SETTINGS
@given(data=st.data())
def test_strict_verdicts_agree_with_jsonschema(data: st.DataObject) -> None:
    _run(data, "strict")


@SETTINGS
@given(data=st.data())
def test_lenient_verdicts_hold_under_their_premise(data: st.DataObject) -> None:
    _run(data, "lenient")


@pytest.mark.parametrize("policy", ["strict", "lenient"])
@pytest.mark.parametrize("forced", FORCED, ids=[f"{k}-{n}" for k, n in FORCED])
@settings(SETTINGS, max_examples=EXAMPLES_PER_EDIT)
@given(data=st.data())
def test_each_edit_agrees_with_jsonschema(data: st.DataObject, forced: tuple[str, str], policy: str) -> None:
    _run(data, policy, forced)


@settings(SETTINGS, max_examples=60)
@given(schema=schemas(2))
def test_a_schema_is_compatible_with_itself(schema: Any) -> None:
    report = compare_schemas(schema, copy.deepcopy(schema))
    assert (report.backward, report.forward) == (True, True)
    assert report.changes == ()


@st.composite
def refactored(draw: st.DrawFn, schema: Any) -> Any:
    """The same schema spelled differently: subschemas moved behind ``$ref``, ``required`` in ``allOf``."""
    if not isinstance(schema, dict):
        return schema
    defs: dict[str, Any] = {}

    def walk(node: Any, top: bool) -> Any:
        if not isinstance(node, dict):
            return node
        out = dict(node)
        for word in ("items", "additionalProperties", "not"):
            if isinstance(out.get(word), dict):
                out[word] = walk(out[word], False)
        for word in ("anyOf", "oneOf", "prefixItems"):
            if word in out:
                out[word] = [walk(v, False) for v in out[word]]
        if "properties" in out:
            out["properties"] = {k: walk(v, False) for k, v in out["properties"].items()}
        if "required" in out and draw(st.booleans()):
            out["allOf"] = [{"required": out.pop("required")}]
        if not top and draw(st.integers(0, 2)) == 0:
            name = f"d{len(defs)}"
            defs[name] = out
            return {"$ref": f"#/$defs/{name}"}
        return out

    result = walk(schema, True)
    if defs:
        result["$defs"] = defs
    return result


@SETTINGS
@given(data=st.data())
def test_refactoring_behind_refs_and_allof_is_no_change(data: st.DataObject) -> None:
    schema = data.draw(schemas(2))
    spelled = data.draw(refactored(schema))
    report = compare_schemas(schema, spelled)
    assert (report.backward, report.forward) == (True, True), report.as_json()
    assert all(not c.semantic for c in report.changes)


@settings(SETTINGS, max_examples=60)
@given(data=st.data())
def test_strict_verdicts_agree_with_jsonschema_through_refs(data: st.DataObject) -> None:
    plain_old = data.draw(schemas(2), label="old")
    plain_new = data.draw(mutated(plain_old), label="new")
    old = data.draw(refactored(plain_old), label="old spelled")
    new = data.draw(refactored(plain_new), label="new spelled")
    report = compare_schemas(old, new)
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    # Documents are shaped after the plain spelling (same meaning, no $ref to follow).
    docs_old = [documents(rng, plain_old, True) for _ in range(DOCS_PER_PAIR)]
    docs_new = [documents(rng, plain_new, True) for _ in range(DOCS_PER_PAIR)]
    check(report, old, new, docs_old, docs_new, False)


def test_the_sampler_found_documents() -> None:
    """Guard against a vacuous cross-check: the runs above must have validated documents."""
    if SAMPLED["valid_pairs"]:
        assert SAMPLED["documents"] > SAMPLED["valid_pairs"] * 5
