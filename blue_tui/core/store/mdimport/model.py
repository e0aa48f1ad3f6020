"""The things the readers find in dialogue files, before they become a document.

* :class:`Item`: a perspective, tension, recommendation, piece of evidence or claim
  of the dialogue's record (an inventory row, an item heading, or a marker where the
  dialogue keeps no inventory);
* :class:`MarkerNote`: an inline marker (``[PERSPECTIVE P01: ...]``) as written, by
  whom and in which round; :mod:`.inventory` decides what it is once every file has
  been read;
* :class:`Mention`, :class:`Effect`, :class:`Move`, :class:`Ref`, :class:`Verdict`,
  :class:`Statement`: references, status changes, moves, links, verdicts and status
  statements, resolved when the document is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.store.mdimport.ids import IdRef

INVENTORY_KINDS = ("perspective", "tension", "recommendation", "evidence", "claim")
ARRAY_OF = {
    "perspective": "perspectives",
    "tension": "tensions",
    "recommendation": "recommendations",
    "evidence": "evidence",
    "claim": "claims",
}
TEXT_FIELD = {"tension": "description"}


@dataclass(slots=True)
class Item:
    kind: str
    order: int
    ref: IdRef | None
    label: str
    content: str
    round: int | None
    contributors: list[str]
    author: str | None = None
    status: str = ""
    status_text: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    #: Tables (by number) and item-heading groups that list this item.
    tables: set[int] = field(default_factory=set)
    from_marker: bool = False
    #: The status the last inventory table states, as written: the record's status.
    table_status: str | None = None
    #: 2 when a status cell or line stated it, 1 when only the row's section implied it.
    table_status_weight: int = 0
    #: A row of a table without an ID column (``| Tension | Resolution |``).
    unnumbered: bool = False
    #: The contributor cell as written ("All 6 agents", "Problem Statement", "R1 (12/12)").
    contributors_text: str | None = None
    #: ``MUFFIN-P0001`` for an item numbered per expert (RFC 0051's local-id form).
    scoped_id: str | None = None
    global_id: str = ""

    @property
    def from_table(self) -> bool:
        return bool(self.tables)


@dataclass(slots=True)
class MarkerNote:
    """An inline entity marker as written; :mod:`.inventory` decides what it is."""

    kind: str
    order: int
    ref: IdRef | None
    label: str
    content: str
    round: int | None
    expert: str | None
    where: str
    #: Its place in reading order among status statements (a mention keeps its place).
    event_order: int = 0
    #: The item it is, or the row it is linked to as a contribution.
    item: Item | None = None
    #: The item it mentions again (a later mention is an event, not an item).
    mentioned: Item | None = None
    #: Kept as its writer's contribution (linked to ``item`` or not).
    contribution: bool = False


@dataclass(slots=True)
class Mention:
    """An id written somewhere (``[RESOLVED T02]``), resolved once every file has been read."""

    ref: IdRef
    round: int | None
    expert: str | None
    written: str
    where: str
    warn: bool = True


Target = Item | str | Mention | MarkerNote


@dataclass(slots=True)
class Effect:
    """A status change a marker asks for, applied after resolution (``[RESOLVED T02]`` -> resolved)."""

    target: Mention
    status: str
    round: int | None
    by: list[str]
    reason: str | None
    where: str
    order: int = 0


@dataclass(slots=True)
class Move:
    round: int | None
    expert: str | None
    move_type: str
    targets: list[Target]
    context: str
    written: str
    where: str
    also_in: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Ref:
    source: Target
    ref_type: str
    target: Target
    round: int | None
    expert: str | None
    written: str


@dataclass(slots=True)
class Verdict:
    verdict_type: str | None
    round: int | None
    title: str
    recommendation: str
    where: str
    author: str | None = None
    confidence: str | None = None
    tensions_resolved: list[Item] = field(default_factory=list)
    priority: int = 0


@dataclass(slots=True)
class Statement:
    value: str
    where: str
    level: str  # header | section | round | closing | inferred
