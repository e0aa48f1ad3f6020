"""The one dialogue view model: what `blue dialogue show` prints and the record view draws."""

from __future__ import annotations

import json
from pathlib import Path

from blue_tui.core.store.dialogue_blocks import Cell, Fact, Heading, Line, Table, Verbatim
from blue_tui.core.store.dialogue_view import build_view

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def test_sections_come_in_the_documented_order() -> None:
    view = build_view(json.loads(SAMPLE.read_text()))
    ids = [s.id for s in view.sections]
    assert ids[:4] == ["header", "panel", "scores", "perspectives"]
    assert ids.index("tensions") < ids.index("verdicts") < ids.index("round-0")
    rounds = [s for s in view.sections if s.foldable]
    assert [s.id for s in rounds] == ["round-0", "round-1", "round-2", "round-3"]


def test_inventory_rows_carry_status_styles_and_contributors() -> None:
    view = build_view(json.loads(SAMPLE.read_text()))
    tensions = view.section("tensions")
    assert tensions is not None
    table = tensions.blocks[0]
    assert isinstance(table, Table) and table.columns == (
        "id",
        "as written",
        "label",
        "status",
        "round",
        "by",
    )
    first = table.rows[0]
    assert first[0].text == "T0001"
    assert first[3] == Cell("resolved", "status.resolved")
    assert Line("  T0001 resolved in round 1 by judge: Resolved (kept) in round 1") in tensions.blocks
    perspectives = view.section("perspectives")
    assert perspectives is not None and isinstance(perspectives.blocks[0], Table)
    assert perspectives.blocks[0].rows[1][5].text == "cupcake, croissant"  # contributors


def test_header_warnings_and_verdicts() -> None:
    doc = {
        "id": "d1",
        "title": "A [bold]title[/bold]",
        "status": "converged",
        "status_text": "Done",
        "warnings": ["two tensions open"],
        "verdicts": [{"id": "final", "verdict_type": "final", "round": 2, "title": "ship", "vote": "3-0"}],
    }
    view = build_view(doc)
    header = view.sections[0].blocks
    assert header[0] == Line("A [bold]title[/bold]", "bold")  # text is data, never markup
    assert Fact("status", "converged (Done)") in header
    warnings = view.section("warnings")
    assert warnings is not None and warnings.blocks == (
        Heading("Warnings (1)"),
        Line("! two tensions open", "warning"),
    )
    verdicts = view.section("verdicts")
    assert verdicts is not None
    assert Line("[final] final, round 2: ship", "bold") in verdicts.blocks
    assert Fact("  vote", "3-0") in verdicts.blocks


def test_round_text_is_kept_verbatim() -> None:
    doc = {
        "id": "d",
        "rounds_data": [{"round": 0, "title": "Open", "text": "line one\n[not markup]", "summary": "s"}],
    }
    (round0,) = [s for s in build_view(doc).sections if s.foldable]
    assert round0.title == "Round 0: Open"
    assert Verbatim("line one\n[not markup]") in round0.blocks
    assert Heading("Round 0 summary (summary)", 2) in round0.blocks


def test_empty_and_odd_documents_do_not_fail() -> None:
    view = build_view({"experts": "not a list", "rounds_data": [None, 3], "perspectives": [{"id": 1}]})
    assert view.title == "(untitled dialogue)"
    assert [s.id for s in view.sections] == ["header", "perspectives"]
