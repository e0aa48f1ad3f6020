"""Modal screens: a confirmation (enter or y confirms, escape or n cancels: lazygit's keys), a
one-line prompt, an error screen that names the next step, and a results screen around
:class:`ResultTable`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.base import problem_text
from screens.result_table import Result, ResultTable


class ConfirmModal(ModalScreen[bool]):
    """Asks before an action that writes; True only on an explicit yes (enter or y)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes") -> None:
        super().__init__(classes="modal")
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"))
            if self.detail:
                yield Static(Text(self.detail))
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (enter)", id="yes", variant="warning")
                yield Button("Cancel (esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptModal(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__(classes="modal")
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question))
            yield Input(placeholder=self.placeholder, id="prompt")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorScreen(ModalScreen[None]):
    """What failed and the next step (the file and line, the command to run)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, exc: BaseException) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.exc = exc

    def compose(self) -> ComposeResult:
        message, hint = problem_text(self.exc)
        text = Text()
        text.append(f"✗ {self.title_text}\n\n", style="bold")
        text.append(message + "\n\n")
        text.append("next: ", style="bold")
        text.append(hint)
        text.append("\n\n(enter or escape to close)", style="dim")
        with Vertical(classes="dialog error-dialog"):
            yield Static(text, id="error-text")

    def action_close(self) -> None:
        self.dismiss(None)


class ResultsModal(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(
        self, title: str, results: Iterable[Result], *, item_label: str = "item", note: Text | None = None
    ) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.results = list(results)
        self.item_label = item_label
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            if self.note is not None and self.note.plain:
                yield Static(self.note, id="results-note", classes="results-note")
            yield ResultTable(item_label=self.item_label, id="results")
            yield Static(Text("enter or escape closes", style="dim"))

    def on_mount(self) -> None:
        table = self.query_one(ResultTable)
        table.set_results(self.results)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
