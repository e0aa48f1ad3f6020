"""The footer: the focused screen's keys on one line, drawn by one widget.

Textual's ``Footer`` recomposes, one widget per key, each time the screen's bindings are
published: every focus move, every ``refresh_bindings``. Opening a dialogue does that two or
three times, ~150 ms of event-loop time taken from the worker that reads the store (issue 11).
Here the keys are one line of text, remade only when what it shows has changed.

Looks like Textual's footer (its colours), with two differences a narrow terminal needs: when the
keys do not fit they lose their padding and then end in ``…``, and the command palette's key
stays on the right whatever it is remapped to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

PALETTE_ACTION = "command_palette"


@dataclass(frozen=True)
class Entry:
    """One key as shown: ``key`` is what pressing it sends, ``label`` how it is written."""

    key: str
    label: str
    description: str
    enabled: bool
    tooltip: str


@dataclass(frozen=True)
class Span:
    """Where an entry was drawn (columns ``start`` to ``end``, end excluded)."""

    start: int
    end: int
    entry: Entry


def entries_of(screen: Screen[object]) -> tuple[tuple[Entry, ...], Entry | None]:
    """The keys the footer shows for ``screen`` (one per action, in binding order), and the
    command palette's key apart."""
    shown: dict[str, Entry] = {}
    palette: Entry | None = None
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.action == PALETTE_ACTION and palette is None:
            palette = Entry(
                binding.key, screen.app.get_key_display(binding), "Command palette", active.enabled, ""
            )
        if not binding.show or binding.action in shown:
            continue
        shown[binding.action] = Entry(
            binding.key,
            screen.app.get_key_display(binding),
            binding.description,
            active.enabled,
            active.tooltip or binding.tooltip or "",
        )
    if not screen.app.ENABLE_COMMAND_PALETTE:
        palette = None
    return tuple(shown.values()), palette


class KeyFooter(Widget, can_focus=False):
    """The active bindings of this widget's screen; a click on a key presses it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--separator",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover {
            background: $block-hover-background;
        }
        & > .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: tuple[Entry, ...] = ()
        self.palette: Entry | None = None
        self.spans: list[Span] = []
        self._hover: Entry | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        entries, palette = entries_of(screen)
        if (entries, palette) != (self.entries, self.palette):
            self.entries, self.palette = entries, palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        description_style = self.get_component_rich_style("key-footer--description", partial=True)
        hover_style = self.get_component_rich_style("key-footer--hover", partial=True)
        width = self.size.width
        tail = Text()
        if self.palette is not None:
            tail.append("▏", self.get_component_rich_style("key-footer--separator"))
            tail.append(self.palette.label, key_style)
            tail.append(f" {self.palette.description} ", description_style)
        room = width - tail.cell_len
        # padded as Textual's footer pads (" q Quit "), or compact ("q Quit ") when that does not fit
        padded = sum(cell_len(e.label) + cell_len(e.description) + 3 for e in self.entries) <= room
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        self.spans = []
        for entry in self.entries:
            start = line.cell_len
            key = f" {entry.label} " if padded else entry.label
            description = f"{entry.description} " if padded else f" {entry.description} "
            line.append(key, key_style)
            line.append(description, description_style)
            if not entry.enabled:
                line.stylize("dim", start)
            if entry is self._hover:
                line.stylize(hover_style, start)
            self.spans.append(Span(start, line.cell_len, entry))
        if line.cell_len > room:
            line.truncate(max(room, 0), overflow="ellipsis")
            self.spans = [s for s in self.spans if s.end < room]
        line.pad_right(max(room - line.cell_len, 0))
        if self.palette is not None:
            self.spans.append(Span(line.cell_len + 1, line.cell_len + tail.cell_len, self.palette))
        line.append_text(tail)
        return line

    def entry_at(self, x: int) -> Entry | None:
        return next((s.entry for s in self.spans if s.start <= x < s.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self.entry_at(event.x)
        if entry is not self._hover:
            self._hover = entry
            self.tooltip = (entry.tooltip or entry.description) if entry else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self.entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
