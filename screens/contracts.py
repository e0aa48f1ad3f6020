"""Pane 2, contracts: by domain; the selected one's two versions side by side (latest vs
previous, or any two from history), the checker's verdict per direction with every change's
rule id, message, ``disputed`` mark and counterexample, and below, the can-i-merge matrix of its
importers, as ``blue realm status --matrix`` computes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Label, LoadingIndicator, Select, Static

from blue_tui.core.realm.contract_view import ContractDiff, ContractRow
from screens.base import FilterBar, Pane
from screens.diff_view import DiffView
from screens.keys import bindings_for
from screens.loads import Loads

VERDICT_MARK = {True: "✓ compatible", False: "✗ BREAKS", None: "? unknown"}
CELL_MARK = {
    "ok": "✓ ok",
    "breaks": "✗ breaks",
    "unknown": "? unknown",
    "pending": "… pending",
    "excluded": "— excluded",
}

if TYPE_CHECKING:
    from pathlib import Path

    from blue_tui.core.realm.history import ContractHistory
    from blue_tui.core.realm.model import Realm
    from blue_tui.core.services import Services


@dataclass
class RealmContracts:
    realm: Realm
    history: ContractHistory
    cache_path: Path
    rows: list[ContractRow]


@dataclass
class Selected:
    row: ContractRow
    versions: list[str]
    old: str
    new: str
    diff: ContractDiff
    matrix: dict[str, Any] | None


def load_contracts(pane: ContractsPane, *, max_age: float) -> RealmContracts:
    """Worker thread: the realm (the app's shared load, when at most ``max_age`` seconds old),
    its contracts and their history."""
    from blue_tui.core.realm.cache import cache_path_for
    from blue_tui.core.realm.contract_view import contract_rows
    from blue_tui.core.realm.history import ContractHistory

    located, realm = pane.services.shared_realm(max_age=max_age)
    return RealmContracts(realm, ContractHistory(realm), cache_path_for(located), contract_rows(realm))


def load_selected(data: RealmContracts, row: ContractRow, pair: tuple[str, str] | None) -> Selected:
    from blue_tui.core.realm.cache import Cache
    from blue_tui.core.realm.contract_view import default_pair, diff, matrix, versions

    known = versions(data.realm, data.history, row.domain, row.name)
    old, new = pair if pair and pair[0] in known and pair[1] in known else default_pair(known)
    with Cache(data.cache_path) as cache:
        found = matrix(data.realm, row.domain, row.name, cache=cache)
    return Selected(
        row, known, old, new, diff(data.realm, data.history, row.domain, row.name, old, new), found
    )


class ContractsPane(Pane):
    PANE_ID = "contracts"
    BINDINGS = bindings_for("contracts")

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(services, id=id)
        self.data: RealmContracts | None = None
        self.selected: Selected | None = None
        self.loads: Loads[RealmContracts] = Loads(self, "contracts-load")
        self.detail_loads: Loads[Selected] = Loads(self, "contract-detail")
        self._setting_versions = False

    def compose(self) -> ComposeResult:
        yield Static("", id="contracts-summary", classes="pane-summary")
        yield from self.compose_error()
        yield LoadingIndicator(id="contracts-loading")
        with Horizontal(id="contracts-body", classes="pane-body") as body:
            body.display = False
            yield DataTable(id="contract-list", cursor_type="row")
            with Vertical(id="contract-main"):
                with Horizontal(id="version-pick"):
                    yield Label("from ")
                    yield Select[str]([], id="from-version", allow_blank=True, prompt="version")
                    yield Label(" to ")
                    yield Select[str]([], id="to-version", allow_blank=True, prompt="version")
                with Horizontal(id="diff-row"):
                    yield DiffView(id="diff")
                    with VerticalScroll(id="verdict"):
                        yield Static("", id="verdict-text")
                yield DataTable(id="matrix", cursor_type="row")
        yield FilterBar(placeholder="filter contracts", id="contracts-filter")

    def on_mount(self) -> None:
        self.query_one("#contract-list", DataTable).add_columns(
            "domain", "contract", "version", "owner", "importers"
        )
        self.query_one("#contracts-body").display = False

    def main_widget(self) -> Widget | None:
        return self.query_one("#contract-list", DataTable)

    def refresh_data(self) -> None:
        self.query_one("#contracts-loading").display = True
        max_age = self.realm_max_age()
        self.loads.start(
            lambda: load_contracts(self, max_age=max_age),
            self._show,
            self._failed,
            description="load contracts",
        )

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#contracts-loading").display = False
        self.query_one("#contracts-body").display = False
        self.show_error(exc, doing="loading the contracts")

    def _show(self, data: RealmContracts) -> None:
        self.data = data
        self.hide_error()
        self.query_one("#contracts-loading").display = False
        self.query_one("#contracts-body").display = True
        self.query_one("#contracts-summary", Static).update(
            Text(
                f"realm {data.realm.name} · {len(data.rows)} contracts in {len({r.domain for r in data.rows})} domains"
            )
        )
        self.apply_filter(self.query_one(FilterBar).value)
        self.focus_main()

    def apply_filter(self, text: str) -> None:
        if self.data is None:
            return
        needle = text.strip().lower()
        table = self.query_one("#contract-list", DataTable)
        table.clear()
        for row in self.data.rows:
            cells = (row.domain, row.name, row.version, row.owner, str(row.importers))
            if needle and needle not in " ".join(cells).lower():
                continue
            table.add_row(*(Text(c) for c in cells), key=row.ref)  # text from realm files: never markup
        if table.row_count:
            table.move_cursor(row=0)
            self._load_detail(None)

    def _current_row(self) -> ContractRow | None:
        table = self.query_one("#contract-list", DataTable)
        if self.data is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.data.rows if r.ref == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "contract-list":
            self._load_detail(None)

    def _load_detail(self, pair: tuple[str, str] | None) -> None:
        row = self._current_row()
        data = self.data
        if row is None or data is None:
            return
        self.detail_loads.start(
            lambda: load_selected(data, row, pair), self._show_detail, self._failed_detail, description="diff"
        )

    def _failed_detail(self, exc: BaseException) -> None:
        from screens.base import problem_text

        message, hint = problem_text(exc)
        self.query_one("#verdict-text", Static).update(Text(f"✗ {message}\nnext: {hint}"))

    def _show_detail(self, sel: Selected) -> None:
        self.selected = sel
        self._setting_versions = True
        options = [(v, v) for v in sel.versions]
        for select_id, value in (("#from-version", sel.old), ("#to-version", sel.new)):
            select = self.query_one(select_id, Select)
            select.set_options(options)
            select.value = value
        self.call_after_refresh(self._versions_set)
        d = sel.diff
        self.query_one(DiffView).show(d.rows, (f"{d.old}  ({d.sources[0]})", f"{d.new}  ({d.sources[1]})"))
        self.query_one("#verdict-text", Static).update(verdict_text(d))
        self._fill_matrix(sel.matrix)

    def _versions_set(self) -> None:
        self._setting_versions = False

    def _fill_matrix(self, found: dict[str, Any] | None) -> None:
        table = self.query_one("#matrix", DataTable)
        table.clear(columns=True)
        if not found:
            table.add_columns("can-i-merge")
            table.add_row("no importers")
            return
        versions = found["versions"]
        table.add_columns(
            "importer",
            "range",
            "resolved",
            *[f"{v}{'*' if v == found['current'] else ''}" for v in versions],
            "can merge",
        )
        for r in found["rows"]:
            cells = {c["version"]: CELL_MARK.get(c["verdict"], c["verdict"]) for c in r["cells"]}
            row = [
                r["repo"],
                r["range"],
                r["resolved_version"] or "never",
                *[cells.get(v, "") for v in versions],
            ]
            table.add_row(*(Text(str(c)) for c in row), Text("✓ yes" if r["can_merge"] else "✗ no"))

    def on_select_changed(self, event: Select.Changed) -> None:
        if self._setting_versions or self.selected is None:
            return
        old = self.query_one("#from-version", Select).value
        new = self.query_one("#to-version", Select).value
        if (
            isinstance(old, str)
            and isinstance(new, str)
            and (old, new) != (self.selected.old, self.selected.new)
        ):
            self._load_detail((old, new))

    def action_pick_versions(self) -> None:
        self.query_one("#from-version", Select).focus()


def verdict_text(d: ContractDiff) -> Text:
    out = Text()
    out.append(f"{d.domain}/{d.contract} {d.old} -> {d.new}", style="bold")
    out.append(f" (policy {d.policy})\n")
    if d.missing:
        out.append(f"✗ {d.message}\n")
        return out
    for v in d.directions:
        out.append(f"{v.direction:<9} ", style="bold")
        out.append(VERDICT_MARK[v.verdict], style="bold" if v.verdict is False else "")
        out.append("" if v.declared else "  (not declared)")
        out.append("\n")
    if d.required_bump:
        out.append("required bump: ", style="bold")
        out.append(f"{d.required_bump}\n")
    if d.message:
        out.append(d.message + "\n")
    out.append(f"\nChanges ({len(d.changes)})\n", style="bold")
    if not d.changes:
        out.append("none: the schemas accept the same documents\n")
    for c in d.changes:
        marks = " ".join(
            f"{k[0].upper()}{ {True: '✓', False: '✗', None: '?'}[c.get(k)] }" for k in ("backward", "forward")
        )
        out.append(f"{marks}  ")
        out.append(str(c["rule"]), style="bold")
        if c.get("disputed"):
            out.append("  disputed", style="italic")
        if c.get("warning"):
            out.append("  warning", style="italic")
        out.append(f"\n  {c['path']}\n  {c['message']}\n")
        if "counterexample" in c:
            direction = c.get("counterexample_for")
            why = "old accepts, new rejects" if direction == "backward" else "new accepts, old rejects"
            out.append(f"  counterexample ({direction}: {why}): ", style="dim")
            out.append(json.dumps(c["counterexample"], ensure_ascii=False) + "\n")
        if "forward_counterexample" in c:
            out.append("  counterexample (forward: new accepts, old rejects): ", style="dim")
            out.append(json.dumps(c["forward_counterexample"], ensure_ascii=False) + "\n")
    return out
