"""The dialogues pane: the stored dialogues in a table; Enter opens one, decrypted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Markdown, Static

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_store import DialogueStore, DialogueSummary


def dialogue_markdown(doc: Mapping[str, Any]) -> str:
    """A dialogue.json document as Markdown for the detail view."""
    lines = [f"# {doc.get('title') or doc.get('id')}", ""]
    for key, label in (
        ("status", "Status"),
        ("date", "Date"),
        ("totalAlignment", "ALIGNMENT"),
        ("question", "Question"),
    ):
        if doc.get(key) not in (None, ""):
            lines.append(f"**{label}:** {doc[key]}  ")
    experts = [e for e in doc.get("experts", []) if isinstance(e, Mapping)]
    if experts:
        lines += ["", "## Panel", "", "| Expert | Role | Tier |", "|---|---|---|"]
        lines += [
            f"| {e.get('name') or e.get('slug')} | {e.get('role', '')} | {e.get('tier', '')} |"
            for e in experts
        ]
    for name, heading in (
        ("perspectives", "Perspectives"),
        ("tensions", "Tensions"),
        ("recommendations", "Recommendations"),
    ):
        members = [m for m in doc.get(name, []) if isinstance(m, Mapping)]
        if members:
            lines += ["", f"## {heading}", "", "| Id | Label | Status |", "|---|---|---|"]
            lines += [
                f"| {m.get('id', '')} | {m.get('label', '')} | {m.get('status', '')} |" for m in members
            ]
    return "\n".join(lines) + "\n"


class DialogueScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, store_factory: Callable[[], DialogueStore], dialogue_id: str) -> None:
        super().__init__()
        self.store_factory = store_factory
        self.dialogue_id = dialogue_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield LoadingIndicator()
        with VerticalScroll(id="detail"):
            yield Markdown(id="dialogue")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail").display = False
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from blue_tui.core.errors import BlueError

        try:
            doc = self.store_factory().open(self.dialogue_id).document
            text = dialogue_markdown(doc)
        except BlueError as exc:
            text = f"# Cannot open {self.dialogue_id}\n\n{exc.message}\n\n{exc.hint or ''}\n"
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.query_one(LoadingIndicator).display = False
        self.query_one("#detail").display = True
        self.query_one("#dialogue", Markdown).update(text)


class DialoguesScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "refresh", "Refresh")]

    def __init__(self, store_factory: Callable[[], DialogueStore]) -> None:
        super().__init__()
        self.store_factory = store_factory
        self.rows: list[DialogueSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="problem")
        yield LoadingIndicator()
        yield DataTable(id="dialogues", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "title", "status", "date", "rounds", "experts", "items")
        self.query_one("#problem").display = False
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one(LoadingIndicator).display = True
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from blue_tui.core.errors import BlueError

        try:
            rows = self.store_factory().list_dialogues()
        except BlueError as exc:
            message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
            self.app.call_from_thread(self._problem, message)
            return
        self.app.call_from_thread(self._fill, rows)

    def _problem(self, message: str) -> None:
        self.query_one(LoadingIndicator).display = False
        problem = self.query_one("#problem", Static)
        problem.update(message)
        problem.display = True

    def _fill(self, rows: list[DialogueSummary]) -> None:
        self.rows = rows
        self.query_one(LoadingIndicator).display = False
        self.query_one("#problem").display = False
        table = self.query_one(DataTable)
        table.clear()
        for d in rows:
            table.add_row(
                d.id,
                d.problem or d.title or "",
                d.status or "",
                d.date or "",
                str(d.rounds),
                str(d.experts),
                str(d.items),
                key=d.id,
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(DialogueScreen(self.store_factory, str(event.row_key.value)))
