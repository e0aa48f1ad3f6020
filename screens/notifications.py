"""Pane 5, notifications: contract changes in this repo's domains (the whole realm outside a
member repo), newest first. Breaking ones are marked ``✗ BREAKING``; pending ones are bold, seen
and expired ones grey. ``a`` acknowledges the selected one, ``A`` every pending one (for this
repo, or for this dashboard's session outside a member repo); both write, so ``--read-only``
hides them. New notifications arrive from the change watcher and are added at the top in
batches; when another pane is on screen the hub shows a toast instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Static

from blue_tui.core.sessions.model import ago, iso
from screens.base import FilterBar, Pane
from screens.keys import bindings_for

if TYPE_CHECKING:
    from blue_tui.core.services import Services
    from blue_tui.core.sessions import Notification
    from screens.live import LiveHub

COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("mark", " ", 1),
    ("id", "#", 5),
    ("change", "change", 10),
    ("contract", "contract", 30),
    ("versions", "versions", 16),
    ("from", "from", 12),
    ("age", "age", 8),
    ("state", "state", 8),
    ("summary", "summary", None),
)


Cell = tuple[str, str]  # (text, style)


def _cells(note: Notification, now: float) -> tuple[Cell, ...]:
    style = "bold" if note.state == "pending" else "dim"
    mark = "✗" if note.breaking else "●" if note.state == "pending" else "·"
    change = "BREAKING" if note.breaking else note.change_type
    versions = f"{note.from_version} -> {note.to_version}" if note.from_version else note.to_version
    return (
        (mark, "bold" if note.breaking else style),
        (str(note.id), style),
        (change, "bold reverse" if note.breaking and note.state == "pending" else style),
        (f"{note.domain}/{note.contract}", style),
        (versions, style),
        (note.from_repo or "—", style),
        (_age(now - note.created_at), style),
        (note.state, style),
        (note.summary, "" if note.state == "pending" else "dim"),
    )


def _age(seconds: float) -> str:
    """Minutes at the finest: a row's text (and so the table) does not change every second."""
    return "just now" if seconds < 60 else ago(seconds)


def _text(cell: Cell) -> Text:
    return Text(cell[0], style=cell[1])  # from sessions.db: never markup


class NotificationsPane(Pane):
    PANE_ID = "notifications"
    BINDINGS = bindings_for("notifications")
    #: New rows are added at most this often: every change to the table redraws all its visible
    #: cells, so 100 notifications/s must not mean 100 redraws/s.
    FLUSH_EVERY: ClassVar[float] = 1.0

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(services, id=id)
        self.shown: dict[int, Notification] = {}
        #: What each row shows now, by notification id (the diff is against this).
        self.cells: dict[int, tuple[Cell, ...]] = {}
        self.waiting: list[Notification] = []
        self._flush_timer: Timer | None = None
        self._stale = True
        self.flushes = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="notifications-summary", classes="pane-summary")
        yield from self.compose_error()
        yield DataTable(id="notification-list", cursor_type="row", zebra_stripes=False)
        yield Static("", id="notification-details", classes="details")
        yield FilterBar(placeholder="filter notifications", id="notifications-filter")

    def on_mount(self) -> None:
        table = self.query_one("#notification-list", DataTable)
        for key, title, width in COLUMNS:
            table.add_column(title, key=key, width=width)

    def main_widget(self) -> Widget | None:
        return self.query_one("#notification-list", DataTable)

    @property
    def hub(self) -> LiveHub:
        from screens.live import LiveHub

        return self.app.query_one(LiveHub)

    def activate(self) -> None:
        self.loaded = True
        if self._stale:
            self.fill()
        else:
            self.flush()
        self.focus_main()

    def refresh_data(self) -> None:
        self.hub.reload_notifications()

    def live_changed(self, hub: LiveHub, what: str, fresh: list[Notification]) -> None:
        if what == "problem" or (what == "notifications" and not fresh):
            self._stale = True
            self.waiting.clear()
            if self.display:
                self.fill()
        elif what == "notifications":
            self.waiting[:0] = fresh
            if self.display and self._flush_timer is None:
                self._flush_timer = self.set_timer(self.FLUSH_EVERY, self.flush)

    # ---- drawing ------------------------------------------------------------------------------------

    def fill(self) -> None:
        """Bring the table in line with the hub's list by notification id (first show, after
        acknowledgements, a purge, a filter): only changed cells are written, inside one batch."""
        hub = self.hub
        table = self.query_one("#notification-list", DataTable)
        self._stale = False
        self.waiting.clear()
        if hub.problem is not None:
            table.display = False
            self.query_one("#notification-details").display = False
            self.show_error(hub.problem, doing="reading sessions.db")
            return
        self.hide_error()
        table.display = True
        self.query_one("#notification-details").display = True
        keep = self._current_id()
        at_top = table.cursor_row <= 0
        now = hub.now()
        needle = self._needle()
        wanted: dict[int, tuple[Notification, tuple[Cell, ...]]] = {}
        for note in hub.notifications:
            cells = _cells(note, now)
            if not needle or needle in " ".join(c[0] for c in cells).lower():
                wanted[note.id] = (note, cells)
        added = False
        with self.app.batch_update():
            for ident in [i for i in self.shown if i not in wanted]:
                table.remove_row(str(ident))
                del self.shown[ident], self.cells[ident]
            for ident, (note, cells) in wanted.items():
                old = self.cells.get(ident)
                if old is None:
                    table.add_row(*(_text(c) for c in cells), key=str(ident))
                    added = True
                else:
                    for (column, _, _), was, cell in zip(COLUMNS, old, cells, strict=True):
                        if was != cell:
                            table.update_cell(str(ident), column, _text(cell))
                self.shown[ident], self.cells[ident] = note, cells
            if added:
                table.sort("id", key=lambda cell: -int(cell.plain))
            self._restore(table, None if at_top and added else keep)
        self._summary()
        self._details()

    def flush(self) -> None:
        """Add the notifications that arrived since the last flush at the top."""
        self._flush_timer = None
        if not self.waiting:
            return
        if self._stale:
            self.fill()
            return
        table = self.query_one("#notification-list", DataTable)
        fresh, self.waiting = self.waiting, []
        keep = self._current_id()
        at_top = table.cursor_row <= 0
        now = self.hub.now()
        needle = self._needle()
        with self.app.batch_update():
            for note in reversed(fresh):
                cells = _cells(note, now)
                if note.id in self.shown or (needle and needle not in " ".join(c[0] for c in cells).lower()):
                    continue
                table.add_row(*(_text(c) for c in cells), key=str(note.id))
                self.shown[note.id], self.cells[note.id] = note, cells
            for ident in sorted(self.shown)[: max(0, len(self.shown) - self.hub.KEEP)]:
                table.remove_row(str(ident))
                del self.shown[ident], self.cells[ident]
            table.sort("id", key=lambda cell: -int(cell.plain))
            self._restore(table, None if at_top else keep)
        self.flushes += 1
        self._summary()
        self._details()

    def _restore(self, table: DataTable[Text], keep: int | None) -> None:
        if keep is not None and keep in self.shown:
            table.move_cursor(row=table.get_row_index(str(keep)))
        elif table.row_count:
            table.move_cursor(row=0)

    def _needle(self) -> str:
        return self.query_one(FilterBar).value.strip().lower()

    def _summary(self) -> None:
        hub = self.hub
        notes = hub.notifications
        pending = [n for n in notes if n.state == "pending"]
        breaking = sum(n.breaking for n in pending)
        text = Text()
        viewer = hub.viewer
        who = f"repo {viewer.repo}" if viewer and viewer.repo else "this dashboard"
        text.append(f"{len(pending)} pending", style="bold")
        if breaking:
            text.append(f" ({breaking} breaking)", style="bold")
        text.append(f" · {len(notes) - len(pending)} seen or expired · for {who}")
        if len(self.shown) < len(notes):
            text.append(f" · showing {len(self.shown)}")
        if not hub.ready and hub.problem is None:
            text.append(" · connecting…")
        self.query_one("#notifications-summary", Static).update(text)

    def _current_id(self) -> int | None:
        table = self.query_one("#notification-list", DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(value) if value is not None else None

    def _details(self) -> None:
        ident = self._current_id()
        note = self.shown.get(ident) if ident is not None else None
        text = Text()
        if note is not None:
            text.append(note.headline + "\n", style="bold")
            for label, value in (
                ("summary", note.summary or "—"),
                ("realm", note.realm),
                ("commit", note.commit or "—"),
                ("posted", iso(note.created_at) or "—"),
                ("expires", iso(note.expires_at) or "—"),
                ("acknowledged by", ", ".join(note.acked_by) or "nobody yet"),
            ):
                text.append(f"{label}: ", style="bold")
                text.append(f"{value}\n")
        self.query_one("#notification-details", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "notification-list":
            self._details()

    def apply_filter(self, text: str) -> None:
        self.fill()

    # ---- acknowledging (writes) -----------------------------------------------------------------------

    def action_ack(self) -> None:
        if self.services.read_only:
            return
        ident = self._current_id()
        note = self.shown.get(ident) if ident is not None else None
        if note is None or note.state != "pending":
            self.app.notify("nothing to acknowledge here (it is not pending)", timeout=3)
            return
        self.hub.acknowledge([note.id], self._acked)

    def action_ack_all(self) -> None:
        if self.services.read_only:
            return
        self.hub.acknowledge(None, self._acked)

    def _acked(self, ids: list[int]) -> None:
        self.app.notify(
            f"acknowledged {len(ids)} notification(s)" if ids else "nothing was pending", timeout=3
        )
