"""The realm workflows' modals: a menu (lazygit's ``w``: enter picks, escape closes) and the
per-repo progress of a running workflow (escape asks it to stop after the current step; a
cancelled worktree run rolls back what it created)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from blue_tui.core.realm.runs import Step


class MenuModal(ModalScreen[str | None]):
    """Pick one of ``(id, label)``; returns the id, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Close")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, note: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.choices = list(choices)
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            if self.note:
                yield Static(Text(self.note))
            yield OptionList(*(Option(Text(label), id=ident) for ident, label in self.choices), id="menu")
            yield Static(Text("enter picks, escape closes", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProgressModal(ModalScreen[None]):
    """One row per repo with its latest step; the workflow dismisses it when it ends."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Stop")]

    def __init__(self, title: str, cancel: threading.Event) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.cancel = cancel
        self.steps: list[Step] = []
        self._mounted = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), id="progress-title")
            yield LoadingIndicator(id="progress-spinner")
            table: DataTable[Text] = DataTable(id="progress", cursor_type="none", zebra_stripes=False)
            for column in ("repo", "step", "of", "detail"):
                table.add_column(column, key=column)
            yield table
            yield Static(Text("escape stops after the current step", style="dim"), id="progress-hint")

    def on_mount(self) -> None:
        self._mounted = True
        for step in self.steps:  # those that came before this screen was mounted
            self._show(step)

    def step(self, step: Step) -> None:
        """A progress event (the workflow hands it over from its thread, maybe before mount)."""
        self.steps.append(step)
        if self._mounted:
            self._show(step)

    def _show(self, step: Step) -> None:
        table = self.query_one("#progress", DataTable)
        key = step.repo or "(all)"
        cells = (
            Text(key),
            Text(step.step),
            Text(f"{step.index}/{step.total}" if step.total else ""),
            Text(step.detail),
        )
        if key in {str(k.value) for k in table.rows}:
            for column, cell in zip(("repo", "step", "of", "detail"), cells, strict=True):
                table.update_cell(key, column, cell, update_width=True)
        else:
            table.add_row(*cells, key=key)

    def action_cancel(self) -> None:
        if not self.cancel.is_set():
            self.cancel.set()
            self.query_one("#progress-hint", Static).update(
                Text("stopping after the current step (what this run created is rolled back)…", style="bold")
            )
