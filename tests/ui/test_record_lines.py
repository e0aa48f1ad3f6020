"""The record view's logical lines: table rows are formatted only when drawn, and measure what
they draw (wrapping and the horizontal extent rely on the measure)."""

from __future__ import annotations

from blue_tui.core.store.dialogue_blocks import Cell, DialogueView, Section, Table
from screens.record_view import MAX_CELL, TableRow, logical_lines


def test_a_table_row_measures_what_it_draws() -> None:
    long = "x" * (MAX_CELL + 7)
    table = Table(
        "Perspectives (3)",
        ("id", "label", "status"),
        (
            (Cell("P0101"), Cell("short"), Cell("open", "status.open")),
            (Cell("P0102"), Cell(long), Cell("resolved", "status.resolved")),
            (Cell("P0103"),),  # a short row: only its own cells
        ),
    )
    view = DialogueView("d", "D", [Section("perspectives", "Perspectives", (table,))])
    lines, starts = logical_lines(view)
    assert starts == [0]
    rows = [line for line in lines if isinstance(line.content, TableRow)]
    assert len(rows) == 3
    for line in rows:
        drawn = "".join(text for text, _ in line.segments)
        assert len(drawn) == line.length
    assert rows[0].segments[-1] == ("open      ", "status.open")
    assert "x" * (MAX_CELL - 1) + "…" in rows[1].segments[0][0]
    assert rows[2].length < rows[0].length
