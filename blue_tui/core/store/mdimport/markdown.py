"""A line-level block scanner for dialogue markdown.

Only block structure matters to the importer (headings, tables, paragraphs, lists,
quotes, rules and fenced code), so this scanner reads lines, not inline syntax. It is
written here rather than taken from markdown-it-py because the importer must parse
at several MB/s (markdown-it-py's block pass manages about 1.5 MB/s) and must keep
exact line spans so that no source line is ever lost.

Rules that matter for dialogues:

* A fenced code block (```` ``` ```` or ``~~~``, any indentation, closed by the same
  character at least as long, or running to the end of the file) is one ``fence``
  block: content, never structure. A ``# comment`` inside a YAML fence is not a
  heading and a ``[PERSPECTIVE ...]`` inside a fence is not a marker.
* ATX headings (``#`` to ``######``) only; a ``---`` line is always a thematic break
  (setext headings are not recognised: dialogues use ``---`` as a separator).
* Consecutive lines starting with ``|`` form a ``table`` block (validated by
  :mod:`.tables`); consecutive lines of box-drawing characters form a ``box`` block.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_BOX_CHARS = frozenset("│┃┌┐└┘├┤┬┴┼─━═║╔╗╚╝╠╣╦╩╬╞╡╪")


class Block(NamedTuple):
    """One block: ``kind`` is heading, paragraph, list, quote, table, box, fence or rule.

    ``start``/``end`` are 0-based line indexes (``end`` exclusive). ``level`` and
    ``title`` are set for headings, ``info`` for fences. (A named tuple: a long file has
    tens of thousands of blocks, and tuples are the cheapest to make.)
    """

    kind: str
    start: int
    end: int
    level: int = 0
    title: str = ""
    info: str = ""


def is_rule(line: str) -> bool:
    """``---``, ``* * *``, ``___``: three or more of one of ``-*_``, spaces and tabs between."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body or body[0] not in "-*_":
        return False
    mark = body[0]
    return body.count(mark) >= 3 and not body.replace(mark, "").strip(" \t")


def heading_of(line: str) -> tuple[int, str] | None:
    """``"### Muffin 🧁 ###"`` -> (3, "Muffin 🧁"): an ATX heading's level and title, or None.

    Plain string work, not a regex: a heading line can be 100,000 characters long.
    """
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body.startswith("#"):
        return None
    after = body.lstrip("#")
    level = len(body) - len(after)
    if level > 6 or (after and after[0] not in " \t"):
        return None
    title = after.strip(" \t")
    closed = title.rstrip("#")
    if closed != title and (not closed or closed[-1] in " \t"):
        title = closed.rstrip(" \t")
    return level, title


def split_lines(text: str) -> list[str]:
    """Lines without their endings (``\\r\\n``, ``\\r`` and ``\\n`` all end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _fence_closes(line: str, char: str, length: int) -> bool:
    stripped = line.strip()
    return len(stripped) >= length and stripped[0] == char and stripped == char * len(stripped)


def _is_box(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and stripped[0] in _BOX_CHARS


def _starts_block(line: str) -> bool:
    """Does ``line`` interrupt a paragraph?"""
    stripped = line.lstrip()
    if not stripped:
        return True
    first = stripped[0]
    if first == "#" and heading_of(line) is not None:
        return True
    if first in "`~" and _FENCE_OPEN.match(line):
        return True
    if first in {"|", ">"}:
        return True
    if first in "-*_" and is_rule(line):
        return True
    if first in _BOX_CHARS:
        return True
    return bool((first in "-*+" or first.isdigit()) and _LIST_ITEM.match(line))


def scan(lines: list[str]) -> list[Block]:
    """The blocks of a document, in order. Blank lines belong to no block."""
    blocks: list[Block] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        first = stripped[0]
        if first in "`~":
            fence = _FENCE_OPEN.match(line)
            if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
                char, length = fence.group(1)[0], len(fence.group(1))
                j = i + 1
                while j < n and not _fence_closes(lines[j], char, length):
                    j += 1
                end = min(j + 1, n)
                blocks.append(Block("fence", i, end, info=fence.group(2).strip()))
                i = end
                continue
        if first == "#":
            heading = heading_of(line)
            if heading is not None:
                blocks.append(Block("heading", i, i + 1, level=heading[0], title=heading[1]))
                i += 1
                continue
        if first in "-*_" and is_rule(line):
            blocks.append(Block("rule", i, i + 1))
            i += 1
            continue
        if first == "|":
            j = i + 1
            while j < n and lines[j].lstrip().startswith("|"):
                j += 1
            blocks.append(Block("table", i, j))
            i = j
            continue
        if first in _BOX_CHARS:
            j = i + 1
            while j < n and _is_box(lines[j]):
                j += 1
            blocks.append(Block("box", i, j))
            i = j
            continue
        if first == ">":
            j = i + 1
            while j < n and lines[j].lstrip().startswith(">"):
                j += 1
            blocks.append(Block("quote", i, j))
            i = j
            continue
        if (first in "-*+" or first.isdigit()) and _LIST_ITEM.match(line):
            i = _scan_list(lines, i, blocks)
            continue
        j = i + 1
        while j < n and not _starts_block(lines[j]):
            j += 1
        blocks.append(Block("paragraph", i, j))
        i = j
    return blocks


def _scan_list(lines: list[str], i: int, blocks: list[Block]) -> int:
    """A list: items and their continuation lines; fences inside items stay fences."""
    n = len(lines)
    start = i
    j = i
    while j < n:
        line = lines[j]
        stripped = line.strip()
        if not stripped:
            # A blank line continues the list only if an indented line or another item follows.
            k = j + 1
            while k < n and not lines[k].strip():
                k += 1
            if (
                k < n
                and (lines[k][:1] in (" ", "\t") or _LIST_ITEM.match(lines[k]))
                and not _FENCE_OPEN.match(lines[k])
            ):
                j = k
                continue
            break
        if j > start and _FENCE_OPEN.match(line):
            break
        if j > start and not _LIST_ITEM.match(line) and line[:1] not in (" ", "\t") and _starts_block(line):
            break
        if j > start and stripped[0] in "#|>" and _starts_block(line):
            break
        j += 1
    blocks.append(Block("list", start, j))
    return j
