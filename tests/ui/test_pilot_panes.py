"""Pilot tests of the dashboard's key paths, against the demo realm and DynamoDB Local."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Select

from blue_tui.core.config import Settings
from screens.contracts import ContractsPane
from screens.element_list import ElementList
from screens.graph import GraphPane
from screens.graph_canvas import GraphCanvas
from screens.record_view import RecordView
from tests.ui.conftest import make_app, settle


def cells(table: DataTable, column: int = 1) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def test_digits_switch_panes_and_titles_are_numbered(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            assert app.current_pane == "graph" and isinstance(app.pane(), GraphPane)
            tabs = str(app.query_one("#tabs").render())
            assert "1 Realm graph" in tabs and "2 Contracts" in tabs and "3 Dialogues" in tabs
            await pilot.press("2")
            await settle(pilot)
            assert app.current_pane == "contracts" and isinstance(app.pane(), ContractsPane)
            assert app.focused is not None and app.focused.id == "contract-list"
            await pilot.press("3")
            await settle(pilot)
            assert app.focused is not None and app.focused.id == "dialogue-list"
            await pilot.press("1")
            await settle(pilot)
            assert app.focused is not None and app.focused.id == "graph-list"

    asyncio.run(go())


def test_graph_pane_lists_marks_and_details(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            table = app.query_one("#graph-list", ElementList)
            assert cells(table) == [
                "aperture",
                "aperture -> fungal",
                "aperture -> notebooks",
                "fungal",
                "notebooks",
                "fungal -> web",
                "web",
            ]
            assert cells(table, 2)[1:3] == ["s3-permissions 2.0.0 · unsatisfied", "run-metrics 1.0.0 · ok"]
            assert cells(table, 0)[1] == "✗" and cells(table, 2)[3] == "warning"
            canvas = app.query_one(GraphCanvas)
            assert canvas.selected == "repo:aperture"
            await pilot.press("j")
            await settle(pilot)
            assert canvas.selected == "edge:aperture->fungal"
            details = str(app.query_one("#graph-details").render())
            assert "OUT OF RANGE: 2.0.0 is outside >=1.0.0 <2.0.0" in details
            assert "binding: domains/s3-access/bindings/fungal.yaml" in details
            assert "last check: 2026-01-24 12:00 UTC, realm commit aee383d12e60" in details
            assert "[import-unsatisfied]" in details
            await pilot.press("G")
            await settle(pilot)
            assert canvas.selected == "repo:web"
            await pilot.press("g")
            await settle(pilot)
            assert canvas.selected == "repo:aperture"

    asyncio.run(go())


def test_slash_filters_the_focused_list_and_escape_clears_it(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            assert app.focused is not None and app.focused.id == "graph-filter"
            await pilot.press(*"web")
            await settle(pilot)
            table = app.query_one("#graph-list", ElementList)
            assert cells(table) == ["fungal -> web", "web"]
            assert app.query_one(GraphCanvas).matches == {"edge:fungal->web", "repo:web"}
            await pilot.press("enter")
            assert app.focused is table
            await pilot.press("escape")
            await settle(pilot)
            assert table.row_count == 7 and app.query_one(GraphCanvas).matches is None

    asyncio.run(go())


def test_contracts_pane_diff_verdict_and_matrix(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo, pane="contracts")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            pane = app.pane()
            assert isinstance(pane, ContractsPane)
            assert cells(app.query_one("#contract-list", DataTable)) == [
                "detections",
                "s3-permissions",
                "run-metrics",
            ]
            await pilot.press("j")
            await settle(pilot)
            assert pane.selected is not None and (pane.selected.old, pane.selected.new) == ("1.1.0", "2.0.0")
            verdict = str(app.query_one("#verdict-text").render())
            assert "backward  ✗ BREAKS" in verdict and "forward   ✗ BREAKS" in verdict
            assert "required bump: major" in verdict and "TYPE_CHANGED" in verdict
            assert 'counterexample (backward: old accepts, new rejects): {"read": []}' in verdict
            matrix = app.query_one("#matrix", DataTable)
            assert [str(c) for c in matrix.get_row_at(0)] == [
                "fungal",
                ">=1.0.0 <2.0.0",
                "1.1.0",
                "✓ ok",
                "✓ ok",
                "— excluded",
                "✗ no",
            ]
            # any two versions from history
            app.query_one("#from-version", Select).value = "1.0.0"
            app.query_one("#to-version", Select).value = "1.1.0"
            await settle(pilot)
            assert (pane.selected.old, pane.selected.new) == ("1.0.0", "1.1.0")
            verdict = str(app.query_one("#verdict-text").render())
            assert "backward  ✓ compatible" in verdict and "forward   ✓ compatible" in verdict
            assert any(r.tag == "insert" for r in pane.selected.diff.rows)
            await pilot.press("v")
            assert app.focused is app.query_one("#from-version", Select)

    asyncio.run(go())


def test_open_a_dialogue_move_between_sections_and_fold_rounds(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo, pane="dialogues")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            table = app.query_one("#dialogue-list", DataTable)
            titles = cells(table, 0)
            row = titles.index("Local-Production Parity")
            table.move_cursor(row=row)
            await pilot.press("enter")
            await settle(pilot)
            record = app.query_one(RecordView)
            assert record.display and app.focused is record
            header = str(app.query_one("#record-header").render())
            assert "local-prod-parity · generation 1" in header
            first = record.lines[record.display_lines[0][0]]
            assert first.segments == (("Local-Production Parity", "bold"),)
            sections = []
            for _ in range(6):
                await pilot.press("tab")
                sections.append(record.current_section())
            assert sections == sorted(sections) and len(set(sections)) == 6
            # the transcript's rounds start folded; enter on one unfolds it
            rounds = sorted(record.foldable)
            assert record.folded == set(rounds)
            while record.current_section() != rounds[0]:
                await pilot.press("tab")
            before = len(record.display_lines)
            await pilot.press("enter")
            assert rounds[0] not in record.folded and len(record.display_lines) > before
            await pilot.press("enter")
            assert rounds[0] in record.folded
            await pilot.press("e")
            assert record.folded == set()
            await pilot.press("escape")
            await settle(pilot)
            assert not app.query_one("#record").display and app.focused is table
            assert app.query_one(RecordView).lines == []  # the dialogue's lines are let go at once
            # alignment and warnings are known once the dialogue was opened
            assert "–" not in [str(c) for c in table.get_row_at(table.cursor_row)][5:]

    asyncio.run(go())


def test_dialogues_sort_and_filter(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo, pane="dialogues")
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            table = app.query_one("#dialogue-list", DataTable)
            assert cells(table, 1)[:2] == ["2026-01-26", "2026-01-24"]  # newest first
            await pilot.press("o")  # date -> status
            await pilot.press("O")
            await settle(pilot)
            statuses = cells(table, 2)
            assert statuses == sorted(statuses, reverse=False)
            await pilot.press("o", "o")  # -> rounds -> experts
            await settle(pilot)
            experts = [int(x) for x in cells(table, 4)]
            assert experts == sorted(experts)
            await pilot.press("slash", *"parity")
            await settle(pilot)
            assert cells(table, 0) == ["Local-Production Parity"]
            summary = str(app.query_one("#dialogues-summary").render())
            assert "1 of 4 dialogues" in summary and "filter: parity" in summary

    asyncio.run(go())
