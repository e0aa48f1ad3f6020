"""Pipe tables and box-drawing tables, cell clean-up and the small value parsers.

A pipe table needs a delimiter row (``|---|---|``) under its header, as in GFM; a
run of ``|`` lines without one is not a table and stays plain text. Box-drawing
tables (``┌──┬──┐`` / ``│ a │ b │``) are how verdict.md and CONVERGENCE.md draw their
summaries; their multi-line cells are joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from blue_tui.core.store.mdimport.textops import drop_pairs

_DELIMITER_CELL = re.compile(r"^\s*:?-{1,}:?\s*$")
_NUMBER = re.compile(r"^[+]?(-?\d+(?:\.\d+)?)")
_KEY_CLEAN = re.compile(r"[^a-z0-9%]+")
_PLACEHOLDERS = frozenset({"", "—", "–", "-", "--", "n/a", "na", "tbd", "…", "...", "?", "none yet"})
_PLACEHOLDER_TEXT = re.compile(
    r"^[\[(]\s*(awaiting|pending|tbd|todo|to be|placeholder|no response)\b.*[\])]$", re.I
)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\u2190-\u21ff\u2705\u274c]+"
)
_BOX_SPLIT = re.compile(r"[│┃║]")
_CODE_SPAN = re.compile(r"`[^`]*`")
_BOX_RULE = re.compile(r"^[\s┌┐└┘├┤┬┴┼─━═╔╗╚╝╠╣╦╩╬╞╡╪]+$")


#: More columns than this is not a table anyone drew (and would be costly to read).
MAX_COLUMNS = 64


@dataclass
class Table:
    headers: list[str]
    #: Normalised header names: lower case, punctuation folded to single spaces.
    keys: list[str]
    rows: list[list[str]]
    #: 0-based source line of each row (for messages).
    lines: list[int] = field(default_factory=list)

    def column(self, *names: str, contains: tuple[str, ...] = ()) -> int | None:
        """Index of the first column whose key is one of ``names`` (or contains one of ``contains``)."""
        for name in names:
            if name in self.keys:
                return self.keys.index(name)
        for i, key in enumerate(self.keys):
            if any(part in key for part in contains):
                return i
        return None


def header_key(text: str) -> str:
    return _KEY_CLEAN.sub(" ", strip_markup(text).lower()).strip()


def split_row(line: str) -> list[str]:
    """Cells of a ``| a | b |`` line; ``\\|`` and pipes inside backticks do not split."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    if "\\" not in text:
        if "`" not in text:
            return [cell.strip() for cell in text.split("|")]
        if not any("|" in span for span in _CODE_SPAN.findall(text)):
            return [cell.strip() for cell in text.split("|")]
    cells: list[str] = []
    current: list[str] = []
    in_code = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == "|":
            current.append("|")
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif ch == "|" and not in_code:
            cells.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    cells.append("".join(current).strip())
    return cells


def parse_pipe_table(lines: list[str], first_line: int = 0) -> Table | None:
    if len(lines) < 2:
        return None
    delimiter = split_row(lines[1])
    if not delimiter or not all(_DELIMITER_CELL.match(cell) for cell in delimiter):
        return None
    headers = split_row(lines[0])
    width = len(headers)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for offset, line in enumerate(lines[2:], start=2):
        cells = split_row(line)
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        elif len(cells) > width:
            cells = [*cells[: width - 1], " | ".join(cells[width - 1 :])]
        rows.append(cells)
        numbers.append(first_line + offset)
    return Table(headers, [header_key(h) for h in headers], rows, numbers)


def parse_box_table(lines: list[str], first_line: int = 0) -> Table | None:
    """A box-drawing table: the first logical row is the header; rule lines separate rows."""
    logical: list[list[str]] = []
    starts: list[int] = []
    current: list[list[str]] = []
    current_start = 0

    def flush() -> None:
        if current:
            width = max(len(r) for r in current)
            merged = [
                " ".join(r[i].strip() for r in current if i < len(r) and r[i].strip()) for i in range(width)
            ]
            logical.append(merged)
            starts.append(current_start)
            current.clear()

    for offset, line in enumerate(lines):
        if _BOX_RULE.match(line):
            flush()
            continue
        if line.count("│") + line.count("┃") + line.count("║") > MAX_COLUMNS:
            return None  # a line of box characters, not a table
        parts = _BOX_SPLIT.split(line.strip())
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        if not parts:
            continue
        if not current:
            current_start = first_line + offset
        current.append(parts)
    flush()
    if len(logical) < 2:
        return None
    headers = logical[0]
    width = len(headers)
    rows = [(row + [""] * width)[:width] for row in logical[1:]]
    return Table(headers, [header_key(h) for h in headers], rows, starts[1:])


def strip_markup(text: str) -> str:
    """Text without bold/underline markers and struck-through parts, trimmed (linear time)."""
    if "*" not in text and "_" not in text and "~" not in text:
        return text.strip()
    text = drop_pairs(text, "~~", keep_inside=False)
    text = drop_pairs(text, "__", keep_inside=True)
    return text.replace("**", "").strip()


def strip_emoji(text: str) -> str:
    return " ".join(_EMOJI.sub(" ", text).split())


def emoji_of(text: str) -> str | None:
    found = _EMOJI.search(text)
    return found.group(0).replace("\ufe0f", "") or None if found else None


def is_placeholder(text: str) -> bool:
    """``—``, ``-``, ``[Awaiting response]``, ``TBD`` and friends."""
    if len(text) > 60 or (len(text) > 9 and text[0] not in "[(*_~ \t"):
        return False
    clean = strip_markup(text).lower()
    if clean in _PLACEHOLDERS:
        return True
    return clean[:1] in "[(" and bool(_PLACEHOLDER_TEXT.match(clean))


def number(text: str) -> int | float | None:
    """The leading number of a cell (``**12**``, ``+87``, ``85%``, ``0.95``), or None."""
    clean = strip_markup(text).replace(",", "").strip()
    match = _NUMBER.match(clean)
    if not match:
        return None
    raw = match.group(1)
    value = float(raw)
    return int(value) if value.is_integer() and "." not in raw else value
