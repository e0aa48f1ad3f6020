"""The two marker numberings, on small excerpts of the real corpus (the per-expert tests are in
test_mdimport_numbering_per_expert.py).

* Numbered across the dialogue (``2026-01-26T0200Z-dialogue-format-contract``,
  ``2026-01-30T1730Z-rfc-0043-mermaid-diagram-standards``): each ``P07`` is written
  once and is the inventory's ``P07``.
* Numbered per expert (``2026-01-26T1829Z-blue-config-architecture``,
  ``rfc-document-import-sync``, ``2026-01-26T0400Z-file-based-subagent-output``,
  ``2026-01-26T2128Z-spike-resolved-lifecycle``, the pm-repo-sync round folder): every
  expert writes ``P01``; the markers are the experts' contributions, linked to a row
  only when their texts agree (or the row's id names the expert).
"""

from __future__ import annotations

from tests.unit.mdimport_support import contributions, parse

# ---- numbered across the dialogue -------------------------------------------------------------------

GLOBAL_WITH_INVENTORY = """\
## Perspectives Inventory

| ID | Agent | Perspective | Round |
|----|-------|-------------|-------|
| P01 | 🧁 Muffin | Parse by structure not pattern — line-by-line state machine using starts_with/split/trim | 0 |
| P02 | 🧁 Muffin | Format contract as Rust struct, not prose documentation | 0 |
| P03 | 🧁 Cupcake | Declarative DialogueSchema struct in blue-core as single source of truth | 0 |
| P04 | 🧁 Scone | Two parse functions: parse_full_dialogue() and extract_markers() | 1 |

## Tensions Tracker

| ID | Tension | Status | Raised | Resolved |
|----|---------|--------|--------|----------|
| T01 | Strictness vs agent autonomy — how much formatting freedom do agents get? | Resolved | 🧁 Muffin R0 | 🧁 Muffin + 🧁 Scone R1 |
| T02 | Frontmatter duplication — embedding structured data in markdown creates two sources of truth | Resolved | 🧁 Scone R0 | 🧁 Scone R1 (concession) |

## Round 0: Opening Arguments

### Muffin 🧁

[PERSPECTIVE P01: Parse by structure not pattern] — Replace every `Regex::new(...)` call with a line-by-line state machine.

[PERSPECTIVE P02: Format contract as Rust struct] — The root cause is no shared format contract.

[TENSION T01: Strictness vs agent autonomy] — If the parser is strict, agents lose freedom.

### Cupcake 🧁

[PERSPECTIVE P03: Declarative DialogueSchema in blue-core] — Define a `DialogueSchema` struct in `blue-core`.

[TENSION T02: Where does the format contract live?] — Same question as Scone's, from the other side.

### Scone 🧁

[TENSION T02: Frontmatter duplication vs single-source risk] — If the frontmatter and the body both hold scores, which wins?

## Round 1: Convergence

### Muffin 🧁

[RESOLVED T01: Tolerance model — strict headings, lenient content]

### Scone 🧁

[PERSPECTIVE P04: Two parse functions for different consumers] — One parses files, one extracts markers.

[RESOLVED T02: Markdown is source, struct is contract]
"""


def test_numbered_across_the_dialogue_a_marker_and_its_row_are_one_item() -> None:
    doc, warnings = parse(GLOBAL_WITH_INVENTORY)
    perspectives = doc["perspectives"]
    assert [(p["local_id"], p["author"], p["origin"]["round"]) for p in perspectives] == [
        ("P01", "muffin", 0),
        ("P02", "muffin", 0),
        ("P03", "cupcake", 0),
        ("P04", "scone", 1),
    ]
    # The row's label stays (the record); the marker's words become the content.
    p01 = perspectives[0]
    assert p01["label"].startswith("Parse by structure not pattern — line-by-line")
    assert p01["content"].startswith("Replace every `Regex::new(...)` call")
    assert [m.get("label") for m in p01["mentions"]] == [None, "Parse by structure not pattern"]
    tensions = doc["tensions"]
    assert [(t["local_id"], t["status"], t["status_text"]) for t in tensions] == [
        ("T01", "resolved", "Resolved"),
        ("T02", "resolved", "Resolved"),
    ]
    # Cupcake also wrote a T02 in round 0: the tracker's T02 is Scone's, so Cupcake's stays Cupcake's.
    assert tensions[1]["author"] == "scone"
    assert contributions(doc, "cupcake") == [(0, "t", "T02", None)]
    assert contributions(doc, "muffin") == [] and contributions(doc, "scone") == []
    assert (
        "T02 is used for more than one tension in round 0: the Tensions Tracker's T02 is Scone's (Frontmatter "
        "duplication — embedding structured data in markd); Cupcake's is kept as a contribution"
    ) in warnings
    # [RESOLVED T02] in round 1 is an event on the tracker's T02.
    assert [(e["type"], e["round"], e["by"]) for e in tensions[1]["events"]][-1] == ("resolved", 1, ["scone"])


GLOBAL_WITHOUT_INVENTORY = """\
## Round 0: Opening Arguments

### 🧁 Muffin

[PERSPECTIVE P01: Node counting heuristic fragility]
The lint rule counts "top-level nodes" without saying how subgraphs count.

[TENSION T01: Auto-fix scope ambiguity]
Unclear whether auto-fix should strip `fill:#` directives or flag them.

### 🧁 Cupcake

[PERSPECTIVE P02: Emoji subgraph labels create platform-dependent rendering risks]

[TENSION T02: Shape semantics standardization conflicts with existing patterns]

## Round 1: Consensus Building

### 🧁 Muffin
- [RESOLVED T01]: Auto-fix for theme only; error for colors
- [TENSION T02] still needs a migration audit

### 🧁 Cupcake
- [RESOLVED T02, T01]
"""


def test_numbered_across_the_dialogue_without_inventory_markers_are_the_items() -> None:
    doc, warnings = parse(GLOBAL_WITHOUT_INVENTORY)
    assert [(p["local_id"], p["author"], "scoped_id" in p) for p in doc["perspectives"]] == [
        ("P01", "muffin", False),
        ("P02", "cupcake", False),
    ]
    t01, t02 = doc["tensions"]
    assert [(e["type"], e["round"], e["by"]) for e in t01["events"]] == [
        ("created", 0, ["muffin"]),
        ("resolved", 1, ["muffin"]),
    ]
    # Muffin's "[TENSION T02]" in round 1 is a mention of Cupcake's T02: an event, not a new tension.
    assert len(doc["tensions"]) == 2
    assert [(e["type"], e["round"], e["by"]) for e in t02["events"]] == [
        ("created", 0, ["cupcake"]),
        ("mentioned", 1, ["muffin"]),
        ("resolved", 1, ["cupcake"]),
    ]
    assert t02["status"] == "resolved" and warnings == []


MIXED = """\
## Perspectives Inventory

| ID | Agent | Perspective | Round |
|----|-------|-------------|-------|
| P01 | 🧁 Muffin | Round-scoped files necessary but not sufficient | 0 |
| P02 | 🧁 Cupcake | Read boundary mismatch (distributed token problem) | 0 |
| P03 | 🧁 Muffin | Two-tier file structure with clear roles | 1 |

## Round 0: Opening Arguments

### 🧁 Muffin

[PERSPECTIVE P01: Round-scoped files are necessary but not sufficient]

### 🧁 Cupcake

[PERSPECTIVE P01: Read Boundary Mismatch]

### 🧁 Scone

[PERSPECTIVE P01: Per-round files prevent Judge token overflow]

## Round 1: Convergence

### 🧁 Muffin

[PERSPECTIVE P03: Two-tier file structure with clear roles]

### 🧁 Scone

[PERSPECTIVE P04: Explicit synthesis template structure]
"""


def test_a_file_numbering_both_ways_says_which_reading_it_took() -> None:
    doc, warnings = parse(MIXED)
    assert warnings[0] == (
        "perspectives markers read as numbered per expert: each expert's markers are kept as that expert's "
        "contributions (3 of 5 markers use an id another expert also uses in the same round)"
    )
    ids = {p["local_id"]: p["id"] for p in doc["perspectives"]}
    assert contributions(doc, "muffin") == [(0, "p", "P01", ids["P01"]), (1, "p", "P03", ids["P03"])]
    assert contributions(doc, "cupcake") == [(0, "p", "P01", ids["P02"])]
    assert contributions(doc, "scone") == [(0, "p", "P01", None), (1, "p", "P04", None)]
