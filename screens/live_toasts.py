"""Toasts for contract changes that arrive while the notifications pane is not shown: the first
at once, then at most one per ``quiet`` seconds (the changes that came meanwhile share one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.widget import Widget

if TYPE_CHECKING:
    from blue_tui.core.sessions import Notification


class Toaster:
    def __init__(self, owner: Widget, quiet: float) -> None:
        self.owner = owner
        self.quiet = quiet
        #: How many toasts were shown (tests and benchmarks count them).
        self.shown = 0
        self._timer: Timer | None = None
        self._waiting: list[Notification] = []

    def toast(self, notes: list[Notification]) -> None:
        if self._timer is not None:
            self._waiting[:0] = notes
            return
        self._show(notes)
        self._timer = self.owner.set_timer(self.quiet, self._quiet_over)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _quiet_over(self) -> None:
        self._timer = None
        waiting, self._waiting = self._waiting, []
        if waiting:
            self.toast(waiting)

    def _show(self, notes: list[Notification]) -> None:
        self.shown += 1
        app = self.owner.app
        breaking = sum(n.breaking for n in notes)
        digit = app.keys_of("app.pane.notifications")[0] if hasattr(app, "keys_of") else "5"
        if len(notes) == 1:
            note = notes[0]
            title = "breaking change" if note.breaking else "contract changed"
            text = f"{note.headline}\n{note.summary}".strip() if note.summary else note.headline
        else:
            title = f"{len(notes)} contract changes" + (f" ({breaking} breaking)" if breaking else "")
            text = "\n".join(n.headline for n in notes[:3]) + ("\n…" if len(notes) > 3 else "")
        app.notify(
            f"{text}\n(press {digit} for notifications)",
            title=title,
            severity="warning" if breaking else "information",
            markup=False,
            timeout=8 if breaking else 5,
        )
