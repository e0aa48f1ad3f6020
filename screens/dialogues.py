"""Pane 3, dialogues: a sortable, filterable table; enter decrypts one in a worker (a loading
indicator if it takes a while) and shows it in the record view: header, panel, scores, perspectives and
tensions with statuses and contributors, verdicts, then every round (folded; enter unfolds).
A tampered or undecryptable dialogue shows its findings (which item, what kind) instead.

Opening streams: as soon as the first slice of the first page is decrypted, what it holds (the
header, warnings, the opening text) is drawn under a header that says it is being verified;
the verified view replaces it when the whole dialogue has been checked, or the findings do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, LoadingIndicator, Static

from blue_tui.core.errors import IntegrityError
from screens.base import FilterBar, Pane, problem_text
from screens.dialogue_import import import_files
from screens.dialogue_read import Opened, Reading, read_dialogue
from screens.keys import bindings_for
from screens.loads import Loads
from screens.modals import ConfirmModal, PromptModal, ResultsModal
from screens.record_view import RecordView
from screens.result_table import Result, ResultTable

if TYPE_CHECKING:
    from blue_tui.core.services import Services
    from blue_tui.core.store.dialogue_store import DialogueSummary

COLUMNS = ("title", "date", "status", "rounds", "experts", "alignment", "warnings")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return -1.0  # not known yet (the dialogue was not opened): sorts first


class DialoguesPane(Pane):
    PANE_ID = "dialogues"
    BINDINGS = bindings_for("dialogues")
    #: Seconds an open waits before the list gives way to the loading record view: a read that
    #: posts its first records sooner replaces the list in one frame (no flash of "loading").
    REVEAL_AFTER = 0.1

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(services, id=id)
        self.summaries: list[DialogueSummary] = []
        self.shown: list[DialogueSummary] = []
        self.sort_column = "date"
        self.sort_reverse = True
        self.list_loads: Loads[list[DialogueSummary]] = Loads(self, "dialogue-list")
        self.open_loads: Loads[Opened] = Loads(self, "dialogue-open")
        self.import_loads: Loads[tuple[list[Result], list[Any]]] = Loads(self, "dialogue-import")
        #: What opening a dialogue revealed, for the alignment and warnings columns of dialogues
        #: stored before their summary held them.
        self.known: dict[str, tuple[str, str]] = {}
        self.open_id: str | None = None
        #: The open dialogue's view is a preview: not verified yet.
        self.verifying = False
        self.reading_title = ""
        self._header_length = 0
        #: The record view has replaced the list for the dialogue being opened.
        self._revealed = False
        self._reveal_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="dialogues-summary", classes="pane-summary")
        yield from self.compose_error()
        yield LoadingIndicator(id="dialogues-loading")
        table: DataTable[Text] = DataTable(id="dialogue-list", cursor_type="row", zebra_stripes=True)
        table.display = False
        yield table
        with Vertical(id="record") as record:
            record.display = False
            yield Static("", id="record-header", classes="pane-summary")
            yield LoadingIndicator(id="record-loading")
            with Vertical(id="record-findings"):
                yield Static("", id="findings-text")
                yield ResultTable(item_label="item", id="findings")
            yield RecordView(id="record-view")
        yield FilterBar(placeholder="filter dialogues", id="dialogues-filter")

    def on_mount(self) -> None:
        table = self.query_one("#dialogue-list", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)

    def subviews(self) -> dict[str | None, Widget | None]:
        record = self.query_one(RecordView)
        return {"record": record} if self.query_one("#record").display and record.display else {}

    def main_widget(self) -> Widget | None:
        if self.query_one("#record").display:
            return self.query_one(RecordView)
        return self.query_one("#dialogue-list", DataTable)

    # ---- the list ---------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        if self.query_one("#record").display and self.open_id:
            self._open(self.open_id)
            return
        self.query_one("#dialogues-loading").display = True
        store = self.services.store
        self.list_loads.start(
            lambda: store().list_dialogues(), self._show_list, self._list_failed, description="list dialogues"
        )

    def _list_failed(self, exc: BaseException) -> None:
        self.query_one("#dialogues-loading").display = False
        self.query_one("#dialogue-list").display = False
        self.show_error(exc, doing="listing the dialogues")

    def _show_list(self, summaries: list[DialogueSummary]) -> None:
        self.summaries = summaries
        self.hide_error()
        self.query_one("#dialogues-loading").display = False
        self.query_one("#dialogue-list").display = not self.query_one("#record").display
        self._fill()
        self.focus_main()

    def _extras(self, d: DialogueSummary) -> tuple[str, str]:
        """Alignment and warnings: from the summary, else from opening the dialogue, else –."""
        opened = self.known.get(d.id, ("–", "–"))
        alignment = "–" if d.alignment is None else str(d.alignment)
        warnings = "–" if d.warnings is None else str(d.warnings)
        return (
            opened[0] if d.alignment is None else alignment,
            opened[1] if d.warnings is None else warnings,
        )

    def _cells(self, d: DialogueSummary) -> tuple[Text, ...]:
        alignment, warnings = self._extras(d)
        title = d.title or d.id
        if d.problem:
            title = f"✗ {d.problem}"
        return tuple(
            Text(v)
            for v in (title, d.date or "", d.status or "", str(d.rounds), str(d.experts), alignment, warnings)
        )

    def _fill(self) -> None:
        table = self.query_one("#dialogue-list", DataTable)
        keep = self._current_id()
        needle = self.query_one(FilterBar).value.strip().lower()
        rows = sorted(self.summaries, key=lambda d: d.id)
        rows.sort(key=self._sort_key(self.sort_column), reverse=self.sort_reverse)
        table.clear()
        self.shown = []
        for d in rows:
            cells = self._cells(d)
            if needle and needle not in " ".join(c.plain for c in cells).lower() and needle not in d.id:
                continue
            self.shown.append(d)
            table.add_row(*cells, key=d.id)
        arrow = "▼" if self.sort_reverse else "▲"
        self.query_one("#dialogues-summary", Static).update(
            Text(
                f"{len(self.shown)} of {len(self.summaries)} dialogues · sorted by {self.sort_column} {arrow}"
                + (f" · filter: {needle}" if needle else "")
            )
        )
        ids = [d.id for d in self.shown]
        if ids:
            table.move_cursor(row=ids.index(keep) if keep in ids else 0)

    def _sort_key(self, column: str) -> Callable[[DialogueSummary], Any]:
        if column in ("rounds", "experts"):
            return lambda d: getattr(d, column)
        if column in ("alignment", "warnings"):
            index = 0 if column == "alignment" else 1
            return lambda d: _number(self._extras(d)[index])
        return lambda d: (getattr(d, column) or "").lower()

    def _current_id(self) -> str | None:
        table = self.query_one("#dialogue-list", DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(value) if value is not None else None

    def apply_filter(self, text: str) -> None:
        self._fill()

    def action_sort(self) -> None:
        self.sort_column = COLUMNS[(COLUMNS.index(self.sort_column) + 1) % len(COLUMNS)]
        self._fill()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._fill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self._fill()

    # ---- one dialogue -----------------------------------------------------------------------------

    def action_open(self) -> None:
        ident = self._current_id()
        if ident is not None and not self.query_one("#record").display:
            self._open(ident)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "dialogue-list":
            event.stop()
            self.action_open()

    def _open(self, ident: str) -> None:
        store = self.services.store
        # the worker first: its thread starts reading while the screen is laid out for it
        self.open_loads.stream(
            lambda channel: read_dialogue(store().open, ident, channel),
            self._show_reading,
            self._show_record,
            self._open_failed,
            description=f"open {ident}",
        )
        self.open_id = ident
        self.verifying = True
        self._header_length = 0
        self._revealed = False
        if self._reveal_timer is not None:
            self._reveal_timer.stop()
            self._reveal_timer = None
        if self.query_one("#record").display:  # `r` on an open dialogue: read it again in place
            self._reveal()
        else:
            self._reveal_timer = self.set_timer(self.REVEAL_AFTER, self._reveal, name="reveal the record")

    def _reveal(self) -> None:
        """The list gives way to the record view (empty, with its loading indicator) and its
        header; called by the first thing the read posts, or after REVEAL_AFTER."""
        if self._revealed or self.open_id is None:
            return
        self._revealed = True
        if self._reveal_timer is not None:
            self._reveal_timer.stop()
            self._reveal_timer = None
        self.query_one("#dialogue-list").display = False
        self.query_one("#dialogues-summary").display = False
        self.query_one("#record").display = True
        self.query_one("#record-loading").display = True
        # focused with the layout, not when the records come (a focus move restyles the pane)
        record = self.query_one(RecordView)
        record.clear()
        record.display = True
        record.focus()
        self.query_one("#record-findings").display = False
        known = next((d for d in self.summaries if d.id == self.open_id), None)
        preview = (
            f"{known.title or self.open_id} · {known.status or '?'} · {known.date or 'no date'} · "
            f"{known.rounds} rounds · {known.experts} experts · {known.items} items"
            if known
            else f"dialogue {self.open_id}"
        )
        self.query_one("#record-header", Static).update(Text(f"{preview} · decrypting and verifying…"))
        self.refresh_bindings()

    def _show_reading(self, reading: Reading) -> None:
        """A preview of the first records (drawn once), then progress; never marked verified."""
        self._reveal()
        record = self.query_one(RecordView)
        if reading.view is not None and reading.lines is not None:
            self.reading_title = reading.view.title
            self.query_one("#record-loading").display = False
            record.show(reading.view, reading.lines, keep_place=True)
            if not record.has_focus:
                record.focus()
        if not record.lines:
            return  # no preview (yet): the loading indicator stays
        total = f"{reading.records_total:,}" if reading.records_total is not None else "?"
        header = Text()
        header.append("⧗ VERIFYING", style="bold reverse")
        header.append(
            f" {self.reading_title} · {self.open_id} · {reading.records_read:>{len(total)},} of {total}"
            " records read · nothing shown is verified yet"
        )
        # only the count changes (padded to the total's width): no new layout for it
        shown = self.query_one("#record-header", Static)
        shown.update(header, layout=len(header) != self._header_length)
        self._header_length = len(header)

    def _show_record(self, result: Opened) -> None:
        self._reveal()
        self.verifying = False
        opened, view = result.opened, result.view
        doc = opened.document
        warnings = doc.get("warnings")
        self.known[opened.id] = (
            str(doc.get("totalAlignment", "–")),
            str(len(warnings)) if isinstance(warnings, list) else "0",
        )
        self.query_one("#record-loading").display = False
        self.query_one("#record-findings").display = False
        record = self.query_one(RecordView)
        record.display = True
        self.query_one("#record-header", Static).update(
            Text(
                f"{view.title} · {opened.id} · generation {opened.generation} · {opened.items} items · key {opened.key_id}"
            )
        )
        record.show(view, result.lines, keep_place=True)
        if not record.has_focus:
            record.focus()

    def _open_failed(self, exc: BaseException) -> None:
        self._reveal()
        self.verifying = False
        self.query_one(RecordView).clear()
        self.query_one("#record-loading").display = False
        self.query_one("#record-view").display = False
        self.query_one("#record-findings").display = True
        message, hint = problem_text(exc)
        text = Text()
        table = self.query_one("#findings", ResultTable)
        if isinstance(exc, IntegrityError):
            text.append(f"✗ dialogue {self.open_id} failed verification: none of it is shown\n", style="bold")
            table.set_results(Result(p.sk, p.kind, p.message) for p in exc.problems)
            table.display = True
        else:
            text.append(f"✗ cannot open dialogue {self.open_id}\n", style="bold")
            text.append(message + "\n")
            table.display = False
        text.append("next: ", style="bold")
        text.append(hint)
        self.query_one("#findings-text", Static).update(text)
        self.query_one("#record-header", Static).update(Text(f"dialogue {self.open_id}"))
        table.focus()

    def back(self) -> bool:
        if super().back():
            return True
        if self.query_one("#record").display or self.open_id is not None:
            self.open_loads.cancel()
            self.open_id = None
            self.verifying = False
            self.query_one(RecordView).clear()  # a big dialogue's lines are freed now, not on the next open
            self.query_one("#record").display = False
            self.query_one("#dialogue-list").display = True
            self.query_one("#dialogues-summary").display = True
            self._fill()
            self.focus_main()
            self.refresh_bindings()
            return True
        return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialogue is open, the list's own actions step aside (and leave the footer)."""
        if action in ("sort", "reverse", "open") and self.query_one("#record").display:
            return False
        return super().check_action(action, parameters)

    # ---- import (writes) ----------------------------------------------------------------------------

    def action_import_files(self) -> None:
        if self.services.read_only:
            return
        self.app.push_screen(
            PromptModal("Import dialogue files (a file or a folder):", "path/to/dialogue.json"),
            self._import_path,
        )

    def _import_path(self, raw: str | None, *, replace: bool = False) -> None:
        if not raw:
            return
        store = self.services.store

        def work() -> tuple[list[Result], list[Any]]:
            return import_files(store(), raw, replace=replace)

        def done(outcome: tuple[list[Result], list[Any]]) -> None:
            results, changed = outcome
            self.app.push_screen(ResultsModal(f"Imported from {raw}", results, item_label="dialogue"))
            if changed:
                question = f"Replace {len(changed)} stored dialogue(s) whose content changed?"
                self.app.push_screen(
                    ConfirmModal(question, "The stored version is replaced by the file's.", yes="Replace"),
                    lambda yes: self._import_path(raw, replace=True) if yes else None,
                )
            self.refresh_data()

        def failed(exc: BaseException) -> None:
            message, hint = problem_text(exc)
            self.app.notify(f"{message}\nnext: {hint}", title="import failed", severity="error", markup=False)

        self.import_loads.start(work, done, failed, description="import")
