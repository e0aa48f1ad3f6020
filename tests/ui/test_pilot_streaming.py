"""Opening a dialogue streams (issue 11): its first records are on screen, marked as being
verified, while the rest is read; a superseded read posts nothing, neither partial results nor its
end; a dialogue tampered far from its first page still ends in the finding, the preview gone.
Real DynamoDB Local; the store is the real one, with a read held mid-way (no mock)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from dialogue_builders import long_dialogue, partition_pages
from textual.app import App, ComposeResult
from textual.widgets import Static

from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.store.dialogue_store import DialogueStore, OpenedDialogue, OpenedSlice
from blue_tui.core.store.sources import ParsedDialogue
from screens.dialogues import DialoguesPane
from screens.loads import Channel, Loads
from screens.record_view import RecordView
from screens.result_table import ResultTable
from tests.ui.conftest import make_app, screen_text, settle

DID = "long-read"


class HeldRead:
    """The real store; its first streaming open is held right after the slice that made the
    preview was handed over (the read is mid-way: later pages not decrypted yet)."""

    def __init__(self, store: DialogueStore) -> None:
        self.store = store
        self.gate = threading.Event()
        self.held = threading.Event()
        self.opens = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def open(
        self, dialogue_id: str, *, on_slice: Callable[[OpenedSlice], None] | None = None
    ) -> OpenedDialogue:
        self.opens += 1
        if self.opens != 1 or on_slice is None:
            return self.store.open(dialogue_id, on_slice=on_slice)
        listener = on_slice

        def holding(part: OpenedSlice) -> None:
            listener(part)
            if not self.held.is_set() and any(e.entity_type == "dialogue" for e in part.entities):
                self.held.set()
                assert self.gate.wait(30), "the test never released the read"

        return self.store.open(dialogue_id, on_slice=holding)


def stored(settings: Settings, title: str = "A long dialogue") -> DialogueStore:
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue("long.json", long_dialogue(DID, title=title)), replace=True)
    return store


def header(app: Any) -> str:
    return str(app.query_one("#record-header", Static).render())


async def until(pilot: Any, check: Callable[[], bool], seconds: float = 30) -> None:
    """Pause until ``check()`` holds (never waits for the held worker, unlike settle)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never came; on screen:\n{screen_text(pilot.app)}")


def test_records_appear_before_the_whole_dialogue_is_read(settings: Settings) -> None:
    stored(settings)
    assert len(partition_pages(settings, DID)) >= 2
    held = HeldRead(DialogueStore(settings))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None, store_factory=lambda _s: held)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            pane = app.pane()
            assert isinstance(pane, DialoguesPane)
            await pilot.press("enter")
            assert await asyncio.to_thread(held.held.wait, 30)
            record = app.query_one(RecordView)
            await until(pilot, lambda: bool(record.lines) and "VERIFYING" in header(app))
            # the read is held mid-way: what is on screen came from its first records
            assert pane.verifying and not held.gate.is_set()
            shown = screen_text(app)
            assert "⧗ VERIFYING A long dialogue · long-read ·" in shown
            assert "nothing shown is verified yet" in shown
            assert "A long dialogue" in shown and "ALIGNMENT: 77" in shown
            read, total = header(app).split(" · ")[2].split(" records read")[0].split(" of ")
            assert 0 < int(read.replace(",", "")) < int(total.replace(",", "")) == 1200 + 3
            assert not app.query_one("#record-loading").display
            held.gate.set()
            await settle(pilot)
            assert not pane.verifying
            assert "VERIFYING" not in header(app)
            assert header(app).startswith("A long dialogue · long-read · generation 1 · 1203 items")
            assert "Perspectives (1200: 1200 open)" in "\n".join(
                "".join(t for t, _ in line.segments) for line in record.lines
            )

    asyncio.run(go())


def test_a_superseded_streaming_read_posts_nothing(settings: Settings) -> None:
    stored(settings)
    held = HeldRead(DialogueStore(settings))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None, store_factory=lambda _s: held)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            pane = app.pane()
            assert isinstance(pane, DialoguesPane)
            await pilot.press("enter")
            assert await asyncio.to_thread(held.held.wait, 30)
            await until(pilot, lambda: "VERIFYING A long dialogue" in header(app))
            # a new version is committed meanwhile; r, r: the last read shows it
            await asyncio.to_thread(stored, settings, "A revised dialogue")
            delivered: list[str] = []
            preview, final = pane._show_reading, pane._show_record

            def on_reading(reading: Any) -> None:
                delivered.append(f"preview {reading.view.title}" if reading.view else "progress")
                preview(reading)

            def on_record(result: Any) -> None:
                delivered.append(f"verified {result.view.title} g{result.opened.generation}")
                final(result)

            pane._show_reading, pane._show_record = on_reading, on_record  # type: ignore[method-assign]
            await pilot.press("r")
            await pilot.press("r")
            await until(pilot, lambda: "generation 2" in header(app))
            # the first read goes on now: it must stop, and post nothing
            held.gate.set()
            await settle(pilot)
            assert held.opens == 3
            assert header(app).startswith("A revised dialogue · long-read · generation 2")
            assert not pane.verifying
            assert delivered[-1] == "verified A revised dialogue g2"
            assert all("A long dialogue" not in d and "g1" not in d for d in delivered)
            # the held read ran to its end and was dropped (the one the second r replaced may
            # have been cancelled before its thread started)
            assert pane.open_loads.dropped >= 1

    asyncio.run(go())


def test_a_partial_result_on_its_way_when_superseded_is_dropped() -> None:
    """The UI thread checks again: a partial posted just before a newer load started never lands."""

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(id="host")

    async def go() -> None:
        app = Host()
        async with app.run_test() as pilot:
            host = app.query_one("#host", Static)
            loads: Loads[str] = Loads(host, "test")
            started, go_on, posted, release = (threading.Event() for _ in range(4))
            got: list[str] = []

            def work(channel: Channel[str]) -> str:
                started.set()
                go_on.wait(30)
                channel.post("partial of the first load")
                posted.set()
                release.wait(30)
                return "end of the first load"

            loads.stream(work, got.append, got.append, lambda exc: got.append(repr(exc)))
            assert await asyncio.to_thread(started.wait, 30)
            # with the event loop blocked: the partial is queued, then a newer load starts before
            # the loop can deliver it
            go_on.set()
            assert posted.wait(30)
            loads.start(lambda: "second", got.append, lambda exc: got.append(repr(exc)))
            release.set()
            for _ in range(200):  # the first load's thread runs to its end, then is dropped
                if loads.dropped:
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            assert got == ["second"]
            assert loads.dropped_partials == 1 and loads.dropped == 1

    asyncio.run(go())


def test_a_dialogue_tampered_past_its_first_page_shows_the_finding(settings: Settings) -> None:
    stored(settings)
    last = partition_pages(settings, DID)[-1]
    item = next(i for i in reversed(last) if i["SK"]["S"].startswith("perspective#"))
    data = bytearray(item["content_encrypted"]["B"])
    data[5] ^= 1
    item["content_encrypted"]["B"] = bytes(data)
    dynamodb_client(settings).put_item(TableName=settings.table, Item=item)

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            pane = app.pane()
            assert isinstance(pane, DialoguesPane)
            previews: list[str] = []
            preview = pane._show_reading

            def on_reading(reading: Any) -> None:
                if reading.view is not None:
                    previews.append(reading.view.title)
                preview(reading)

            pane._show_reading = on_reading  # type: ignore[method-assign]
            await pilot.press("enter")
            await settle(pilot)
            assert previews == ["A long dialogue"]  # the first records were shown meanwhile
            text = str(app.query_one("#findings-text").render())
            assert f"dialogue {DID} failed verification: none of it is shown" in text
            row = [str(c) for c in app.query_one("#findings", ResultTable).get_row_at(0)]
            assert row[0] == item["SK"]["S"] and row[1] == "✗ tampered"
            assert not app.query_one("#record-view").display
            assert not app.query_one(RecordView).lines  # the preview is gone, not left behind
            assert not pane.verifying and "VERIFYING" not in header(app)
            assert "perspective number" not in screen_text(app)

    asyncio.run(go())


class BlockedOpen:
    """The real store, whose open waits for the test before it reads anything."""

    def __init__(self, store: DialogueStore) -> None:
        self.store = store
        self.entered = threading.Event()
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def open(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        assert self.gate.wait(30), "the test never let the read go"
        return self.store.open(*args, **kwargs)


def with_blocked_open(
    settings: Settings,
    body: Callable[[Any, Any, DialoguesPane, BlockedOpen], Awaitable[None]],
    prepare: Callable[[Any, DialoguesPane], None] | None = None,
) -> None:
    """Press enter on the stored dialogue in a dashboard whose store waits before reading, then
    run ``body(app, pilot, pane, blocked)``; ``prepare(app, pane)`` runs before enter."""
    blocked = BlockedOpen(stored(settings))

    async def go() -> None:
        app = make_app(settings, pane="dialogues", realm=None, store_factory=lambda _s: blocked)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            pane = app.pane()
            assert isinstance(pane, DialoguesPane)
            if prepare is not None:
                prepare(app, pane)
            await pilot.press("enter")
            assert await asyncio.to_thread(blocked.entered.wait, 30)
            try:
                await body(app, pilot, pane, blocked)
            finally:
                blocked.gate.set()  # a failed check must not leave the worker waiting

    asyncio.run(go())


def test_the_record_view_has_the_keyboard_before_any_record_arrives(settings: Settings) -> None:
    async def body(app: Any, pilot: Any, pane: DialoguesPane, blocked: BlockedOpen) -> None:
        # nothing read yet: after REVEAL_AFTER the list gives way to the loading record view
        await until(pilot, lambda: app.query_one("#record").display)
        record = app.query_one(RecordView)
        assert app.focused is record and record.lines == []
        assert app.query_one("#record-loading").display
        blocked.gate.set()
        await until(pilot, lambda: not pane.verifying)
        assert record.lines and app.focused is record

    with_blocked_open(settings, body)


def test_a_quick_read_replaces_the_list_with_its_first_records_in_one_go(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No flash of the loading layout: until the read posts, the list stays as it was."""
    monkeypatch.setattr(DialoguesPane, "REVEAL_AFTER", 30.0)  # as if every read were quick
    seen: list[tuple[bool, bool]] = []

    def prepare(app: Any, pane: DialoguesPane) -> None:
        show = pane._show_reading

        def watched(reading: Any) -> None:
            seen.append((app.query_one("#dialogue-list").display, app.query_one("#record").display))
            show(reading)

        pane._show_reading = watched  # type: ignore[method-assign]

    async def body(app: Any, pilot: Any, pane: DialoguesPane, blocked: BlockedOpen) -> None:
        await pilot.pause()
        assert app.query_one("#dialogue-list").display and not app.query_one("#record").display
        blocked.gate.set()
        await until(pilot, lambda: not pane.verifying)
        assert seen and seen[0] == (True, False)  # the first post found the list still there
        assert app.query_one("#record").display and not app.query_one("#dialogue-list").display
        assert app.focused is app.query_one(RecordView)

    with_blocked_open(settings, body, prepare)


def test_esc_before_the_record_view_shows_cancels_the_read(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DialoguesPane, "REVEAL_AFTER", 30.0)

    async def body(app: Any, pilot: Any, pane: DialoguesPane, blocked: BlockedOpen) -> None:
        await pilot.press("escape")
        assert pane.open_id is None and not pane.verifying
        blocked.gate.set()
        await settle(pilot)
        assert app.query_one("#dialogue-list").display and not app.query_one("#record").display
        assert app.focused is app.query_one("#dialogue-list")

    with_blocked_open(settings, body)
