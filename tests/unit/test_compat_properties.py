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
from tests.unit.compat_strategies import FORCED, forced_pair, mutated, schemas

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
