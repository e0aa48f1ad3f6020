"""Item ids as written, and the stable global ids the store uses.

Dialogues write ids in many shapes: ``P01``, ``T1``, ``T0001``, ``MUFFIN-T01 (R0)``,
``CROISSANT R1-T01``, ``T04-R1``, RFC 0051's ``MUFFIN-P0101`` and ``Eclair's P05``.
:func:`parse_id` reads one into an :class:`IdRef` (letter, number and, when the id
names them, expert and round); :func:`find_ids` finds them in running text.

Global ids follow RFC 0051's display form ``{P|T|R|E|C}{round:02d}{seq:02d}``. An id
written in that form and used once in the dialogue keeps it (so ``T0006`` stays
``T0006``); every other item gets the next free ``seq`` of its origin round, in the
order the items first appear. The same input therefore always yields the same ids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

#: Entity letters of RFC 0051 (plus O for the "open items" some judges keep).
LETTER_KIND = {"P": "perspective", "T": "tension", "R": "recommendation", "E": "evidence", "C": "claim"}
KIND_LETTER = {kind: letter for letter, kind in LETTER_KIND.items()}

_WORD = r"[A-Z][A-Za-z]+"
_FORMS = (
    # MUFFIN-T01 (R0), Muffin-T01
    rf"(?P<e1>{_WORD})-(?P<l1>[PTRECO])(?P<n1>\d{{1,4}})(?:[ \t]*\((?:R|Round[ \t]*)(?P<r1>\d{{1,3}})\))?",
    # CROISSANT R1-T01
    rf"(?P<e2>{_WORD})[ \t]+R(?P<r2>\d{{1,3}})-(?P<l2>[PTRECO])(?P<n2>\d{{1,4}})",
    # T04-R1, T01 (R0)
    r"(?P<l3>[PTRECO])(?P<n3>\d{1,4})(?:-R(?P<r3>\d{1,3})|[ \t]*\(R(?P<r4>\d{1,3})\))",
    # P01-M, T1-S: numbered per expert, the expert's initial after the number
    r"(?P<l8>[PTRECO])(?P<n8>\d{1,4})-(?P<i8>[A-Z])",
    # Eclair's P05, Muffin P01
    rf"(?P<e5>{_WORD})(?:'s|’s)?[ \t]+(?P<l5>[PTECO])(?P<n5>\d{{1,4}})",
    # P01, T1, T0001, R0001 (R0..R99 alone are rounds, not recommendations)
    r"(?P<l6>[PTECO])(?P<n6>\d{1,4})|(?P<l7>R)(?P<n7>\d{3,4})",
)
_ANY = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(f"(?:{f})" for f in _FORMS) + r")(?![A-Za-z0-9_])")
_EXACT = re.compile(r"^(?:" + "|".join(f"(?:{f})" for f in _FORMS) + r")$")
_EXACT_SHORT_R = re.compile(r"^(?P<l>R)(?P<n>\d{1,2})$")
MAX_ID = 80


@dataclass(frozen=True, slots=True)
class IdRef:
    letter: str
    number: int
    written: str
    expert: str | None = None
    round: int | None = None
    #: The expert's initial of a per-expert id (``P01-M``).
    initial: str | None = None

    @property
    def kind(self) -> str | None:
        return LETTER_KIND.get(self.letter)

    @property
    def key(self) -> tuple[str, int]:
        return (self.letter, self.number)


_SUFFIXES = ("1", "2", "3", "8", "5", "6", "7")


def _from_match(match: re.Match[str]) -> IdRef:
    group = match.group
    for suffix in _SUFFIXES:
        letter = group(f"l{suffix}")
        if letter:
            expert = group(f"e{suffix}") if suffix in ("1", "2", "5") else None
            rnd = group(f"r{suffix}") if suffix in ("1", "2", "3") else None
            if rnd is None and suffix == "3":
                rnd = group("r4")
            return IdRef(
                letter=letter,
                number=int(group(f"n{suffix}")),
                written=match.group(0).strip(),
                expert=expert,
                round=int(rnd) if rnd is not None else None,
                initial=group("i8") if suffix == "8" else None,
            )
    raise ValueError(match.group(0))  # pragma: no cover - every alternative sets a letter


@lru_cache(maxsize=8192)
def parse_id(text: str, *, allow_short_r: bool = False) -> IdRef | None:
    """``text`` as one id (the whole string), or None.

    ``allow_short_r`` accepts ``R1``/``R01`` as recommendation ids, which is right in
    an ID column of a recommendations table and wrong in prose (there it is a round).
    """
    text = text.strip()
    if len(text) > MAX_ID:
        return None
    match = _EXACT.match(text)
    if match:
        return _from_match(match)
    if allow_short_r:
        short = _EXACT_SHORT_R.match(text)
        if short:
            return IdRef("R", int(short.group("n")), text.strip())
    return None


def find_ids(text: str) -> list[IdRef]:
    """Every id mentioned in ``text``, in order."""
    if len(text) <= 64:
        return list(_find_short(text))
    return [_from_match(m) for m in _ANY.finditer(text)]


@lru_cache(maxsize=8192)
def _find_short(text: str) -> tuple[IdRef, ...]:
    return tuple(_from_match(m) for m in _ANY.finditer(text))


def display_id(letter: str, rnd: int, seq: int) -> str:
    return f"{letter}{rnd:02d}{seq:02d}"


def _is_display(written: str, letter: str) -> bool:
    """``T0006`` for letter T: an id already in RFC 0051's display form."""
    return len(written) == 5 and written[0] == letter and written[1:].isdigit() and written.isascii()


def assign_global_ids(entries: Iterable[tuple[str, int | None, list[str]]]) -> list[str]:
    """Global ids for ``(letter, origin round, ids as written)`` entries, in input order.

    A written display id (``T0006``) that exactly one entry of that letter uses is
    kept; the rest get the next free ``{letter}{round:02d}{seq:02d}`` of their round.
    """
    rows = list(entries)
    uses: dict[str, int] = defaultdict(int)
    for letter, _, written in rows:
        for w in set(written):
            if _is_display(w, letter):
                uses[w] += 1
    taken: set[str] = set()
    result: list[str | None] = []
    for letter, _, written in rows:
        keep = next((w for w in written if _is_display(w, letter) and uses[w] == 1), None)
        if keep is not None and keep not in taken:
            taken.add(keep)
            result.append(keep)
        else:
            result.append(None)
    next_seq: dict[tuple[str, int], int] = defaultdict(int)
    out: list[str] = []
    for (letter, rnd, _), chosen in zip(rows, result, strict=True):
        if chosen is not None:
            out.append(chosen)
            continue
        base = rnd if rnd is not None and rnd >= 0 else 0
        while True:
            next_seq[(letter, base)] += 1
            candidate = display_id(letter, base, next_seq[(letter, base)])
            if candidate not in taken:
                break
        taken.add(candidate)
        out.append(candidate)
    return out
