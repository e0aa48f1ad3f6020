"""The view's inventory sections (perspectives, tensions, recommendations, evidence, claims), and
their rows made ahead while a dialogue is still being read.

In a big dialogue the inventories are most of the records, and their rows most of the cost of
building the view (5,000 rows: ~17 ms). :class:`InventoryRows` makes each row as its record
arrives, on the reading thread, which spends most of a read waiting for the server; the view
built from the verified document at the end then only looks the rows up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from blue_tui.core.store.dialogue_blocks import Block, Cell, Line, Section, Table, members, status_style, text
from blue_tui.core.store.entities import INVENTORY_TYPES, Entity

INVENTORIES = (
    ("perspectives", "Perspectives"),
    ("tensions", "Tensions"),
    ("recommendations", "Recommendations"),
    ("evidence", "Evidence"),
    ("claims", "Claims"),
)
COLUMNS = ("id", "as written", "label", "status", "round", "by")

Row = tuple[Cell, ...]


def inventory_row(m: Mapping[str, Any]) -> Row:
    """id, as written, label, status, round, by: none of the fields that reading fills in at the
    end (events, links), so a row made from a record as it arrives is its row in the document."""
    status = text(m.get("status"))
    origin = m.get("origin")
    if not isinstance(origin, Mapping):
        origin = {}
    written = text(m.get("status_text"))
    shown = status + f" ({written})" if written and written.lower() != status else status
    return (
        Cell(text(m.get("id"))),
        Cell(text(m.get("local_id"))),
        Cell(text(m.get("label"))),
        Cell(shown, status_style(status)),
        Cell(text(origin.get("round"))),
        Cell(text(origin.get("contributors") or m.get("contributors"))),
    )


class InventoryRows:
    """Rows made ahead, keyed by the member's own dict: the reader's document reuses the very
    dicts it streamed (``entities.Assembler``). A dict it has not seen (a read that started over,
    a document from elsewhere) gets its row made when the view is built."""

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Mapping[str, Any], Row]] = {}

    def add(self, entities: Iterable[Entity]) -> None:
        rows = self._rows
        for entity in entities:
            if entity.entity_type in INVENTORY_TYPES:
                data = entity.payload.get("data")
                if isinstance(data, dict):
                    rows[id(data)] = (data, inventory_row(data))

    def clear(self) -> None:
        self._rows.clear()

    def row(self, m: Mapping[str, Any]) -> Row:
        found = self._rows.get(id(m))
        return found[1] if found is not None and found[0] is m else inventory_row(m)


def inventory_sections(doc: Mapping[str, Any], rows: InventoryRows | None = None) -> list[Section]:
    out = []
    make = rows.row if rows is not None else inventory_row
    for name, heading in INVENTORIES:
        listed = members(doc, name)
        if not listed:
            continue
        counts: dict[str, int] = {}
        for m in listed:
            status = text(m.get("status"))
            counts[status] = counts.get(status, 0) + 1
        table_rows = tuple(map(make, listed))
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        title = f"{heading} ({len(listed)}: {summary})"
        blocks: list[Block] = [Table(title, COLUMNS, table_rows)]
        for m in listed:
            for event in m.get("events") or ():
                if not isinstance(event, Mapping) or event.get("type") == "created":
                    continue
                when = f" in round {text(event['round'])}" if event.get("round") is not None else ""
                by = f" by {text(event.get('by'))}" if event.get("by") else ""
                where = f" ({text(event.get('in'))})" if event.get("in") else ""
                reason = f": {text(event.get('reason'))}" if event.get("reason") else ""
                blocks.append(
                    Line(f"  {text(m.get('id'))} {text(event.get('type'))}{when}{by}{where}{reason}")
                )
        out.append(Section(name, title, tuple(blocks)))
    return out
