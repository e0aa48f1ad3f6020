"""Decrypted text is data: markup in a dialogue is shown as written, and the record view draws
only what is visible."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable

from blue_tui.core.config import Settings
from blue_tui.core.store.dialogue_store import DialogueStore
from blue_tui.core.store.sources import ParsedDialogue
from screens.record_view import RecordView
from tests.ui.conftest import make_app, screen_text, settle

HOSTILE = {
    "id": "hostile",
    "title": "[red]Not markup[/red] [link=file:///etc/passwd]x[/link]",
    "date": "2099-01-01",
    "status": "open",
    "question": "[bold]still text[/bold]",
    "perspectives": [
        {
            "id": "P0001",
            "label": "[@click=app.quit]boom[/]",
            "status": "open",
            "origin": {"round": 0, "contributors": []},
        }
    ],
    "rounds_data": [
        {"round": 0, "title": "R", "text": "\n".join(f"line {n} [dim]{n}[/dim]" for n in range(3000))}
    ],
}


def test_markup_in_a_dialogue_is_shown_as_written(settings: Settings) -> None:
    DialogueStore(settings).import_dialogue(ParsedDialogue("hostile.json", HOSTILE))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None)
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            table = app.query_one("#dialogue-list", DataTable)
            title = table.get_row_at(0)[0]
            assert isinstance(title, Text) and title.plain == HOSTILE["title"] and not title.spans
            await pilot.press("enter")
            await settle(pilot)
            shown = screen_text(app)
            assert "[red]Not markup[/red] [link=file:///etc/passwd]x[/link]" in shown
            assert "question: [bold]still text[/bold]" in shown
            assert app.is_running  # the [@click=app.quit] label did nothing
            await pilot.press("tab", "tab")
            assert "[@click=app.quit]boom[/]" in screen_text(app)

    asyncio.run(go())


def test_the_record_view_draws_only_visible_lines(settings: Settings) -> None:
    DialogueStore(settings).import_dialogue(ParsedDialogue("hostile.json", HOSTILE))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            record = app.query_one(RecordView)
            await pilot.press("e")  # unfold the round: 3,000 more lines
            await settle(pilot)
            assert len(record.display_lines) > 3000
            drawn: list[int] = []
            original = record._line_strip

            def counting(row: int, width: int, at_cursor: bool):  # type: ignore[no-untyped-def]
                drawn.append(row)
                return original(row, width, at_cursor)

            record._line_strip = counting  # type: ignore[method-assign]
            record._cache.clear()
            record.refresh()
            await pilot.pause()
            assert 0 < len(set(drawn)) <= record.size.height
            before = len(drawn)
            await pilot.press("G")
            await pilot.pause()
            after = drawn[before:]
            assert len(record.display_lines) - 1 in after and min(after) > 2900
            assert len(set(drawn)) <= 2 * record.size.height
            assert "line 2999 [dim]2999[/dim]" in screen_text(app)

    asyncio.run(go())


def test_a_damaged_cached_layout_does_not_crash_the_pane(tmp_path: Path) -> None:
    """Spans and regions are used as read: garbage in them must only spoil the picture."""
    from textual.app import App, ComposeResult

    from blue_tui.core.realm.graph_layout import layout
    from blue_tui.core.realm.layout_cache import cached_layout, layout_key
    from screens.graph_canvas import GraphCanvas
    from tests.unit.test_layout_cache import graph

    fresh = layout(graph())
    data = json.loads(json.dumps(asdict(fresh)))
    data["spans"][1] = [["x", None, 3], [1, 2, ["not", "a", "style"]]]
    data["regions"]["edge:a->b"] = [[None, "y", 1]]
    (tmp_path / f"{layout_key(graph())}.json").write_text(json.dumps(data))
    canvas = cached_layout(graph(), tmp_path)

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield GraphCanvas()

    async def go() -> None:
        app = Host()
        async with app.run_test(size=(60, 10)) as pilot:
            view = app.query_one(GraphCanvas)
            view.show(canvas)
            view.select("edge:a->b")
            await pilot.pause()
            assert app.is_running

    asyncio.run(go())


def test_the_palette_offers_the_open_records_actions(settings: Settings) -> None:
    DialogueStore(settings).import_dialogue(ParsedDialogue("hostile.json", HOSTILE))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            await pilot.press("colon", *"Next section")
            await settle(pilot)
            assert "Next section (tab)" not in screen_text(app)  # no dialogue is open yet
            await pilot.press("escape", "enter")
            await settle(pilot)
            record = app.query_one(RecordView)
            before = record.current_section()
            await pilot.press("colon", *"Next section")
            await settle(pilot)
            assert "Next section (tab)" in screen_text(app)
            await pilot.press("enter")
            await settle(pilot)
            assert record.current_section() == before + 1

    asyncio.run(go())
