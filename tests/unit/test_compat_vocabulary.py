"""Every keyword of draft-07 and 2020-12 is understood, or a reason for *unknown*: never
compatible by omission (issue 10).

The keyword lists come from the meta-schemas python-jsonschema ships, so a keyword this file
does not classify fails the test. For each assertion or applicator keyword, a pair of schemas
differs only in that keyword, and a document shows the difference (checked here with the draft's
own validator): the checker must not call that direction compatible. Annotations must stay
compatible both ways and count as text-only changes.

The second half holds cases written from the specification for the keywords the Confluent suite
showed were mishandled: ``dependencies`` (both forms), ``dependentRequired``/``dependentSchemas``,
tuple arrays (``items`` as a list, ``additionalItems``, ``false`` items, ``prefixItems``) and
``required`` naming properties that are not declared.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from jsonschema_specifications import REGISTRY

from blue_tui.core.realm.compat import CompatReport, compare_schemas

D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"
ABSENT: Any = object()

# keyword -> (base schema, old value or ABSENT, new value, document valid under old, not under new)
ASSERTIONS: dict[str, tuple[dict[str, Any], Any, Any, Any]] = {
    "$ref": ({"$defs": {"s": {"type": "string"}}}, ABSENT, "#/$defs/s", 1),
    "type": ({}, ABSENT, "string", 1),
    "enum": ({}, ABSENT, [1], 2),
    "const": ({}, ABSENT, 1, 2),
    "multipleOf": ({}, ABSENT, 2, 3),
    "maximum": ({}, ABSENT, 5, 6),
    "exclusiveMaximum": ({}, ABSENT, 5, 5),
    "minimum": ({}, ABSENT, 5, 4),
    "exclusiveMinimum": ({}, ABSENT, 5, 5),
    "maxLength": ({}, ABSENT, 1, "ab"),
    "minLength": ({}, ABSENT, 2, "a"),
    "pattern": ({}, "^a", "^b", "a"),
    "items": ({}, ABSENT, {"type": "string"}, [1]),
    "additionalItems": ({"items": [{}]}, ABSENT, False, [1, 2]),
    "prefixItems": ({}, ABSENT, [{"type": "string"}], [1]),
    "maxItems": ({}, ABSENT, 1, [1, 2]),
    "minItems": ({}, ABSENT, 1, []),
    "uniqueItems": ({}, ABSENT, True, [1, 1]),
    "contains": ({}, ABSENT, {"type": "string"}, [1]),
    "maxContains": ({"contains": {"type": "integer"}}, ABSENT, 1, [1, 2]),
    "minContains": ({"contains": {"type": "integer"}}, ABSENT, 2, [1]),
    "unevaluatedItems": ({}, ABSENT, False, [1]),
    "maxProperties": ({}, ABSENT, 0, {"a": 1}),
    "minProperties": ({}, ABSENT, 1, {}),
    "required": ({}, ABSENT, ["a"], {}),
    "properties": ({}, ABSENT, {"a": {"type": "string"}}, {"a": 1}),
    "patternProperties": ({}, ABSENT, {"^a": {"type": "string"}}, {"a": 1}),
    "additionalProperties": ({}, ABSENT, False, {"a": 1}),
    "unevaluatedProperties": ({}, ABSENT, False, {"a": 1}),
    "propertyNames": ({}, ABSENT, {"maxLength": 1}, {"ab": 1}),
    "dependencies": ({}, ABSENT, {"a": ["b"]}, {"a": 1}),
    "dependentRequired": ({}, ABSENT, {"a": ["b"]}, {"a": 1}),
    "dependentSchemas": ({}, ABSENT, {"a": {"required": ["b"]}}, {"a": 1}),
    "if": ({"then": {"type": "string"}}, ABSENT, {"type": "integer"}, 1),
    "then": ({"if": {"type": "integer"}}, ABSENT, {"type": "string"}, 1),
    "else": ({"if": {"type": "integer"}}, ABSENT, {"type": "integer"}, "a"),
    "allOf": ({}, ABSENT, [{"type": "string"}], 1),
    "anyOf": ({}, ABSENT, [{"type": "string"}, {"type": "null"}], 1),
    "oneOf": ({}, ABSENT, [{"type": "string"}, {"type": "null"}], 1),
    "not": ({}, ABSENT, {"type": "integer"}, 1),
    "$dynamicRef": ({"$defs": {"s": {"$dynamicAnchor": "s", "type": "string"}}}, ABSENT, "#s", 1),
}
# Containers of subschemas: a change is seen where a subschema inside is used.
CONTAINERS: dict[str, tuple[dict[str, Any], Any, Any, Any]] = {
    "definitions": ({"$ref": "#/definitions/s"}, {"s": {}}, {"s": {"type": "string"}}, 1),
    "$defs": ({"$ref": "#/$defs/s"}, {"s": {}}, {"s": {"type": "string"}}, 1),
}
ANNOTATIONS: dict[str, tuple[Any, Any]] = {
    "title": ("a", "b"), "description": ("a", "b"), "default": (1, 2), "examples": ([1], [2]),
    "readOnly": (False, True), "writeOnly": (False, True), "deprecated": (False, True),
    "$comment": ("a", "b"), "format": ("date", "email"), "contentEncoding": ("base64", "base32"),
    "contentMediaType": ("text/plain", "application/json"), "contentSchema": ({"type": "string"}, {"type": "integer"}),
}  # fmt: skip
# Identifiers and declarations: they name or configure schemas and constrain no document.
CORE = {"$id": ("https://x.test/a", "https://x.test/b"), "$anchor": ("a", "b"), "$dynamicAnchor": ("a", "b"),
        "$vocabulary": ({"https://json-schema.org/draft/2020-12/vocab/core": True}, {}), "$schema": (D2020, D2020)}  # fmt: skip


def vocabulary(draft: str) -> set[str]:
    if draft == D7:
        return set(jsonschema.Draft7Validator.META_SCHEMA["properties"])
    words: set[str] = set()
    for part in (
        "core",
        "applicator",
        "unevaluated",
        "validation",
        "meta-data",
        "format-annotation",
        "content",
    ):
        words |= set(REGISTRY.contents(f"https://json-schema.org/draft/2020-12/meta/{part}")["properties"])
    return words


def validator(schema: dict[str, Any]) -> Any:
    return jsonschema.validators.validator_for(schema)(schema)


def check_counterexamples(report: CompatReport, old: Any, new: Any) -> None:
    for change in report.changes:
        shown = []
        if change.counterexample_for is not None:
            shown.append((change.counterexample_for, change.counterexample))
        if change.has_forward_counterexample:
            shown.append(("forward", change.forward_counterexample))
        for direction, doc in shown:
            writer, reader = (old, new) if direction == "backward" else (new, old)
            assert validator(writer).is_valid(doc) and not validator(reader).is_valid(doc), (change, doc)


@pytest.mark.parametrize("draft", [D7, D2020], ids=["draft-07", "2020-12"])
def test_every_keyword_is_classified(draft: str) -> None:
    known = set(ASSERTIONS) | set(CONTAINERS) | set(ANNOTATIONS) | set(CORE)
    assert vocabulary(draft) <= known, vocabulary(draft) - known


def _keyword_cases() -> list[tuple[str, str]]:
    return [(draft, word) for draft in (D7, D2020) for word in sorted(vocabulary(draft))]


@pytest.mark.parametrize(
    ("draft", "word"), _keyword_cases(), ids=[f"{d[-12:-8]}-{w}" for d, w in _keyword_cases()]
)
def test_no_keyword_is_compatible_by_omission(draft: str, word: str) -> None:
    if word in ASSERTIONS or word in CONTAINERS:
        base, old_value, new_value, doc = (ASSERTIONS | CONTAINERS)[word]
        if draft == D7:
            base = {k: v for k, v in base.items() if k != "$defs"} | (
                {"definitions": base["$defs"]} if "$defs" in base else {}
            )
            new_value = new_value.replace("$defs", "definitions") if isinstance(new_value, str) else new_value
        old = {"$schema": draft, **base} | ({} if old_value is ABSENT else {word: old_value})
        new = {"$schema": draft, **base, word: new_value}
        assert validator(old).is_valid(doc) and not validator(new).is_valid(doc), "the case itself is wrong"
        report = compare_schemas(old, new)
        assert report.backward is not True, report.as_json()
        back = compare_schemas(new, old)
        assert back.forward is not True, back.as_json()
        check_counterexamples(report, old, new)
        if report.backward is None:
            assert any(c.backward is None and c.message for c in report.changes)
    else:
        before, after = (ANNOTATIONS | CORE)[word]
        old, new = {"$schema": draft, word: before}, {"$schema": draft, word: after}
        report = compare_schemas(old, new)
        assert (report.backward, report.forward) == (True, True), report.as_json()
        assert not any(c.semantic for c in report.changes)


def test_keywords_of_another_draft_are_annotations_there() -> None:
    """2020-12 validators ignore ``dependencies``; draft-07 validators ignore ``prefixItems``."""
    for draft, word, value in (
        (D2020, "dependencies", {"a": ["b"]}),
        (D7, "prefixItems", [{"type": "string"}]),
    ):
        report = compare_schemas({"$schema": draft}, {"$schema": draft, word: value})
        assert (report.backward, report.forward) == (True, True)
        assert [c.rule for c in report.changes] == ["ANNOTATION_CHANGED"]


# ---- own cases from the specification ------------------------------------------------------------

T, F, U = True, False, None
S, I, N = {"type": "string"}, {"type": "integer"}, {"type": "number"}  # noqa: E741

# (id, old, new, rule expected among the changes, (backward, forward) under strict)
SPEC: list[tuple[str, Any, Any, str, tuple[Any, Any]]] = [
    # draft-07 6.5.7 `dependencies`, array form: "if the instance has the key, every name listed must be present"
    ("deps-array-added", {}, {"dependencies": {"a": ["b"]}}, "DEPENDENCY_ARRAY_ADDED", (F, T)),
    ("deps-array-removed", {"type": "object", "dependencies": {"a": ["b"]}}, {"type": "object"}, "DEPENDENCY_ARRAY_REMOVED", (T, F)),
    ("deps-array-extended", {"dependencies": {"a": ["b"]}}, {"dependencies": {"a": ["b", "c"]}}, "DEPENDENCY_ARRAY_EXTENDED", (F, T)),
    ("deps-array-narrowed", {"dependencies": {"a": ["b", "c"]}}, {"dependencies": {"a": ["b"]}}, "DEPENDENCY_ARRAY_NARROWED", (T, F)),
    ("deps-array-moved", {"dependencies": {"a": ["b"]}}, {"dependencies": {"b": ["a"]}}, "DEPENDENCY_ARRAY_ADDED", (F, F)),
    ("deps-array-empty", {}, {"dependencies": {"a": []}}, "", (T, T)),
    # schema form: "if the instance has the key, the whole instance must validate against the schema"
    ("deps-schema-added", {}, {"dependencies": {"a": {"required": ["b"]}}}, "DEPENDENCY_SCHEMA_ADDED", (F, T)),
    ("deps-schema-removed", {"type": "object", "dependencies": {"a": {"required": ["b"]}}}, {"type": "object"}, "DEPENDENCY_SCHEMA_REMOVED", (T, F)),
    ("deps-schema-narrowed", {"dependencies": {"a": {"properties": {"b": N}}}}, {"dependencies": {"a": {"properties": {"b": I}}}}, "TYPE_NARROWED", (F, T)),
    ("deps-schema-true", {}, {"dependencies": {"a": True}}, "", (T, T)),
    ("deps-schema-false", {}, {"dependencies": {"a": False}}, "DEPENDENCY_SCHEMA_ADDED", (F, T)),
    # 2020-12 10.2.2.4 / 6.5.4: the same two, split
    ("dependent-required-2020", {"$schema": D2020}, {"$schema": D2020, "dependentRequired": {"a": ["b"]}}, "DEPENDENCY_ARRAY_ADDED", (F, T)),
    ("dependent-schemas-2020", {"$schema": D2020, "type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}, {"$schema": D2020, "type": "object"}, "DEPENDENCY_SCHEMA_REMOVED", (T, F)),
    ("dependencies-to-dependent", {"$schema": D7, "dependencies": {"a": ["b"]}}, {"$schema": D2020, "dependentRequired": {"a": ["b"]}}, "DRAFT_CHANGED", (T, T)),
    # draft-07 9.3.1.1-2: `items` as a list validates by position; `additionalItems` the rest
    ("tuple-item-added-open", {"items": [S]}, {"items": [S, I]}, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", (F, T)),
    ("tuple-item-added-closed", {"items": [S], "additionalItems": False}, {"items": [S, I], "additionalItems": False}, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", (T, F)),
    ("tuple-item-removed-closed", {"items": [S, I], "additionalItems": False}, {"items": [S], "additionalItems": False}, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", (F, T)),
    ("tuple-item-removed-open", {"items": [S, I]}, {"items": [S]}, "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", (T, F)),
    ("tuple-additional-closed", {"items": [S]}, {"items": [S], "additionalItems": False}, "ADDITIONAL_ITEMS_REMOVED", (F, T)),
    ("tuple-additional-opened", {"items": [S], "additionalItems": False}, {"items": [S]}, "ADDITIONAL_ITEMS_ADDED", (T, F)),
    ("tuple-additional-narrowed", {"items": [S], "additionalItems": N}, {"items": [S], "additionalItems": I}, "TYPE_NARROWED", (F, T)),
    ("tuple-item-covered", {"items": [S], "additionalItems": S}, {"items": [S, S], "additionalItems": S}, "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (T, T)),
    ("tuple-item-not-covered", {"items": [S], "additionalItems": S}, {"items": [S, I], "additionalItems": S}, "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (F, F)),
    ("tuple-false-item-removed", {"items": [S, False], "additionalItems": False}, {"items": [S], "additionalItems": False}, "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", (T, T)),
    ("tuple-additional-ignored-without-list", {"$schema": D7, "items": S}, {"$schema": D7, "items": S, "additionalItems": False}, "", (T, T)),
    ("tuple-to-items-false", {"$schema": D2020, "prefixItems": [S]}, {"$schema": D2020, "prefixItems": [S], "items": False}, "ADDITIONAL_ITEMS_REMOVED", (F, T)),
    ("tuple-draft7-to-2020", {"$schema": D7, "items": [S], "additionalItems": False}, {"$schema": D2020, "prefixItems": [S], "items": False}, "DRAFT_CHANGED", (T, T)),
    ("array-items-false", {"type": "array"}, {"type": "array", "items": False}, "SCHEMA_ADDED", (F, T)),
    # `required` names an instance must have, declared in `properties` or not
    ("required-undeclared-added", {"properties": {"a": S}}, {"properties": {"a": S}, "required": ["b"]}, "REQUIRED_ATTRIBUTE_ADDED", (F, T)),
    ("required-undeclared-removed", {"type": "object", "required": ["b"]}, {"type": "object"}, "REQUIRED_ATTRIBUTE_REMOVED", (T, F)),
]  # fmt: skip


def draft7_validator(schema: Any) -> Any:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema)


@pytest.mark.parametrize(("name", "old", "new", "rule", "expected"), SPEC, ids=[c[0] for c in SPEC])
def test_spec_case(name: str, old: Any, new: Any, rule: str, expected: tuple[Any, Any]) -> None:
    report = compare_schemas(old, new)
    if rule:
        assert rule in [c.rule for c in report.changes], report.as_json()
    assert (report.backward, report.forward) == expected, report.as_json()
    # without $schema the keywords of every draft apply: draft-07's validator reads them so
    for change in report.changes:
        if change.counterexample_for is not None:
            writer, reader = (old, new) if change.counterexample_for == "backward" else (new, old)
            doc = change.counterexample
            assert draft7_validator(writer).is_valid(doc) and not draft7_validator(reader).is_valid(doc)


def test_required_undeclared_is_disputed_with_confluents_verdict() -> None:
    report = compare_schemas({"properties": {"a": S}}, {"properties": {"a": S}, "required": ["b"]})
    [change] = report.changes
    assert change.disputed and change.confluent == (True, True)
    assert "not declared in properties" in change.message
