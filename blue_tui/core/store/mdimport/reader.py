"""Reading one markdown text into a :class:`~.builder.Builder`.

Used for whole dialogue files (V1-V3, summaries, free-form conversations: with
``layout=True`` the text is cut into rounds and sections that are kept verbatim) and
for the files of a round-scoped folder (summaries, expert files, scoreboard.md,
tensions.md, verdict.md: the round and expert come from the file's place).

The reader walks the blocks once, keeping track of the heading stack, the round and
who is speaking, and hands each block to its parts (see :mod:`.reader_base`). Code
fences are skipped (box-drawing tables inside fences are read in verdict and
convergence documents only, where that is how the summary tables are drawn).
"""

from __future__ import annotations

from blue_tui.core.store.mdimport.facts import FactsMixin
from blue_tui.core.store.mdimport.inventory_reader import InventoryReaderMixin
from blue_tui.core.store.mdimport.layout import LayoutMixin, round_start
from blue_tui.core.store.mdimport.marker_reader import MarkersMixin
from blue_tui.core.store.mdimport.model import Statement, Verdict
from blue_tui.core.store.mdimport.reader_base import Pending
from blue_tui.core.store.mdimport.table_reader import NAME_COLUMNS, ROUND_CELL, TablesMixin
from blue_tui.core.store.mdimport.tables import Table, parse_box_table, parse_pipe_table, strip_markup

MAX_CELL = 4000


class Reader(LayoutMixin, FactsMixin, TablesMixin, InventoryReaderMixin, MarkersMixin):
    """Reads one markdown text. ``base_round``/``expert`` fix the context (folder files)."""

    def run(self) -> None:
        if self.layout:
            self._layout()
            self._store_text()
        else:
            self.block_round = [self.base_round] * len(self.blocks)
            self.closing = [False] * len(self.blocks)
        stack: list[tuple[int, str]] = []
        speaker: str | None = self.fixed_expert
        speaker_level = 99
        speaker_name: str | None = None
        pending = Pending()
        verdict: Verdict | None = None
        status_section = False
        previous_round: int | None = None
        section = "(top)"
        for index, block in enumerate(self.blocks):
            rnd = self.block_round[index]
            if rnd != previous_round:
                speaker, speaker_name, speaker_level = self.fixed_expert, None, 99
                previous_round = rnd
            if block.kind == "heading":
                self._finish_pending(pending, rnd)
                pending = Pending()
                verdict = None
                status_section = False
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                stack.append((block.level, block.title))
                section = self._section(stack)
                if block.level <= speaker_level:
                    speaker, speaker_name, speaker_level = self.fixed_expert, None, 99
                if self.layout and block.level == self.round_level and round_start(block.title):
                    continue
                who = self._speaker_heading(block, rnd)
                if who is not None:
                    speaker, speaker_name = who
                    speaker_level = block.level
                    continue
                pending = self._item_heading(block.title, rnd, stack)
                if pending.item is None and pending.open_id is None:
                    verdict = self._verdict_heading(block.title, rnd, block.level)
                    status_section = strip_markup(block.title[:MAX_CELL]).strip().lower() in (
                        "status",
                        "dialogue status",
                    )
                continue
            if block.kind == "fence":
                if self.role in ("verdict", "convergence") and self._is_box_fence(block):
                    table = parse_box_table(self.lines[block.start + 1 : block.end - 1], block.start + 1)
                    if table is not None:
                        self._table(table, rnd, section, stack, index)
                continue
            if block.kind in ("table", "box"):
                lines = self.lines[block.start : block.end]
                table = (
                    parse_pipe_table(lines, block.start)
                    if block.kind == "table"
                    else parse_box_table(lines, block.start)
                )
                if table is not None:
                    self._table(table, rnd, section, stack, index)
                    self._table_markers(table, rnd)
                    continue
            if block.kind == "rule":
                if speaker_level == 100:
                    speaker, speaker_name, speaker_level = self.fixed_expert, None, 99
                continue
            text = self._block_text(index)
            if block.kind in ("paragraph", "list", "table", "box"):
                if "**" in text:  # speaker labels and facts are bold; most prose is not
                    label = self._speaker_label(text, rnd)
                    if label is not None:
                        speaker, speaker_name = label
                        speaker_level = 100
                    self._facts(text, rnd, index, section)
                if status_section and block.kind == "paragraph":
                    self.b.statuses.append(Statement(text.strip(), f"{self.where}: {section}", "section"))
                    status_section = False
                if self.expect_participants and block.kind == "list":
                    self._participants(text)
                    self.expect_participants = False
            if block.kind == "quote":
                continue
            if pending.item is not None or pending.open_id is not None:
                pending.lines.append(text)
            if verdict is not None and not verdict.recommendation:
                verdict.recommendation = " ".join(strip_markup(text).split())[:1000]
            if "[" in text:  # markers and placeholders are bracketed
                self._markers(text, index, rnd, speaker, speaker_name)
                self._placeholder_text(text, rnd, speaker, speaker_name, section)
        self._finish_pending(pending, self.block_round[-1] if self.block_round else None)
        if not len(self.b.experts):
            for rnd, name in self.free_speakers:
                speakers = self.b.round(rnd).setdefault("speakers", [])
                if name not in speakers:
                    speakers.append(name)

    def _table(
        self, table: Table, rnd: int | None, section: str, stack: list[tuple[int, str]], index: int
    ) -> None:
        """Hand a table to the part that reads its kind: facts, rounds, experts, or an inventory."""
        where = self._loc(section)
        said = f"{self.where}: {section}"  # for warnings: names the file
        if not table.rows:
            return
        headings = " / ".join(
            strip_markup(t[:MAX_CELL]).lower() for _, t in [h for h in stack if h[0] >= 2][-2:]
        )
        keys = table.keys
        if self._facts_table(table, rnd, index, section):
            return
        if (
            keys
            and keys[0] in ("round", "rnd", "r")
            and any(ROUND_CELL.match(strip_markup(r[0][:MAX_CELL])) for r in table.rows)
        ):
            self._round_table(table, said)
            return
        name_col = table.column(*NAME_COLUMNS)
        id_col = table.column("id", "#")
        kind = self._kind(table, stack, id_col)
        if name_col is not None and (id_col is None or kind is None or name_col == 0 or kind == "panel"):
            self._expert_table(table, name_col, rnd, said, headings)
            return
        if kind is not None and kind != "panel":
            if id_col is None and table.column(kind) is None:
                return  # "## Tension Summary" counts tensions; it does not list them
            self._inventory_table(table, kind, id_col, rnd, where, headings, said)
