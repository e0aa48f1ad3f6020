"""Property tests: arbitrary markdown never breaks the importer.

Whatever a file holds, parsing returns a JSON-clean document with the same result
every time, or (for unreadable bytes) raises SourceError naming the file; nothing
inside a code fence ever becomes structure.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blue_tui.core.errors import SourceError
from blue_tui.core.store.mdimport import parse_markdown_text
from blue_tui.core.store.sources import parse_path

# Lines built from the pieces dialogues are made of, so the parser's paths are exercised.
PIECES = st.sampled_from(
    [
        "# Alignment Dialogue: T",
        "## Round 0: Opening",
        "## Round 1",
        "## Opening Arguments (Round 2)",
        "### 🧁 Muffin",
        "### Muffin 🧁",
        "## Expert Panel",
        "## Perspectives Inventory",
        "## Tensions Tracker",
        "## Status",
        "## Verdict",
        "### MUFFIN-T01 (R0): label",
        "### O0001: item",
        "| Agent | Role | Tier | Relevance |",
        "| ID | Tension | Status | Raised | Resolved |",
        "| Round | W | C | T | R | Score | Velocity | Converge % |",
        "| Expert | R0 | R1 | Total |",
        "|---|---|---|---|",
        "| 🧁 Muffin | Architect | Core | 0.9 |",
        "| T01 | x | Open | Muffin R0 | — |",
        "| 0 | 1 | 2 | 3 | 4 | 10 | 2 | 100% |",
        "| — | [Awaiting Round 0] | — |",
        "**Status**: Converged",
        "**Date**: 2026-01-01",
        "**Participants**: 💙 Judge, 🧁 Muffin",
        "**ALIGNMENT Score**: +12 (Velocity: +3, Total: 40)",
        "**Total ALIGNMENT**: 40",
        "**Muffin (Architect):**",
        "[PERSPECTIVE P01: a] body",
        "[TENSION T1: b]",
        "[RESOLVED T1: c]",
        "[RESOLVED MUFFIN R1-T01]",
        "[MOVE:CONVERGE]",
        "[MOVE:BRIDGE P01 T9]",
        "[RE:SUPPORT P01]",
        "[MUFFIN-P0101: d]",
        "[VERDICT:FINAL] e",
        "[Awaiting response]",
        "```",
        "~~~",
        "```yaml",
        "---",
        "> quote",
        "- item",
        "1. item",
        "┌──┬──┐",
        "│ ID │ Resolution │",
        "",
    ]
)
LINES = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=40)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(LINES)
def test_any_markdown_parses_to_a_json_clean_deterministic_document(lines: list[str]) -> None:
    text = "\n".join(lines)
    doc, warnings = parse_markdown_text(text, "any.dialogue.md")
    assert json.loads(json.dumps(doc)) == doc
    assert doc["warnings"] == warnings
    assert parse_markdown_text(text, "any.dialogue.md")[0] == doc
    for name in ("perspectives", "tensions", "recommendations", "evidence", "claims"):
        ids = [item["id"] for item in doc[name]]
        assert len(ids) == len(set(ids))


@SLOW
@given(st.text(max_size=2000))
def test_any_text_parses(text: str) -> None:
    doc, _ = parse_markdown_text(text, "x.md")
    assert doc["id"] == "x"


@SLOW
@given(LINES)
def test_nothing_inside_a_fence_is_structure(lines: list[str]) -> None:
    body = "\n".join(line for line in lines if not line.lstrip().startswith(("```", "~~~")))
    doc, _ = parse_markdown_text(f"# Title\n\n````text\n{body}\n````\n", "fenced.md")
    assert doc["rounds_data"] == [] and doc["experts"] == []
    assert all(doc[name] == [] for name in ("perspectives", "tensions", "moves", "refs", "verdicts"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file_raise_nothing_but_source_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.dialogue.md"
        path.write_bytes(data)
        try:
            found = parse_path(path)
        except SourceError as exc:
            assert exc.source == str(path)
        else:
            assert len(found) == 1 and found[0].dialogue_id == "any"
