"""The realm graph drawn by blue_tui.core.realm.graph_layout, scrolled virtually.

A ScrollView whose ``render_line`` paints only the visible rows, each from the canvas's text and
style spans, with an LRU cache of strips (Toolong's log view). The selected element is shown in
reverse video and filter matches underlined; both are overlays, so the canvas itself is drawn
once per load.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from blue_tui.core.realm.graph_layout import Canvas

#: Canvas style names -> component classes (themable in styles/app.tcss).
STYLE_CLASSES = {
    name: "graph--" + name.replace(".", "-")
    for name in (
        "edge.ok",
        "edge.declared",
        "edge.pending",
        "edge.stale",
        "edge.unknown",
        "edge.unsatisfied",
        "edge.broken",
        "edge.cycle",
        "node.ok",
        "node.you",
        "node.warning",
        "node.failing",
    )
}


class GraphCanvas(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = set(STYLE_CLASSES.values())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.canvas = Canvas()
        self.selected: str | None = None
        self.matches: set[str] | None = None
        self._overlay: dict[int, list[tuple[int, int, Style]]] = {}
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}

    def show(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.virtual_size = Size(canvas.width, canvas.height)
        self._rebuild()

    def select(self, element: str | None) -> None:
        self.selected = element
        self._rebuild()
        try:
            anchor = self.canvas.anchor(element) if element else None
            if anchor is not None:
                x, y = int(anchor[0]), int(anchor[1])
                self.scroll_to_region(Region(max(0, x - 4), max(0, y - 2), 24, 5), animate=False, force=True)
        except (TypeError, ValueError, IndexError):
            pass  # a damaged cached layout: no scrolling to it

    def set_matches(self, matches: set[str] | None) -> None:
        self.matches = matches
        self._rebuild()

    def _rebuild(self) -> None:
        overlay: dict[int, list[tuple[int, int, Style]]] = {}
        marks = [(e, Style(underline=True, bold=True)) for e in self.matches or ()]
        if self.selected:
            marks.append((self.selected, Style(reverse=True)))
        for element, style in marks:
            try:
                for y, x0, x1 in self.canvas.regions.get(element, ()):
                    overlay.setdefault(int(y), []).append((int(x0), int(x1), style))
            except (TypeError, ValueError):
                continue  # a damaged cached layout: no highlight rather than a crash
        self._overlay = overlay
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.size.width
        key = (row, scroll_x, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base = self.rich_style
        try:
            strip = self._row_strip(row, scroll_x, scroll_x + width, base).extend_cell_length(width, base)
        except (IndexError, TypeError, ValueError):  # past the end, or a damaged cached layout
            strip = Strip.blank(width, base)
        self._cache[key] = strip
        return strip

    def _row_strip(self, row: int, left: int, right: int, base: Style) -> Strip:
        """Columns ``left``..``right`` of one canvas row: only the visible cells are styled."""
        text = self.canvas.rows[row][left:right]
        styles: list[Style | None] = [None] * len(text)
        for x0, x1, name in self.canvas.spans[row]:
            if x1 <= left or x0 >= right:
                continue
            style = self._styles.get(name)
            if style is None and name in STYLE_CLASSES:
                style = self._styles[name] = self.get_component_rich_style(STYLE_CLASSES[name], partial=True)
            for x in range(max(x0, left) - left, min(x1, right) - left):
                styles[x] = style
        for x0, x1, extra in self._overlay.get(row, ()):
            for x in range(max(x0, left) - left, min(x1, right) - left):
                styles[x] = (styles[x] or Style()) + extra
        segments: list[Segment] = []
        start = 0
        for x in range(1, len(text) + 1):
            if x == len(text) or (styles[x] is not styles[start] and styles[x] != styles[start]):
                style = styles[start]
                segments.append(Segment(text[start:x], base + style if style else base))
                start = x
        return Strip(segments, len(text))
