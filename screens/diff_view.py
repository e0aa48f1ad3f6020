"""Two versions of a schema side by side, changed lines highlighted; only visible rows are drawn."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from blue_tui.core.realm.contract_view import DiffRow

GUTTER = 5


class DiffView(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff--delete",
        "diff--insert",
        "diff--replace",
        "diff--gutter",
        "diff--title",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[DiffRow] = []
        self.titles = ("", "")
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(512)

    def show(self, rows: list[DiffRow], titles: tuple[str, str]) -> None:
        self.rows = rows
        self.titles = titles
        widest = max((max(len(r.left), len(r.right)) for r in rows), default=0)
        self.virtual_size = Size(2 * (widest + GUTTER) + 1, len(rows) + 1)
        self._cache.clear()
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = y + scroll_y if y else -1  # the first line stays: the two versions' titles
        key = (row, scroll_x if row >= 0 else 0, width)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._line(row, width, scroll_x if row >= 0 else 0)
            self._cache[key] = cached
        return cached

    def _line(self, row: int, width: int, scroll_x: int) -> Strip:
        base = self.rich_style
        half = max(10, (width - 1) // 2)
        if row < 0:
            title = self.get_component_rich_style("diff--title", partial=True)
            left, right = self.titles
            return Strip(
                [
                    Segment(left[:half].ljust(half), base + title),
                    Segment("│", base),
                    Segment(right[: width - half - 1].ljust(width - half - 1), base + title),
                ],
                width,
            )
        if row >= len(self.rows):
            return Strip.blank(width, base)
        r = self.rows[row]
        gutter = self.get_component_rich_style("diff--gutter", partial=True)
        styles = {
            "replace": ("diff--replace", "diff--replace"),
            "delete": ("diff--delete", ""),
            "insert": ("", "diff--insert"),
        }.get(r.tag, ("", ""))
        segments: list[Segment] = []
        for number, text, style_name, room in (
            (r.left_no, r.left, styles[0], half),
            (r.right_no, r.right, styles[1], width - half - 1),
        ):
            style = base + self.get_component_rich_style(style_name, partial=True) if style_name else base
            mark = {"diff--delete": "-", "diff--insert": "+", "diff--replace": "~"}.get(style_name, " ")
            no = f"{number:>3}{mark} " if number is not None else "     "
            body = text[scroll_x:][: max(0, room - GUTTER)].ljust(max(0, room - GUTTER))
            segments += [Segment(no, base + gutter), Segment(body, style)]
            if room == half:
                segments.append(Segment("│", base))
        return Strip(segments, width)

    def action_cursor_down(self) -> None:
        self.scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        self.scroll_up(animate=False)

    def action_scroll_top(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_bottom(self) -> None:
        self.scroll_end(animate=False)
