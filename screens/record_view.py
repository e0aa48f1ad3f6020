"""A decrypted dialogue, drawn virtually: only the visible lines become strips.

The view model (blue_tui.core.store.dialogue_view) is turned once into logical lines of
``(text, style)`` segments; wrapping to the widget's width and folding rounds only pick which
slices of them are display lines. ``render_line`` builds a strip for one display line and keeps
it in an LRU cache (Toolong's log view). Text is data: it is never parsed as markup.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from blue_tui.core.store.dialogue_blocks import Cell, DialogueView, Fact, Heading, Line, Table, Verbatim
from screens.keys import bindings_for

Segments = tuple[tuple[str, str], ...]
MAX_CELL = 40
STYLE_NAMES = (
    "bold",
    "dim",
    "warning",
    "heading",
    "subheading",
    "fold",
    "status.open",
    "status.reopened",
    "status.addressed",
    "status.resolved",
    "status.adopted",
    "status.converged",
    "status.rejected",
    "status.abandoned",
)


class TableRow:
    """One row of a table, formatted only when it is drawn (a 5,000-row inventory is 5,000 of
    these: making their text up front held the verified view back by ~15 ms)."""

    __slots__ = ("cells", "length", "widths")

    def __init__(self, cells: tuple[Cell, ...], widths: list[int], length: int) -> None:
        self.cells = cells
        self.widths = widths  # shared by every row of the table
        #: Its width in cells: each column padded to its width, and two spaces.
        self.length = length

    def segments(self) -> Segments:
        # one segment per run of cells in one style (most rows: plain, one status, plain)
        segments: list[tuple[str, str]] = []
        for cell, w in zip(self.cells, self.widths, strict=False):
            text = _cell(cell.text, w) + "  "
            if segments and segments[-1][1] == cell.style:
                segments[-1] = (segments[-1][0] + text, cell.style)
            else:
                segments.append((text, cell.style))
        return tuple(segments)


class LogicalLine(NamedTuple):
    content: Segments | TableRow
    section: int
    #: The first line of a foldable section (a round): the line that folds and unfolds it.
    fold_head: bool = False
    #: Its width in cells, the fold mark included (measured once, where the lines are made).
    length: int = 0

    @property
    def segments(self) -> Segments:
        content = self.content
        return content.segments() if isinstance(content, TableRow) else content


def _cell(text: str, width: int) -> str:
    return (text[: width - 1] + "…" if len(text) > width else text).ljust(width)


def table_lines(table: Table) -> list[Segments | TableRow]:
    widths = [
        min(MAX_CELL, max([len(c)] + [len(r[i].text) for r in table.rows if i < len(r)]))
        for i, c in enumerate(table.columns)
    ]
    out: list[Segments | TableRow] = [((table.title, "bold"),)]
    out.append((("".join(_cell(c, w) + "  " for c, w in zip(table.columns, widths, strict=True)), "dim"),))
    full = sum(w + 2 for w in widths)
    out += [
        TableRow(row, widths, full if len(row) >= len(widths) else sum(w + 2 for w in widths[: len(row)]))
        for row in table.rows
    ]
    return out


def _length(content: Segments | TableRow) -> int:
    if isinstance(content, TableRow):
        return content.length
    return sum(len(t) for t, _ in content)


def logical_lines(view: DialogueView) -> tuple[list[LogicalLine], list[int]]:
    """Every line of the view, and the index of each section's first line."""
    lines: list[LogicalLine] = []
    starts: list[int] = []
    for index, section in enumerate(view.sections):
        starts.append(len(lines))
        first = True
        for block in section.blocks:
            produced: list[Segments | TableRow]
            if isinstance(block, Heading):
                rule = "━━ " if block.level == 1 else "── "
                produced = [((rule + block.text, "heading" if block.level == 1 else "subheading"),)]
            elif isinstance(block, Fact):
                produced = [((f"{block.label}: ", "dim"), (block.value, ""))]
            elif isinstance(block, Line):
                produced = [((block.text, block.style),)]
            elif isinstance(block, Table):
                produced = table_lines(block)
            elif isinstance(block, Verbatim):
                produced = [((raw, ""),) for raw in block.text.split("\n")] if block.text.strip() else []
            else:  # pragma: no cover - the view has no other blocks
                produced = []
            for content in produced:
                head = section.foldable and first
                lines.append(LogicalLine(content, index, head, _length(content) + (2 if head else 0)))
                first = False
        lines.append(LogicalLine((), index))
    return lines, starts


def _slice(segments: Segments, start: int, end: int) -> Segments:
    out = []
    pos = 0
    for text, style in segments:
        lo, hi = max(start, pos), min(end, pos + len(text))
        if lo < hi:
            out.append((text[lo - pos : hi - pos], style))
        pos += len(text)
    return tuple(out)


class RecordView(ScrollView, can_focus=True):
    BINDINGS = bindings_for("record")
    COMPONENT_CLASSES = {"record--cursor"} | {"record--" + n.replace(".", "-") for n in STYLE_NAMES}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[LogicalLine] = []
        self.starts: list[int] = []
        self.section_ids: list[str] = []
        self.foldable: set[int] = set()
        self.folded: set[int] = set()
        #: Display lines: (logical index, start, end) slices of the logical lines.
        self.display_lines: list[tuple[int, int, int]] = []
        self.cursor = 0
        self._width = 0
        self._cache: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}

    def show(
        self,
        view: DialogueView,
        lines: tuple[list[LogicalLine], list[int]] | None = None,
        *,
        keep_place: bool = False,
    ) -> None:
        """Show ``view``; ``lines`` are its :func:`logical_lines` when a worker made them already.

        ``keep_place`` (a verified view replacing its preview): rounds stay folded or unfolded
        and the cursor stays on its section, as the user left them.
        """
        place = self._place() if keep_place else None
        was_open = {self.section_ids[i] for i in self.foldable - self.folded} if keep_place else set()
        self.lines, self.starts = lines or logical_lines(view)
        self.section_ids = [s.id for s in view.sections]
        self.foldable = {i for i, s in enumerate(view.sections) if s.foldable}
        self.folded = {i for i in self.foldable if self.section_ids[i] not in was_open}
        self.cursor = 0
        self.display_lines = []
        if self.size.width:
            self._relayout()
        else:
            self._width = 0  # not laid out yet: on_resize lays the lines out once, at the real width
        if place is None:
            self.scroll_home(animate=False)
        else:
            self._restore(*place)

    def clear(self) -> None:
        """Show nothing (a dialogue is being opened)."""
        self.lines, self.starts, self.section_ids = [], [], []
        self.foldable, self.folded = set(), set()
        self.display_lines, self.cursor = [], 0
        self.virtual_size = Size(self.size.width, 0)
        self._cache.clear()
        self.refresh()

    def _place(self) -> tuple[str, int, int] | None:
        """The cursor's section id, its line within that section, and its row on screen."""
        if not self.section_ids or not 0 <= self.cursor < len(self.display_lines):
            return None
        index = self.display_lines[self.cursor][0]
        section = self.lines[index].section
        return self.section_ids[section], index - self.starts[section], self.cursor - self.scroll_offset.y

    def _restore(self, section_id: str, offset: int, on_screen: int) -> None:
        if section_id not in self.section_ids or not self.display_lines:
            self.scroll_home(animate=False)
            return
        section = self.section_ids.index(section_id)
        end = self.starts[section + 1] if section + 1 < len(self.starts) else len(self.lines)
        target = min(self.starts[section] + offset, end - 1)
        self.cursor = next((i for i, d in enumerate(self.display_lines) if d[0] >= target), 0)
        self.scroll_to(y=max(0, self.cursor - on_screen), animate=False)

    # ---- layout ---------------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _relayout(self) -> None:
        width = max(20, self.size.width or 80)
        self._width = width
        keep = (
            self.display_lines[self.cursor][0]
            if self.display_lines and self.cursor < len(self.display_lines)
            else 0
        )
        out: list[tuple[int, int, int]] = []
        append = out.append
        lines, starts, folded = self.lines, self.starts, self.folded
        for section, first in enumerate(starts):
            # a folded round shows its first line only
            end = (
                first + 1
                if section in folded
                else (starts[section + 1] if section + 1 < len(starts) else len(lines))
            )
            for index in range(first, end):
                length = lines[index].length
                if length <= width:
                    append((index, 0, length))
                    continue
                for start in range(0, length, width):
                    append((index, start, min(length, start + width)))
        self.display_lines = out
        self.cursor = next((i for i, d in enumerate(out) if d[0] >= keep), 0)
        self.virtual_size = Size(width, len(out))
        self._cache.clear()
        self.refresh()

    # ---- drawing ----------------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        if not name:
            return Style()
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style("record--" + name.replace(".", "-"), partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        _, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.size.width
        at_cursor = row == self.cursor and self.has_focus
        key = (row, width, self._width, at_cursor)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        strip = self._line_strip(row, width, at_cursor)
        self._cache[key] = strip
        return strip

    def _line_strip(self, row: int, width: int, at_cursor: bool) -> Strip:
        """One display line as a strip (the only place text becomes segments)."""
        base = self.rich_style
        if row >= len(self.display_lines):
            return Strip.blank(width, base)
        index, start, end = self.display_lines[row]
        line = self.lines[index]
        segments = line.segments
        if line.fold_head:
            segments = (("▸ " if line.section in self.folded else "▾ ", "fold"), *segments)
        parts = [Segment(t, base + self._style(s)) for t, s in _slice(segments, start, end)]
        strip = Strip(parts).crop_extend(0, width, base)
        if at_cursor:
            strip = strip.apply_style(self.get_component_rich_style("record--cursor", partial=True))
        return strip

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    # ---- moving -----------------------------------------------------------------------------------

    def _move(self, row: int) -> None:
        if not self.display_lines:
            return
        self.cursor = max(0, min(row, len(self.display_lines) - 1))
        self._cache.clear()
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_scroll_top(self) -> None:
        self._move(0)

    def action_scroll_bottom(self) -> None:
        self._move(len(self.display_lines) - 1)

    def current_section(self) -> int:
        if not self.display_lines:
            return 0
        return self.lines[self.display_lines[self.cursor][0]].section

    def _go_to_section(self, section: int) -> None:
        start = self.starts[section]
        self._move(next((i for i, d in enumerate(self.display_lines) if d[0] >= start), 0))
        self.scroll_to(y=self.cursor, animate=False)

    def action_next_section(self) -> None:
        if self.starts:
            self._go_to_section(min(self.current_section() + 1, len(self.starts) - 1))

    def action_previous_section(self) -> None:
        if self.starts:
            current = self.current_section()
            on_start = self.display_lines and self.display_lines[self.cursor][0] == self.starts[current]
            self._go_to_section(max(0, current - 1 if on_start else current))

    def action_toggle_fold(self) -> None:
        section = self.current_section()
        if section not in self.foldable:
            return
        self.folded.symmetric_difference_update({section})
        self._relayout()
        self._go_to_section(section)

    def action_expand_all(self) -> None:
        self.folded = set() if self.folded else set(self.foldable)
        self._relayout()
