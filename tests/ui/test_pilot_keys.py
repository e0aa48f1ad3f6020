"""Pilot tests of the registry's keys: help, palette, remapping, read-only, workers, errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.store import table as tbl
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sources import ParsedDialogue
from screens.dialogues import DialoguesPane
from screens.element_list import ElementList
from screens.help import HelpScreen, help_table
from screens.modals import ConfirmModal, ErrorScreen, PromptModal, ResultsModal
from screens.result_table import ResultTable
from tests.ui.conftest import FIXTURES, GatedStore, make_app, screen_text, settle, table_text

JSON_SAMPLE = FIXTURES / "dialogues" / "local-prod-parity.dialogue.json"


def footer_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show and b.enabled}


def test_help_lists_every_action_with_its_current_keys(demo: Settings) -> None:
    demo.user_config_path.write_text("keys:\n  app.quit: ctrl+q\n", encoding="utf-8")

    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            assert "blue-tui keys" in screen_text(app)
            text = table_text(help_table(app.screen.keymap, read_only=False))
            for expected in (
                "Everywhere",
                "1 Realm graph",
                "3 Dialogues",
                "dialogues.import",
                "Import  (writes)",
            ):
                assert expected in text
            assert text.split("Quit")[0].splitlines()[-1].strip() == "ctrl+q"
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("q")  # remapped away: no longer quits
            await settle(pilot)
            assert app.is_running
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(go())


def test_palette_offers_the_registry_and_runs_an_action(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            await pilot.press("colon")
            await settle(pilot)
            palette = app.screen
            assert palette.__class__.__name__ == "CommandPalette"
            await pilot.press(*"Contracts")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.current_pane == "contracts"

    asyncio.run(go())


def test_a_bad_remapping_is_shown_and_default_keys_stay(demo: Settings) -> None:
    demo.user_config_path.write_text("keys:\n  dialogues.sort: r\n", encoding="utf-8")

    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ErrorScreen)
            text = str(app.screen.query_one("#error-text").render())
            assert (
                f"{demo.user_config_path}:2: key 'r' of 'dialogues.sort' clashes with 'app.refresh'" in text
            )
            assert "next: pick another key for 'dialogues.sort'" in text
            await pilot.press("escape")
            assert app.keymap.keys("dialogues.sort") == ("o",)

    asyncio.run(go())


def test_read_only_hides_every_write(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo, pane="dialogues", read_only=True)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert "import_files" not in footer_keys(app)
            assert app.sub_title == "read-only"
            await pilot.press("i")
            await settle(pilot)
            assert not isinstance(app.screen, PromptModal)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen) and app.screen.read_only
            assert "dialogues.import" not in table_text(help_table(app.screen.keymap, read_only=True))
            assert "read-only: actions that write are hidden" in screen_text(app)
            await pilot.press("escape", "colon", *"Import")
            await settle(pilot)
            assert "Import (i)" not in screen_text(app)

        writable = make_app(demo, pane="dialogues")
        async with writable.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert "import_files" in footer_keys(writable)
            await pilot.press("colon", *"Import")
            await settle(pilot)
            assert "Import (i)" in screen_text(writable)

    asyncio.run(go())


def test_a_superseded_load_never_posts_its_result(demo: Settings) -> None:
    gated = GatedStore(DialogueStore(demo), "list_dialogues")

    async def go() -> None:
        app = make_app(demo, pane="dialogues", store_factory=lambda _s: gated)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            # the first frame is on screen while the first list is still held
            assert await asyncio.to_thread(gated.entered.wait, 30)
            pane = app.pane()
            assert isinstance(pane, DialoguesPane)
            assert app.query_one("#dialogues-loading").display
            # a dialogue arrives, then r: the second load lists five and shows them
            extra = json.loads(JSON_SAMPLE.read_text())
            extra["id"] = "late-arrival"
            await asyncio.to_thread(DialogueStore(demo).import_dialogue, ParsedDialogue("late.json", extra))
            await pilot.press("r")
            for _ in range(50):
                await pilot.pause(0.1)
                if app.query_one("#dialogue-list", DataTable).row_count == 5:
                    break
            assert app.query_one("#dialogue-list", DataTable).row_count == 5
            # the first load finishes last: its four rows must not replace the five
            gated.gate.set()
            await settle(pilot)
            assert pane.list_loads.dropped == 1
            assert app.query_one("#dialogue-list", DataTable).row_count == 5

    asyncio.run(go())


def test_one_store_per_app(demo: Settings) -> None:
    made: list[DialogueStore] = []

    def factory(settings: Settings) -> DialogueStore:
        made.append(DialogueStore(settings))
        return made[-1]

    async def go() -> None:
        app = make_app(demo, pane="dialogues", store_factory=factory)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            for _ in range(2):
                await pilot.press("enter")
                await settle(pilot)
                await pilot.press("escape", "r")
                await settle(pilot)
            assert len(made) == 1

    asyncio.run(go())


def test_import_asks_before_replacing_a_changed_dialogue(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo, pane="dialogues")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, PromptModal)
            app.screen.query_one(Input).value = str(JSON_SAMPLE)
            await pilot.press("enter")
            await settle(pilot)
            # the demo imported local-prod-parity from its round folders: this file differs
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(app.screen, ResultsModal)
            rows = app.screen.query_one(ResultTable)
            assert [str(c) for c in rows.get_row_at(0)][:2] == ["local-prod-parity", "✓ replaced"]
            await pilot.press("escape")
            assert isinstance(app.screen, ResultsModal)  # the first import's results
            assert [str(c) for c in app.screen.query_one(ResultTable).get_row_at(0)][1] == "! changed"
            await pilot.press("escape")
            await settle(pilot)
            assert app.pane() is not None

    asyncio.run(go())
    assert DialogueStore(demo).export("local-prod-parity") == json.loads(JSON_SAMPLE.read_text())


def tamper(settings: Settings, dialogue_id: str) -> str:
    items = [i for page in tbl.query_partition(settings, pk_for(dialogue_id)) for i in page]
    item = next(i for i in items if i["SK"]["S"].startswith("tension#"))
    data = bytearray(item["content_encrypted"]["B"])
    data[3] ^= 1
    item["content_encrypted"]["B"] = bytes(data)
    dynamodb_client(settings).put_item(TableName=settings.table, Item=item)
    return str(item["SK"]["S"])


def test_a_tampered_dialogue_shows_the_finding_not_a_crash(demo: Settings) -> None:
    sk = tamper(demo, "local-prod-parity")

    async def go() -> None:
        app = make_app(demo, pane="dialogues")
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            table = app.query_one("#dialogue-list", DataTable)
            table.move_cursor(
                row=[str(c) for c in [table.get_row_at(i)[0] for i in range(table.row_count)]].index(
                    "Local-Production Parity"
                )
            )
            await pilot.press("enter")
            await settle(pilot)
            text = str(app.query_one("#findings-text").render())
            assert "dialogue local-prod-parity failed verification: none of it is shown" in text
            assert "next: see `blue dialogue verify local-prod-parity` for every finding" in text
            row = [str(c) for c in app.query_one("#findings", ResultTable).get_row_at(0)]
            assert row[0] == sk and row[1] == "✗ tampered"
            assert not app.query_one("#record-view").display
            assert app.is_running

    asyncio.run(go())


def test_an_unreachable_store_names_the_next_step(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", "http://127.0.0.1:9")
    unreachable = Settings.from_env()

    async def go() -> None:
        app = make_app(unreachable, pane="dialogues", realm=None)
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            text = str(app.query_one(".error-panel").render())
            assert "listing the dialogues failed" in text
            assert "cannot reach DynamoDB at http://127.0.0.1:9" in text
            assert "next: start it with `blue dev up`" in text
            await pilot.press("1")
            await settle(pilot)
            graph_error = str(app.pane().query_one(".error-panel").render())  # type: ignore[union-attr]
            assert "no realm to work on" in graph_error and "next: pass --realm NAME|PATH" in graph_error

    asyncio.run(go())


def test_narrow_terminals_stack_the_panes(demo: Settings) -> None:
    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.screen.has_class("-narrow")
            canvas, side = app.query_one("#graph-canvas"), app.query_one("#graph-side")
            assert side.region.y > canvas.region.y and side.region.width >= 70
            await pilot.resize_terminal(140, 40)
            await settle(pilot)
            assert app.screen.has_class("-wide")
            assert app.query_one("#graph-side").region.x > app.query_one("#graph-canvas").region.x

    asyncio.run(go())


def test_no_color_keeps_meaning_in_glyphs(demo: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def go() -> None:
        app = make_app(demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            assert app.no_color
            marks = [str(app.query_one("#graph-list", ElementList).get_row_at(i)[0]) for i in range(7)]
            assert marks[1] == "✗" and "!" in marks

    asyncio.run(go())


def test_first_frame_does_not_wait_for_the_network(demo: Settings, tmp_path: Path) -> None:
    gated = GatedStore(DialogueStore(demo), "list_dialogues")

    async def go() -> None:
        app = make_app(demo, pane="dialogues", store_factory=lambda _s: gated)
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            assert str(app.query_one("#tabs").render()).strip().startswith("1 Realm graph")
            assert app.query_one("#dialogues-loading").display and not gated.gate.is_set()
            gated.gate.set()
            await settle(pilot)
            assert app.query_one("#dialogue-list", DataTable).row_count == 4

    asyncio.run(go())


def test_a_late_load_does_not_pull_the_keyboard_back(demo: Settings) -> None:
    gated = GatedStore(DialogueStore(demo), "list_dialogues")

    async def go() -> None:
        app = make_app(demo, pane="dialogues", store_factory=lambda _s: gated)
        async with app.run_test(size=(120, 30)) as pilot:
            assert await asyncio.to_thread(gated.entered.wait, 30)
            await pilot.press("1")  # (no settle here: it would wait for the held load)
            for _ in range(10):
                await pilot.pause(0.05)
            assert app.focused is not None and app.focused.id == "graph-list"
            gated.gate.set()
            await settle(pilot)
            assert app.query_one("#dialogue-list", DataTable).row_count == 4
            assert app.focused is not None and app.focused.id == "graph-list"

    asyncio.run(go())
