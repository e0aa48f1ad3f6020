"""``pattern`` changes decided with automata (issue 10): inclusion both ways, search semantics,
the two readings (ECMA-262 and Python's ``re``), what stays unknown, and the work bound.

The automata are cross-checked by brute force: every string over a small alphabet up to a length
is run through ``re.search``; inclusion must hold on all of them when the checker says so, and a
witness must really separate the two patterns.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blue_tui.core.realm.compat import compare_schemas
from blue_tui.core.realm.compat.automata import BUDGET, disjoint, examples, inclusion, search
from blue_tui.core.realm.compat.context import MAX_PATTERN_PAIRS
from blue_tui.core.realm.compat.ecma import Unsupported, parse

T, F, U = True, False, None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("^(ab)+$", "^ab(ab)*$", (T, T)),
        ("^[a-z]+$", "^[a-z]{1,}$", (T, T)),
        ("^[a-z]+$", "^[a-z0-9]+$", (T, F)),
        ("^a{2,5}$", "^aa(a{0,3})$", (T, T)),
        ("abc", "b", (T, F)),  # unanchored: a string containing "abc" contains "b"
        ("^abc", "^ab", (T, F)),
        ("c$", "bc$", (F, T)),
        ("", "^", (T, T)),  # both match every string
        ("^$", "", (T, F)),
        ("^^a", "^a", (T, T)),  # repeated anchors are still one position
        ("a^", "[^\\s\\S]", (T, T)),  # a '^' after a character never matches: no string at all
        ("^(?:x|y)z?$", "^[xy]z?$", (T, T)),
        ("^[^a]$", "^[^ab]$", (F, T)),
        ("^\\.\\-\\/$", "^[.][-][/]$", (T, T)),
        ("^\\x41\\u0042$", "^AB$", (T, T)),
        ("^a*?$", "^a*$", (T, T)),  # lazy quantifiers match the same strings
        ("uuid", "date-time", (F, F)),
    ],
)
def test_inclusion(a: str, b: str, expected: tuple[Any, Any]) -> None:
    forward, backward = inclusion(a, b)
    assert (forward.verdict, backward.verdict) == expected, (forward, backward)
    for decision, (writer, reader) in ((forward, (a, b)), (backward, (b, a))):
        for witness in decision.witnesses:
            assert re.search(writer, witness) and not re.search(reader, witness), witness
        if decision.verdict is False and writer != "$":
            assert decision.witnesses, decision


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("^(a)\\1$", "backreferences"),
        ("^(?<x>a)\\k<x>$", "group syntax"),
        ("^(?=a)", "lookaround"),
        ("(?<!a)b", "lookaround"),
        ("\\bword\\b", "word boundaries"),
        ("[]a]", "'[]'"),
        ("[^]", "'[]'"),
        ("a{,3}", "'{,n}'"),
        ("(?i)abc", "group syntax"),
        ("\\cA", "escape '\\c'"),
        ("\\Z", "escape '\\Z'"),
        ("\\x4", "hex digits"),
        ("😀+", "beyond U+FFFF"),
        ("[\\ud800-\\udfff]", "surrogates"),
        ("{1}", "nothing to repeat"),
        ("a**", "quantifier after a quantifier"),
        ("a{2}+", "quantifier after a quantifier"),
        ("[\\d-z]", "class escape"),
        ("a{1001}", "repetition counts"),
        ("(a", "missing ')'"),
        ("a)", "unbalanced"),
    ],
)
def test_outside_the_regular_subset_is_unknown_with_a_reason(pattern: str, reason: str) -> None:
    with pytest.raises(Unsupported, match=re.escape(reason)):
        parse(pattern)
    forward, backward = inclusion(pattern, "a")
    assert forward.verdict is None and backward.verdict is None
    assert reason in forward.reason


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("^\\d{3}$", "^[0-9]{3}$", (U, T)),  # Python's \d also matches "٣"
        ("^\\w+$", "^[A-Za-z0-9_]+$", (U, T)),  # and \w matches "é"
        ("^.$", "^[^\\n\\r]$", (U, U)),  # ECMA's . also excludes \u2028; Python's only \n
        (
            "^\\s$",
            "^[ \\t\\n\\r\\f\\v]$",
            (F, T),
        ),  # both read \s wider (U+00A0 in ECMA-262, U+001C in Python)
        ("^a$", "^a\\n?$", (T, F)),  # Python's $ also matches before a final newline
        ("^\\d\\d$", "^\\d{2}$", (T, T)),  # the same in both readings
    ],
)
def test_both_readings_must_agree(a: str, b: str, expected: tuple[Any, Any]) -> None:
    forward, backward = inclusion(a, b)
    assert (forward.verdict, backward.verdict) == expected
    for decision in (forward, backward):
        if decision.verdict is None:
            assert "ECMA-262 and Python's re" in decision.reason


def test_hostile_pattern_is_bounded_and_unknown() -> None:
    """The DFA of (a|b)*a(a|b){20} has two million states; the work budget stops it."""
    a, b = "^(a|b)*a(a|b){20}$", "^(a|b)*b(a|b){20}$"
    forward, backward = inclusion(a, b)
    assert forward.verdict is None and "too large" in forward.reason
    assert backward.verdict is None
    assert BUDGET < 2_000_000
    report = compare_schemas({"type": "string", "pattern": a}, {"type": "string", "pattern": b})
    assert report.backward is not True and report.forward is not True


def test_nested_counted_repetition_is_bounded() -> None:
    forward, _ = inclusion("((a{0,30}){0,30}){0,30}b", "a*b")
    assert forward.verdict in (None, True)  # decided within the budget, or given up: never a hang


def test_pattern_pairs_per_comparison_are_capped() -> None:
    names = [f"p{i}" for i in range(MAX_PATTERN_PAIRS + 5)]
    old = {"type": "object", "properties": {n: {"type": "string", "pattern": f"^{n}a+$"} for n in names}}
    new = {"type": "object", "properties": {n: {"type": "string", "pattern": f"^{n}a{{1,}}$"} for n in names}}
    changes = compare_schemas(old, new, counterexamples=False).changes
    decided = [c for c in changes if c.backward is True and c.forward is True]
    capped = [c for c in changes if c.backward is None]
    assert len(decided) == MAX_PATTERN_PAIRS
    assert len(capped) == 5 and "pattern changes in one comparison" in capped[0].message


def valid(schema: Any, doc: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(doc))


def test_same_language_is_compatible_and_only_a_text_change() -> None:
    old, new = {"type": "string", "pattern": "^(ab)+$"}, {"type": "string", "pattern": "^ab(ab)*$"}
    report = compare_schemas(old, new)
    [change] = report.changes
    assert (report.backward, report.forward) == (True, True)
    assert change.rule == "PATTERN_CHANGED" and not change.semantic
    assert "same strings" in change.message
    # Confluent compares the text: its verdict stays available on the disputed change
    assert change.disputed and change.confluent == (False, False)
    assert change.as_json()["confluent"] == {"backward": False, "forward": False}


def test_counterexample_comes_from_the_automata() -> None:
    old = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{4}$"}}}
    new = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{4}(-x)?$"}}}
    report = compare_schemas(old, new)
    [change] = report.changes
    assert (change.backward, change.forward) == (True, False)
    doc = change.counterexample
    assert change.counterexample_for == "forward" and doc["code"].endswith("-x")
    assert valid(new, doc) and not valid(old, doc)


def test_oneof_over_disjoint_patterns_is_anyof() -> None:
    branches = [{"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}]
    report = compare_schemas({"oneOf": branches}, {"anyOf": branches})
    assert (report.backward, report.forward) == (True, True)
    [change] = report.changes
    assert change.rule == "COMBINED_TYPE_EXTENDED" and change.confluent == (True, False) and change.disputed
    overlapping = [{"type": "string", "pattern": "a"}, {"type": "string", "pattern": "b"}]
    report = compare_schemas({"oneOf": overlapping}, {"anyOf": overlapping})
    assert report.forward is not True


def test_disjoint_and_examples() -> None:
    assert disjoint("^a", "^b") is True
    assert disjoint("a", "b") is False
    assert disjoint("(a)\\1", "b") is None
    found = examples("^[A-Z]{2}-\\d{2}$")
    assert found and all(re.search("^[A-Z]{2}-\\d{2}$", s) for s in found)


# ---- brute force against re.search ---------------------------------------------------------------

ALPHABET = "ab\n"
STRINGS = ["".join(p) for n in range(6) for p in itertools.product(ALPHABET, repeat=n)]


@st.composite
def regexes(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["a", "b", "[ab]", "[^a]", "\\n", "a?", "(?:ab)", ""]))
    kind = draw(st.sampled_from(["seq", "alt", "star", "plus", "count", "anchors"]))
    inner = draw(regexes(depth + 1))
    if kind == "seq":
        return inner + draw(regexes(depth + 1))
    if kind == "alt":
        return f"(?:{inner}|{draw(regexes(depth + 1))})"
    if kind == "star":
        return f"(?:{inner})*"
    if kind == "plus":
        return f"(?:{inner})+"
    if kind == "count":
        low = draw(st.integers(0, 2))
        return f"(?:{inner}){{{low},{low + draw(st.integers(0, 2))}}}"
    return draw(st.sampled_from(["^", ""])) + inner + draw(st.sampled_from(["$", ""]))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(a=regexes(), b=regexes())
def test_agrees_with_re_search_on_every_short_string(a: str, b: str) -> None:
    forward, backward = inclusion(a, b)
    for decision, writer, reader in ((forward, a, b), (backward, b, a)):
        extra = [s for s in STRINGS if re.search(writer, s) and not re.search(reader, s)]
        if decision.verdict is True:
            assert not extra, (writer, reader, extra[:3])
        for witness in decision.witnesses:
            assert re.search(writer, witness) and not re.search(reader, witness)
        if decision.verdict is None:
            assert decision.reason


@pytest.mark.parametrize("pattern", ["^(a|a)*b$", "^(a+)+$(?<=x)", "^(?=a)(a|a)*b$"])
def test_catastrophic_backtracking_cannot_stall_a_check(pattern: str) -> None:
    """Validating candidates used to call re.search, exponential on ^(a|a)*b$ with "a" * 40; the
    automaton is linear, and patterns outside the regular subset only see short texts."""
    old = {"type": "object", "properties": {"s": {"type": "string", "maxLength": 40}}}
    new = {"type": "object", "properties": {"s": {"type": "string", "maxLength": 40, "pattern": pattern}},
           "patternProperties": {pattern: {"type": "integer"}}}  # fmt: skip
    report = compare_schemas(old, new)
    assert report.backward is not True
    assert search(pattern, "a" * 10_000) in (False, None)
