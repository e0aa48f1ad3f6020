"""The dashboard's dialogues pane, driven with Textual's pilot against a real store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from blue_tui.app import BlueApp, styles_dir
from blue_tui.core.config import Settings
from blue_tui.core.store.dialogue_store import DialogueStore
from blue_tui.core.store.sources import ParsedDialogue
from screens.dialogues import DialogueScreen, DialoguesScreen

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def test_styles_are_found() -> None:
    assert (styles_dir() / "app.tcss").is_file()


def test_list_then_open(settings: Settings) -> None:
    DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), json.loads(SAMPLE.read_text())))
    asyncio.run(_list_then_open(BlueApp(lambda: DialogueStore(settings))))


async def _list_then_open(app: BlueApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DialoguesScreen)
        assert [r.id for r in screen.rows] == ["local-prod-parity"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DialogueScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        markdown = app.screen.query_one("#dialogue").source  # type: ignore[attr-defined]
        assert (
            "# Local-Production Parity" in markdown
            and "Key hierarchy must be fully exercised locally" in markdown
        )
        await pilot.press("escape")
        assert isinstance(app.screen, DialoguesScreen)


def test_unreachable_store_shows_the_message(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import free_port

    monkeypatch.setenv("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    asyncio.run(_unreachable(BlueApp(lambda: DialogueStore(Settings.from_env()))))


async def _unreachable(app: BlueApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#problem").render())
        assert "cannot reach DynamoDB" in text and "blue dev up" in text


def test_snapshot_list_and_detail(settings: Settings, snap_compare) -> None:  # type: ignore[no-untyped-def]
    DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), json.loads(SAMPLE.read_text())))

    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(BlueApp(lambda: DialogueStore(settings)), terminal_size=(110, 24), run_before=settle)

    async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(
        BlueApp(lambda: DialogueStore(settings)), terminal_size=(110, 40), run_before=open_first
    )
