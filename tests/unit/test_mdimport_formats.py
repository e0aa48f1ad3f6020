"""Every markdown format generation, parsed into RFC 0051 documents (no store involved); the
round-scoped folders are in test_mdimport_folders.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.unit.mdimport_support import (
    FOLDER_FIXTURES,
    FORMATS,
    MARKDOWN_FIXTURES,
    V1_SAMPLE,
    V4_SAMPLE,
    by_id,
    kept_text,
    one,
    source_lines,
)

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
