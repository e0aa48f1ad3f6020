"""Hostile markdown: every pattern the importer uses runs in linear time.

Whoever hands over a dialogue file controls its text. A regex that backtracks
quadratically (or worse) on a long run of spaces, ``#``, ``*`` or ``(`` would let one
small file stall an import for minutes, so every such input must parse in well under
a second. The named cases are the ones that once took seconds to minutes; the property
test builds long runs out of the characters and words the importer's patterns react
to, after the prefixes that put them in every context (headings, facts, item
headings, tables, markers).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blue_tui.core.store.mdimport import parse_markdown_text

LIMIT_SECONDS = 1.0
SPACES = " " * 100_000


def parse_time(text: str) -> float:
    start = time.perf_counter()
    doc, _ = parse_markdown_text(text, "hostile.dialogue.md")
    elapsed = time.perf_counter() - start
    assert isinstance(doc["rounds_data"], list)
    return elapsed


NAMED = {
    "a 1 MB line of spaces": " " * 1_000_000,
    "**Status: and 100,000 spaces": "**Status:" + SPACES,
    "**Status: and 100,000 spaces in an item heading": "### T01: label\n\n**Status:" + SPACES + "x",
    "**Status and 100,000 spaces before the colon": "### T01: label\n\n**Status**" + SPACES + ":" + SPACES,
    "a heading of 100,000 #": "#" * 100_000,
    "a heading of 100,000 spaces": "#" + SPACES,
    "a heading of 100,000 spaces and a word": "## " + SPACES + "x",
    "a round heading and 100,000 spaces": "## Round 1:" + SPACES + "x",
    "a heading ending in (Round 1) after spaces": "## x" + SPACES + "(Round 1)x",
    "an item heading of spaces": "### T01" + SPACES + "x",
    "a speaker label of spaces": "**Muffin" + SPACES + ":**",
    "a fact of spaces": "**Key:**" + SPACES + "| **Other:**" + SPACES,
    "100,000 stars": "*" * 100_000,
    "100,000 opening brackets": "[" * 100_000,
    "100,000 unclosed markers": "[PERSPECTIVE " * 10_000,
    "100,000 opening parentheses as participants": "**Participants**: " + "(" * 100_000,
    "a contributor cell of separators": "## Tensions Tracker\n\n| ID | Tension | Raised |\n|---|---|---|\n| T1 | x | "
    + " , " * 30_000
    + " |",
    "a line of box characters": "│" * 100_000,
    "markers after a bullet of stars": "## Round 1\n\n- " + "*" * 100_000 + ":[MOVE:CONVERGE]",
    "markers in code spans": "` [PERSPECTIVE P01: x] " * 5_000,
}


@pytest.mark.parametrize("text", NAMED.values(), ids=list(NAMED))
def test_named_hostile_inputs_parse_in_under_a_second(text: str) -> None:
    assert parse_time(text + "\n") < LIMIT_SECONDS


PREFIXES = st.sampled_from(
    [
        "",
        "# ",
        "## Round 1: ",
        "### 🧁 Muffin ",
        "### T01: x\n\n",
        "**Status:",
        "**Status**",
        "**",
        "- ",
        "> ",
        "1. ",
        "## Perspectives Inventory\n\n| ID | Agent | Perspective | Round |\n|---|---|---|---|\n| P01 | ",
        "## Tensions Tracker\n\n| ID | Tension | Status | Raised |\n|---|---|---|---|\n| T1 | x | ",
        "## Round 0\n\n### 🧁 Muffin\n\n[PERSPECTIVE P01: ",
        "[RESOLVED ",
        "[MOVE:",
        "[MUFFIN-P0101",
        "**Participants**: ",
        "| Round | W | C |\n|---|---|---|\n| R",
    ]
)
#: What the importer's patterns react to.
CHARACTERS = [" ", "\t", "#", "*", "**", ":", "|", "[", "]", "(", ")", "`", "~", "-", "_", ">", "R", "1", "0"]
WORDS = [
    "Round",
    "Status",
    "PERSPECTIVE",
    "T01",
    "P01",
    "✓",
    "🧁",
    "a",
    "Muffin",
    "'s",
    "—",
    ",",
    "and",
    "\n",
]
PIECES = st.sampled_from([*CHARACTERS, *WORDS])
UNITS = st.lists(PIECES, min_size=1, max_size=6).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PREFIXES, UNITS)
def test_long_runs_of_anything_parse_in_linear_time(prefix: str, unit: str) -> None:
    text = prefix + unit * (60_000 // len(unit)) + "\n"
    assert parse_time(text) < LIMIT_SECONDS
