"""Small string operations that run in linear time on any input.

Several obvious regexes for these jobs (``\\s*[|,;]\\s*`` as a separator, ``\\([^)]*\\)``
for parentheses, ``(.+?)\\s*:`` for "id: label") backtrack quadratically or worse on a
long run of spaces or of ``(``. Dialogue files come from other people, so the
importer does these with plain string methods instead.
"""

from __future__ import annotations

from collections.abc import Iterable


def split_any(text: str, separators: Iterable[str]) -> list[str]:
    """``text`` cut at every one of ``separators`` (single characters), parts stripped."""
    seps = frozenset(separators)
    parts: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in seps:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def first_of(text: str, separators: Iterable[str]) -> int:
    """Index of the first of ``separators`` (single characters) in ``text``, or -1."""
    best = -1
    for sep in separators:
        at = text.find(sep)
        if at >= 0 and (best < 0 or at < best):
            best = at
    return best


def drop_parens(text: str) -> str:
    """``text`` without its ``(...)`` groups (each from a ``(`` to the next ``)``); an unclosed one stays."""
    if "(" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        open_at = text.find("(", i)
        if open_at < 0:
            break
        close_at = text.find(")", open_at + 1)
        if close_at < 0:
            break
        out.append(text[i:open_at])
        out.append(" ")
        i = close_at + 1
    out.append(text[i:])
    return "".join(out)


def paren_groups(text: str) -> list[str]:
    """The insides of ``text``'s ``(...)`` groups, in order."""
    groups: list[str] = []
    i = 0
    while True:
        open_at = text.find("(", i)
        if open_at < 0:
            return groups
        close_at = text.find(")", open_at + 1)
        if close_at < 0:
            return groups
        groups.append(text[open_at + 1 : close_at])
        i = close_at + 1


def trailing_paren(text: str) -> tuple[str, str] | None:
    """``"Title (Round 2)"`` -> ``("Title", "Round 2")``: a ``(...)`` group that ends the text."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    close_at = len(stripped) - 1
    open_at = stripped.rfind("(", 0, close_at)
    if open_at < 0 or ")" in stripped[open_at + 1 : close_at]:
        return None
    return stripped[:open_at].rstrip(), stripped[open_at + 1 : close_at]


def squash(text: str) -> str:
    """Whitespace runs folded to one space, trimmed."""
    return " ".join(text.split())


def drop_pairs(text: str, marker: str, *, keep_inside: bool) -> str:
    """Remove ``marker...marker`` pairs, in order: the markers only, or the whole span."""
    if marker not in text:
        return text
    out: list[str] = []
    i = 0
    size = len(marker)
    while True:
        open_at = text.find(marker, i)
        if open_at < 0:
            break
        close_at = text.find(marker, open_at + size + 1)
        if close_at < 0:
            break
        out.append(text[i:open_at])
        if keep_inside:
            out.append(text[open_at + size : close_at])
        i = close_at + size
    out.append(text[i:])
    return "".join(out)
