"""The realm graph pane paints in steps (issue 11): the realm's list, summary and details are on
screen while the drawing is still being laid out; the drawing then arrives, the list takes its
reading order and the selection stays. The layout is the real one, held back by the test."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from textual.widgets import DataTable

import screens.graph as graph_module
from blue_tui.core.config import Settings
from screens.graph import GraphPane
from screens.graph_canvas import GraphCanvas
from tests.ui.conftest import make_app, screen_text, settle


def rows(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def test_the_list_shows_before_the_drawing_is_laid_out(
    demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_layout = graph_module._layout
    gate, entered = threading.Event(), threading.Event()

    def held_layout(pane: GraphPane, graph: Any) -> Any:
        if not entered.is_set():  # the first layout only (the check's comes later)
            entered.set()
            assert gate.wait(30), "the test never released the layout"
        return real_layout(pane, graph)

    monkeypatch.setattr(graph_module, "_layout", held_layout)

    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            assert await asyncio.to_thread(entered.wait, 30)
            await pilot.pause()
            pane = app.query_one(GraphPane)
            table = app.query_one("#graph-list", DataTable)
            canvas = app.query_one(GraphCanvas)
            # the realm is on screen: every repo and edge, by name, and the first one's details
            assert rows(table) == [
                "aperture",
                "fungal",
                "notebooks",
                "web",
                "aperture -> fungal",
                "aperture -> notebooks",
                "fungal -> web",
            ]
            assert pane.data is not None and pane.data.canvas is None and canvas.canvas.height == 0
            assert "4 repos · 3 edges · drawing: laying out…" in screen_text(app)
            details = str(app.query_one("#graph-details").render())
            assert "last check: running; loading realm commit aee383d12e60" in details
            await pilot.press("j", "j", "j")  # web, selected before the drawing comes
            await pilot.pause()
            assert canvas.selected == "repo:web"
            gate.set()
            await settle(pilot)
            # the drawing is there; the list is in its reading order; web is still selected
            assert pane.data is not None and pane.data.canvas is not None and canvas.canvas.height > 0
            assert rows(table)[:3] == ["aperture", "aperture -> fungal", "aperture -> notebooks"]
            assert canvas.selected == "repo:web" and rows(table)[table.cursor_row] == "web"
            assert "laying out" not in screen_text(app)

    asyncio.run(go())


def test_a_layout_that_fails_leaves_the_list_and_says_so(
    demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_layout(pane: GraphPane, graph: Any) -> Any:
        raise ValueError("no room for the drawing")

    monkeypatch.setattr(graph_module, "_layout", broken_layout)

    async def go() -> None:
        app = make_app(demo)
        told: list[tuple[str, str]] = []
        notify = app.notify

        def noted(message: str, **kwargs: Any) -> None:
            told.append((kwargs.get("title", ""), message))
            notify(message, **kwargs)

        app.notify = noted  # type: ignore[method-assign]
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            table = app.query_one("#graph-list", DataTable)
            assert table.row_count == 7 and app.query_one("#graph-body").display
            assert [title for title, _ in told] == ["drawing the graph failed"]
            assert "internal error: ValueError: no room for the drawing" in told[0][1]
            # the check ran all the same, and marks the list
            assert "4 repos · 3 edges · drawing failed · check: 0 errors, 1 warnings" in screen_text(app)
            assert app.is_running

    asyncio.run(go())


def test_a_list_longer_than_the_screen_fills_in_after_its_first_frame(
    realm_demo: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list paints a screenful first and takes the rest right after: it holds every repo and
    edge once, in order, with columns as wide as the widest cell; after the layout's reorder and
    a filter, it holds exactly the rows kept (no stale "rest" comes back)."""
    from rich.cells import cell_len

    from tests.realm_builders import generate_realm

    big = tmp_path / "big"
    generate_realm(big, repos=30, domains=40, contracts=40)
    real_layout = graph_module._layout
    gate, entered = threading.Event(), threading.Event()

    def held_layout(pane: GraphPane, graph: Any) -> Any:
        if not entered.is_set():
            entered.set()
            assert gate.wait(30), "the test never released the layout"
        return real_layout(pane, graph)

    monkeypatch.setattr(graph_module, "_layout", held_layout)

    async def go() -> None:
        app = make_app(realm_demo, realm=str(big))
        async with app.run_test(size=(100, 24)) as pilot:
            # the layout starts once the list's first frame is painted: the rest follows it
            assert await asyncio.to_thread(entered.wait, 30)
            await pilot.pause()
            pane = app.query_one(GraphPane)
            table = app.query_one("#graph-list", DataTable)
            assert pane.data is not None
            order = pane.data.order()
            assert len(order) > 2 * 24  # longer than the screen: it was filled in two steps
            assert [str(k.value) for k in table.rows] == order == pane.rows
            names = rows(table)
            assert len(set(names)) == len(names)
            widest = max(cell_len(name) for name in names)
            assert [c.get_render_width(table) for c in table.ordered_columns][1] == widest + 2
            gate.set()
            await settle(pilot)
            assert [str(k.value) for k in table.rows] == pane.rows == pane.data.order()
            await pilot.press("G")
            assert table.cursor_row == len(pane.rows) - 1
            await pilot.press("slash", *"repo-0001", "enter")
            await settle(pilot)
            assert pane.rows and all(
                "repo-0001" in " ".join(map(str, table.get_row_at(i))) for i in range(table.row_count)
            )
            assert table.row_count == len(pane.rows) < len(order)

    asyncio.run(go())
