"""Reading one markdown text into a :class:`~.model.Builder`.

Used for whole dialogue files (V1-V3, summaries, free-form conversations: with
``layout=True`` the text is cut into rounds and sections that are kept verbatim) and
for the files of a round-scoped folder (summaries, expert files, scoreboard.md,
tensions.md, verdict.md: the round and expert come from the file's place).

What is read: header facts (``**Date**: ...``, two-column header tables), expert
panels and participant lines, speaker labels (``**Alex Chen (Distributed Systems):**``)
and expert headings (``### 🧁 Muffin``), scoreboards (per expert, per round),
inventory tables (perspectives, tensions, recommendations, evidence, claims, open
items), item headings (``### MACARON-T01 (R0): label`` with their ``**Status: ...**``
line), inline markers, status statements, totals and verdict sections. Code fences
are skipped (box-drawing tables inside fences are read in verdict and convergence
documents only, where that is how the summary tables are drawn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from blue_tui.core.store.mdimport.ids import IdRef, find_ids, parse_id
from blue_tui.core.store.mdimport.markdown import Block, scan, split_lines
from blue_tui.core.store.mdimport.markers import Marker, find_markers
from blue_tui.core.store.mdimport.model import (
    INVENTORY_KINDS,
    Builder,
    Effect,
    Item,
    Mention,
    Statement,
    Target,
    Verdict,
    normalize_status,
)
from blue_tui.core.store.mdimport.tables import (
    Table,
    is_placeholder,
    number,
    parse_box_table,
    parse_pipe_table,
    strip_emoji,
    strip_markup,
)

_ROUND_START = re.compile(
    r"^[^\w\[(]*Round\s+(?P<n>\d{1,3})\s*(?:$|[:.—–-]\s*(?P<title>.*)$|\((?P<paren>[^)]*)\)\s*$)", re.I
)
_ROUND_TRAILING = re.compile(r"^(?P<title>.*?)\s*\(Round\s+(?P<n>\d{1,3})\)\s*$", re.I)
_NAMES_ROUND = re.compile(r"\bRound\s+(\d{1,3})\b", re.I)
_FACT = re.compile(r"^\*\*(?P<key>[^*\n]{1,60}?)(?::\*\*|\*\*\s*:)\s*(?P<value>.*)$")
_FACT_SPLIT = re.compile(r"\s\|\s(?=\*\*[^*\n]{1,60}?(?::\*\*|\*\*\s*:))")
_LINE_FACT = re.compile(r"^[\s>*+-]*\*\*(?P<key>[^*\n]{1,60}?)(?::\*\*|\*\*\s*:)")
_SPEAKER = re.compile(r"^\*\*(?P<label>[^*\n]{1,100}?)\s*(?::\*\*|\*\*\s*:)\s*(?P<rest>.*)$")
_ITEM_HEADING = re.compile(r"^(?P<id>.+?)\s*[:—–]\s*(?P<label>.+)$")
_STATUS_LINE = re.compile(r"\*\*\s*Status\s*(?::\s*(?P<a>[^*]+?)\s*\*\*|\*\*\s*:\s*(?P<b>[^\n—|]+))", re.I)
_STATUS_PHRASE = re.compile(
    r"\*\*\s*(?P<word>Resolved|Narrowed|Refined|Evolved|Partially addressed|Addressed|Reopened|Superseded|Deferred"
    r"|Withdrawn|Accepted)\b[^*\n]*?\bR(?:ound\s*)?(?P<n>\d{1,3})\s*\*\*",
    re.I,
)
_VERDICT_HEADING = re.compile(
    r"\bverdict\b|\bconvergence\s+achieved\b|^dialogue\s+complete|^(?:final\s+)?consensus\b|^final\s+convergence$",
    re.I,
)
_ALIGNMENT_EXTRA = re.compile(r"(?P<key>velocity|total|cumulative)\s*:\s*\+?(?P<value>-?\d+(?:\.\d+)?)", re.I)
_COMPONENTS = re.compile(r"\b(?P<k>[WCTR])\s*:\s*(?P<v>\d+(?:\.\d+)?)")
_ROUND_CELL = re.compile(r"^\s*R?(?:ound\s*)?(\d{1,3})\s*$", re.I)
_PER_ROUND_COL = re.compile(r"^(?:r|round )(\d{1,3})$")
_LINE_SPEAKER = re.compile(r"(?:^|\n)[\s>*+-]*\**(?P<name>[^:*\[\]\n]{1,40}?)\**\s*:\s*\**\s*$")
_SPEAKS = re.compile(r"\s+(?:speaks|says|responds|replies)\s*$", re.I)
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_ROUND_TOKEN = re.compile(r"\bR(\d{1,3})\b")
_LEAD_SEPARATOR = re.compile(r"^(?:\*\*)?\s*[—–:-]+\s*")

KIND_WORDS = (
    ("open item", "open"),
    ("perspective", "perspective"),
    ("tension", "tension"),
    ("recommendation", "recommendation"),
    ("evidence", "evidence"),
    ("claim", "claim"),
)
NAME_COLUMNS = ("expert", "agent", "pastry", "name", "participant", "member", "speaker", "persona")
SCORE_KEYS = {
    "w": "W",
    "wisdom": "W",
    "c": "C",
    "consistency": "C",
    "t": "T",
    "truth": "T",
    "r": "R",
    "relationships": "R",
}
TOTAL_KEYS = ("score", "total", "alignment", "points", "round total")
PANEL_SECTION = ("panel", "participant", "roster", "expert pool", "experts")
QUESTION_KEYS = ("question", "topic", "purpose", "problem", "goal")


@lru_cache(maxsize=4096)
def round_start(title: str) -> tuple[int, str | None] | None:
    """``"Round 1: Initial Reactions"`` -> (1, "Initial Reactions"); ``"Round 1 Scoreboard"`` -> None."""
    clean = strip_markup(title)
    match = _ROUND_START.match(clean)
    if match:
        rest = (match.group("title") or "").strip()
        return int(match.group("n")), rest or None
    match = _ROUND_TRAILING.match(clean)
    if match and match.group("title").strip():
        return int(match.group("n")), match.group("title").strip()
    return None


def names_round(title: str) -> int | None:
    match = _NAMES_ROUND.search(strip_markup(title))
    return int(match.group(1)) if match else None


@dataclass
class Segment:
    round: int | None
    heading: Block | None
    start: int  # first text line (after the heading for round starts, at it for attached sections)
    end: int = 0
    starts_round: bool = False
    title: str | None = None


@dataclass
class _Pending:
    item: Item | None = None
    open_id: str | None = None
    parent_status: str | None = None
    lines: list[str] = field(default_factory=list)


class Reader:
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
    ) -> None:
        self.b = builder
        self.where = where
        #: Where things were found, as recorded in the document: the file inside a folder, nothing
        #: for a single file (the dialogue's ``source`` names it).
        self.place = "" if layout else where
        self.lines = split_lines(text)
        self.blocks = scan(self.lines)
        self.base_round = base_round
        self.fixed_expert = expert
        self.layout = layout
        self.role = (
            role  # dialogue | summary | expert | scoreboard | tensions | verdict | convergence | document
        )
        self.round_level = 0
        self.block_round: list[int | None] = []
        self.block_segment: list[int] = []
        self.segments: list[Segment] = []
        self.closing: list[bool] = []
        self.expect_participants = False
        self.entity_by_expert: dict[tuple[str | None, int | None], Item] = {}
        self.free_speakers: list[tuple[int, str]] = []
        self._marker_cache: dict[int, list[Marker]] = {}
        self._texts: dict[int, str] = {}

    # ---- layout: rounds and sections ------------------------------------------------------------

    def _layout(self) -> None:
        starts = [
            (i, b.level)
            for i, b in enumerate(self.blocks)
            if b.kind == "heading" and b.level <= 3 and round_start(b.title) is not None
        ]
        self.round_level = min((lvl for _, lvl in starts), default=0)
        round_numbers = {
            number[0]
            for i, lvl in starts
            if lvl == self.round_level and (number := round_start(self.blocks[i].title)) is not None
        }
        last_start = max((i for i, lvl in starts if lvl == self.round_level), default=-1)
        boundary = max(2, self.round_level) if self.round_level else 2
        current = Segment(None, None, 0)
        self.segments = [current]
        latest_round: int | None = None
        after_higher = False
        for i, block in enumerate(self.blocks):
            if block.kind == "heading":
                started = round_start(block.title) if block.level == self.round_level else None
                if started is not None:
                    latest_round = started[0]
                    after_higher = False
                    current = Segment(started[0], block, block.end, starts_round=True, title=started[1])
                    self.segments.append(current)
                elif block.level <= boundary:
                    named = names_round(block.title)
                    if block.level < self.round_level:
                        after_higher = True
                    if named is not None and named in round_numbers:
                        rnd: int | None = named
                    elif block.level < self.round_level or after_higher:
                        rnd = None
                    elif latest_round is not None and i < last_start:
                        rnd = latest_round
                    else:
                        rnd = None
                    current = Segment(rnd, block, block.start)
                    self.segments.append(current)
            self.block_segment.append(len(self.segments) - 1)
        for k, segment in enumerate(self.segments):
            nxt = self.segments[k + 1] if k + 1 < len(self.segments) else None
            segment.end = (
                nxt.heading.start if nxt is not None and nxt.heading is not None else len(self.lines)
            )
        first_round_line = min(
            (s.start for s in self.segments if s.starts_round), default=len(self.lines) + 1
        )
        self.block_round = [self.segments[s].round for s in self.block_segment]
        self.closing = [
            self.segments[s].round is None and (self.blocks[i].start > first_round_line)
            for i, s in enumerate(self.block_segment)
        ]

    def _store_text(self) -> None:
        """Every line of the file ends up in a round's text or a dialogue section."""
        round_texts: dict[int, list[str]] = {}
        first_round_line = min(
            (s.start for s in self.segments if s.starts_round), default=len(self.lines) + 1
        )
        for segment in self.segments:
            body = "\n".join(self.lines[segment.start : segment.end]).strip("\n")
            if segment.round is not None:
                data = self.b.round(segment.round)
                if segment.starts_round:
                    heading = segment.heading.title if segment.heading else None
                    if "heading" in data and heading is not None:
                        self.b.warn(
                            f"round {segment.round} has more than one heading in {self.where}; both kept"
                        )
                        body = (
                            "\n".join(self.lines[segment.heading.start : segment.end]).strip("\n")
                            if segment.heading
                            else body
                        )
                    else:
                        data["heading"] = heading
                        if segment.title and "title" not in data:
                            data["title"] = segment.title
                round_texts.setdefault(segment.round, []).append(body)
            elif segment.heading is None and not body.strip():
                continue
            else:
                entry: dict[str, Any] = {}
                if segment.heading is not None:
                    entry["heading"] = segment.heading.title
                    entry["level"] = segment.heading.level
                    body = "\n".join(self.lines[segment.heading.end : segment.end]).strip("\n")
                entry["text"] = body
                entry["placement"] = "closing" if segment.start > first_round_line else "preamble"
                self.b.sections.append(entry)
        for rnd, parts in round_texts.items():
            self.b.round(rnd)["text"] = "\n\n".join(p for p in parts if p.strip())

    # ---- walking the blocks ---------------------------------------------------------------------

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
        pending = _Pending()
        verdict: Verdict | None = None
        status_section = False
        previous_round: int | None = None
        section = "(top)"
        for index, block in enumerate(self.blocks):
            rnd = self.block_round[index]
            if rnd != previous_round:
                speaker = self.fixed_expert
                speaker_name = None
                speaker_level = 99
                previous_round = rnd
            if block.kind == "heading":
                self._finish_pending(pending, rnd)
                pending = _Pending()
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
                    verdict = self._verdict_heading(block.title, rnd, index)
                    status_section = strip_markup(block.title).strip().lower() in (
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
                table = (
                    parse_pipe_table(self.lines[block.start : block.end], block.start)
                    if block.kind == "table"
                    else parse_box_table(self.lines[block.start : block.end], block.start)
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
                verdict.recommendation = self._first_sentence_block(text)
            self._markers(text, index, rnd, speaker, speaker_name)
            self._placeholder_text(text, rnd, speaker, speaker_name, section)
        self._finish_pending(pending, self.block_round[-1] if self.block_round else None)
        if not self.b.experts:
            for rnd, name in self.free_speakers:
                speakers = self.b.round(rnd).setdefault("speakers", [])
                if name not in speakers:
                    speakers.append(name)

    # ---- context helpers ------------------------------------------------------------------------

    def _loc(self, detail: str | None = None) -> str:
        if detail and self.place:
            return f"{self.place}: {detail}"
        return detail or self.place

    def _section(self, stack: list[tuple[int, str]]) -> str:
        return strip_markup(stack[-1][1]) if stack else "(top)"

    def _is_box_fence(self, block: Block) -> bool:
        inner = [line for line in self.lines[block.start + 1 : block.end - 1] if line.strip()]
        return bool(inner) and all(line.lstrip()[:1] in "│┃┌┐└┘├┤┬┴┼─║╔╗╚╝╠╣" for line in inner)

    def _speaker_heading(self, block: Block, rnd: int | None) -> tuple[str | None, str | None] | None:
        """``### 🧁 Muffin (Systems Architect)`` inside a round: that expert speaks until the next heading."""
        if self.fixed_expert is not None or not self.layout:
            return None
        if rnd is None or block.level <= self.round_level:
            return None
        raw = strip_markup(block.title)
        name = _SPEAKS.sub("", raw)
        slug = self.b.find_expert(name)
        if slug is not None:
            self.b.round_expert(rnd, slug)
            return slug, self.b.experts[slug].name
        if self.b.is_judge(name):
            return None, "Judge"
        if block.level == self.round_level + 1 and len(name) <= 60:
            # A speaker of a free-form conversation, if the dialogue turns out to have no panel.
            self.free_speakers.append((rnd, raw))
        return None

    def _speaker_label(self, text: str, rnd: int | None) -> tuple[str | None, str | None] | None:
        """``**Alex Chen (Distributed Systems):**`` opening a paragraph (V1 transcripts)."""
        if self.fixed_expert is not None:
            return None
        match = _SPEAKER.match(text.strip())
        if not match:
            return None
        label = match.group("label")
        if self.b.is_judge(label):
            return None, "Judge"
        people = self.b.experts_in(re.sub(r"\((?:joint|together)\)", "", label, flags=re.I))
        if not people:
            return None
        if rnd is not None:
            for slug in people:
                self.b.round_expert(rnd, slug)
        return people[0], strip_markup(label)

    # ---- facts ----------------------------------------------------------------------------------

    def _facts(self, text: str, rnd: int | None, index: int, section: str) -> None:
        if "**" not in text:
            return
        for line in text.split("\n"):
            if "**" not in line or not _LINE_FACT.match(line):
                continue
            body = re.sub(r"^[\s>*+-]*(?=\*\*)", "", line)
            for part in _FACT_SPLIT.split(body):
                match = _FACT.match(part.strip())
                if match:
                    key = strip_markup(match.group("key")).strip().rstrip(":")
                    self._fact(key, match.group("value").strip(), rnd, index, section)

    def _fact(self, key: str, value: str, rnd: int | None, index: int, section: str) -> None:
        low = " ".join(strip_emoji(key).lower().split())
        where = f"{self.where}: {section}"
        preamble = self.layout and rnd is None and not self.closing[index]
        if preamble and low not in self.b.metadata:
            self.b.metadata[key] = value
        if low in ("total alignment", "final alignment score", "final alignment", "alignment total"):
            total = number(value)
            if total is not None:
                self.b.totals.append((total, where))
            return
        if low == "status":
            if not value:
                return
            if rnd is not None and (self.role == "summary" or self.layout):
                data = self.b.round(rnd)
                data.setdefault("status_text", strip_markup(value))
                self.b.statuses.append(Statement(value, where, "round"))
            else:
                level = "header" if preamble else ("closing" if self.layout else "section")
                self.b.statuses.append(Statement(value, where, level))
            return
        if low in ("convergence", "final convergence", "final consensus", "consensus", "converged"):
            self.b.statuses.append(Statement(value, where, "inferred"))
        if low in ("participants", "agents", "panel", "experts") and number(value) is None:
            if value:
                self._participants(value)
            else:
                self.expect_participants = True
            return
        if preamble or (not self.layout and rnd is None):
            if low in ("date", "started", "created", "when") and self.b.date is None:
                found = _DATE.search(value)
                if found:
                    self.b.date = found.group(1)
            if low in QUESTION_KEYS and self.b.question is None and value:
                self.b.question = strip_markup(value)
            if low == "domain" and self.b.domain is None and value:
                self.b.domain = strip_markup(value)
            if low in ("alignment score", "alignment") and rnd is None:
                total = number(value)
                if total is not None:
                    self.b.totals.append((total, where))
        if rnd is not None:
            self._round_fact(low, value, rnd, where)

    def _round_fact(self, low: str, value: str, rnd: int, where: str) -> None:
        data = self.b.round(rnd)
        if low in ("alignment score", "alignment", "score", "round score"):
            score = number(value)
            if score is not None:
                self._set_round(rnd, "score", score, where)
            for extra in _ALIGNMENT_EXTRA.finditer(value):
                # Beside the score, "Velocity" is the score's change since the last round (RFC 0056),
                # not RFC 0057-A's open tensions + new perspectives: kept apart as score_velocity.
                key = {"velocity": "score_velocity", "total": "cumulative", "cumulative": "cumulative"}[
                    extra.group("key").lower()
                ]
                raw = float(extra.group("value"))
                self._set_round(rnd, key, int(raw) if raw.is_integer() else raw, where)
            components = {m.group("k"): number(m.group("v")) for m in _COMPONENTS.finditer(value)}
            if components:
                data.setdefault("components", components)
        elif low in ("velocity", "alignment velocity"):
            velocity = number(value)
            if velocity is not None:
                self._set_round(rnd, "velocity", velocity, where)
        elif low == "panel":
            size = number(value)
            if size is not None:
                data.setdefault("panel_size", size)
        elif "convergence" in low or "converge" in low:
            percent = number(value)
            if percent is not None and "%" in value:
                data.setdefault("converge_percent", percent)

    def _set_round(self, rnd: int, key: str, value: Any, where: str) -> None:
        data = self.b.round(rnd)
        if key in data and data[key] != value:
            self.b.warn(
                f"round {rnd} {key} is {data[key]} in one place and {value} in {where}; kept {data[key]}"
            )
            return
        data[key] = value

    def _participants(self, text: str) -> None:
        """``🧁 Muffin (Systems Architect) | 🧁 Cupcake (...)`` or ``💙 Judge, 🧁 Muffin, ...``."""
        for raw_line in text.split("\n"):
            line = re.sub(r"^[\s*+-]+", "", raw_line)
            for raw_part in re.split(r"\s*[|,;]\s*", line):
                part = raw_part.strip()
                if not part or len(part) > 80:
                    continue
                role = None
                paren = re.search(r"\(([^)]*)\)", part)
                if paren:
                    role = paren.group(1).strip() or None
                name = re.sub(r"\([^)]*\)", "", part).strip()
                if not strip_emoji(name):
                    continue
                self.b.expert(name, role=role)

    # ---- tables ---------------------------------------------------------------------------------

    def _table(
        self, table: Table, rnd: int | None, section: str, stack: list[tuple[int, str]], index: int
    ) -> None:
        where = self._loc(section)
        said = f"{self.where}: {section}"  # for warnings: names the file
        if not table.rows:
            return
        headings = " / ".join(strip_markup(t).lower() for _, t in [h for h in stack if h[0] >= 2][-2:])
        keys = table.keys
        if self._facts_table(table, rnd, index, section):
            return
        if (
            keys
            and keys[0] in ("round", "rnd", "r")
            and any(_ROUND_CELL.match(strip_markup(row[0])) for row in table.rows)
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

    def _facts_table(self, table: Table, rnd: int | None, index: int, section: str) -> bool:
        """Two-column key/value tables: header tables (``| **Topic** | ... |``) and Metric/Value tables."""
        if len(table.keys) != 2:
            return False
        first = table.keys[0]
        if first not in ("", "metric", "key", "field", "property", "item") or (
            first == "item" and table.keys[1] != "value"
        ):
            return False
        if first == "" and table.keys[1] != "":
            return False
        for row in table.rows:
            key = strip_markup(row[0]).strip()
            if key:
                self._fact(key, row[1].strip(), rnd, index, section)
        return True

    def _round_table(self, table: Table, where: str) -> None:
        for row in table.rows:
            match = _ROUND_CELL.match(strip_markup(row[0]))
            if not match:
                label = strip_markup(row[0]).lower()
                if label.startswith("total"):
                    col = table.column(*TOTAL_KEYS)
                    if col is not None and number(row[col]) is not None:
                        value = number(row[col])
                        if value is not None:
                            self.b.totals.append((value, where))
                continue
            rnd = int(match.group(1))
            data = self.b.round(rnd)
            components: dict[str, Any] = {}
            for key, cell in zip(table.keys[1:], row[1:], strict=False):
                if is_placeholder(cell):
                    continue
                value = number(cell)
                if key in SCORE_KEYS and value is not None:
                    components[SCORE_KEYS[key]] = value
                elif key in ("score", "alignment", "total", "round score", "points") and value is not None:
                    self._set_round(rnd, "score", value, where)
                elif (
                    key in ("s", "cumulative", "cumulative score", "running total", "sum")
                    and value is not None
                ):
                    self._set_round(rnd, "cumulative", value, where)
                elif key in ("open t", "open tensions", "open") and value is not None:
                    self._set_round(rnd, "open_tensions", value, where)
                elif key in ("new p", "new perspectives", "new") and value is not None:
                    self._set_round(rnd, "new_perspectives", value, where)
                elif key == "velocity" and value is not None:
                    self._set_round(rnd, "velocity", value, where)
                elif key.startswith("converge") and value is not None:
                    self._set_round(rnd, "converge_percent", value, where)
                elif key:
                    data.setdefault(key.replace(" ", "_"), strip_markup(cell))
            if components:
                data.setdefault("components", components)

    def _kind(self, table: Table, stack: list[tuple[int, str]], id_col: int | None) -> str | None:
        """What a table lists: by its heading, else (tables with an ID column only) by a column or the ids."""
        for _, title in reversed([h for h in stack if h[0] >= 2][-2:]):
            low = strip_markup(title).lower()
            if any(word in low for word in PANEL_SECTION) and table.column(*NAME_COLUMNS) is not None:
                return "panel"
            for word, kind in KIND_WORDS:
                if word in low:
                    return kind
        if id_col is None:
            return None  # "| Tension | Resolution |" in a Judge's notes is not an inventory
        for word, kind in KIND_WORDS:
            if word in table.keys:
                return kind
        if id_col is not None:
            letters = set()
            for row in table.rows:
                ref = parse_id(strip_markup(row[id_col]))
                if ref is None:
                    if is_placeholder(row[id_col]):
                        continue
                    return None
                letters.add(ref.letter)
            if len(letters) == 1:
                letter = letters.pop()
                return {
                    "P": "perspective",
                    "T": "tension",
                    "R": "recommendation",
                    "E": "evidence",
                    "C": "claim",
                    "O": "open",
                }[letter]
        return None

    def _expert_table(self, table: Table, name_col: int, rnd: int | None, where: str, headings: str) -> None:
        keys = table.keys
        is_panel = any(word in headings for word in PANEL_SECTION) and "score" not in headings
        per_round = {i: int(m.group(1)) for i, k in enumerate(keys) if (m := _PER_ROUND_COL.match(k))}
        score_cols = {i: SCORE_KEYS[k] for i, k in enumerate(keys) if k in SCORE_KEYS and i not in per_round}
        total_col = next((i for i, k in enumerate(keys) if k in TOTAL_KEYS and i != name_col), None)
        numeric_cells: list[int | float] = []
        for row in table.rows:
            name = row[name_col]
            if is_placeholder(name) or strip_markup(name).lower() in ("total", "sum", "all", "totals"):
                if strip_markup(name).lower().startswith("total") and total_col is not None:
                    value = number(row[total_col])
                    if value is not None:
                        self.b.totals.append((value, where))
                continue
            attrs = self._expert_attrs(table, row, name_col, is_panel)
            slug = self.b.expert(name, **attrs)
            if slug is None:
                continue
            exp = self.b.experts[slug]
            for col, number_round in per_round.items():
                value = number(row[col])
                if value is not None:
                    numeric_cells.append(value)
                    self.b.expert_score(slug, number_round, value, where)
                    self.b.expert_round(slug, number_round)
                    self.b.round_expert(number_round, slug).setdefault("score", value)
            components = {
                letter: value for col, letter in score_cols.items() if (value := number(row[col])) is not None
            }
            numeric_cells.extend(components.values())
            total = number(row[total_col]) if total_col is not None else None
            if total is not None:
                numeric_cells.append(total)
            if rnd is not None and not per_round:
                entry = self.b.round_expert(rnd, slug)
                entry.update({k: v for k, v in components.items() if k not in entry})
                if total is not None:
                    entry.setdefault("score", total)
                    self.b.expert_score(slug, rnd, total, where)
                for col, key in enumerate(keys):
                    if col in (name_col, total_col) or col in score_cols or not key:
                        continue
                    cell = row[col]
                    if is_placeholder(cell) or key in ("role", "tier", "relevance", "emoji", "id"):
                        continue
                    value = number(cell) if key in ("confidence", "relevance") else None
                    entry.setdefault(
                        key.replace(" ", "_"), value if value is not None else strip_markup(cell)
                    )
            elif per_round and total is not None:
                if exp.total is not None and exp.total != total:
                    self.b.warn(f"{exp.name}'s total is {exp.total} in one place and {total} in {where}")
                elif exp.total is None:
                    exp.total = total
            elif total is not None or components:
                if total is not None and exp.total is None:
                    exp.total = total
                if components:
                    exp.fields.setdefault("components", components)
        if (score_cols or per_round or total_col is not None) and numeric_cells:
            self.b.score_tables.append((where, all(v == 0 for v in numeric_cells)))

    def _expert_attrs(self, table: Table, row: list[str], name_col: int, is_panel: bool) -> dict[str, Any]:
        attrs: dict[str, Any] = {}

        def cell(*names: str) -> str | None:
            col = table.column(*names)
            if col is None or col == name_col:
                return None
            value = row[col]
            return None if is_placeholder(value) else strip_markup(value)

        role = cell("role")
        if role is None and is_panel:
            role = cell("domain", "expertise", "specialty", "discipline")
        attrs["role"] = role
        tier = cell("tier")
        attrs["tier"] = tier[:1].upper() + tier[1:] if tier else None
        relevance = cell("relevance")
        attrs["relevance"] = number(relevance) if relevance else None
        attrs["emoji"] = cell("emoji")
        attrs["id"] = cell("id") if is_panel or table.keys[0] == "id" else None
        source = cell("source")
        attrs["source"] = source.lower() if source else None
        if is_panel:
            attrs["focus"] = cell("focus", "perspective", "expertise", "lens")
        return attrs

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
        skip = {id_col}
        status_col = next((i for i, k in enumerate(keys) if "status" in k), None)
        resolution_col = table.column("resolution", "resolved", "outcome")
        round_col = table.column("round", "rnd")
        raised_col = table.column(
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
        skip.update({status_col, resolution_col, round_col, raised_col})
        label_col = table.column(
            kind,
            "label",
            "title",
            "description",
            "summary",
            "item",
            "topic",
            "name",
            "perspective",
            "tension",
            "recommendation",
        )
        if label_col is None or label_col in skip:
            label_col = next((i for i in range(len(keys)) if i not in skip), None)
        header_status = None
        if "resolved" in headings and "unresolved" not in headings:
            header_status = "resolved"
        for row_index, row in enumerate(table.rows):
            ident = strip_markup(row[id_col]) if id_col is not None else ""
            label = strip_markup(row[label_col]) if label_col is not None else ""
            if (id_col is not None and is_placeholder(ident)) or (is_placeholder(label) and not ident):
                self.b.warn(
                    f"placeholder row kept as written in {said} (line {table.lines[row_index] + 1}): "
                    f"{' | '.join(c for c in row)}"
                )
                continue
            ref = parse_id(ident, allow_short_r=kind == "recommendation") if ident else None
            people: list[str] = []
            row_round = rnd
            if round_col is not None:
                value = number(strip_markup(row[round_col]).lstrip("Rr"))
                if value is not None:
                    row_round = int(value)
            if raised_col is not None:
                raised = row[raised_col]
                people = self.b.experts_in(raised)
                found = _ROUND_TOKEN.search(strip_markup(raised))
                if found and round_col is None:
                    row_round = int(found.group(1))
            if kind == "open":
                if ref is not None:
                    col = {k: row[i] for i, k in enumerate(keys) if row[i]}
                    self.b.open_item(ref.written, label, row_round, col, where)
                continue
            if ref is None and ident:
                # An ID column with something that is not an id ("1.", "A"): keep it as written.
                ref = IdRef(letter="", number=-1, written=ident)
            if ref is not None and ref.letter == "":
                item = self.b.unnumbered_item(kind, f"{ident}: {label}", row_round, people, where)
            elif ref is None:
                item = self.b.unnumbered_item(kind, label, row_round, people, where)
            else:
                item = self.b.table_item(kind, ref, label, row_round, people, where)
            status_round = rnd if rnd is not None else row_round
            by: list[str] = []
            reason: str | None = None
            if resolution_col is not None and not is_placeholder(row[resolution_col]):
                resolved_cell = strip_markup(row[resolution_col])
                by = self.b.experts_in(resolved_cell)
                found = _ROUND_TOKEN.search(resolved_cell)
                if found:
                    status_round = int(found.group(1))
                reason = resolved_cell
            if status_col is not None and not is_placeholder(row[status_col]):
                said_round = _ROUND_TOKEN.search(strip_markup(row[status_col]))
                if said_round:  # "✅ **RESOLVED R1** - ..."
                    status_round = int(said_round.group(1))
                self.b.status(item, row[status_col], status_round, by, where, reason=reason)
            elif (reason is not None and keys[resolution_col or 0] == "resolution") or header_status:
                self.b.status(item, "resolved", status_round, by, where, reason=reason, normalized="resolved")

    def _table_markers(self, table: Table, rnd: int | None) -> None:
        name_col = table.column(*NAME_COLUMNS)
        for row in table.rows:
            joined = " | ".join(row)
            if "[" not in joined:
                continue
            expert = self.b.find_expert(row[name_col]) if name_col is not None else None
            self._markers(joined, -1, rnd, expert or self.fixed_expert, None, table_row=True)

    # ---- item headings ("### MACARON-T01 (R0): label") -----------------------------------------

    def _item_heading(self, title: str, rnd: int | None, stack: list[tuple[int, str]]) -> _Pending:
        clean = strip_markup(title)
        match = _ITEM_HEADING.match(clean)
        if not match:
            return _Pending()
        ref = parse_id(match.group("id"))
        if ref is None:
            return _Pending()
        label = match.group("label").strip()
        parent_status = None
        for _, parent in reversed(stack[:-1]):
            parent_status = normalize_status(parent)
            if "resolved" in parent.lower() and "unresolved" not in parent.lower():
                parent_status = "resolved"
            if parent_status is not None:
                break
        if ref.letter == "O":
            owner = re.search(r"\(([^)]*)\)\s*$", label)
            self.b.open_item(ref.written, label, rnd, {"owner": owner.group(1)} if owner else {}, self._loc())
            return _Pending(open_id=ref.written, parent_status=parent_status)
        kind = ref.kind
        if kind is None:
            return _Pending()
        item = self.b.table_item(
            kind, ref, label, ref.round if ref.round is not None else rnd, [], self._loc()
        )
        return _Pending(item=item, parent_status=parent_status)

    def _finish_pending(self, pending: _Pending, rnd: int | None) -> None:
        if pending.item is None and pending.open_id is None:
            return
        body = "\n".join(pending.lines)
        status = None
        status_round = rnd
        line = _STATUS_LINE.search(body)
        phrase = _STATUS_PHRASE.search(body)
        if phrase:
            status_round = int(phrase.group("n"))
        if line:
            status = (line.group("a") or line.group("b") or "").strip()
        elif phrase:
            status = phrase.group("word")
        elif pending.parent_status:
            status = pending.parent_status
        if pending.open_id is not None:
            if (status and normalize_status(status) == "resolved") or "resolution" in body.lower():
                self.b.resolve_open_item(pending.open_id, rnd, self._loc(), body.strip()[:500])
            return
        if pending.item is not None and status:
            reason = body.strip().split("\n")[0][:500] if body.strip() else None
            self.b.status(
                pending.item, status, status_round, [], self._loc(), reason=strip_markup(reason or "") or None
            )
        if pending.item is not None and body.strip() and pending.item.content == pending.item.label:
            first = body.strip().split("\n\n")[0]
            if not _STATUS_LINE.match(first.strip()):
                pending.item.content = strip_markup(first)

    # ---- verdicts -------------------------------------------------------------------------------

    def _verdict_heading(self, title: str, rnd: int | None, index: int) -> Verdict | None:
        if self.role in ("verdict", "convergence"):
            return None
        clean = strip_markup(title)
        if not _VERDICT_HEADING.search(clean):
            return None
        low = clean.lower()
        vtype = "minority" if "minority" in low else ("dissent" if "dissent" in low else None)
        verdict = Verdict(vtype, rnd, strip_emoji(clean), "", self._loc(clean), priority=1)
        self.b.statuses.append(Statement(clean, f"{self.where}: {clean}", "inferred"))
        if "unanimous" in low:
            verdict.confidence = "unanimous"
        self.b.verdict(verdict)
        return verdict

    @staticmethod
    def _first_sentence_block(text: str) -> str:
        return " ".join(strip_markup(text).split())[:1000]

    # ---- markers --------------------------------------------------------------------------------

    def _markers(
        self,
        text: str,
        index: int,
        rnd: int | None,
        speaker: str | None,
        speaker_name: str | None,
        *,
        table_row: bool = False,
    ) -> None:
        markers = self._find(text, index if not table_row else -1)
        if not markers:
            return
        for k, marker in enumerate(markers):
            end = markers[k + 1].start if k + 1 < len(markers) else len(text)
            after = text[marker.end : end]
            expert = speaker if speaker is not None else self._line_speaker(text, marker)
            if expert is None and marker.id is not None and marker.id.expert is not None:
                expert = self.b.find_expert(marker.id.expert)
            if expert is not None and rnd is not None:
                self.b.round_expert(rnd, expert)
            if marker.family == "entity":
                content = self._content(after, index if k == len(markers) - 1 and not table_row else -1)
                self._entity(marker, content, rnd, expert)
            elif marker.family == "action":
                self._action(marker, rnd, expert, after)
            elif marker.family == "move":
                self._move(marker, rnd, expert, after)
            elif marker.family == "ref":
                self._ref(marker, rnd, expert)
            elif marker.family == "verdict":
                content = self._content(after, index if k == len(markers) - 1 and not table_row else -1)
                verdict_type = (
                    marker.tag if marker.tag in ("interim", "final", "dissent", "minority") else None
                )
                self.b.verdict(
                    Verdict(
                        verdict_type,
                        rnd,
                        marker.label,
                        content[:2000],
                        self._loc(),
                        author=expert,
                        priority=2,
                    )
                )

    def _line_speaker(self, text: str, marker: Marker) -> str | None:
        """``- Cupcake: [MOVE:CONVERGE]`` in a summary: the name before the marker on its line."""
        line_start = text.rfind("\n", 0, marker.start) + 1
        before = text[line_start : marker.start]
        match = _LINE_SPEAKER.search(before)
        if match:
            return self.b.find_expert(match.group("name"))
        return None

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

    def _content(self, after: str, index: int) -> str:
        """The words after a marker: the rest of its paragraph, and the blocks that follow it."""
        parts = [after.strip()]
        if index >= 0:
            j = index + 1
            while j < len(self.blocks):
                block = self.blocks[j]
                if block.kind in ("heading", "rule", "table", "box"):
                    break
                if self.layout and self.block_round[j] != self.block_round[index]:
                    break
                text = self._block_text(j)
                if block.kind != "fence" and self._find(text, j):
                    break
                if block.kind == "paragraph" and _SPEAKER.match(text.strip()):
                    break
                parts.append(text)
                j += 1
        content = "\n\n".join(p for p in parts if p).strip()
        content = _LEAD_SEPARATOR.sub("", content)
        return content

    def _entity(self, marker: Marker, content: str, rnd: int | None, expert: str | None) -> None:
        kind = marker.tag
        if kind not in INVENTORY_KINDS:
            return
        ref = marker.id
        origin = rnd if rnd is not None else (ref.round if ref is not None else None)
        label = strip_markup(marker.label) or (
            strip_markup(content.split("\n", maxsplit=1)[0])[:200] if content else ""
        )
        item = self.b.marker_item(kind, ref, label, content, origin, expert, self._loc())
        self.entity_by_expert[(expert, rnd)] = item

    def _mentions(
        self, refs: list[IdRef], rnd: int | None, expert: str | None, marker: Marker, *, warn: bool
    ) -> list[Mention]:
        return [
            Mention(ref, rnd, expert, marker.written, self.where, warn=warn and ref.letter != "O")
            for ref in refs
        ]

    def _action(self, marker: Marker, rnd: int | None, expert: str | None, after: str) -> None:
        explicit = self._mentions(marker.targets, rnd, expert, marker, warn=True)
        explicit_keys = {(m.ref.letter, m.ref.number) for m in explicit}
        mentioned = [
            m
            for m in self._mentions(find_ids(marker.text), rnd, expert, marker, warn=False)
            if (m.ref.letter, m.ref.number) not in explicit_keys
        ]
        context = marker.text or " ".join(after.strip().split("\n")[0].split())[:500].lstrip(".,;:|—– ")
        by = [expert] if expert else []
        effect = {
            "resolve": "resolved",
            "reopen": "reopened",
            "address": "addressed",
            "acknowledge": "acknowledged",
        }
        if marker.tag in effect:
            for mention in explicit:
                self.b.effect(Effect(mention, effect[marker.tag], rnd, by, context or None, self._loc()))
        targets: list[Target] = [*explicit, *mentioned]
        self.b.move(rnd, expert, marker.tag, targets, context, marker.written, self._loc())

    def _move(self, marker: Marker, rnd: int | None, expert: str | None, after: str) -> None:
        targets: list[Target] = list(self._mentions(marker.targets, rnd, expert, marker, warn=True))
        context = (
            " ".join(after.strip().split("\n")[0].split())[:500].lstrip(".,;:|—– ") if after.strip() else ""
        )
        if not targets and marker.args:
            context = (marker.args + (" " + context if context else "")).strip()
        self.b.move(rnd, expert, marker.tag, targets, context, marker.written, self._loc())

    def _ref(self, marker: Marker, rnd: int | None, expert: str | None) -> None:
        mentions = self._mentions(marker.targets[:1], rnd, expert, marker, warn=True)
        target: Target = mentions[0] if mentions else marker.args
        source: Item | str = self.entity_by_expert.get((expert, rnd)) or f"@{expert or 'judge'}"
        self.b.ref(source, marker.tag, target, rnd, expert, marker.written)
        effect = {"resolve": "resolved", "reopen": "reopened", "address": "addressed"}.get(marker.tag)
        if effect and mentions:
            self.b.effect(
                Effect(mentions[0], effect, rnd, [expert] if expert else [], marker.written, self._loc())
            )

    # ---- placeholders ---------------------------------------------------------------------------

    def _placeholder_text(
        self, text: str, rnd: int | None, speaker: str | None, name: str | None, section: str
    ) -> None:
        clean = text.strip()
        if clean.startswith("[") and is_placeholder(clean):
            who = name or (self.b.experts[speaker].name if speaker in self.b.experts else None) or section
            where = f"round {rnd}" if rnd is not None else self.where
            self.b.warn(f"{where}: {who}'s response is a placeholder, kept as written: {clean}")
