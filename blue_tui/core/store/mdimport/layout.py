"""Cutting a dialogue file into rounds and sections, so that every line is kept.

Round headings (``## Round 1: Initial Reactions``, ``## Opening Arguments (Round 0)``)
at the highest level they appear start rounds; the headings under them belong to
the round, headings above them (and after the last round) start sections. Each line
of the file ends up in one round's ``text`` or in one ``sections`` entry (the header
before the first round is the ``preamble``, what follows the last round ``closing``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from blue_tui.core.store.mdimport.reader_base import ReaderBase, Segment
from blue_tui.core.store.mdimport.tables import strip_markup
from blue_tui.core.store.mdimport.textops import trailing_paren

_ROUND_START = re.compile(
    r"^[^\w\[(]*Round[ \t]+(?P<n>\d{1,3})[ \t]*(?:$|[:.—–-][ \t]*(?P<title>.*)$|\((?P<paren>[^)]*)\)[ \t]*$)",
    re.I,
)
_ROUND_ONLY = re.compile(r"^Round[ \t]+(?P<n>\d{1,3})$", re.I)
_NAMES_ROUND = re.compile(r"\bRound[ \t]+(\d{1,3})\b", re.I)
#: Headings longer than this are text, not round starts (a 100,000-character "heading" is not one).
MAX_TITLE = 500


@lru_cache(maxsize=4096)
def round_start(title: str) -> tuple[int, str | None] | None:
    """``"Round 1: Initial Reactions"`` -> (1, "Initial Reactions"); ``"Round 1 Scoreboard"`` -> None."""
    if len(title) > MAX_TITLE:
        return None
    clean = strip_markup(title)
    match = _ROUND_START.match(clean)
    if match:
        rest = (match.group("title") or "").strip()
        return int(match.group("n")), rest or None
    trailing = trailing_paren(clean)
    if trailing is not None and trailing[0].strip():
        inner = _ROUND_ONLY.match(trailing[1].strip())
        if inner:
            return int(inner.group("n")), trailing[0].strip()
    return None


def names_round(title: str) -> int | None:
    if len(title) > MAX_TITLE:
        return None
    match = _NAMES_ROUND.search(strip_markup(title))
    return int(match.group(1)) if match else None


class LayoutMixin(ReaderBase):
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
                        if segment.heading:
                            body = "\n".join(self.lines[segment.heading.start : segment.end]).strip("\n")
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
