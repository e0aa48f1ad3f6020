"""Every format generation, parsed into RFC 0051 documents (no store involved)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from blue_tui.core.errors import SourceError
from blue_tui.core.store.sources import ParsedDialogue, document_id, parse_path

DIALOGUES = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues"
SAMPLES = DIALOGUES / "samples"
FORMATS = DIALOGUES / "formats"
V1_SAMPLE = SAMPLES / "cross-repo-realms-refinement.dialogue.recorded.md"
V4_SAMPLE = SAMPLES / "local-prod-parity"
MARKDOWN_FIXTURES = sorted([V1_SAMPLE, *FORMATS.glob("*.md")])
FOLDER_FIXTURES = [V4_SAMPLE, FORMATS / "2026-03-01T1200Z-hybrid-review"]


def one(path: Path) -> ParsedDialogue:
    found = parse_path(path)
    assert len(found) == 1
    assert found[0].error is None
    return found[0]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def kept_text(doc: dict[str, Any]) -> str:
    """Every piece of source text the document keeps verbatim."""
    parts: list[str] = []
    for section in doc.get("sections", []):
        parts += [section.get("heading") or "", section["text"]]
    for rnd in doc["rounds_data"]:
        parts += [rnd.get("heading") or "", rnd.get("text", ""), rnd.get("summary", "")]
        for key in ("contributions", "documents", "prompts"):
            parts += [entry["text"] for entry in rnd.get(key, [])]
    parts += [entry["text"] for entry in doc.get("documents", [])]
    return "\n".join(parts)


def source_lines(path: Path) -> list[str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix == ".md")
    lines: list[str] = []
    for file in files:
        lines += [line.strip().lstrip("#").strip() for line in file.read_text().splitlines()]
    return [line for line in lines if line]


# ---- nothing is dropped, nothing is random --------------------------------------------------------


@pytest.mark.parametrize("path", MARKDOWN_FIXTURES + FOLDER_FIXTURES, ids=lambda p: p.name)
def test_every_source_line_is_kept(path: Path) -> None:
    kept = kept_text(one(path).document)
    missing = [line for line in source_lines(path) if line not in kept]
    assert missing == []


@pytest.mark.parametrize("path", MARKDOWN_FIXTURES + FOLDER_FIXTURES, ids=lambda p: p.name)
def test_parsing_is_deterministic_and_json_clean(path: Path) -> None:
    first, second = one(path), one(path)
    assert first.document == second.document
    assert json.loads(json.dumps(first.document)) == first.document
    assert first.document["warnings"] == first.warnings
    for name in (
        "experts",
        "rounds_data",
        "perspectives",
        "tensions",
        "recommendations",
        "evidence",
        "claims",
        "moves",
        "refs",
        "verdicts",
    ):
        assert isinstance(first.document[name], list)
    for name in ("perspectives", "tensions", "recommendations", "evidence", "claims"):
        ids = [item["id"] for item in first.document[name]]
        assert len(ids) == len(set(ids)), f"global ids repeat in {name}"


def test_the_same_file_elsewhere_gives_the_same_document(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / V1_SAMPLE.name
    copy.parent.mkdir()
    shutil.copy(V1_SAMPLE, copy)
    assert one(copy).document == one(V1_SAMPLE).document
    folder = tmp_path / V4_SAMPLE.name
    shutil.copytree(V4_SAMPLE, folder)
    assert one(folder).document == one(V4_SAMPLE).document


# ---- V1: legacy transcript ------------------------------------------------------------------------


def test_v1_sample_transcript() -> None:
    parsed = one(V1_SAMPLE)
    doc = parsed.document
    assert parsed.dialogue_id == "cross-repo-realms-refinement"
    assert doc["title"] == "Cross-Repo Realms Refinement"
    assert doc["date"] == "2026-01-24"
    assert doc["question"] == "Refine RFC 0001 proposal for cross-repo coordination"
    assert doc["format"] == "v1-transcript"
    assert doc["status"] == "converged" and doc["status_text"] == "Dialogue Complete"
    assert parsed.warnings == []
    experts = doc["experts"]
    assert [e["id"] for e in experts] == list("ABCDEFGHIJKL")
    assert experts[0] | {"rounds": None} == {
        "slug": "alex-chen",
        "name": "Alex Chen",
        "id": "A",
        "role": "Distributed Systems",
        "focus": "Consistency, failure modes, CAP tradeoffs",
        "scores": {},
        "rounds": None,
    }
    rounds = doc["rounds_data"]
    assert [r["round"] for r in rounds] == list(range(1, 13))
    assert rounds[0]["title"] == "Initial Reactions" and rounds[11]["title"] == "Final Synthesis"
    # "Scoreboard After Round 1" and the first "Final Scoreboard" belong to their rounds.
    assert rounds[0]["experts"]["alex-chen"] == {
        "position": "Skeptical",
        "key_concern": "IPC robustness, race conditions",
    }
    assert rounds[5]["experts"]["kevin-ng"]["final_position"] == "Neutral"
    # Speakers are recognised by full name, by first name ("**Kevin:**") and jointly.
    assert rounds[0]["panel"][:2] == ["alex-chen", "barbara-liskov"]
    assert "kevin-ng" in rounds[6]["panel"]
    assert {"barbara-liskov", "erik-meijer"} <= set(rounds[2]["panel"])
    # A "# realm.yaml" comment inside a fence is not a heading: it stays in round 12's text.
    assert all("realm.yaml" not in (s.get("heading") or "") for s in doc["sections"])
    assert "# realm.yaml" in rounds[11]["text"]
    assert doc["verdicts"] == [
        {
            "id": "final",
            "verdict_type": "final",
            "round": None,
            "title": "Dialogue Complete",
            "recommendation": "Rounds completed: 12 of 12 Final consensus: Unanimous support Open items: None - all "
            "addressed",
            "in": "Dialogue Complete",
        }
    ]
    assert [s["heading"] for s in doc["sections"]] == [
        "Alignment Dialogue: Cross-Repo Realms Refinement",
        "Expert Panel",
        "Final Scoreboard",
        "Dialogue Complete",
    ]


def test_v1_role_ids_and_header_table() -> None:
    doc = one(FORMATS / "v1-role-ids.dialogue.recorded.md").document
    assert doc["question"] == "How should repos under different owners coordinate changes?"
    assert doc["date"] == "2026-01-24"
    assert doc["metadata"]["Constraint"] == "Repos may belong to different organisations"
    assert [(e["id"], e["name"]) for e in doc["experts"]] == [
        ("DS", "Distributed Systems Architect"),
        ("MT", "Multi-Tenant Security Engineer"),
        ("DX", "Developer Experience Lead"),
    ]
    first, second = doc["rounds_data"]
    assert first["experts"]["distributed-systems-architect"] == {
        "position": "Event sourcing between repos",
        "confidence": 0.7,
    }
    assert second["experts"]["multi-tenant-security-engineer"]["satisfied"] == "Partially"
    assert "# Repo B subscribes to policy_change" in first["text"]


def test_v2_numbered_experts_and_a_status_that_contradicts_itself() -> None:
    parsed = one(FORMATS / "v2-numbered-experts.dialogue.recorded.md")
    doc = parsed.document
    assert [(e["slug"], e["role"], e["scores"]) for e in doc["experts"]] == [
        ("expert-1", "Systems Architect", {"1": 35}),
        ("expert-2", "Developer Experience", {"1": 34}),
        ("expert-3", "File System Philosopher", {"1": 36}),
        ("expert-4", "Simplicity Advocate", {"1": 37}),
    ]
    assert doc["rounds_data"][0]["experts"]["expert-3"] == {"W": 10, "C": 10, "T": 10, "R": 7, "score": 36}
    assert doc["rounds_data"][1]["converge_percent"] == 97
    # A struck-out "~~CONVERGED~~" says nothing; the header and the last Status section disagree.
    assert doc["status"] == "converged"
    assert any("written differently" in w and "'In Progress'" in w for w in parsed.warnings)
    tensions = doc["tensions"]
    assert [(t["label"], t["origin"]["contributors"]) for t in tensions] == [
        ("Integration scope", ["expert-1", "expert-2", "expert-4"]),
        ("Sync timing", ["expert-2", "expert-3", "expert-4"]),
    ]
    assert "local_id" not in tensions[0]


# ---- V2: pastry panel ------------------------------------------------------------------------------


def test_v2_inventory_rows_are_the_record_and_markers_are_contributions() -> None:
    parsed = one(FORMATS / "v2-pastry-panel.dialogue.md")
    doc = parsed.document
    assert doc["format"] == "v2-pastry"
    assert doc["status"] == "converging"
    assert doc["totalAlignment"] == 119
    assert doc["judge"] == {"name": "Judge", "role": "Orchestrator"}
    muffin = doc["experts"][0]
    assert (muffin["name"], muffin["role"], muffin["tier"], muffin["relevance"], muffin["total"]) == (
        "Muffin",
        "Systems Architect",
        "Core",
        0.95,
        42,
    )
    assert muffin["components"] == {"W": 12, "C": 10, "T": 11, "R": 9}
    # The inventory is the record: two perspectives, as the table lists them, with its statuses.
    perspectives = doc["perspectives"]
    assert [(p["local_id"], p["label"], p["status"], p["status_text"]) for p in perspectives] == [
        ("P01", "Manifest first - one manifest file lists what gets injected", "accepted", "2/3 ✓"),
        ("P02", "Three tiers - always, on activity, on demand", "accepted", "3/3 ✓ CONVERGED"),
    ]
    p01 = perspectives[0]
    assert p01["origin"] == {"round": 0, "contributors": ["muffin", "scone"], "as_written": "Muffin, Scone"}
    # Ids restart for every expert: Muffin's P01 agrees with the row and gives it its words;
    # Cupcake's and Scone's P01 are their own contributions, never merged by number.
    assert p01["content"].startswith("Injection is a scatter of push paths")
    contributions = {e["slug"]: e.get("contributions", []) for e in doc["experts"]}
    assert [
        (c["round"], c["id"], c["item"]) for c in contributions["muffin"] if c["kind"] == "perspective"
    ] == [(0, "P01", "P0001")]
    assert [(c["round"], c["id"], c["scoped_id"], c["item"]) for c in contributions["cupcake"]] == [
        (0, "P01", "CUPCAKE-P0001", None),
        (1, "P02", "CUPCAKE-P0102", "P0101"),
        (0, "T1", "CUPCAKE-T0001", None),
    ]
    assert [(c["label"], c["item"]) for c in contributions["scone"]] == [
        ("Injection is invisible to developers", None)
    ]
    t1 = by_id(doc["tensions"])["T0001"]
    assert (t1["status"], t1["status_text"]) == (
        "resolved",
        "✅ RESOLVED R1 - hooks push URIs, resources serve content",
    )
    assert t1["label"] == "Hooks push while resources pull: a layering violation"
    assert [(e["type"], e["round"]) for e in t1["events"]] == [("created", 0), ("resolved", 1)]
    # Tensions are numbered across the dialogue here (T1, T2), save Cupcake's second T1: Cupcake's
    # T2 is the tracker's T2, Cupcake's T1 is not the tracker's (Muffin's) T1.
    t2 = by_id(doc["tensions"])["T0002"]
    assert (t2["status_text"], t2["description"]) == (
        "Open → addressed by review rule",
        "Curation rules should be reviewable.",
    )
    # Markers and headings inside the YAML fence are content.
    assert not any(c.get("id") == "P99" for cs in contributions.values() for c in cs)
    assert [r["round"] for r in doc["rounds_data"]] == [0, 1]
    assert "# [PERSPECTIVE P99: a marker inside a fence is not a marker]" in doc["rounds_data"][0]["text"]
    moves = [(m["round"], m["expert"], m["move_type"], m["targets"]) for m in doc["moves"]]
    assert (1, "muffin", "resolve", ["T0001"]) in moves
    # "Cupcake's P01" is Cupcake's own marker, kept on Cupcake: never the inventory's (Muffin's) P01.
    assert (1, "muffin", "concede", ["Cupcake's P01"]) in moves
    assert (1, "scone", "conditional-converge", []) in moves
    assert doc["refs"] == [
        {
            "source_id": "P0101",
            "ref_type": "support",
            "target_id": "P0001",
            "round": 1,
            "expert": "cupcake",
            "as_written": "[RE:SUPPORT P01]",
        }
    ]
    assert parsed.warnings == [
        "round 0: Scone's response is a placeholder, kept as written: [Awaiting response]",
        "perspectives markers read as numbered per expert: each expert's markers are kept as that expert's "
        "contributions (3 of 4 markers use an id another expert also uses in the same round)",
        "tensions markers read as numbered across the dialogue: a marker and the inventory row with its id are "
        "one item (2 of 3 markers use an id another expert also uses in the same round)",
        "T1 is used for more than one tension in round 0: the Tensions Tracker's T1 is Muffin's (Hooks push "
        "while resources pull: a layering violation); Cupcake's is kept as a contribution",
    ]


# ---- V3: generated template ------------------------------------------------------------------------


def test_v3_template_numbered_across_the_dialogue() -> None:
    parsed = one(FORMATS / "2026-01-26T0200Z-format-contract.dialogue.recorded.md")
    doc = parsed.document
    assert parsed.dialogue_id == "2026-01-26T0200Z-format-contract"
    assert (doc["format"], doc["date"], doc["status"], doc["totalAlignment"]) == (
        "v3-template",
        "2026-01-26",
        "converged",
        43,
    )
    assert doc["metadata"]["Draft"] == "Dialogue 2028"
    assert doc["judge"]["emoji"] == "💙"
    assert [e["slug"] for e in doc["experts"]] == ["muffin", "cupcake", "eclair", "donut"]
    perspectives = doc["perspectives"]
    assert [(p["id"], p["local_id"], p["origin"]["round"], len(p["mentions"])) for p in perspectives] == [
        ("P0001", "P01", 0, 2),
        ("P0002", "P02", 0, 2),
        ("P0003", "P03", 0, 2),
        ("P0004", "P04", 0, 2),
        ("P0101", "P05", 1, 2),
    ]
    # The row keeps the inventory's label; the marker's words become its content.
    assert perspectives[0]["label"] == "Parse by structure not pattern — a line-by-line state machine"
    assert perspectives[0]["content"].startswith("Replace every pattern with a line-by-line state machine.")
    assert perspectives[0]["mentions"][1]["label"] == "Parse by structure not pattern"
    tensions = by_id(doc["tensions"])
    assert tensions["T0001"]["events"][1] == {
        "type": "resolved",
        "round": 1,
        "by": ["muffin", "eclair"],
        "reason": "🧁 Muffin + 🧁 Eclair R1",
        "in": "Tensions Tracker",
    }
    # Donut's T03 is the tracker's; Eclair also wrote a T03: kept as Eclair's contribution, reported.
    assert len(tensions) == 3 and tensions["T0003"]["author"] == "donut"
    eclair = next(e for e in doc["experts"] if e["slug"] == "eclair")
    assert [(c["id"], c["label"], c["item"]) for c in eclair["contributions"]] == [
        ("T03", "Where does the contract live?", None)
    ]
    assert not any(t["local_id"] == "T09" for t in doc["tensions"])
    assert parsed.warnings == [
        "tensions markers read as numbered across the dialogue: a marker and the inventory row with its id are "
        "one item (2 of 4 markers use an id another expert also uses in the same round)",
        "T03 is used for more than one tension in round 0: the Tensions Tracker's T03 is Donut's (Front matter "
        "duplicates the markdown); Eclair's is kept as a contribution",
        "status is converged but 1 tension(s) are not resolved: T0003 (T03: open)",
    ]
    assert doc["verdicts"][0]["id"] == "final" and doc["verdicts"][0]["round"] == 1
    refine = next(m for m in doc["moves"] if m["move_type"] == "refine")
    assert refine["targets"] == ["P0001", "P0003"]  # "Muffin P01 and my P03"


def test_v3_placeholders_are_kept_and_reported() -> None:
    parsed = one(FORMATS / "2026-02-02T1158Z-awaiting-template.dialogue.recorded.md")
    doc = parsed.document
    assert doc["status"] == "open" and doc["totalAlignment"] == 0
    assert doc["domain"] == "Dialogue Infrastructure"
    assert doc["perspectives"] == [] and doc["tensions"] == []
    assert parsed.warnings == [
        "placeholder row kept as written in 2026-02-02T1158Z-awaiting-template.dialogue.recorded.md: Perspectives "
        "Inventory (line 39): — | — | [Awaiting Round 0] | —",
        "placeholder row kept as written in 2026-02-02T1158Z-awaiting-template.dialogue.recorded.md: Tensions "
        "Tracker (line 45): — | [Awaiting Round 0] | — | — | —",
        "round 0: Muffin's response is a placeholder, kept as written: [Awaiting response]",
        "round 0: Cupcake's response is a placeholder, kept as written: [Awaiting response]",
        "the file is a recorded dialogue (.recorded.md) but its status is still open/in progress",
    ]
    assert "[Awaiting response]" in doc["rounds_data"][0]["text"]
    assert "| — | — | [Awaiting Round 0] | — |" in kept_text(doc)


def test_zero_scoreboard_beside_real_scores_is_reported() -> None:
    parsed = one(FORMATS / "rfc0051-markers.dialogue.md")
    assert parsed.document["rounds_data"][0]["score"] == 18
    assert (
        "the scoreboard in rfc0051-markers.dialogue.md: Alignment Scoreboard shows 0 for every expert, but the "
        "dialogue has non-zero scores"
    ) in parsed.warnings
    assert parsed.document["experts"][0]["total"] == 0  # kept as written


# ---- summary-only records and RFC 0051 markers ------------------------------------------------------


def test_summary_only_record() -> None:
    parsed = one(FORMATS / "2026-02-06T1839Z-storage-supersession.dialogue.recorded.md")
    doc = parsed.document
    assert doc["format"] == "summary"
    assert doc["totalAlignment"] == 230
    assert [(r["round"], r.get("panel"), r["score"], r["converge_percent"]) for r in doc["rounds_data"]] == [
        (0, ["muffin", "croissant", "strudel"], 95, 0),
        (1, ["muffin", "croissant", "tartlet"], 85, 50),
        (2, None, 50, 100),
    ]
    assert doc["experts"][0]["scores"] == {"0": 23, "1": 22}
    tensions = doc["tensions"]
    assert [(t["id"], t["local_id"], t["origin"], t["status"]) for t in tensions] == [
        ("T0001", "MUFFIN-T01 (R0)", {"round": 0, "contributors": ["muffin"]}, "resolved"),
        ("T0101", "CROISSANT R1-T01", {"round": 1, "contributors": ["croissant"]}, "resolved"),
        ("T0102", "T04-R1", {"round": 1, "contributors": []}, "resolved"),
    ]
    assert doc["verdicts"][0]["recommendation"].startswith("Do not supersede the key-value design.")
    assert parsed.warnings == ["round 2 shows converge 100% but velocity 2 (not zero)"]


def test_rfc0051_local_ids_refs_and_verdicts() -> None:
    parsed = one(FORMATS / "rfc0051-markers.dialogue.md")
    doc = parsed.document
    assert [(p["id"], p["local_id"], p["author"]) for p in doc["perspectives"]] == [
        ("P0001", "MUFFIN-P0001", "muffin")
    ]
    assert doc["recommendations"][0]["local_id"] == "MUFFIN-R0001"
    assert doc["evidence"][0]["local_id"] == "E01" and doc["evidence"][0]["status"] == "cited"
    assert doc["claims"][0]["local_id"] == "C01" and doc["claims"][0]["status"] == "asserted"
    tension = doc["tensions"][0]
    assert tension["local_id"] == "CUPCAKE-T0001" and tension["status"] == "resolved"
    assert tension["events"][-1]["by"] == ["muffin"] and tension["events"][-1]["round"] == 1
    assert [(r["source_id"], r["ref_type"], r["target_id"]) for r in doc["refs"]] == [
        ("T0001", "oppose", "P0001"),
        ("T0001", "question", "R0001"),
        ("@muffin", "resolve", "T0001"),
        ("@cupcake", "support", "P0001"),
    ]
    bridge = next(m for m in doc["moves"] if m["move_type"] == "bridge")
    assert bridge["targets"] == ["P0001", "T0001"]
    request = next(m for m in doc["moves"] if m["move_type"] == "request")
    assert request["context"] == "a reference table in the export"
    assert [(v["id"], v["verdict_type"], v.get("author_expert")) for v in doc["verdicts"]] == [
        ("dissent-cupcake", "dissent", "cupcake"),
        ("final", "final", None),
        ("minority-local-ids-first", "minority", None),
    ]
    assert (
        "rfc0051-markers.dialogue.md: [RESOLVED T99: names a tension that does not exist] names T99, which no "
        "tension in the dialogue has (round 1)"
    ) in parsed.warnings


def test_free_form_conversation_has_rounds_and_no_experts() -> None:
    parsed = one(FORMATS / "free-form-conversation.md")
    doc = parsed.document
    assert doc["format"] == "free-form" and doc["experts"] == []
    assert [(r["round"], r["title"], r["speakers"]) for r in doc["rounds_data"]] == [
        (1, "The Meeting", ["River Speaks", "Stone Speaks"]),
        (2, "The Pattern", ["River Speaks", "Stone Speaks"]),
    ]
    assert "{FLOW: There is knowledge that only comes from moving on}" in doc["rounds_data"][0]["text"]
    assert parsed.warnings == []


def test_markdown_without_any_dialogue_structure_is_kept_as_notes(tmp_path: Path) -> None:
    notes = tmp_path / "ideas.md"
    notes.write_text("Some thoughts.\n\n- one\n- two\n")
    parsed = one(notes)
    assert parsed.document["format"] == "notes"
    assert parsed.document["sections"] == [
        {"text": "Some thoughts.\n\n- one\n- two", "placement": "preamble"}
    ]
    assert parsed.warnings == [
        "no rounds, expert panel, scoreboard or markers found; the file is kept as free text"
    ]


# ---- V4: round-scoped folders ----------------------------------------------------------------------


def test_v4_sample_folder() -> None:
    parsed = one(V4_SAMPLE)
    doc = parsed.document
    assert parsed.dialogue_id == "local-prod-parity"
    assert (doc["title"], doc["status"], doc["status_text"], doc["totalAlignment"]) == (
        "Local-Production Parity",
        "converged",
        "100% CONVERGED",
        289,
    )
    assert doc["domain"] == "DevOps & Security Infrastructure"
    assert doc["question"].startswith("How should Blue implement a local development environment")
    assert doc["pool"]["supersedes"] == ["RFC 0056", "RFC 0057"]
    assert len(doc["experts"]) == 11
    assert doc["experts"][0] == {
        "slug": "muffin",
        "name": "Muffin",
        "emoji": "🧁",
        "role": "Platform Engineer",
        "tier": "Core",
        "relevance": 0.95,
        "source": "pool",
        "focus": "Docker orchestration, service composition, local stack architecture",
        "scores": {},
        "rounds": [0, 1, 2],
    }
    rounds = doc["rounds_data"]
    assert [
        (r["round"], r["score"], r.get("score_velocity"), r["panel_size"], r["status_text"]) for r in rounds
    ] == [
        (0, 87, None, 8, "Strong opening, key tensions surfaced"),
        (1, 156, 69, 6, "CONSTRAINT PIVOT"),
        (2, 243, 87, 6, "STRONG CONVERGENCE"),
        (3, 289, 46, 3, "100% CONVERGED"),
    ]
    assert rounds[2]["panel_file"]["constraint_change"].startswith("User rejected tiered architecture")
    assert rounds[1]["experts"]["palmier"] == {
        "role": "QA Engineer",
        "source": "pool",
        "focus": "Testing strategy without infrastructure",
    }
    assert [p["id"] for p in doc["perspectives"]] == [f"P00{n:02d}" for n in range(1, 13)] + [
        f"P02{n:02d}" for n in range(1, 6)
    ]
    assert [r["id"] for r in doc["recommendations"]] == [f"R00{n:02d}" for n in range(1, 13)]
    tensions = by_id(doc["tensions"])
    assert {tid: t["status"] for tid, t in tensions.items()} == {
        "T0001": "resolved",
        "T0002": "resolved",
        "T0003": "open",
        "T0004": "resolved",
        "T0005": "open",
        "T0006": "resolved",
    }
    assert [(e["type"], e["round"]) for e in tensions["T0002"]["events"]] == [
        ("created", 0),
        ("reopened", 1),
        ("resolved", 2),
    ]
    assert tensions["T0006"]["origin"]["round"] == 1
    p0008 = by_id(doc["perspectives"])["P0008"]
    assert (p0008["status"], p0008["status_text"]) == ("rejected", "REJECTED - User demands full parity")
    assert [(o["id"], o["status"], o["owner"]) for o in doc["open_items"]] == [
        ("O0001", "resolved", ["palmier"]),
        ("O0002", "resolved", ["cupcake"]),
        ("O0003", "resolved", ["cannoli"]),
    ]
    converge = [m["expert"] for m in doc["moves"] if m["move_type"] == "converge"]
    assert converge == [
        "cupcake",
        "muffin",
        "palmier",
        "cannoli",
        "eclair",
        "strudel",
        "cupcake",
        "palmier",
        "cannoli",
    ]
    assert [v["id"] for v in doc["verdicts"]] == ["V01", "final"]
    # Contradiction: "Zero open tensions" and 100% CONVERGED, but T0003 and T0005 were never resolved.
    assert parsed.warnings == [
        "status is converged but 2 tension(s) are not resolved: T0003 (T0003: open), T0005 (T0005: open)"
    ]


def test_v4_variant_folder() -> None:
    folder = FORMATS / "2026-03-01T1200Z-hybrid-review"
    parsed = one(folder)
    doc = parsed.document
    assert parsed.dialogue_id == "2026-03-01T1200Z-hybrid-review"
    assert (doc["title"], doc["date"], doc["status"], doc["totalAlignment"]) == (
        "Hybrid Review — Relational + Key-Value",
        "2026-03-01",
        "converged",
        168,
    )
    rounds = doc["rounds_data"]
    assert rounds[0]["summary_file"] == "round-0.summary.md"
    assert rounds[1]["summary_file"] == "round-1/summary.md"
    assert [c["expert"] for c in rounds[0]["contributions"]] == ["cupcake", "muffin", "strudel"]
    assert rounds[0]["prompts"][0]["expert"] == "muffin"
    assert [(r["round"], r["velocity"], r["cumulative"]) for r in rounds] == [
        (0, 4, 60),
        (1, 3, 128),
        (2, 1, 168),
    ]
    assert rounds[1]["score_velocity"] == 8
    assert rounds[1]["experts"]["cupcake"]["signal"] == "[MOVE:CONDITIONAL-CONVERGE]"
    muffin = doc["experts"][0]
    assert (muffin["slug"], muffin["role"], muffin["scores"], muffin["total"]) == (
        "muffin",
        "Relational Database Architect",
        {"0": 22, "1": 25, "2": 20},
        67,
    )
    # The prompt's template markers are never read as markers.
    assert not any("brief label" in p["label"] for p in doc["perspectives"])
    assert len(doc["perspectives"]) == 4
    tensions = by_id(doc["tensions"])
    assert len(tensions) == 3  # the "Tension Summary" table counts tensions, it lists none
    # tensions.md is the record; each expert's T01 is the row whose id names that expert and round.
    muffin_t01 = tensions["T0001"]
    assert muffin_t01["author"] == "muffin"
    assert muffin_t01["ids_as_written"] == ["MUFFIN-T01 (R0)", "T01"]
    assert [(e["type"], e["round"], e["by"]) for e in muffin_t01["events"]] == [
        ("created", 0, ["muffin"]),
        ("resolved", 1, ["muffin"]),
        ("acknowledged", 1, ["cupcake"]),
    ]
    tartlet_t01 = tensions["T0101"]
    assert tartlet_t01["ids_as_written"] == ["TARTLET R1-T01", "T01"]
    # tensions.md says OPEN, verdict.md (read after it) lists it as resolved: both kept, in order.
    assert [e["type"] for e in tartlet_t01["events"]] == ["created", "resolved", "open", "resolved"]
    assert tartlet_t01["status"] == "resolved"
    assert (tensions["T0002"]["status"], tensions["T0002"]["status_text"]) == ("addressed", "NARROWED")
    # No inventory of perspectives: the markers are the items, scoped by expert and round.
    assert [(p["scoped_id"], p["author"]) for p in doc["perspectives"]] == [
        ("CUPCAKE-P0001", "cupcake"),
        ("MUFFIN-P0001", "muffin"),
        ("MUFFIN-P0101", "muffin"),
        ("CUPCAKE-P0101", "cupcake"),
    ]
    final = doc["verdicts"][0]
    assert (final["id"], final["tensions_resolved"], final["confidence"]) == (
        "final",
        ["T0001", "T0101"],
        "unanimous",
    )
    assert final["recommendation"].startswith("Do not adopt the hybrid.")
    # A move reported in an expert file and again in the round scoreboard is one move.
    conditional = [m for m in doc["moves"] if m["move_type"] == "conditional-converge"]
    assert len(conditional) == 1 and conditional[0]["also_in"] == ["round-1/scoreboard.md"]
    assert [d["path"] for d in doc["documents"]] == [
        "tensions.md",
        "scoreboard.md",
        "background.md",
        "verdict.md",
        "CONVERGENCE.md",
    ]
    assert parsed.warnings == [
        "round-0/strudel.md is empty",
        "round 2: Tartlet's response is a placeholder, kept as written: [Awaiting response]",
        "status is converged but 1 tension(s) are not resolved: T0002 (CUPCAKE-T01 (R0): addressed)",
        "Cupcake's total is 45 but the round scores add up to 44",
        "Tartlet's total is 41 but the round scores add up to 40",
        "round 2 shows converge 100% but velocity 1 (not zero)",
    ]


# ---- what parse_path accepts and refuses ------------------------------------------------------------


def test_unreadable_files_get_one_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty.dialogue.md"
    empty.write_text("  \n")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"# Title\x00\x01\x02")
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"# Title\n\nline two\ncaf\xe9\n")
    cases = {empty: "is empty", binary: "is a binary file", latin: "is not UTF-8 text"}
    for path, reason in cases.items():
        with pytest.raises(SourceError) as err:
            parse_path(path)
        assert err.value.source == str(path) and reason in err.value.message
    with pytest.raises(SourceError) as err:
        parse_path(latin)
    assert err.value.line == 4 and err.value.message.startswith(f"{latin}:4:")
    with pytest.raises(SourceError, match="no such file"):
        parse_path(tmp_path / "missing.dialogue.md")
    other = tmp_path / "picture.png"
    other.write_bytes(b"\x89PNG")
    with pytest.raises(SourceError, match="is not a dialogue file"):
        parse_path(other)


def test_folder_of_many_dialogues(tmp_path: Path) -> None:
    shutil.copy(V1_SAMPLE, tmp_path / V1_SAMPLE.name)
    shutil.copytree(V4_SAMPLE, tmp_path / "nested" / "local-prod-parity")
    (tmp_path / "broken.dialogue.md").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "README.md").write_text("How to read this folder.\n")
    (tmp_path / "pool.json").write_text(json.dumps({"domain": "x", "experts": []}))
    (tmp_path / "plain.json").write_text(json.dumps({"id": "plain", "title": "Plain"}))
    (tmp_path / ".hidden.dialogue.md").write_text("# Round 1\n")
    found = parse_path(tmp_path)
    names = [Path(p.source).name for p in found]
    assert names == ["broken.dialogue.md", V1_SAMPLE.name, "local-prod-parity", "plain.json"]
    failed = found[0]
    assert failed.error is not None and "is not UTF-8 text" in failed.error.message
    with pytest.raises(SourceError, match="not UTF-8"):
        document_id(failed.document, failed.source)
    assert [p.dialogue_id for p in found[1:]] == [
        "cross-repo-realms-refinement",
        "local-prod-parity",
        "plain",
    ]


def test_dialogue_folder_members(tmp_path: Path) -> None:
    folder = tmp_path / "local-prod-parity"
    shutil.copytree(V4_SAMPLE, folder)
    (folder / "diagram.png").write_bytes(b"\x89PNG\x00\x00")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    parsed = one(folder)
    assert "diagram.png skipped: is a binary file, not a dialogue" in parsed.warnings
    (folder / "round-1" / "muffin.md").write_bytes(b"[PERSPECTIVE P01: ok]\n\xff\n")
    with pytest.raises(SourceError) as err:
        parse_path(folder)
    assert err.value.source == str(folder / "round-1" / "muffin.md") and err.value.line == 2
    (folder / "round-1" / "muffin.md").unlink()
    (folder / "round-2" / "panel.json").write_text('{"round": 2,\n "panel": [oops]}')
    with pytest.raises(SourceError) as err:
        parse_path(folder)
    assert err.value.source == str(folder / "round-2" / "panel.json") and err.value.line == 2
