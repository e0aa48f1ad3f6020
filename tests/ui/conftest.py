"""The dashboard under test: one app factory, a fixed clock, the demo realm (real git) and the
sample dialogues in a real DynamoDB Local table; nothing from the developer's machine leaks in
(own BLUE_HOME, no user config, fixed sizes)."""

from __future__ import annotations

import os
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from blue_tui.app import BlueApp
from blue_tui.core.config import Settings
from blue_tui.core.demo import import_samples, workspace
from blue_tui.core.services import Services
from blue_tui.core.store.dialogue_store import DialogueStore

FIXED = datetime(2026, 1, 24, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixed_clock() -> datetime:
    return FIXED


@pytest.fixture(autouse=True)
def _quiet_ui(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def demo(settings: Settings) -> Settings:
    """The demo realm in this test's BLUE_HOME and the samples in this test's table."""
    workspace.build(settings)
    import_samples(DialogueStore(settings))
    return settings


@pytest.fixture
def realm_demo(tmp_path: Path) -> Settings:
    """The demo realm alone, no DynamoDB (the graph, sessions and notifications panes and the realm
    workflows need no store); sessions.db in $BLUE_HOME/run."""
    home = tmp_path / "home"
    settings = Settings.from_env(
        {"HOME": str(home), "BLUE_HOME": str(home / ".blue"), "PATH": os.environ["PATH"]}
    )
    workspace.build(settings)
    return settings


def make_app(
    settings: Settings,
    *,
    pane: str = "graph",
    read_only: bool = False,
    realm: str | None = "demo",
    store_factory: Callable[[Settings], Any] | None = None,
) -> BlueApp:
    services = Services(
        settings,
        realm=realm,
        read_only=read_only,
        clock=fixed_clock,
        cwd=settings.blue_home,
        store_factory=store_factory,
        layout_cache=settings.blue_home / "layout-cache",  # never the developer's ~/.cache
    )
    return BlueApp(services, initial_pane=pane)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Wait until no worker runs and the screen has caught up (the app is idle)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def run_before(*keys: str, rounds: int = 3) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, rounds)
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return before


class GatedStore:
    """The real store, with the first call of one method held until the test lets it go (a slow
    load without a mock: the data is real)."""

    def __init__(self, store: DialogueStore, method: str) -> None:
        self.store = store
        self.method = method
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.store, name)
        if name != self.method:
            return real

        def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            first = self.calls == 1
            result = real(*args, **kwargs)
            if first:
                self.entered.set()
                assert self.gate.wait(30), "the test never released the gate"
            return result

        return held


def screen_text(app: BlueApp) -> str:
    """What the terminal shows now, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def table_text(renderable: Any, width: int = 140) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()
