"""Markers numbered per expert (every expert writes ``P01``): the markers are the experts'
contributions, linked to an inventory row only when their texts agree or the row's id names the
expert. Excerpts of the real corpus; the other numbering is in test_mdimport_numbering.py."""

from __future__ import annotations

from tests.unit.mdimport_support import contributions, parse

# ---- numbered per expert ----------------------------------------------------------------------------

PER_EXPERT_RENUMBERED = """\
## Perspectives Inventory

| ID | Agent | Perspective | Round |
|----|-------|-------------|-------|
| P01 | 🧁 Muffin | Schema versioning prevents future breakage | 0 |
| P02 | 🧁 Muffin | Release constraints belong in config, not hardcoded | 0 |
| P03 | 🧁 Cupcake | Lifecycle stages need config representation | 0 |
| P04 | 🧁 Scone | First-run experience needs optional fields | 0 |

## Tensions Tracker

| ID | Tension | Status | Raised | Resolved |
|----|---------|--------|--------|----------|
| T1 | Worktree initialization is underspecified | **RESOLVED** | 🧁 Muffin | R1: `.env.isolated` generation |
| T2 | Config vs. code-enforced invariants | Partial | 🧁 Cupcake | — |
| T3 | Observe vs enforce + schema versioning location | **RESOLVED** | Multiple R1 | R2: Blue observes, Forge enforces |

## Round 0: Opening Arguments

### 🧁 Muffin

[PERSPECTIVE P01: Schema versioning prevents future breakage]

The `.blue/config.yaml` needs explicit versioning from day one.

[PERSPECTIVE P02: Release constraints belong in config, not hardcoded]

Hardcoding branch names in Blue's Rust logic couples tooling to workflow.

[TENSION T1: Worktree initialization is underspecified]

### 🧁 Cupcake

[PERSPECTIVE P01: Lifecycle stages need config representation]

RFC 0032 addresses AWS profiles, but the broader config architecture must support lifecycle checks.

[TENSION T1: Config vs. code-enforced invariants]

### 🧁 Scone

[PERSPECTIVE P01: Worktree initialization is a chicken-egg problem]

If someone clones Blue fresh, config.yaml must exist with sensible defaults.

[TENSION T1: Config precedence vs. forge autodiscovery]

## Round 1: Tension Resolution

### 🧁 Muffin

[RESOLVED T1: Worktree initialization specification]

[PERSPECTIVE P1: Config is a computed input boundary]

### 🧁 Cupcake

[TENSION T3: Release constraints are git workflow, not Blue concerns]
"""


def test_numbered_per_expert_markers_are_contributions_linked_by_text_in_order() -> None:
    doc, warnings = parse(PER_EXPERT_RENUMBERED)
    # The inventory is the record: 4 perspectives and 3 tensions, not one per marker.
    assert [p["local_id"] for p in doc["perspectives"]] == ["P01", "P02", "P03", "P04"]
    assert [t["local_id"] for t in doc["tensions"]] == ["T1", "T2", "T3"]
    ids = {p["local_id"]: p["id"] for p in doc["perspectives"]}
    tids = {t["local_id"]: t["id"] for t in doc["tensions"]}
    # Cupcake's P01 is the inventory's P03 (same words), never the inventory's P01 (Muffin's).
    assert contributions(doc, "cupcake") == [
        (0, "p", "P01", ids["P03"]),
        (0, "t", "T1", tids["T2"]),
        (1, "t", "T3", None),
    ]
    assert contributions(doc, "muffin") == [
        (0, "p", "P01", ids["P01"]),
        (0, "p", "P02", ids["P02"]),
        (1, "p", "P1", None),  # a new perspective of round 1: the inventory does not list it
        (0, "t", "T1", tids["T1"]),
    ]
    # Scone's P01 does not say what the inventory's P04 says: it stays unlinked.
    assert contributions(doc, "scone") == [(0, "p", "P01", None), (0, "t", "T1", None)]
    p03 = doc["perspectives"][2]
    assert p03["content"].startswith("RFC 0032 addresses AWS profiles")
    statuses = {t["local_id"]: (t["status"], t["status_text"], t["origin"]) for t in doc["tensions"]}
    assert statuses["T2"] == (
        "addressed",
        "Partial",
        {"round": 0, "contributors": ["cupcake"], "as_written": "🧁 Cupcake"},
    )
    assert statuses["T3"] == (
        "resolved",
        "RESOLVED",
        {"round": 1, "contributors": [], "as_written": "Multiple R1"},
    )
    # A short excerpt of a long per-expert file: the call is closer than in the whole file, and said.
    assert warnings == [
        "perspectives markers read as numbered per expert: each expert's markers are kept as that expert's "
        "contributions (3 of 5 markers use an id another expert also uses in the same round)",
        "tensions markers read as numbered per expert: each expert's markers are kept as that expert's "
        "contributions (3 of 4 markers use an id another expert also uses in the same round)",
    ]


PER_EXPERT_CONSENSUS = """\
## Perspectives Inventory

| ID | Perspective | Surfaced By | Consensus |
|----|-------------|-------------|-----------|
| P00 | Database-filesystem sync needed | Problem Statement | 3/3 ✓ |
| P01 | **Filesystem as source of truth, database as index/cache** | All 3 agents | 3/3 ✓ (STRONG) |
| P02 | Filesystem-first with lazy indexing | Muffin R0 | 2/3 ✓ |
| P03 | Event-driven sync on tool invocation | Muffin R0, Scone R0 | 1/3 |

## Tensions Tracker

| ID | Tension | Raised By | Consensus | Status |
|----|---------|-----------|-----------|--------|
| T1 | What metadata lives only in the database? | Muffin R0, Scone R0 | 3/3 | ✓ RESOLVED (R1) |

## Opening Arguments (Round 0)

### Muffin 🧁

**[PERSPECTIVE P01: Filesystem-First with Lazy Indexing]**
The database becomes a cache, not a registry.

**[PERSPECTIVE P02: Event-Driven Sync on Tool Invocation]**
Trigger a reconciliation pass at the start of any Blue operation.

**[TENSION T1: What metadata lives only in the database?]**
If files are source of truth, what happens to database-only fields?

### Scone 🧁

**[PERSPECTIVE P01: Filesystem as Authority]**
The filesystem should be the single source of truth.

**[TENSION T1: Manual Edits vs. Structural Integrity]**
What happens when someone creates a file with a duplicate ID?

### Cupcake 🧁

**[PERSPECTIVE P01: Database as Authority]**
The database ensures referential integrity.
"""


def test_numbered_per_expert_with_a_consensus_column() -> None:
    doc, _ = parse(PER_EXPERT_CONSENSUS)
    rows = {p["local_id"]: p for p in doc["perspectives"]}
    # Row P02 keeps its own label (not another row's), and Muffin's P01 is linked to it.
    assert rows["P02"]["label"] == "Filesystem-first with lazy indexing"
    assert rows["P02"]["content"] == "The database becomes a cache, not a registry."
    assert (rows["P01"]["status"], rows["P01"]["status_text"]) == ("accepted", "3/3 ✓ (STRONG)")
    assert rows["P01"]["origin"]["contributors"] == ["muffin", "cupcake", "scone"]
    assert (rows["P03"]["status"], rows["P03"]["status_text"]) == ("open", "1/3")
    assert rows["P00"]["origin"] == {"round": None, "contributors": [], "as_written": "Problem Statement"}
    assert [
        (c["id"], c["item"])
        for c in next(e for e in doc["experts"] if e["slug"] == "muffin")["contributions"]
    ] == [
        ("P01", rows["P02"]["id"]),
        ("P02", rows["P03"]["id"]),
        ("T1", doc["tensions"][0]["id"]),
    ]
    assert doc["tensions"][0]["status"] == "resolved"


PER_EXPERT_INVENTORY = """\
## Perspectives Inventory

| ID | Agent | Perspective | Round |
|----|-------|-------------|-------|
| P01 | Muffin | Contract governs transport, not just schema | 0 |
| P01 | Cupcake | File-based arch IS format contract's distribution mechanism | 0 |
| P02 | Muffin | Fragment parsing IS the dependency edge | 1 |
| P02 | Cupcake | Two RFCs with explicit dependency — RFC 0028 ships first | 1 |

## Round 0: Opening Arguments

### Muffin 🧁

[PERSPECTIVE P01: Contract governs transport, not just schema]

### Cupcake 🧁

[PERSPECTIVE P01: The file-based architecture IS the format contract's distribution mechanism]

## Round 1: Convergence

### Muffin 🧁

[PERSPECTIVE P02: Fragment parsing IS the dependency edge]

### Cupcake 🧁

[PERSPECTIVE P02: RFC 0028 ships first because RFC 0029 needs parse_markers()]
"""


def test_an_inventory_numbered_per_expert_names_each_marker_exactly() -> None:
    doc, _ = parse(PER_EXPERT_INVENTORY)
    rows = doc["perspectives"]
    assert [(p["local_id"], p["origin"]["contributors"], p["origin"]["round"]) for p in rows] == [
        ("P01", ["muffin"], 0),
        ("P01", ["cupcake"], 0),
        ("P02", ["muffin"], 1),
        ("P02", ["cupcake"], 1),
    ]
    # Each marker is the row with its id, expert and round: one item each, nothing left over.
    assert [p["content"] for p in rows][
        1
    ] == "The file-based architecture IS the format contract's distribution mechanism"
    assert all(e.get("contributions") is None for e in doc["experts"])


EXPERT_SUFFIXED_IDS = """\
## Tensions Tracker

| ID | Tension | Status | Raised | Resolved |
|----|---------|--------|--------|----------|
| T1-M | Should resolved be a new status or metadata? | Resolved | 🧁 Muffin | 🧁 Muffin R1 |
| T1-S | Workflow bypass vs legitimate fast path — is the RFC friction intentional? | Resolved | 🧁 Scone | 🧁 Scone R1 |

## Round 0: Opening Arguments

### 🧁 Muffin

[TENSION T1: Should resolved be a status or metadata?]

### 🧁 Scone

[TENSION T1: workflow bypass vs legitimate fast path]

## Round 1

### 🧁 Muffin

[RESOLVED T1-S: Legitimacy criteria] Legitimate fast path with guardrails.
"""


def test_ids_with_the_experts_initial() -> None:
    doc, _ = parse(EXPERT_SUFFIXED_IDS)
    t1m, t1s = doc["tensions"]
    assert (t1m["local_id"], t1m["origin"]["contributors"], t1s["local_id"]) == ("T1-M", ["muffin"], "T1-S")
    assert t1s["description"] == "workflow bypass vs legitimate fast path"
    # [RESOLVED T1-S] names Scone's tension, whoever writes it.
    resolve = next(m for m in doc["moves"] if m["move_type"] == "resolve")
    assert (resolve["expert"], resolve["targets"]) == ("muffin", [t1s["id"]])


PER_EXPERT_WITHOUT_INVENTORY = """\
## Round 0

### 🧁 Muffin

[PERSPECTIVE P01: Front matter schema should be the abstraction boundary, not repo mode]

[TENSION T01: Writeback granularity vs atomicity]

### 🧁 Cupcake

[PERSPECTIVE P01: Extract a DocSource trait, not a second sync mode]

[TENSION T01: Who owns the depends_on graph]

### 🧁 Scone

[PERSPECTIVE P01: jira_key writeback creates a bidirectional coupling]

[TENSION T01: mapping file vs inline jira_key affects every downstream read]

## Round 1

### 🧁 Cupcake

[TENSION T01]: still open for me.

[RESOLVED T01: depends_on is a single field]
"""


def test_numbered_per_expert_without_inventory_ids_are_scoped_by_expert() -> None:
    doc, warnings = parse(PER_EXPERT_WITHOUT_INVENTORY)
    assert [(p["local_id"], p["scoped_id"], p["author"]) for p in doc["perspectives"]] == [
        ("P01", "MUFFIN-P0001", "muffin"),
        ("P01", "CUPCAKE-P0001", "cupcake"),
        ("P01", "SCONE-P0001", "scone"),
    ]
    muffin_t01, cupcake_t01, scone_t01 = doc["tensions"]
    assert scone_t01["scoped_id"] == "SCONE-T0001"
    # Cupcake's T01 in round 1 (a mention, then a resolution) is Cupcake's own T01, not Muffin's.
    assert [(e["type"], e["round"]) for e in cupcake_t01["events"]] == [
        ("created", 0),
        ("mentioned", 1),
        ("resolved", 1),
    ]
    assert muffin_t01["status"] == "open" and cupcake_t01["status"] == "resolved"
    assert warnings == [
        "tensions markers read as numbered per expert: each expert's markers are kept as that expert's "
        "contributions (3 of 4 markers use an id another expert also uses in the same round)"
    ]
