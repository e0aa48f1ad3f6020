"""How a dialogue numbers its markers: across the dialogue, or per expert.

Some dialogues number markers across the whole dialogue: each ``P07`` is written
once, and the inventory's ``P07`` row is that marker. Others number them per expert:
in one round Muffin, Cupcake and Scone each write ``[PERSPECTIVE P01: ...]``, and
the Judge's inventory renumbers them ``P01``..``P20``. The sign is plain: the same
id written by different experts in the same round. It is counted per kind
(perspectives and tensions of one file can differ) over the markers whose id does
not name its expert (``MUFFIN-P0101`` and ``CROISSANT R1-T01`` are scoped already).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from blue_tui.core.store.mdimport.model import MarkerNote

GLOBAL = "global"
PER_EXPERT = "per-expert"
#: Per expert when at least this share of markers use an id another expert also uses in that
#: round, and some id is written by three experts or more (one id written twice is a slip)...
PER_EXPERT_SHARE = 0.5
#: ...or when nearly all of them do.
CLEAR_SHARE = 0.75
#: Between these shares the call is close; the document says which reading was taken.
AMBIGUOUS = (0.15, 0.85)
PLURAL = {
    "perspective": "perspectives",
    "tension": "tensions",
    "recommendation": "recommendations",
    "evidence": "evidence",
    "claim": "claims",
}


@dataclass(frozen=True)
class Numbering:
    kind: str
    scheme: str  # GLOBAL | PER_EXPERT
    markers: int  # markers with a plain id and a known author
    shared: int  # of those, how many use an id another expert uses in the same round

    @property
    def ambiguous(self) -> bool:
        if not self.markers or not self.shared:
            return False
        share = self.shared / self.markers
        return AMBIGUOUS[0] <= share <= AMBIGUOUS[1]

    def warning(self) -> str:
        reading = (
            "numbered per expert: each expert's markers are kept as that expert's contributions"
            if self.scheme == PER_EXPERT
            else "numbered across the dialogue: a marker and the inventory row with its id are one item"
        )
        return (
            f"{PLURAL[self.kind]} markers read as {reading} ({self.shared} of {self.markers} markers use "
            "an id another expert also uses in the same round)"
        )


def plain(note: MarkerNote) -> bool:
    """A marker whose id does not say whose it is (``P01``, not ``MUFFIN-P0101`` or ``P01-M``)."""
    return (
        note.ref is not None
        and note.ref.expert is None
        and note.ref.initial is None
        and note.ref.letter != ""
    )


def detect(kind: str, notes: list[MarkerNote]) -> Numbering:
    counted = [n for n in notes if n.kind == kind and plain(n) and n.expert is not None]
    writers: dict[tuple[int | None, int], set[str]] = defaultdict(set)
    for note in counted:
        assert note.ref is not None and note.expert is not None
        writers[(note.round, note.ref.number)].add(note.expert)
    shared = 0
    for note in counted:
        assert note.ref is not None
        if len(writers[(note.round, note.ref.number)]) > 1:
            shared += 1
    share = shared / len(counted) if counted else 0.0
    most = max((len(names) for names in writers.values()), default=0)
    per_expert = share >= CLEAR_SHARE or (share >= PER_EXPERT_SHARE and most >= 3)
    return Numbering(kind, PER_EXPERT if per_expert else GLOBAL, len(counted), shared)
