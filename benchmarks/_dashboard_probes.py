"""What bench_dashboard watches in a running app: event-loop lag, and frames reaching the terminal."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class Heartbeat:
    """Event-loop lag: a task that asks to wake every 10 ms and records how late it wakes."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.running = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while self.running:
            before = loop.time()
            await asyncio.sleep(0.01)
            self.lags.append(max(0.0, loop.time() - before - 0.01))


class FrameProbe:
    """When frames reach the terminal: wraps ``App._display`` (private; tui.md 4.4), encoding each
    update to ANSI as a real terminal's driver would, so a headless frame costs what a real one
    does. ``wait(shown)`` resolves with the time of the first frame drawn once ``shown()`` holds
    and the widget under test has drawn lines for it (``drew`` is reset by ``mark()``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.drew = False
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
            original(screen, renderable)
            now = time.perf_counter()
            for entry in list(self._waiting):
                shown, future = entry
                if self.drew and shown() and not future.done():
                    future.set_result(now)
                    self._waiting.remove(entry)

        app._display = display

    def watch(self, widget: Any) -> None:
        """Count ``widget``'s line drawing (its ``render_line``) towards ``drew``."""
        original = widget.render_line

        def render_line(y: int) -> Any:
            self.drew = True
            return original(y)

        widget.render_line = render_line

    def mark(self) -> None:
        self.drew = False

    def wait(self, shown: Callable[[], bool]) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((shown, future))
        return future
