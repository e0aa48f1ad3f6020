"""A table of per-item results (one row per file, dialogue item or repo): item, status, detail.

Reused for import results, a tampered dialogue's findings, and the realm workflows' per-repo
results (sync, worktree create / list / remove, PR status, open and merge).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

#: Status words and their marks; anything else is shown as written.
MARKS = {
    "ok": "✓",
    "created": "✓",
    "replaced": "✓",
    "published": "✓",
    "pulled": "✓",
    "merged": "✓",
    "removed": "✓",
    "opened": "✓",
    "updated": "✓",
    "present": "✓",
    "would-publish": "→",
    "would-pull": "→",
    "unchanged": "=",
    "up-to-date": "=",
    "exists": "=",
    "pending": "…",
    "blocked": "…",
    "skipped": "·",
    "no-changes": "·",
    "ready": "…",
    "cancelled": "·",
    "closed": "·",
    "rolled-back": "↺",
    "changed": "!",
    "warning": "!",
    "missing": "!",
    "failed": "✗",
    "tampered": "✗",
    "refused": "✗",
    "error": "✗",
    "check-failed": "✗",
    "conflict": "✗",
    "push-rejected": "✗",
    "pr-failed": "✗",
}


@dataclass(frozen=True)
class Result:
    item: str
    status: str
    detail: str = ""


class ResultTable(DataTable[Text]):
    DEFAULT_CSS = """
    ResultTable { height: auto; max-height: 16; }
    """

    def __init__(self, *, item_label: str = "item", id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.add_columns(item_label, "status", "detail")

    def set_results(self, results: Iterable[Result]) -> None:
        self.clear()
        for r in results:
            mark = MARKS.get(r.status, "")
            style = "bold" if mark == "✗" else ""
            self.add_row(Text(r.item), Text(f"{mark} {r.status}".strip(), style=style), Text(r.detail))
