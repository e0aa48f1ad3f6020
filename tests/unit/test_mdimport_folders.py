"""Round-scoped dialogue folders (V4), and what parse_path accepts and refuses (no store involved)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from blue_tui.core.errors import SourceError
from blue_tui.core.store.sources import document_id, parse_path
from tests.unit.mdimport_support import (
    FORMATS,
    V1_SAMPLE,
    V4_SAMPLE,
    by_id,
    one,
)

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
