"""Inventory tables and item headings: the dialogue's record of its items.

``## Perspectives Inventory`` / ``## Tensions Tracker`` tables (and tables listing
recommendations, evidence, claims or open items) give each row's id as written,
label, contributors (``Agent``, ``Raised By``, ``Surfaced By``: names, ``All 6
agents``, ``R0 (all)``), round, and status: the Status column (``✓ RESOLVED (R1)``,
``Partial``, ``DEFERRED``), else a Consensus column (``6/6 ✓ (STRONG)``), else a
Resolution column or a "Resolved" heading. Item headings (``### MACARON-T01 (R0):
label`` over ``**Status: NARROWED**``) in tensions.md files are rows too.
"""

from __future__ import annotations

import re

from blue_tui.core.store.mdimport.ids import parse_id
from blue_tui.core.store.mdimport.reader_base import Pending, ReaderBase
from blue_tui.core.store.mdimport.statuses import normalize_status
from blue_tui.core.store.mdimport.tables import Table, is_placeholder, number, strip_markup
from blue_tui.core.store.mdimport.textops import first_of, trailing_paren

_ROUND_TOKEN = re.compile(r"\bR(\d{1,3})\b")
_STATUS_PHRASE = re.compile(
    r"\*\*[ \t]*(?P<word>Resolved|Narrowed|Refined|Evolved|Partially addressed|Addressed|Reopened|Superseded"
    r"|Deferred|Withdrawn|Accepted)\b[^*\n]*?\bR(?:ound[ \t]*)?(?P<n>\d{1,3})[ \t]*\*\*",
    re.I,
)
RAISED_COLUMNS = (
    "raised",
    "raised by",
    "surfaced by",
    "surfaced",
    "from",
    "contributors",
    "contributor",
    "agent",
    "expert",
    "by",
    "proposed by",
    "owner",
    "author",
    "experts",
)
LABEL_COLUMNS = ("label", "title", "description", "summary", "item", "topic", "name")
MAX_CELL = 4000
MAX_BODY = 100_000


def status_line(body: str) -> str | None:
    """The value of the first ``**Status: X**`` or ``**Status**: X`` in ``body`` (linear time)."""
    lower = body[:MAX_BODY].lower()
    n = len(lower)
    at = lower.find("**")
    while at >= 0:
        j = at + 2
        while j < n and lower[j] in " \t":
            j += 1
        if lower.startswith("status", j):
            k = j + 6
            while k < n and lower[k] in " \t":
                k += 1
            if lower.startswith(":", k):
                star = lower.find("*", k + 1)
                if star > k + 1 and lower.startswith("**", star) and "\n" not in body[k + 1 : star]:
                    value = body[k + 1 : star].strip()
                    if value:
                        return value
            elif lower.startswith("**", k):
                m = k + 2
                while m < n and lower[m] in " \t":
                    m += 1
                if lower.startswith(":", m):
                    rest = body[m + 1 : n]
                    end = first_of(rest, "\n—|")
                    value = (rest if end < 0 else rest[:end]).strip()
                    if value:
                        return value
        at = lower.find("**", at + 2)
    return None


class InventoryReaderMixin(ReaderBase):
    def _inventory_table(
        self,
        table: Table,
        kind: str,
        id_col: int | None,
        rnd: int | None,
        where: str,
        headings: str,
        said: str,
    ) -> None:
        keys = table.keys
        status_col = next((i for i, k in enumerate(keys) if "status" in k), None)
        if status_col is None:
            status_col = table.column("consensus")
        resolution_col = table.column("resolution", "resolved", "outcome")
        round_col = table.column("round", "rnd")
        raised_col = table.column(*RAISED_COLUMNS)
        skip = {id_col, status_col, resolution_col, round_col, raised_col}
        label_col = table.column(kind, *LABEL_COLUMNS, "perspective", "tension", "recommendation")
        if label_col is None or label_col in skip:
            label_col = next((i for i in range(len(keys)) if i not in skip), None)
        resolved_heading = "resolved" in headings and "unresolved" not in headings
        number_of_table = self.b.new_table()
        for row_index, row in enumerate(table.rows):
            ident = strip_markup(row[id_col][:MAX_CELL]) if id_col is not None else ""
            label = strip_markup(row[label_col][:MAX_CELL]) if label_col is not None else ""
            if (id_col is not None and is_placeholder(ident)) or (is_placeholder(label) and not ident):
                self.b.warn(
                    f"placeholder row kept as written in {said} (line {table.lines[row_index] + 1}): "
                    f"{' | '.join(c[:200] for c in row)}"
                )
                continue
            ref = parse_id(ident, allow_short_r=kind == "recommendation") if ident else None
            people: list[str] = []
            people_text: str | None = None
            row_round = rnd
            if round_col is not None:
                value = number(strip_markup(row[round_col][:MAX_CELL]).lstrip("Rr"))
                if value is not None:
                    row_round = int(value)
            if raised_col is not None and not is_placeholder(row[raised_col]):
                raised = row[raised_col][:MAX_CELL]
                people = self.b.experts_in(raised)
                people_text = strip_markup(raised) or None
                found = _ROUND_TOKEN.search(strip_markup(raised))
                if found and round_col is None:
                    row_round = int(found.group(1))
            if kind == "open":
                if ref is not None:
                    columns = {k: row[i][:MAX_CELL] for i, k in enumerate(keys) if row[i]}
                    self.b.open_item(ref.written, label, row_round, columns, where)
                continue
            if ident or ref is not None:
                item = self.b.table_item(
                    kind,
                    ref,
                    ident,
                    label,
                    row_round,
                    people,
                    where,
                    table=number_of_table,
                    people_text=people_text,
                )
            else:
                item = self.b.unnumbered_item(kind, label, row_round, people, where, table=number_of_table)
                if people_text and item.contributors_text is None:
                    item.contributors_text = people_text
            status_round = rnd if rnd is not None else row_round
            by: list[str] = []
            reason: str | None = None
            if resolution_col is not None and not is_placeholder(row[resolution_col]):
                resolved_cell = strip_markup(row[resolution_col][:MAX_CELL])
                by = self.b.experts_in(resolved_cell)
                found = _ROUND_TOKEN.search(resolved_cell)
                if found:
                    status_round = int(found.group(1))
                reason = resolved_cell
            if status_col is not None and not is_placeholder(row[status_col]):
                cell = row[status_col][:MAX_CELL]
                said_round = _ROUND_TOKEN.search(strip_markup(cell))
                if said_round:  # "✅ **RESOLVED R1** - ..."
                    status_round = int(said_round.group(1))
                self.b.table_status(item, cell, status_round, by, where, reason=reason)
            elif reason is not None and (keys[resolution_col or 0] == "resolution" or resolved_heading):
                # Under a "Resolved" heading the cell says how ("Narrowed: only the refs table"); in a
                # Resolution column elsewhere it may say what ("Deferred: ..."), else it means resolved.
                stated = None if resolved_heading else normalize_status(reason, kind)
                written = reason if stated else "Resolved"
                self.b.table_status(item, written, status_round, by, where, reason=reason)
            elif resolved_heading:
                self.b.table_status(item, "Resolved", status_round, by, where)

    # ---- item headings ("### MACARON-T01 (R0): label") -----------------------------------------

    def _item_heading(self, title: str, rnd: int | None, stack: list[tuple[int, str]]) -> Pending:
        clean = strip_markup(title[:MAX_CELL])
        split = first_of(clean, ":—–")
        if split <= 0:
            return Pending()
        label = clean[split + 1 :].strip()
        ref = parse_id(clean[:split])
        if ref is None or not label:
            return Pending()
        parent_status: str | None = None
        for _, parent in reversed(stack[:-1]):
            low = parent.lower()
            parent_status = normalize_status(parent)
            if "resolved" in low and "unresolved" not in low:
                parent_status = "Resolved"
            if parent_status is not None:
                break
        if ref.letter == "O":
            owner = trailing_paren(label)
            self.b.open_item(ref.written, label, rnd, {"owner": owner[1]} if owner else {}, self._loc())
            return Pending(open_id=ref.written, parent_status=parent_status)
        kind = ref.kind
        if kind is None:
            return Pending()
        if self.heading_table is None:
            self.heading_table = self.b.new_table()
        origin = ref.round if ref.round is not None else rnd
        item = self.b.table_item(
            kind, ref, ref.written, label, origin, [], self._loc(), table=self.heading_table
        )
        return Pending(item=item, parent_status=parent_status)

    def _finish_pending(self, pending: Pending, rnd: int | None) -> None:
        if pending.item is None and pending.open_id is None:
            return
        body = "\n".join(pending.lines)
        status = None
        status_round = rnd
        line = status_line(body)
        phrase = _STATUS_PHRASE.search(body[:MAX_BODY])
        if phrase:
            status_round = int(phrase.group("n"))
        inferred = False
        if line:
            status = line
        elif phrase:
            status = phrase.group("word")
        elif pending.parent_status:
            status = pending.parent_status
            inferred = True
        if pending.open_id is not None:
            if (status and normalize_status(status) == "resolved") or "resolution" in body.lower():
                self.b.resolve_open_item(pending.open_id, rnd, self._loc(), body.strip()[:500])
            return
        item = pending.item
        assert item is not None
        if status:
            reason = body.strip().split("\n")[0][:500] if body.strip() else None
            self.b.table_status(
                item,
                status,
                status_round,
                [],
                self._loc(),
                reason=strip_markup(reason or "") or None,
                inferred=inferred,
            )
        if body.strip() and item.content == item.label:
            first = body.strip().split("\n\n")[0]
            if not first.lstrip().lower().startswith(("**status", "** status")):
                item.content = strip_markup(first)
