"""``?``: every action with its current keys, by pane, from the one action registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from blue_tui.core.actions import ACTIONS, PANES

SUBVIEW_TITLES = {"record": "Dialogue record (after enter)"}


def key_text(keys: tuple[str, ...]) -> str:
    return ", ".join(format_key(k) for k in keys)


def help_table(keymap: Mapping[str, tuple[str, ...]], *, read_only: bool) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
    table.add_column("keys", no_wrap=True)
    table.add_column("does")
    table.add_column("action id (for config.yaml)", style="dim", no_wrap=True)
    groups: list[tuple[str | None, str]] = [(None, "Everywhere")]
    groups += [(p.id, f"{p.number} {p.title}") for p in PANES]
    groups += list(SUBVIEW_TITLES.items())
    for pane, title in groups:
        actions = [a for a in ACTIONS if a.pane == pane and not (read_only and a.writes)]
        if not actions:
            continue
        table.add_row(Text(title, style="bold underline"), "", "")
        for a in actions:
            table.add_row(
                Text(key_text(keymap.get(a.id, a.keys))),
                Text(a.description + ("  (writes)" if a.writes else "")),
                Text(a.id),
            )
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q,f1", "close", "Close")]

    def __init__(self, keymap: Mapping[str, tuple[str, ...]], *, read_only: bool, note: str = "") -> None:
        super().__init__(classes="modal")
        self.keymap = keymap
        self.read_only = read_only
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help-dialog"):
            title = Text("blue-tui keys", style="bold")
            if self.read_only:
                title.append("  (read-only: actions that write are hidden)", style="dim")
            yield Static(title)
            yield Static(help_table(self.keymap, read_only=self.read_only), id="help-table")
            yield Static(
                Text(
                    self.note
                    or "Remap keys in $BLUE_HOME/config.yaml (see docs/DASHBOARD.md). escape closes.",
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
