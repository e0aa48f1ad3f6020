"""A list of keyed rows under a fixed header, drawn virtually: only the visible lines become strips.

The realm graph's list of repos and edges. A DataTable measures and renders every row it is
given before its first paint (250 rows held the graph's first frame back by ~60 ms); here a row
is one string made when the rows are set, and ``render_line`` crops it to the visible columns,
with an LRU cache of strips (Toolong's log view). Text comes from realm files: never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: One row: its key and its cells (plain text).
Row = tuple[str, tuple[str, ...]]


class ElementList(ScrollView, can_focus=True):
    """Rows with a cursor; ``Highlighted`` is posted when the cursor moves to another row."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"element-list--header", "element-list--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "Bottom", show=False),
    ]

    class Highlighted(Message):
        def __init__(self, element_list: ElementList, key: str) -> None:
            super().__init__()
            self.element_list = element_list
            self.key = key

        @property
        def control(self) -> ElementList:
            return self.element_list

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.rows: list[Row] = []
        self.cursor_row = 0
        #: Each column's width: its widest cell so far (a column only grows while the list lives,
        #: so nothing jumps sideways when a filter is typed and cleared).
        self.widths = [cell_len(c) for c in self.columns]
        self._lines: list[str] = []
        self._header = ""
        self._cache: LRUCache[tuple[int, bool, int, int], Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}

    # ---- contents ---------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.rows]

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None when the list is empty)."""
        return self.rows[self.cursor_row][0] if self.rows else None

    def get_row_at(self, index: int) -> tuple[str, ...]:
        return self.rows[index][1]

    def set_rows(self, rows: list[Row], *, cursor: int = 0) -> None:
        """Replace the rows and put the cursor on row ``cursor`` (no ``Highlighted``: the caller
        knows what it selected)."""
        self.rows = rows
        self.widths = [
            max([w, *(cell_len(cells[i]) for _, cells in rows)]) for i, w in enumerate(self.widths)
        ]
        self._header = self._line(self.columns)
        self._lines = [self._line(cells) for _, cells in rows]
        self.virtual_size = Size(cell_len(self._header), len(rows) + 1)
        self._cache.clear()
        self.cursor_row = max(0, min(cursor, len(rows) - 1))
        self._scroll_to_cursor()
        self.refresh()

    def _line(self, cells: Sequence[str]) -> str:
        return "".join(
            " " + set_cell_size(cell, width) + " " for cell, width in zip(cells, self.widths, strict=True)
        )

    # ---- moving -----------------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        if not self.rows:
            return
        row = max(0, min(row, len(self.rows) - 1))
        moved = row != self.cursor_row
        self.cursor_row = row
        self._scroll_to_cursor()
        self.refresh()  # cached strips stay good: whether a row is the cursor is in their key
        if moved:
            self.post_message(self.Highlighted(self, self.rows[row][0]))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # the header takes a line

    def _scroll_to_cursor(self) -> None:
        top, shown = round(self.scroll_offset.y), self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._visible_rows())

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._visible_rows())

    def action_scroll_top(self) -> None:
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            row = round(self.scroll_offset.y) + offset.y - 1
            if row < len(self.rows):
                self.move_cursor(row)

    # ---- drawing ----------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + self.get_component_rich_style(name, partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = round(self.scroll_offset.x), round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        row = -1 if y == 0 else y - 1 + scroll_y
        key = (row, row == self.cursor_row, scroll_x, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if row == -1:
            text, style = self._header, self._style("element-list--header")
        elif row < len(self._lines):
            text = self._lines[row]
            style = self._style("element-list--cursor") if row == self.cursor_row else self.rich_style
        else:
            text, style = "", self.rich_style
        strip = (
            Strip([Segment(text, style)]).crop(scroll_x, scroll_x + width).extend_cell_length(width, style)
        )
        self._cache[key] = strip
        return strip
