"""The state one markdown reader carries, shared by its parts.

:class:`~.reader.Reader` is assembled from parts, one idea each: :mod:`.layout`
(rounds and sections), :mod:`.facts` (header facts and participants),
:mod:`.table_reader` (panels and scoreboards), :mod:`.inventory_reader` (inventory
tables and item headings) and :mod:`.marker_reader` (inline markers, speakers,
verdict headings). Each part subclasses :class:`ReaderBase`, which holds the text,
its blocks, the round each block belongs to and the builder everything goes to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.store.mdimport.builder import Builder
from blue_tui.core.store.mdimport.markdown import Block, scan, split_lines
from blue_tui.core.store.mdimport.markers import Marker, find_markers
from blue_tui.core.store.mdimport.model import Item, MarkerNote
from blue_tui.core.store.mdimport.tables import strip_markup

_BOX_START = frozenset("│┃┌┐└┘├┤┬┴┼─║╔╗╚╝╠╣")


@dataclass
class Segment:
    round: int | None
    heading: Block | None
    start: int  # first text line (after the heading for round starts, at it for attached sections)
    end: int = 0
    starts_round: bool = False
    title: str | None = None


@dataclass
class Pending:
    """An item heading (``### MACARON-T01 (R0): label``) whose body is still being read."""

    item: Item | None = None
    open_id: str | None = None
    parent_status: str | None = None
    lines: list[str] = field(default_factory=list)


class ReaderBase:
    """Reads one markdown text. ``base_round``/``expert`` fix the context (folder files)."""

    def __init__(
        self,
        builder: Builder,
        text: str,
        where: str,
        *,
        base_round: int | None = None,
        expert: str | None = None,
        layout: bool = False,
        role: str = "dialogue",
        place: str | None = None,
    ) -> None:
        self.b = builder
        self.where = where
        #: Where things were found, as recorded in the document: the file inside a folder, nothing
        #: for a single file (the dialogue's ``source`` names it).
        self.place = place if place is not None else ("" if layout else where)
        self.lines = split_lines(text)
        self.blocks = scan(self.lines)
        self.base_round = base_round
        self.fixed_expert = expert
        self.layout = layout
        #: dialogue | summary | expert | scoreboard | tensions | verdict | convergence | document
        self.role = role
        self.round_level = 0
        self.block_round: list[int | None] = []
        self.block_segment: list[int] = []
        self.segments: list[Segment] = []
        self.closing: list[bool] = []
        self.expect_participants = False
        self.entity_by_expert: dict[tuple[str | None, int | None], MarkerNote] = {}
        self.free_speakers: list[tuple[int, str]] = []
        self.heading_table: int | None = None
        self._marker_cache: dict[int, list[Marker]] = {}
        self._texts: dict[int, str] = {}

    def _loc(self, detail: str | None = None) -> str:
        if detail and self.place:
            return f"{self.place}: {detail}"
        return detail or self.place

    @staticmethod
    def _section(stack: list[tuple[int, str]]) -> str:
        return strip_markup(stack[-1][1]) if stack else "(top)"

    def _is_box_fence(self, block: Block) -> bool:
        inner = [line for line in self.lines[block.start + 1 : block.end - 1] if line.strip()]
        return bool(inner) and all(line.lstrip()[:1] in _BOX_START for line in inner)

    def _set_round(self, rnd: int, key: str, value: Any, where: str) -> None:
        """A fact of a round; a second, different value is reported and the first kept."""
        data = self.b.round(rnd)
        if key in data and data[key] != value:
            self.b.warn(
                f"round {rnd} {key} is {data[key]} in one place and {value} in {where}; kept {data[key]}"
            )
            return
        data[key] = value

    def _block_text(self, index: int) -> str:
        text = self._texts.get(index)
        if text is None:
            block = self.blocks[index]
            text = self._texts[index] = "\n".join(self.lines[block.start : block.end])
        return text

    def _find(self, text: str, index: int) -> list[Marker]:
        """The markers of a text; a block's markers are found once (``index`` >= 0 caches them)."""
        if index >= 0 and index in self._marker_cache:
            return self._marker_cache[index]
        found = find_markers(text) if "[" in text else []
        if index >= 0:
            self._marker_cache[index] = found
        return found
