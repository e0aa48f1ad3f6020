"""The rule table of coordination.md 2.3, rule by rule, both directions, both policies.

Every case also checks each counterexample the checker offers against python-jsonschema: valid
under the writer's schema, invalid under the reader's, exactly as claimed.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from blue_tui.core.realm.compat import (
    POLICIES,
    BumpVerdict,
    Change,
    CompatReport,
    compare_schemas,
    required_bump,
)

ABSENT: Any = object()


def obj(
    props: dict[str, Any], required: tuple[str, ...] = (), addl: Any = ABSENT, **extra: Any
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    if addl is not ABSENT:
        schema["additionalProperties"] = addl
    schema.update(extra)
    return schema


S, I, N = {"type": "string"}, {"type": "integer"}, {"type": "number"}  # noqa: E741
SD = {"type": "string", "default": "x"}


def valid(schema: Any, doc: Any) -> bool:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return bool(cls(schema).is_valid(doc))


def check_counterexamples(report: CompatReport, old: Any, new: Any) -> None:
    for change in report.changes:
        shown = []
        if change.counterexample_for is not None:
            shown.append((change.counterexample_for, change.counterexample))
        if change.has_forward_counterexample:
            shown.append(("forward", change.forward_counterexample))
        for direction, doc in shown:
            writer, reader = (old, new) if direction == "backward" else (new, old)
            assert valid(writer, doc), f"{change.rule}: counterexample {doc!r} not valid under the writer"
            assert not valid(reader, doc), f"{change.rule}: counterexample {doc!r} valid under the reader"
            assert getattr(change, direction) is False


# (id, old, new, rule expected among the changes, (B, F) strict, (B, F) lenient)
Case = tuple[str, Any, Any, str, tuple[Any, Any], tuple[Any, Any]]
T, F, U = True, False, None

CASES: list[Case] = [
    # rows 1-5: properties added, by the old content model
    ("r1-open-optional", obj({"a": S}), obj({"a": S, "b": I}), "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", (F, T), (T, T)),
    ("r2-open-empty-schema", obj({"a": S}), obj({"a": S, "b": {}}), "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", (T, T), (T, T)),
    ("r3-closed-optional", obj({"a": S}, addl=False), obj({"a": S, "b": I}, addl=False), "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", (T, F), (T, T)),
    ("r4-partial-covered", obj({"a": S}, addl=S), obj({"a": S, "b": S}, addl=S), "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (T, T), (T, T)),
    ("r4-pattern-covered", obj({}, patternProperties={"^b": S}), obj({"b1": S}, patternProperties={"^b": S}), "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (T, T), (T, T)),
    ("r5-partial-not-covered", obj({"a": S}, addl=S), obj({"a": S, "b": I}, addl=S), "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (F, F), (F, F)),
    # rows 6-8: required properties added
    ("r6-required-open", obj({"a": S}), obj({"a": S, "b": I}, ("b",)), "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", (F, T), (F, T)),
    ("r6-required-closed", obj({"a": S}, addl=False), obj({"a": S, "b": I}, ("b",), addl=False), "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", (F, F), (F, T)),
    ("r7-required-default-closed", obj({"a": S}, addl=False), obj({"a": S, "b": SD}, ("b",), addl=False), "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", (F, F), (F, T)),
    ("r8-required-default-open", obj({"a": S}), obj({"a": S, "b": SD}, ("b",)), "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", (F, T), (F, T)),
    # rows 9-10: properties removed, by the new content model
    ("r9-removed-open-optional", obj({"a": S, "b": I}), obj({"a": S}), "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", (T, F), (T, T)),
    ("r9-removed-open-required", obj({"a": S, "b": I}, ("b",)), obj({"a": S}), "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", (T, F), (T, F)),
    ("r10-removed-closed-optional", obj({"a": S, "b": I}, addl=False), obj({"a": S}, addl=False), "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", (F, T), (T, T)),
    ("r10-removed-closed-required", obj({"a": S, "b": I}, ("b",), addl=False), obj({"a": S}, addl=False), "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", (F, F), (T, F)),
    ("r10-removed-false-schema", obj({"a": S, "b": False}, addl=False), obj({"a": S}, addl=False), "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", (T, T), (T, T)),
    ("r10-removed-partial", obj({"a": S, "b": I}, addl=S), obj({"a": S}, addl=S), "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (F, F), (F, F)),
    # rows 11-13: required toggled
    ("r11-optional-to-required", obj({"a": S}), obj({"a": S}, ("a",)), "REQUIRED_ATTRIBUTE_ADDED", (F, T), (F, T)),
    ("r12-optional-to-required-default", obj({"a": SD}), obj({"a": SD}, ("a",)), "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", (F, T), (F, T)),
    ("r13-required-to-optional", obj({"a": S}, ("a",)), obj({"a": S}), "REQUIRED_ATTRIBUTE_REMOVED", (T, F), (T, F)),
    ("r13-required-undeclared", {"type": "object", "required": ["a"]}, {"type": "object"}, "REQUIRED_ATTRIBUTE_REMOVED", (T, F), (T, F)),
    # rows 14-16: additionalProperties
    ("r14-addl-false-to-absent", obj({"a": S}, addl=False), obj({"a": S}), "ADDITIONAL_PROPERTIES_ADDED", (T, F), (T, T)),
    ("r14-addl-false-to-true", obj({"a": S}, addl=False), obj({"a": S}, addl=True), "ADDITIONAL_PROPERTIES_ADDED", (T, F), (T, T)),
    ("r15-addl-absent-to-false", obj({"a": S}), obj({"a": S}, addl=False), "ADDITIONAL_PROPERTIES_REMOVED", (F, T), (T, T)),
    ("r16-addl-true-to-schema", obj({"a": S}, addl=True), obj({"a": S}, addl=I), "ADDITIONAL_PROPERTIES_NARROWED", (F, T), (T, T)),
    ("r16-addl-schema-to-true", obj({"a": S}, addl=I), obj({"a": S}, addl=True), "ADDITIONAL_PROPERTIES_EXTENDED", (T, F), (T, T)),
    ("r16-addl-schema-to-schema", obj({}, addl=I), obj({}, addl=N), "TYPE_EXTENDED", (T, F), (T, F)),
    ("r16-unevaluated", obj({"a": S}), obj({"a": S}, unevaluatedProperties=False), "UNEVALUATED_PROPERTIES_REMOVED", (F, T), (T, T)),
    # rows 17-18: types
    ("r17-string-to-number", S, N, "TYPE_CHANGED", (F, F), (F, F)),
    ("r17-object-to-array", {"type": "object"}, {"type": "array"}, "TYPE_CHANGED", (F, F), (F, F)),
    ("r18-integer-to-number", I, N, "TYPE_EXTENDED", (T, F), (T, F)),
    ("r18-number-to-integer", N, I, "TYPE_NARROWED", (F, T), (F, T)),
    ("r18-type-added", {}, S, "TYPE_NARROWED", (F, T), (F, T)),
    # rows 19-22: unions and products
    ("r19-nullable", S, {"type": ["string", "null"]}, "SUM_TYPE_EXTENDED", (T, F), (T, F)),
    ("r19-anyof-branch-added", {"anyOf": [S, I]}, {"anyOf": [S, I, {"type": "null"}]}, "SUM_TYPE_EXTENDED", (T, F), (T, F)),
    ("r19-plain-to-anyof", S, {"anyOf": [S, {"type": "null"}]}, "SUM_TYPE_EXTENDED", (T, F), (T, F)),
    ("r19-oneof-disjoint-branch-added", {"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "null"}]}, "SUM_TYPE_EXTENDED", (T, F), (T, F)),
    ("r19-oneof-overlapping-branch-added", {"oneOf": [S, I]}, {"oneOf": [S, I, N]}, "ONE_OF_OVERLAP", (F, F), (F, F)),
    ("r20-branch-removed", {"anyOf": [S, I, {"type": "null"}]}, {"anyOf": [S, I]}, "SUM_TYPE_NARROWED", (F, T), (F, T)),
    ("r20-not-nullable", {"type": ["string", "null"]}, S, "SUM_TYPE_NARROWED", (F, T), (F, T)),
    ("r20-anyof-to-plain", {"anyOf": [S, {"type": "null"}]}, S, "SUM_TYPE_NARROWED", (F, T), (F, T)),
    ("r21-oneof-to-anyof", {"oneOf": [N, I]}, {"anyOf": [N, I]}, "COMBINED_TYPE_EXTENDED", (T, F), (T, F)),
    ("r21-anyof-to-oneof", {"anyOf": [N, I]}, {"oneOf": [N, I]}, "COMBINED_TYPE_CHANGED", (F, T), (F, T)),
    ("r21-oneof-to-anyof-disjoint", {"oneOf": [S, I]}, {"anyOf": [S, I]}, "COMBINED_TYPE_EXTENDED", (T, T), (T, T)),
    ("r21-anyof-to-oneof-disjoint", {"anyOf": [S, I]}, {"oneOf": [S, I]}, "COMBINED_TYPE_CHANGED", (T, T), (T, T)),
    ("r22-allof-member-added", {"type": "string", "allOf": [{"pattern": "a"}]}, {"type": "string", "allOf": [{"pattern": "a"}, {"pattern": "b"}]}, "PRODUCT_TYPE_EXTENDED", (F, T), (F, T)),
    ("r22-allof-member-removed", {"type": "string", "allOf": [{"pattern": "a"}, {"pattern": "b"}]}, {"type": "string", "allOf": [{"pattern": "a"}]}, "PRODUCT_TYPE_NARROWED", (T, F), (T, F)),
    ("r22-allof-merged-member-added", {"type": "object"}, {"type": "object", "allOf": [{"required": ["x"]}]}, "REQUIRED_ATTRIBUTE_ADDED", (F, T), (F, T)),
    # rows 23-24: enum and const
    ("r23-enum-value-added", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]}, "ENUM_ARRAY_EXTENDED", (T, F), (T, F)),
    ("r23-enum-value-removed", {"enum": ["a", "b"]}, {"enum": ["a"]}, "ENUM_ARRAY_NARROWED", (F, T), (F, T)),
    ("r23-enum-added", S, {"type": "string", "enum": ["a"]}, "ENUM_ADDED", (F, T), (F, T)),
    ("r23-enum-dropped", {"type": "string", "enum": ["a"]}, S, "ENUM_REMOVED", (T, F), (T, F)),
    ("r23-enum-reordered", {"enum": ["a", 1]}, {"enum": [1.0, "a"]}, "", (T, T), (T, T)),
    ("r24-const-changed", {"const": "a"}, {"const": "b"}, "ENUM_ARRAY_CHANGED", (F, F), (F, F)),
    ("r24-enum-changed", {"enum": ["a", "b"]}, {"enum": ["b", "c"]}, "ENUM_ARRAY_CHANGED", (F, F), (F, F)),
    # rows 27-29
    ("r27-pattern-removed", {"type": "string", "pattern": "^a+$"}, S, "PATTERN_REMOVED", (T, F), (T, F)),
    ("r27-pattern-added", S, {"type": "string", "pattern": "^a+$"}, "PATTERN_ADDED", (F, T), (F, T)),
    ("r27-pattern-changed", {"type": "string", "pattern": "^a+$"}, {"type": "string", "pattern": "^b+$"}, "PATTERN_CHANGED", (F, F), (F, F)),
    ("r27-pattern-widened", {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[a-z0-9]+$"}, "PATTERN_CHANGED", (T, F), (T, F)),
    ("r27-pattern-same-language", {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[a-z]{1,}$"}, "PATTERN_CHANGED", (T, T), (T, T)),
    ("r27-pattern-backreference", {"type": "string", "pattern": "^(a)\\1$"}, {"type": "string", "pattern": "^(a)\\1+$"}, "PATTERN_CHANGED", (U, U), (U, U)),
    ("r28-multiple-reduced", {"type": "integer", "multipleOf": 10}, {"type": "integer", "multipleOf": 5}, "MULTIPLE_OF_REDUCED", (T, F), (T, F)),
    ("r28-multiple-expanded", {"type": "integer", "multipleOf": 5}, {"type": "integer", "multipleOf": 10}, "MULTIPLE_OF_EXPANDED", (F, T), (F, T)),
    ("r28-multiple-removed", {"type": "integer", "multipleOf": 5}, I, "MULTIPLE_OF_REMOVED", (T, F), (T, F)),
    ("r28-multiple-added", I, {"type": "integer", "multipleOf": 5}, "MULTIPLE_OF_ADDED", (F, T), (F, T)),
    ("r28-multiple-other", {"type": "integer", "multipleOf": 4}, {"type": "integer", "multipleOf": 6}, "MULTIPLE_OF_CHANGED", (F, F), (F, F)),
    ("r28-multiple-decimal", {"type": "number", "multipleOf": 0.5}, {"type": "number", "multipleOf": 0.25}, "MULTIPLE_OF_REDUCED", (T, F), (T, F)),
    ("r29-unique-added", {"type": "array"}, {"type": "array", "uniqueItems": True}, "UNIQUE_ITEMS_ADDED", (F, T), (F, T)),
    ("r29-unique-removed", {"type": "array", "uniqueItems": True}, {"type": "array"}, "UNIQUE_ITEMS_REMOVED", (T, F), (T, F)),
    # rows 30-31: items
    ("r30-items-added", {"type": "array"}, {"type": "array", "items": S}, "SCHEMA_ADDED", (F, T), (F, T)),
    ("r30-items-removed", {"type": "array", "items": S}, {"type": "array"}, "SCHEMA_REMOVED", (T, F), (T, F)),
    ("r30-items-nested", {"type": "array", "items": S}, {"type": "array", "items": I}, "TYPE_CHANGED", (F, F), (F, F)),
    ("r31-item-added-open", {"type": "array", "prefixItems": [S]}, {"type": "array", "prefixItems": [S, I]}, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", (F, T), (F, T)),
    ("r31-item-added-closed", {"type": "array", "prefixItems": [S], "items": False}, {"type": "array", "prefixItems": [S, I], "items": False}, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", (T, F), (T, F)),
    ("r31-item-removed-open", {"type": "array", "prefixItems": [S, I]}, {"type": "array", "prefixItems": [S]}, "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", (T, F), (T, F)),
    ("r31-item-removed-closed", {"type": "array", "prefixItems": [S, I], "items": False}, {"type": "array", "prefixItems": [S], "items": False}, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", (F, T), (F, T)),
    ("r31-item-added-covered", {"type": "array", "prefixItems": [S], "items": I}, {"type": "array", "prefixItems": [S, I], "items": I}, "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", (T, T), (T, T)),
    ("r31-additional-items-closed", {"type": "array", "prefixItems": [S]}, {"type": "array", "prefixItems": [S], "items": False}, "ADDITIONAL_ITEMS_REMOVED", (F, T), (F, T)),
    ("r31-draft7-tuple", {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": [S], "additionalItems": False},
     {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": [S, I], "additionalItems": False}, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", (T, F), (T, F)),
    # row 32: dependencies
    ("r32-dependency-narrowed", {"dependentRequired": {"a": ["b", "c"]}}, {"dependentRequired": {"a": ["b"]}}, "DEPENDENCY_ARRAY_NARROWED", (T, F), (T, F)),
    ("r32-dependency-removed", {"type": "object", "dependentRequired": {"a": ["b"]}}, {"type": "object"}, "DEPENDENCY_ARRAY_REMOVED", (T, F), (T, F)),
    ("r32-dependency-added", {}, {"dependentRequired": {"a": ["b"]}}, "DEPENDENCY_ARRAY_ADDED", (F, T), (F, T)),
    ("r32-dependency-extended", {"dependentRequired": {"a": ["b"]}}, {"dependentRequired": {"a": ["b", "c"]}}, "DEPENDENCY_ARRAY_EXTENDED", (F, T), (F, T)),
    ("r32-draft7-dependencies", {"$schema": "http://json-schema.org/draft-07/schema#", "dependencies": {"a": ["b"]}},
     {"$schema": "http://json-schema.org/draft-07/schema#", "dependencies": {"a": ["b", "c"]}}, "DEPENDENCY_ARRAY_EXTENDED", (F, T), (F, T)),
    # row 33: not
    ("r33-not-narrowed", {"not": S}, {"not": {"type": "string", "maxLength": 3}}, "NOT_TYPE_NARROWED", (T, F), (T, F)),
    ("r33-not-extended", {"not": {"type": "string", "maxLength": 3}}, {"not": S}, "NOT_TYPE_EXTENDED", (F, T), (F, T)),
    # row 34: trivial schemas
    ("r34-to-empty", S, {}, "SCHEMA_WIDENED_TO_ANY", (T, F), (T, F)),
    ("r34-to-true", S, True, "SCHEMA_WIDENED_TO_ANY", (T, F), (T, F)),
    ("r34-from-false", False, S, "SCHEMA_WIDENED_FROM_FALSE", (T, F), (T, F)),
    ("r34-to-false", S, False, "SCHEMA_NARROWED_TO_FALSE", (F, T), (F, T)),
    # row 35: $ref
    ("r35-inline-to-ref", obj({"a": S}), {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": S}}, "NO_EFFECTIVE_CHANGE", (T, T), (T, T)),
    ("r35-ref-to-definitions", {"$ref": "#/$defs/x", "$defs": {"x": obj({"a": S})}}, {"$ref": "#/definitions/y", "definitions": {"y": obj({"a": S})}}, "NO_EFFECTIVE_CHANGE", (T, T), (T, T)),
    ("r35-change-behind-ref", {"$ref": "#/$defs/x", "$defs": {"x": obj({"a": S})}}, {"$ref": "#/$defs/x", "$defs": {"x": obj({"a": I})}}, "TYPE_CHANGED", (F, F), (F, F)),
    # row 36: metadata
    ("r36-title", {"type": "string", "title": "A"}, {"type": "string", "title": "B"}, "TITLE_CHANGED", (T, T), (T, T)),
    ("r36-description", {"type": "string", "description": "A"}, {"type": "string", "description": "B"}, "DESCRIPTION_CHANGED", (T, T), (T, T)),
    ("r36-id", {"$id": "https://x.test/a", "type": "string"}, {"$id": "https://x.test/b", "type": "string"}, "ID_CHANGED", (T, T), (T, T)),
    ("r36-default", {"type": "string", "default": "a"}, {"type": "string", "default": "b"}, "DEFAULT_CHANGED", (T, T), (T, T)),
    ("r36-examples", {"type": "string", "examples": ["a"]}, {"type": "string", "examples": ["b"]}, "EXAMPLES_CHANGED", (T, T), (T, T)),
    ("r36-format", {"type": "string", "format": "date"}, {"type": "string", "format": "email"}, "FORMAT_CHANGED", (T, T), (T, T)),
]  # fmt: skip

BOUNDS: list[Case] = []
for word, value, base in (
    ("maxLength", 5, S), ("maximum", 5, I), ("exclusiveMaximum", 5, I), ("maxItems", 5, {"type": "array"}),
    ("maxProperties", 5, {"type": "object"}), ("maxContains", 2, {"type": "array", "contains": I}),
):  # fmt: skip
    rule = "_".join(p.upper() for p in __import__("re").sub(r"([A-Z])", r" \1", word).split())
    with_value = {**base, word: value}
    BOUNDS += [
        (f"r25-{word}-raised", with_value, {**base, word: value + 2}, f"{rule}_INCREASED", (T, F), (T, F)),
        (f"r25-{word}-removed", with_value, base, f"{rule}_REMOVED", (T, F), (T, F)),
        (f"r25-{word}-lowered", with_value, {**base, word: value - 2}, f"{rule}_DECREASED", (F, T), (F, T)),
        (f"r25-{word}-added", base, with_value, f"{rule}_ADDED", (F, T), (F, T)),
    ]
for word, value, base in (
    ("minLength", 3, S), ("minimum", 3, I), ("exclusiveMinimum", 3, I), ("minItems", 3, {"type": "array"}),
    ("minProperties", 3, {"type": "object"}), ("minContains", 2, {"type": "array", "contains": I}),
):  # fmt: skip
    rule = "_".join(p.upper() for p in __import__("re").sub(r"([A-Z])", r" \1", word).split())
    with_value = {**base, word: value}
    BOUNDS += [
        (f"r26-{word}-lowered", with_value, {**base, word: value - 1}, f"{rule}_DECREASED", (T, F), (T, F)),
        (f"r26-{word}-raised", with_value, {**base, word: value + 2}, f"{rule}_INCREASED", (F, T), (F, T)),
        # minContains defaults to 1, so adding 3 raises it
        (
            f"r26-{word}-added",
            base,
            with_value,
            f"{rule}_{'INCREASED' if word == 'minContains' else 'ADDED'}",
            (F, T),
            (F, T),
        ),
    ]
    if word != "minContains":  # minContains removed falls back to its default of 1: still lowered
        BOUNDS.append((f"r26-{word}-removed", with_value, base, f"{rule}_REMOVED", (T, F), (T, F)))
BOUNDS.append(
    (
        "r25-maximum-to-exclusive",
        {**I, "maximum": 5},
        {**I, "exclusiveMaximum": 5},
        "EXCLUSIVE_MAXIMUM_CHANGED",
        (F, T),
        (F, T),
    )
)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(
    ("name", "old", "new", "rule", "strict", "lenient"), CASES + BOUNDS, ids=[c[0] for c in CASES + BOUNDS]
)
def test_rule(
    name: str, old: Any, new: Any, rule: str, strict: tuple[Any, Any], lenient: tuple[Any, Any], policy: str
) -> None:
    report = compare_schemas(old, new, policy=policy)
    expected = strict if policy == "strict" else lenient
    rules = [c.rule for c in report.changes]
    if rule:
        assert rule in rules, rules
    assert (report.backward, report.forward) == expected, report.as_json()
    check_counterexamples(report, old, new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (obj({"a": S}, addl=False), obj({"a": S, "b": SD}, ("b",), addl=False), (T, F)),  # row 7
        (obj({"a": SD}), obj({"a": SD}, ("a",)), (T, T)),  # row 12
        (obj({"a": SD}, ("a",)), obj({"a": SD}), (T, T)),  # row 13 with a default
        (obj({"a": S, "b": SD}, ("b",)), obj({"a": S}), (T, F)),  # row 9: F needs lenient
    ],
)
def test_readers_apply_defaults_is_confluents_reading(old: Any, new: Any, expected: tuple[Any, Any]) -> None:
    plain = compare_schemas(old, new)
    assert plain.backward is not True or plain.forward is not True
    assert any(c.disputed for c in plain.changes)
    confluent = compare_schemas(old, new, readers_apply_defaults=True)
    assert (confluent.backward, confluent.forward) == expected


def test_lenient_required_default_removed_from_open_with_defaults() -> None:
    old, new = obj({"a": S, "b": SD}, ("b",)), obj({"a": S})
    assert compare_schemas(old, new, policy="lenient", readers_apply_defaults=True).forward is True
    assert compare_schemas(old, new, policy="lenient").forward is False


def find(report: CompatReport, rule: str) -> Change:
    return next(c for c in report.changes if c.rule == rule)


def test_paths_point_into_the_schema() -> None:
    old = obj({"addr": obj({"zip": S, "a/b": S})})
    new = obj({"addr": obj({"zip": I, "a/b": {"type": "string", "maxLength": 2}})})
    report = compare_schemas(old, new)
    paths = {c.rule: c.path for c in report.changes}
    assert paths["TYPE_CHANGED"] == "#/properties/addr/properties/zip/type"
    assert paths["MAX_LENGTH_ADDED"] == "#/properties/addr/properties/a~1b/maxLength"


def test_counterexamples_for_both_directions() -> None:
    old, new = obj({"a": S}, ("a",)), obj({"a": I}, ("a",))
    change = find(compare_schemas(old, new), "TYPE_CHANGED")
    assert change.counterexample_for == "backward" and change.has_forward_counterexample
    assert valid(old, change.counterexample) and not valid(new, change.counterexample)
    assert valid(new, change.forward_counterexample) and not valid(old, change.forward_counterexample)


def test_counterexamples_can_be_switched_off() -> None:
    report = compare_schemas(S, N, counterexamples=False)
    assert all(c.counterexample_for is None for c in report.changes)
    assert report.backward is False


def test_unknown_verdicts_say_why() -> None:
    report = compare_schemas(
        {"type": "string", "pattern": "^(?=a)[a-z]+$"}, {"type": "string", "pattern": "^(?=a)[a-z]{1,}$"}
    )
    change = find(report, "PATTERN_CHANGED")
    assert change.backward is None and "lookaround assertions are not regular" in change.message


# ---- references, recursion, composition --------------------------------------------------------

TREE: dict[str, Any] = {
    "$defs": {"node": {"type": "object", "properties": {"value": I, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node",
}  # fmt: skip


def test_recursive_schema_equal_to_itself() -> None:
    report = compare_schemas(TREE, TREE)
    assert (report.backward, report.forward, report.changes) == (True, True, ())


def test_recursive_schema_change_found_deep() -> None:
    new = {"$defs": {"node": {**TREE["$defs"]["node"], "required": ["value"]}}, "$ref": "#/$defs/node"}
    report = compare_schemas(TREE, new)
    assert (report.backward, report.forward) == (False, True)
    assert find(report, "REQUIRED_ATTRIBUTE_ADDED").path == "#/properties/value"
    check_counterexamples(report, TREE, new)


def test_root_recursion_via_hash() -> None:
    old = {"type": "object", "properties": {"next": {"$ref": "#"}, "v": S}}
    new = {"type": "object", "properties": {"next": {"$ref": "#"}, "v": {"type": "string", "minLength": 1}}}
    report = compare_schemas(old, new)
    assert (report.backward, report.forward) == (False, True)
    check_counterexamples(report, old, new)


def test_cyclic_refs_without_content_do_not_hang() -> None:
    old = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    report = compare_schemas(old, {"type": "string"})
    assert report.backward is not True


def test_remote_ref_is_unknown_with_reason() -> None:
    report = compare_schemas(obj({"a": S}), obj({"a": {"$ref": "https://example.test/s.json"}}))
    change = find(report, "REF_NOT_FOLLOWED")
    assert change.backward is None and "remote" in change.message
    assert report.backward is None


def test_same_remote_ref_on_both_sides_is_no_change() -> None:
    schema = obj({"a": {"$ref": "https://example.test/s.json"}})
    assert compare_schemas(schema, dict(schema)).changes == ()


def test_ref_to_id_and_anchor() -> None:
    old = {
        "$id": "https://x.test/root",
        "$defs": {"a": {"$anchor": "A", "type": "string"}},
        "$ref": "https://x.test/root#A",
    }
    new = {"$id": "https://x.test/root", "$defs": {"a": {"$anchor": "A", "type": "integer"}}, "$ref": "#A"}
    assert find(compare_schemas(old, new), "TYPE_CHANGED").backward is False


def test_draft7_ref_siblings_are_ignored() -> None:
    d7 = "http://json-schema.org/draft-07/schema#"
    old = {"$schema": d7, "definitions": {"s": S}, "$ref": "#/definitions/s", "maxLength": 3}
    new = {"$schema": d7, "definitions": {"s": S}, "$ref": "#/definitions/s"}
    report = compare_schemas(old, new)
    assert (report.backward, report.forward) == (True, True)
    assert [c.rule for c in report.changes] == ["NO_EFFECTIVE_CHANGE"]


def test_draft4_exclusive_maximum_boolean() -> None:
    d4 = "http://json-schema.org/draft-04/schema#"
    old = {"$schema": d4, "type": "integer", "maximum": 5, "exclusiveMaximum": True}
    new = {"$schema": d4, "type": "integer", "maximum": 5}
    report = compare_schemas(old, new)
    assert (report.backward, report.forward) == (True, False)
    check_counterexamples(report, old, new)


def test_if_then_else_changed_is_unknown_unless_counterexample() -> None:
    old = {"if": {"properties": {"k": {"const": 1}}}, "then": {"required": ["a"]}}
    new = {"if": {"properties": {"k": {"const": 2}}}, "then": {"required": ["a"]}}
    report = compare_schemas(old, new)
    change = find(report, "IF_THEN_ELSE_CHANGED")
    assert "not decided" in change.message
    assert report.backward is not True and report.forward is not True
    check_counterexamples(report, old, new)


def test_if_then_same_condition_compares_branches() -> None:
    old = {"if": {"required": ["k"]}, "then": {"required": ["a"]}}
    new = {"if": {"required": ["k"]}, "then": {"required": ["a", "b"]}}
    report = compare_schemas(old, new)
    assert (report.backward, report.forward) == (False, True)


def test_unevaluated_properties_with_subschemas_is_undecided() -> None:
    old = {"allOf": [{"$ref": "#/$defs/b"}], "unevaluatedProperties": False, "$defs": {"b": obj({"a": S})}}
    new = {
        "allOf": [{"$ref": "#/$defs/b"}],
        "unevaluatedProperties": False,
        "$defs": {"b": obj({"a": S, "c": S})},
    }
    report = compare_schemas(old, new)
    assert any(c.rule == "UNEVALUATED_PROPERTIES_UNDECIDED" for c in report.changes)
    assert report.backward is not True or report.forward is not True


def test_oneof_with_discriminator_is_disjoint() -> None:
    cat = obj({"kind": {"const": "cat"}, "meow": S}, ("kind",))
    dog = obj({"kind": {"const": "dog"}}, ("kind",))
    fish = obj({"kind": {"const": "fish"}}, ("kind",))
    report = compare_schemas({"oneOf": [cat, dog]}, {"oneOf": [cat, dog, fish]})
    assert (report.backward, report.forward) == (True, False)


def test_mapping_input_and_bad_policy() -> None:
    from types import MappingProxyType

    assert compare_schemas(MappingProxyType({"type": "string"}), {"type": "string"}).changes == ()
    with pytest.raises(ValueError, match="policy"):
        compare_schemas({}, {}, policy="sloppy")


def test_report_json_shape() -> None:
    data = compare_schemas(S, N).as_json()
    assert set(data) >= {"backward", "forward", "changes"}
    assert set(data["changes"][0]) >= {"rule", "path", "backward", "forward", "message"}


def test_overall_verdict_combines_false_over_unknown() -> None:
    old = {"type": "object", "properties": {"p": {"type": "string", "pattern": "^(a)\\1$"}, "n": I}}
    new = {"type": "object", "properties": {"p": {"type": "string", "pattern": "^(a)\\1+$"}, "n": S}}
    report = compare_schemas(old, new)
    assert None in {c.backward for c in report.changes} and report.backward is False


# ---- the version-bump rule (coordination.md 2.4) ------------------------------------------------

BREAK_B = compare_schemas(obj({"a": S}), obj({"a": S}, ("a",)))  # B false, F true
WIDEN = compare_schemas(I, N)  # B true, F false
META = compare_schemas({"type": "string", "title": "a"}, {"type": "string", "title": "b"})
NOTHING = compare_schemas(S, S)
UNSURE = compare_schemas(
    {"type": "string", "pattern": "^(?!x)[a-z]+$"}, {"type": "string", "pattern": "^(?!x)[a-z]{1,}$"}
)


@pytest.mark.parametrize(
    ("report", "directions", "old", "new", "ok", "required"),
    [
        (BREAK_B, ["backward"], "1.2.3", "2.0.0", True, "major"),
        (BREAK_B, ["backward"], "1.2.3", "1.3.0", False, "major"),
        (BREAK_B, ["forward"], "1.2.3", "1.3.0", True, "minor"),
        (BREAK_B, ["forward"], "1.2.3", "1.2.4", False, "minor"),
        (BREAK_B, ["backward", "forward"], "0.2.3", "0.3.0", True, "minor"),
        (BREAK_B, ["backward"], "0.2.3", "0.2.4", False, "minor"),
        (WIDEN, ["backward"], "0.2.3", "0.2.4", True, "patch"),
        (META, ["backward", "forward"], "1.0.0", "1.0.1", True, "patch"),
        (META, ["backward", "forward"], "1.0.0", "1.0.0", False, "patch"),
        (NOTHING, ["backward"], "1.0.0", "1.0.1", True, None),
        (UNSURE, ["backward"], "1.0.0", "1.1.0", False, "major"),
        (WIDEN, ["backward"], "1.0.0", "0.9.0", False, "minor"),
        (WIDEN, ["backward"], "1.0", "1.1.0", False, None),
    ],
)
def test_required_bump(
    report: CompatReport, directions: list[str], old: str, new: str, ok: bool, required: str | None
) -> None:
    verdict = required_bump(report, directions=directions, old_version=old, new_version=new)
    assert isinstance(verdict, BumpVerdict)
    assert (verdict.ok, verdict.required) == (ok, required), verdict.message
    assert verdict.message


def test_required_bump_rejects_unknown_direction() -> None:
    with pytest.raises(ValueError, match="direction"):
        required_bump(NOTHING, directions=["sideways"], old_version="1.0.0", new_version="1.0.1")
