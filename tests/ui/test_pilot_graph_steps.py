"""The realm graph pane paints in steps (issue 11): the realm's list, summary and details are on
screen while the drawing is still being laid out; the drawing then arrives, the list takes its
reading order and the selection stays. The layout is the real one, held back by the test."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import screens.graph as graph_module
from blue_tui.core.config import Settings
from screens.element_list import ElementList
from screens.graph import GraphPane
from screens.graph_canvas import GraphCanvas
from tests.ui.conftest import make_app, screen_text, settle


def rows(table: ElementList) -> list[str]:
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
            table = app.query_one("#graph-list", ElementList)
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
            table = app.query_one("#graph-list", ElementList)
            assert table.row_count == 7 and app.query_one("#graph-body").display
            assert [title for title, _ in told] == ["drawing the graph failed"]
            assert "internal error: ValueError: no room for the drawing" in told[0][1]
            # the check ran all the same, and marks the list
            assert "4 repos · 3 edges · drawing failed · check: 0 errors, 1 warnings" in screen_text(app)
            assert app.is_running

    asyncio.run(go())


def test_a_list_longer_than_the_screen_holds_every_row_and_draws_what_is_visible(
    realm_demo: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list holds every repo and edge once, in order, with columns as wide as the widest
    cell, and draws only the lines on screen; ``G`` scrolls the last row into view; after the
    layout's reorder and a filter, it holds exactly the rows kept."""
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
            table = app.query_one("#graph-list", ElementList)
            assert pane.data is not None
            order = pane.data.order()
            assert len(order) > 2 * 24  # longer than the screen
            assert table.keys == order == pane.rows
            names = rows(table)
            assert len(set(names)) == len(names)
            widest = max(cell_len(name) for name in names)
            assert table.widths[1] == widest
            assert table.virtual_size.width == sum(
                w + 2 for w in table.widths
            )  # one cell of padding each side
            assert table.virtual_size.height == len(order) + 1  # and the header
            last = names[-1]
            assert names[0] in screen_text(app) and last not in screen_text(app)
            gate.set()
            await settle(pilot)
            assert table.keys == pane.rows == pane.data.order()
            app.query_one(GraphPane).focus_main()
            await pilot.press("G")
            await pilot.pause()
            assert table.cursor_row == len(pane.rows) - 1
            assert rows(table)[-1] in screen_text(app)  # scrolled to it
            await pilot.press("g")
            await pilot.pause()
            assert table.cursor_row == 0 and table.scroll_offset.y == 0
            await pilot.press("slash", *"repo-0001", "enter")
            await settle(pilot)
            assert pane.rows and all(
                "repo-0001" in " ".join(map(str, table.get_row_at(i))) for i in range(table.row_count)
            )
            assert table.row_count == len(pane.rows) < len(order)

    asyncio.run(go())


def test_r_reloads_the_realm_that_the_app_loaded_once_at_start(realm_demo: Settings) -> None:
    """The realm is loaded once as the app starts and shared by the panes; ``r`` loads it again,
    so a commit made meanwhile shows."""
    import subprocess

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            table = app.query_one("#graph-list", ElementList)
            assert "zeta" not in rows(table)
            root = app.services.locate_realm().root
            (root / "repos" / "zeta.yaml").write_text(
                "name: zeta\nurl: git@example.com:org/zeta.git\nmaintainers: [dev@example.com]\n"
            )
            git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
            subprocess.run([*git, "add", "-A"], cwd=root, check=True)
            subprocess.run([*git, "commit", "-qm", "add zeta"], cwd=root, check=True)
            await pilot.press("r")
            await settle(pilot)
            assert "zeta" in rows(table)
            assert "5 repos · 3 edges" in screen_text(app)

    asyncio.run(go())


def test_a_click_selects_the_row_under_it(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            table = app.query_one("#graph-list", ElementList)
            target = rows(table).index("web")
            # the list's first line is its header; rows start below it, inside the border
            await pilot.click("#graph-list", offset=(4, 2 + target))
            await settle(pilot)
            assert table.cursor_row == target
            assert app.query_one(GraphCanvas).selected == "repo:web"
            assert "repo: web" in str(app.query_one("#graph-details").render())
            await pilot.click("#graph-list", offset=(4, 1))  # the header: nothing changes
            await settle(pilot)
            assert table.cursor_row == target

    asyncio.run(go())
