"""What every pane shares: its registry bindings, read-only, the error state, the filter bar.

A pane is one module under ``screens/`` with a :class:`Pane` subclass, plus one entry in
``blue_tui.core.actions.PANES``; the dashboard mounts it the first time its digit is pressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Static

from blue_tui.core.actions import BY_ID
from blue_tui.core.errors import BlueError

if TYPE_CHECKING:
    from blue_tui.core.services import Services
    from blue_tui.core.sessions import Notification
    from screens.live import LiveHub


def problem_text(exc: BaseException) -> tuple[str, str]:
    """``(message, next step)`` for any failure: a BlueError's own words, else an internal error."""
    if isinstance(exc, BlueError):
        return exc.message, exc.hint or "press r to try again"
    return (
        f"internal error: {type(exc).__name__}: {exc}",
        "run `BLUE_DEBUG=1 blue-tui` from a terminal, and report it",
    )


#: A pane's first load takes the app's shared realm when it is at most this old (seconds).
SHARED_REALM_MAX_AGE = 30.0


class ErrorPanel(Static):
    """A pane's error state: what went wrong and the next step, never a traceback."""

    def show(self, exc: BaseException, *, doing: str) -> None:
        message, hint = problem_text(exc)
        text = Text()
        text.append(f"✗ {doing} failed\n", style="bold")
        text.append(message + "\n")
        text.append("next: ", style="bold")
        text.append(hint)
        text.append("\n(press r to try again)", style="dim")
        self.update(text)
        self.display = True


class FilterBar(Input):
    """``/``: filters the pane's list as you type; enter keeps it, escape clears it."""

    DEFAULT_CSS = """
    FilterBar { dock: bottom; display: none; }
    """


class Pane(Vertical):
    PANE_ID: ClassVar[str] = ""

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(id=id or f"pane-{self.PANE_ID}")
        self.services = services
        self.loaded = False
        self._realm_taken = False

    def compose_error(self) -> ComposeResult:
        panel = ErrorPanel("", classes="error-panel")
        panel.display = False
        yield panel

    @property
    def error_panel(self) -> ErrorPanel:
        return self.query_one(ErrorPanel)

    def show_error(self, exc: BaseException, *, doing: str) -> None:
        self.error_panel.show(exc, doing=doing)

    def hide_error(self) -> None:
        self.error_panel.display = False

    # ---- life cycle -------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called each time the pane is shown; the first time, its data starts loading."""
        if not self.loaded:
            self.loaded = True
            self.refresh_data()
        self.focus_main()

    def refresh_data(self) -> None:
        """Start loading the pane's data (every pane overrides it)."""
        raise NotImplementedError

    def realm_max_age(self) -> float:
        """How old (seconds) the app's shared realm may be for this pane's load: the first load
        takes the one loaded as the app started, when recent; a refresh (``r``) loads it again."""
        first, self._realm_taken = not self._realm_taken, True
        return SHARED_REALM_MAX_AGE if first else 0.0

    def main_widget(self) -> Widget | None:
        return None

    def subviews(self) -> dict[str | None, Widget | None]:
        """Sub-views open now (registry pane name -> widget), whose actions apply too."""
        return {}

    def live_changed(self, hub: LiveHub, what: str, fresh: list[Notification]) -> None:
        """sessions.db moved: ``what`` is ``sessions``, ``notifications`` (``fresh``: the new ones,
        newest first; empty after a full reload) or ``problem``. Panes that show it override this."""

    def focus_main(self) -> None:
        """Focus the pane's list, unless the pane is hidden (a load finishing after the user moved
        on must not pull the keyboard back)."""
        widget = self.main_widget()
        if self.display and widget is not None and widget.display:
            widget.focus()

    # ---- shared actions (the app forwards them here) -----------------------------------------------

    def action_refresh_pane(self) -> None:
        self.refresh_data()

    def filter_bar(self) -> FilterBar | None:
        found = self.query(FilterBar)
        return found.first() if found else None

    def action_filter(self) -> None:
        bar = self.filter_bar()
        if bar is None:
            return
        bar.display = True
        bar.focus()

    def apply_filter(self, text: str) -> None:
        """Narrow the pane's list to rows containing ``text`` (case-insensitive)."""

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBar):
            event.stop()
            self.apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterBar):
            event.stop()
            self.focus_main()

    def back(self) -> bool:
        """Escape: close the filter (clearing it); True when something was closed."""
        bar = self.filter_bar()
        if bar is not None and (bar.display or bar.value):
            bar.value = ""
            bar.display = False
            self.apply_filter("")
            self.focus_main()
            return True
        return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only hides every action that writes (from the footer, keys and palette)."""
        return not (self.services.read_only and any(a.writes and a.method == action for a in BY_ID.values()))
