"""Pane 4, sessions: who works in this realm on this machine (or on another one sharing the
folder), live. Each row is updated in place, by session id, inside ``batch_update()`` (Dolphie's
keyed diff): only the cells that changed are written. A session that missed a heartbeat is
greyed (``late``); one that left (deregistered, or reaped once stale) stays greyed for a few
seconds before its row goes. The selected session's details are below the table.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable, Static

from blue_tui.core.sessions.model import HEARTBEAT_INTERVAL, LATE_AFTER, STALE_AFTER, ago, iso
from screens.base import FilterBar, Pane
from screens.keys import bindings_for

if TYPE_CHECKING:
    from blue_tui.core.services import Services
    from blue_tui.core.sessions import Notification, Session
    from screens.live import LiveHub

#: (column key, title, width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mark", " ", 1),
    ("repo", "repo", 16),
    ("kind", "kind", 9),
    ("activity", "activity", 40),
    ("heartbeat", "heartbeat", 14),
    ("started", "started", 8),
)
MARKS = {"active": "●", "late": "◌", "left": "✗"}
Cell = tuple[str, str]  # (text, style)


class SessionsPane(Pane):
    PANE_ID = "sessions"
    BINDINGS = bindings_for("sessions")
    #: Seconds a session that left stays greyed before its row is removed.
    LINGER: ClassVar[float] = 3.0

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(services, id=id)
        #: What each row shows now, by session id (the diff is against this).
        self.cells: dict[str, tuple[Cell, ...]] = {}
        #: The last known state of every row's session (a row that left keeps its last one).
        self.known: dict[str, Session] = {}
        #: Session id -> when (time.monotonic) it was first seen gone.
        self.gone: dict[str, float] = {}
        self.updates = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="sessions-summary", classes="pane-summary")
        yield from self.compose_error()
        table: DataTable[Text] = DataTable(id="session-list", cursor_type="row", zebra_stripes=False)
        yield table
        yield Static("", id="session-details", classes="details")
        yield FilterBar(placeholder="filter sessions", id="sessions-filter")

    def on_mount(self) -> None:
        table = self.query_one("#session-list", DataTable)
        for key, title, width in COLUMNS:
            table.add_column(title, key=key, width=width)

    def main_widget(self) -> Widget | None:
        return self.query_one("#session-list", DataTable)

    @property
    def hub(self) -> LiveHub:
        from screens.live import LiveHub

        return self.app.query_one(LiveHub)

    def activate(self) -> None:
        self.loaded = True
        self.render_sessions()
        self.focus_main()
        self.hub.look_now()  # ages move from here on (the hub looks every second while shown)

    def refresh_data(self) -> None:
        self.hub.look_now()

    def live_changed(self, hub: LiveHub, what: str, fresh: list[Notification]) -> None:
        if what in ("sessions", "problem") and self.display:
            self.render_sessions()

    # ---- drawing ------------------------------------------------------------------------------------

    def _cells(self, s: Session, *, now: float, left: bool, you: bool) -> tuple[Cell, ...]:
        state = "left" if left else s.state
        style = "" if state == "active" else "dim"
        if left:
            beat = "left" if s.state == "active" else "stale"
        else:
            beat = f"{ago(s.heartbeat_age)} ago" + (" · late" if s.state == "late" else "")
        repo = (s.repo or "—") + (" (you)" if you else "")
        return (
            (MARKS[state], style),
            (repo, "bold" if you and not left else style),
            (s.kind, style),
            (s.activity, style),
            (beat, style),
            (ago(max(0.0, now - s.started_at)), style),
        )

    def render_sessions(self) -> None:
        hub = self.hub
        table = self.query_one("#session-list", DataTable)
        if hub.problem is not None:
            table.display = False
            self.query_one("#session-details").display = False
            self.show_error(hub.problem, doing="reading sessions.db")
            return
        self.hide_error()
        table.display = True
        self.query_one("#session-details").display = True
        now, mono = hub.now(), time.monotonic()
        live = {s.id: s for s in hub.sessions}
        for ident in list(self.known):
            if ident not in live and ident not in self.gone:
                self.gone[ident] = mono
        for ident, s in live.items():
            self.known[ident] = s
            self.gone.pop(ident, None)
        for ident in [i for i, since in self.gone.items() if mono - since >= self.LINGER]:
            del self.gone[ident], self.known[ident]
        needle = self.query_one(FilterBar).value.strip().lower()
        me = hub.me.id if hub.me else None
        keep = self._current_id()
        with self.app.batch_update():
            for ident in [i for i in self.cells if i not in self.known]:
                table.remove_row(ident)
                del self.cells[ident]
            for ident, s in self.known.items():
                cells = self._cells(s, now=now, left=ident in self.gone, you=ident == me)
                if needle and needle not in " ".join(c[0] for c in cells).lower() and needle not in ident:
                    if ident in self.cells:
                        table.remove_row(ident)
                        del self.cells[ident]
                    continue
                old = self.cells.get(ident)
                if old is None:
                    table.add_row(*(Text(t, style=st) for t, st in cells), key=ident)
                else:
                    for (key, _, _), was, cell in zip(COLUMNS, old, cells, strict=True):
                        if was != cell:
                            table.update_cell(ident, key, Text(cell[0], style=cell[1]))
                            self.updates += 1
                self.cells[ident] = cells
            if keep in self.cells:
                table.move_cursor(row=table.get_row_index(keep))
        self._summary(now)
        self._details()

    def _summary(self, now: float) -> None:
        hub = self.hub
        late = sum(s.state == "late" for s in hub.sessions)
        text = Text()
        text.append(f"realm {hub.where.realm}" if hub.where.realm else "every realm", style="bold")
        text.append(f" · {len(hub.sessions)} live" + (f" ({late} late)" if late else ""))
        if self.gone:
            text.append(f" · {len(self.gone)} left")
        text.append(
            f" · heartbeat every {HEARTBEAT_INTERVAL:g} s, late after {LATE_AFTER:g} s, gone after {STALE_AFTER:g} s"
        )
        if not hub.ready and hub.problem is None:
            text.append(" · connecting…")
        self.query_one("#sessions-summary", Static).update(text)

    def _current_id(self) -> str | None:
        table = self.query_one("#session-list", DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(value) if value is not None else None

    def _details(self) -> None:
        from blue_tui.core.sessions.liveness import this_host

        ident = self._current_id()
        s = self.known.get(ident) if ident else None
        text = Text()
        if s is not None:
            host = "this machine" if s.host == this_host() else s.host
            for label, value in (
                ("session", s.id + ("  (this dashboard)" if self.hub.me and s.id == self.hub.me.id else "")),
                ("process", f"pid {s.pid} on {host}"),
                ("command", s.command or "—"),
                ("domains", ", ".join(s.active_domains) or "—"),
                ("worktree", s.worktree or "—"),
                ("rfc", s.rfc or "—"),
                ("user", s.user or "—"),
                ("started", iso(s.started_at) or "—"),
                ("heartbeat", iso(s.last_heartbeat) or "—"),
            ):
                text.append(f"{label}: ", style="bold")
                text.append(f"{value}\n")
            if ident in self.gone:
                text.append("left: its row goes in a moment\n", style="dim")
        self.query_one("#session-details", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "session-list":
            self._details()

    def apply_filter(self, text: str) -> None:
        self.render_sessions()

    def action_details(self) -> None:
        self.query_one("#session-details").scroll_visible()
