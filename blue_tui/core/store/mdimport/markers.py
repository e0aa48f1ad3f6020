"""Inline markers: ``[PERSPECTIVE P01: label]``, ``[TENSION T1: ...]``, ``[MOVE:CONVERGE]`` ...

Every generation of the dialogue format writes markers in square brackets. This
module finds them in a block of text (brackets balanced, backtick spans skipped,
optional ``**bold**`` around them) and reads their head. Recognised:

* entities: ``[PERSPECTIVE|TENSION|RECOMMENDATION|EVIDENCE|CLAIM id: label]``
  (id optional) and RFC 0051's local form ``[MUFFIN-P0101: label]``;
* actions: ``[REFINEMENT: ...]``, ``[CONCESSION: ...]``, ``[RESOLVED T02: ...]``,
  ``[RESOLVED MUFFIN R1-T01]``, ``[ACKNOWLEDGED T09]``, ``[ADDRESSED ...]``,
  ``[REOPENED ...]``, ``[CONVERGENCE CONFIRMED]``;
* moves ``[MOVE:CONVERGE]``, ``[MOVE:CONDITIONAL-CONVERGE]``, ``[MOVE:DEFEND id]`` ...;
* refs ``[RE:SUPPORT id]`` ... ``[RE:DEPEND id]``;
* verdicts ``[VERDICT:INTERIM]``, ``[VERDICT:FINAL]``, ``[DISSENT]``, ``[MINORITY VERDICT: label]``.

Anything else in brackets (links, ``[x]`` checkboxes, ``[Awaiting response]``) is text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from blue_tui.core.store.mdimport.ids import IdRef, find_ids, parse_id

ENTITY_TAGS = {
    "PERSPECTIVE": "perspective",
    "TENSION": "tension",
    "RECOMMENDATION": "recommendation",
    "EVIDENCE": "evidence",
    "CLAIM": "claim",
}
#: Action tags and the move type each is recorded as.
ACTION_TAGS = {
    "REFINEMENT": "refine",
    "REFINE": "refine",
    "CONCESSION": "concede",
    "CONCEDE": "concede",
    "RESOLVED": "resolve",
    "RESOLVE": "resolve",
    "ACKNOWLEDGED": "acknowledge",
    "ADDRESSED": "address",
    "REOPENED": "reopen",
    "CONVERGENCE CONFIRMED": "converge",
}
REF_TYPES = frozenset({"SUPPORT", "OPPOSE", "REFINE", "ADDRESS", "RESOLVE", "REOPEN", "QUESTION", "DEPEND"})

_START = re.compile(
    r"\[(?=(?:PERSPECTIVE|TENSION|RECOMMENDATION|EVIDENCE|CLAIM|REFINEMENT|REFINE|CONCESSION|CONCEDE|"
    r"RESOLVED|RESOLVE|ACKNOWLEDGED|ADDRESSED|REOPENED|CONVERGENCE CONFIRMED|DISSENT|MINORITY VERDICT)\b"
    r"|MOVE\s*:|RE\s*:|VERDICT\s*:|[A-Z][A-Z]+-[PTREC]\d{4}\s*:)"
)
_LOCAL = re.compile(
    r"^(?P<expert>[A-Z][A-Z]+)-(?P<letter>[PTREC])(?P<rr>\d{2})(?P<ss>\d{2})\s*:\s*(?P<label>.*)$", re.S
)
_ENTITY = re.compile(r"^(?P<tag>PERSPECTIVE|TENSION|RECOMMENDATION|EVIDENCE|CLAIM)\b\s*(?P<rest>.*)$", re.S)
_ACTION = re.compile(
    r"^(?P<tag>CONVERGENCE CONFIRMED|REFINEMENT|REFINE|CONCESSION|CONCEDE|RESOLVED|RESOLVE|ACKNOWLEDGED|"
    r"ADDRESSED|REOPENED)\b\s*(?P<rest>.*)$",
    re.S,
)
_MOVE = re.compile(r"^MOVE\s*:\s*(?P<type>[A-Za-z][A-Za-z_-]*)\s*(?P<args>.*)$", re.S)
_REF = re.compile(r"^RE\s*:\s*(?P<type>[A-Za-z]+)\s*(?P<target>.*)$", re.S)
_VERDICT = re.compile(r"^VERDICT\s*:\s*(?P<type>[A-Za-z]+)\s*(?::\s*(?P<label>.*))?$", re.S)
_DISSENT = re.compile(r"^DISSENT\b\s*(?::\s*(?P<label>.*))?$", re.S)
_MINORITY = re.compile(r"^MINORITY VERDICT\s*(?::\s*(?P<label>.*))?$", re.S)
MAX_MARKER = 6000


@dataclass(slots=True)
class Marker:
    """One marker found in text. ``start``/``end`` are offsets of the brackets (bold included)."""

    family: str  # entity | action | move | ref | verdict
    tag: str  # kind (entity), move/ref/verdict type (lower case)
    start: int
    end: int
    written: str  # the marker as written
    id: IdRef | None = None  # entity id as written
    label: str = ""
    text: str = ""  # action/verdict text after the colon
    targets: list[IdRef] = field(default_factory=list)
    args: str = ""  # move/ref arguments as written


_BRACKETS = re.compile(r"[\[\]]|\n[ \t]*\n")
_BACKTICKS = re.compile(r"`+")


def code_mask(text: str) -> bytearray | None:
    """1 for every character inside an inline code span (`` `...` ``), else 0; None without backticks.

    A run of backticks opens a span closed by the next run of the same length (CommonMark);
    a run that is never closed is literal text.
    """
    if "`" not in text:
        return None
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    next_of: dict[int, int] = {}
    for indexes in by_length.values():
        for a, b in itertools.pairwise(indexes):
            next_of[a] = b
    mask = bytearray(len(text))
    index = 0
    while index < len(runs):
        partner = next_of.get(index)
        if partner is None:
            index += 1
            continue
        start, end = runs[index][0], runs[partner][1]
        mask[start:end] = b"\x01" * (end - start)
        index = partner + 1
    return mask


def bracket_pairs(text: str, mask: bytearray | None) -> dict[int, int]:
    """Each ``[`` and its matching ``]`` (outside code spans, never across a blank line)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in _BRACKETS.finditer(text):
        at = match.start()
        ch = text[at]
        if ch == "\n":
            stack.clear()
        elif mask is not None and mask[at]:
            continue
        elif ch == "[":
            stack.append(at)
        elif stack:
            pairs[stack.pop()] = at
    return pairs


def _split_head(rest: str) -> tuple[str, str]:
    """``"T02: text"`` -> ("T02", "text"); ``": text"`` -> ("", "text"); ``"T02"`` -> ("T02", "")."""
    head, colon, tail = rest.partition(":")
    if not colon:
        return rest.strip(), ""
    return head.strip(), tail.strip()


#: What :func:`parse_marker` reads: family, tag, id, label, text, targets, args (see :class:`Marker`).
Parsed = tuple[str, str, "IdRef | None", str, str, list[IdRef], str]
_KIND_OF_LETTER = {"P": "perspective", "T": "tension", "R": "recommendation", "E": "evidence", "C": "claim"}


def parse_marker(body: str) -> Parsed | None:
    """Read a marker's inside (without brackets), or None when it is not a marker."""
    body = body.strip()
    first = body[:1]
    if first == "M":
        move = _MOVE.match(body)
        if move:
            args = move.group("args").strip()
            return "move", move.group("type").lower(), None, "", "", find_ids(args), args
    local = _LOCAL.match(body)
    if local:
        letter, rr, ss = local.group("letter", "rr", "ss")
        expert = local.group("expert")
        ref = IdRef(
            letter=letter,
            number=int(rr + ss),
            written=f"{expert}-{letter}{rr}{ss}",
            expert=expert,
            round=int(rr),
        )
        return "entity", _KIND_OF_LETTER[letter], ref, local.group("label").strip(), "", [], ""
    entity = _ENTITY.match(body)
    if entity:
        tag, rest = entity.group("tag", "rest")
        head, tail = _split_head(rest)
        ident = parse_id(head, allow_short_r=tag == "RECOMMENDATION") if head else None
        # No usable id: everything after the tag is the label ("[TENSION Docker vs SQLite]").
        label = rest.lstrip(": ").strip() if head and ident is None else tail
        return "entity", ENTITY_TAGS[tag], ident, label, "", [], ""
    action = _ACTION.match(body)
    if action:
        tag, rest = action.group("tag", "rest")
        head, tail = _split_head(rest)
        targets = find_ids(head) if head else []
        if head and not targets:
            tail = rest.lstrip(": ").strip()
        return "action", ACTION_TAGS[tag], None, "", tail, targets, head
    move = _MOVE.match(body)
    if move:
        args = move.group("args").strip()
        return "move", move.group("type").lower(), None, "", "", find_ids(args), args
    ref_match = _REF.match(body)
    if ref_match and ref_match.group("type").upper() in REF_TYPES:
        target = ref_match.group("target").strip()
        return "ref", ref_match.group("type").lower(), None, "", "", find_ids(target), target
    verdict = _VERDICT.match(body)
    if verdict:
        return (
            "verdict",
            verdict.group("type").lower(),
            None,
            (verdict.group("label") or "").strip(),
            "",
            [],
            "",
        )
    dissent = _DISSENT.match(body)
    if dissent:
        return "verdict", "dissent", None, (dissent.group("label") or "").strip(), "", [], ""
    minority = _MINORITY.match(body)
    if minority:
        return "verdict", "minority", None, (minority.group("label") or "").strip(), "", [], ""
    return None


def find_markers(text: str) -> list[Marker]:
    """Every marker in ``text``, in order (markers never nest; markers in code spans are text).

    Linear in the length of the text: brackets are paired once, in one pass.
    """
    if "[" not in text:
        return []
    found: list[Marker] = []
    mask: bytearray | None = None
    pairs: dict[int, int] | None = None
    ticks = "`" in text
    pos = 0
    for match in _START.finditer(text):
        open_at = match.start()
        if ticks and mask is None and text.find("`", 0, open_at) >= 0:
            mask = code_mask(text)  # only a backtick before a marker can put it in a code span
        if open_at < pos or (mask is not None and mask[open_at]):
            continue
        # The common case, a marker without brackets, backticks or line breaks inside: its "]" is
        # the next one. Anything else is paired properly (once per text).
        close_at = text.find("]", open_at + 1, open_at + MAX_MARKER)
        if (
            close_at < 0
            or text.find("[", open_at + 1, close_at) >= 0
            or (ticks and text.find("`", open_at + 1, close_at) >= 0)
            or text.find("\n", open_at + 1, close_at) >= 0
        ):
            if pairs is None:
                pairs = bracket_pairs(text, mask)
            close_at = pairs.get(open_at, -1)
        if close_at < 0 or close_at - open_at > MAX_MARKER:
            continue
        parsed = parse_marker(text[open_at + 1 : close_at])
        if parsed is None:
            continue
        family, tag, ident, label, body_text, targets, args = parsed
        start, end = open_at, close_at + 1
        if text[max(0, start - 2) : start] == "**" and text[end : end + 2] == "**":
            start, end = start - 2, end + 2
        written = text[open_at : close_at + 1]
        label = _tidy(label) if label else ""
        body_text = _tidy(body_text) if body_text else ""
        found.append(Marker(family, tag, start, end, written, ident, label, body_text, targets, args))
        pos = close_at + 1
    return found


def _tidy(text: str) -> str:
    """Labels: whitespace collapsed, surrounding bold removed."""
    text = " ".join(text.split())
    if text.startswith("**") and text.endswith("**") and len(text) > 4:
        text = text[2:-2].strip()
    return text
