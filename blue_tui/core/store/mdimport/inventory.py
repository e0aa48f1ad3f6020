"""What each inline marker is: an item, a later mention of one, or an expert's contribution.

Run once every file of a dialogue has been read, per kind of item:

* **The dialogue keeps an inventory** (a Perspectives Inventory / Tensions Tracker
  table, tensions.md, item headings): its rows are the items. Where markers are
  numbered across the dialogue, a marker and the row with its id are one item (the
  marker's text becomes the row's content); the same id in a later round is a
  mention (an event on the row); an id whose row names another expert, or that no
  row has, is kept as the writer's contribution and reported. Where markers are
  numbered per expert, every marker is its writer's contribution: linked to one of
  that expert's rows, in order, when their labels agree (or when the row's id names
  the expert, round and number: ``MACARON-T01 (R0)``, ``T1-S``), never merged by
  number.
* **No inventory**: the markers are the items. Numbered across the dialogue, an id
  names one item; numbered per expert, ids are scoped by expert (``scoped_id``
  ``MUFFIN-P0001``). An id written again in a later round with the same (or no)
  label is a mention.

Contributions live on the expert (``experts[].contributions``) with their round, so
nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from blue_tui.core.store.mdimport.builder import mention
from blue_tui.core.store.mdimport.labels import similar, similarity
from blue_tui.core.store.mdimport.model import INVENTORY_KINDS, Item, MarkerNote
from blue_tui.core.store.mdimport.numbering import GLOBAL, PER_EXPERT, Numbering, detect, plain
from blue_tui.core.store.mdimport.tables import strip_markup

if TYPE_CHECKING:
    from blue_tui.core.store.mdimport.builder import Builder

INVENTORY_NAME = {
    "perspective": "Perspectives Inventory",
    "tension": "Tensions Tracker",
    "recommendation": "recommendations inventory",
    "evidence": "evidence inventory",
    "claim": "claims inventory",
}


def reconcile(b: Builder) -> None:
    for kind in INVENTORY_KINDS:
        notes = [n for n in b.notes if n.kind == kind]
        if not notes:
            continue
        numbering = detect(kind, notes)
        rows = [i for i in b.items if i.kind == kind and i.from_table]
        placer: _Placer = (
            _WithInventory(b, kind, numbering, rows) if rows else _WithoutInventory(b, kind, numbering)
        )
        warnings_before = len(b.warnings)
        for note in notes:
            placer.place(note)
        if numbering.ambiguous and placer.numbering_used:
            # Said first: the reading explains the warnings that follow from it.
            b.warnings.insert(warnings_before, numbering.warning())


class _Placer(ABC):
    def __init__(self, b: Builder, kind: str, numbering: Numbering) -> None:
        self.b = b
        self.kind = kind
        self.numbering = numbering
        #: Did the numbering decide where a marker went (rather than an id naming its expert)?
        self.numbering_used = False

    @abstractmethod
    def place(self, note: MarkerNote) -> None:
        """Put one marker where the numbering says it belongs."""

    def name(self, slug: str | None) -> str:
        if slug is None:
            return "the Judge"
        return self.b.experts[slug].name if slug in self.b.experts else slug

    def mention(self, item: Item, note: MarkerNote) -> None:
        """A later mention of an item: an event on it, not a new item."""
        written = note.ref.written if note.ref else None
        extra: dict[str, Any] = {}
        if written:
            extra["as"] = written
        if note.label and note.label != item.label:
            extra["label"] = note.label
        by = [note.expert] if note.expert else []
        self.b.note_event(item, "mentioned", note.round, by, note.where, note.event_order, **extra)
        item.mentions.append(_mention(note))
        note.mentioned = item

    def new_item(self, note: MarkerNote, *, scoped: bool) -> Item:
        expert = note.expert
        label = note.label or strip_markup(note.content.split("\n", maxsplit=1)[0])[:200]
        item = self.b.new_item(
            note.kind, note.ref, label, note.content, note.round, [expert] if expert else []
        )
        item.author = expert
        item.from_marker = True
        item.events.append({"type": "created", "round": note.round, "by": [expert] if expert else []})
        item.mentions.append(_mention(note))
        if scoped and expert and note.ref is not None:
            item.scoped_id = scoped_id(expert, note.ref.letter, note.round, note.ref.number, note.ref.written)
        note.item = item
        return item

    def contribute(self, note: MarkerNote, linked: Item | None) -> None:
        """Keep a marker as its writer's own contribution (linked to a row, or not)."""
        entry: dict[str, Any] = {"round": note.round, "kind": note.kind}
        if note.ref is not None:
            entry["id"] = note.ref.written
            if note.expert is not None and plain(note):
                entry["scoped_id"] = scoped_id(
                    note.expert, note.ref.letter, note.round, note.ref.number, note.ref.written
                )
        entry["label"] = note.label or strip_markup(note.content.split("\n", maxsplit=1)[0])[:200]
        if note.content:
            entry["content"] = note.content
        entry["_item"] = linked
        if note.where:
            entry["in"] = note.where
        if note.expert is not None and note.expert in self.b.experts:
            self.b.experts[note.expert].contributions.append(entry)
        else:
            self.b.loose_contributions.append(entry)
        note.contribution = True
        if linked is not None:
            note.item = linked
            _enrich(linked, note)
            linked.mentions.append(_mention(note))


def scoped_id(expert: str, letter: str, rnd: int | None, number: int, written: str) -> str:
    """RFC 0051's local-id form for an item numbered per expert: ``MUFFIN-P0001`` (round 0, P01)."""
    if rnd is not None and 0 <= rnd < 100 and 0 <= number < 100:
        return f"{expert.upper()}-{letter}{rnd:02d}{number:02d}"
    return f"{expert.upper()}-{written}"


def _mention(note: MarkerNote) -> dict[str, Any]:
    out = mention(note.where, note.round, note.ref.written if note.ref else None, by=note.expert)
    return out


def _enrich(item: Item, note: MarkerNote) -> None:
    """A marker's own words become the content of the row it records (once)."""
    if not item.from_marker and (note.content or note.label):
        item.content = note.content or note.label
        item.from_marker = True
    if item.round is None and note.round is not None:
        item.round = note.round
        created = item.events[0] if item.events and item.events[0]["type"] == "created" else None
        if created is not None and created["round"] is None:
            created["round"] = note.round


class _WithInventory(_Placer):
    """The inventory's rows are the items; markers join them, mention them, or are contributions."""

    def __init__(self, b: Builder, kind: str, numbering: Numbering, rows: list[Item]) -> None:
        super().__init__(b, kind, numbering)
        self.rows = rows
        self.by_number: dict[tuple[str, int], list[Item]] = {}
        for row in rows:
            if row.ref is not None and row.ref.letter:
                self.by_number.setdefault((row.ref.letter, row.ref.number), []).append(row)
        self.pointer: dict[str, int] = {}
        self.rows_of: dict[str, list[Item]] = {}
        # Tables that number per expert themselves ("P01 | Muffin", "P01 | Cupcake"): there the id,
        # the expert and the round of a row name it exactly.
        seen: dict[tuple[int, str, int], int] = {}
        for row in rows:
            if row.ref is not None and row.ref.letter:
                for table in row.tables:
                    key = (table, row.ref.letter, row.ref.number)
                    seen[key] = seen.get(key, 0) + 1
        self.per_expert_tables = {table for (table, _, _), count in seen.items() if count > 1}
        self.any_qualified = bool(self.per_expert_tables) or any(
            row.ref is not None and (row.ref.expert is not None or row.ref.initial is not None)
            for row in rows
        )

    def place(self, note: MarkerNote) -> None:
        exact = self.exact(note)
        if exact is not None:
            self.join(exact, note)
            return
        self.numbering_used = self.numbering_used or (note.ref is not None and plain(note))
        if note.expert is not None and (
            self.numbering.scheme == PER_EXPERT or note.ref is None or not plain(note)
        ):
            self.contribute(note, self.in_order(note))
        else:
            self.by_id(note)

    def owner_ok(self, row: Item, expert: str | None) -> bool:
        if expert is None or not row.ref:
            return True
        if row.ref.initial:
            return self.b.experts.by_initial(row.ref.initial) == expert
        if row.ref.expert:
            return self.b.find_expert(row.ref.expert) == expert
        return not row.contributors or expert in row.contributors

    def exact(self, note: MarkerNote) -> Item | None:
        """A row whose id names the expert, round and number of this marker (``MACARON-T01 (R0)``)."""
        ref = note.ref
        if ref is None or not ref.letter or not (self.any_qualified or ref.expert):
            return None
        expert = note.expert
        if expert is None and ref.expert:
            expert = self.b.find_expert(ref.expert)
        if expert is None:
            return None
        rnd = ref.round if ref.round is not None and ref.expert else note.round
        number = (
            ref.number % 100 if ref.expert and ref.round is not None and ref.number >= 100 else ref.number
        )
        for row in self.by_number.get((ref.letter, number), []) + self.by_number.get(
            (ref.letter, ref.number), []
        ):
            named = row.ref is not None and (row.ref.expert is not None or row.ref.initial is not None)
            by_columns = bool(row.tables & self.per_expert_tables) and expert in row.contributors
            if not (named or by_columns) or not self.owner_ok(row, expert):
                continue
            row_round = row.ref.round if row.ref is not None and row.ref.round is not None else row.round
            if row_round is None or rnd is None or row_round == rnd:
                return row
        return None

    def join(self, row: Item, note: MarkerNote) -> None:
        """The marker is the row (numbered across the dialogue, or named exactly): one item."""
        if row.from_marker and not (row.author == note.expert and row.round == note.round):
            if not note.label or similar(note.label, row.label):
                self.mention(row, note)
            else:
                self.clash(note, [row])
            return
        if note.expert and note.expert not in row.contributors:
            row.contributors.append(note.expert)
        if row.author is None:
            row.author = note.expert
        created = row.events[0] if row.events and row.events[0]["type"] == "created" else None
        if created is not None and note.expert and note.expert not in created["by"]:
            created["by"].append(note.expert)
        _enrich(row, note)
        if note.ref is not None and note.ref.written not in row.written:
            row.written.append(note.ref.written)
        entry = _mention(note)
        if note.label and note.label != row.label:
            entry["label"] = note.label
        row.mentions.append(entry)
        note.item = row

    def by_id(self, note: MarkerNote) -> None:
        assert note.ref is not None
        rows = self.by_number.get((note.ref.letter, note.ref.number), [])
        owned = [r for r in rows if self.owner_ok(r, note.expert)]
        same = [r for r in owned if r.round is None or note.round is None or r.round == note.round]
        if same:
            self.join(self.pick(same, note.label), note)
            return
        earlier = [r for r in rows if r.round is not None and note.round is not None and r.round < note.round]
        if earlier:
            row = self.pick(earlier, note.label)
            if not note.label or similar(note.label, row.label):
                self.mention(row, note)
                return
        if rows:
            self.clash(note, rows)
            return
        who = self.name(note.expert)
        where = f" in round {note.round}" if note.round is not None else ""
        self.b.warn(
            f"{note.ref.written} ({who}{where}) is not in the {INVENTORY_NAME[self.kind]}; "
            f"kept as {who}'s contribution"
        )
        self.contribute(note, None)

    @staticmethod
    def pick(rows: list[Item], label: str) -> Item:
        if len(rows) == 1 or not label:
            return rows[0]
        return max(rows, key=lambda r: (similarity(r.label, label), -r.order))

    def clash(self, note: MarkerNote, rows: list[Item]) -> None:
        assert note.ref is not None
        row = rows[0]
        owners = ", ".join(self.name(p) for p in row.contributors) or "nobody's in particular"
        who = self.name(note.expert)
        where = f" in round {note.round}" if note.round is not None else ""
        self.b.warn(
            f"{note.ref.written} is used for more than one {self.kind}{where}: the {INVENTORY_NAME[self.kind]}'s "
            f"{row.written[0] if row.written else note.ref.written} is {owners}'s ({row.label[:60]}); "
            f"{who}'s is kept as a contribution"
        )
        self.contribute(note, None)

    def in_order(self, note: MarkerNote) -> Item | None:
        """The next of this expert's rows whose label agrees with the marker's, or None."""
        expert = note.expert
        if expert is None or not note.label:
            return None
        rows = self.rows_of.get(expert)
        if rows is None:
            rows = self.rows_of[expert] = [
                r for r in self.rows if self.owner_ok(r, expert) and r.contributors
            ]
        for index in range(self.pointer.get(expert, 0), len(rows)):
            row = rows[index]
            if row.round is not None and note.round is not None and row.round != note.round:
                continue
            if similar(note.label, row.label):
                self.pointer[expert] = index + 1
                return row
        return None


class _WithoutInventory(_Placer):
    """No inventory for this kind: the markers are the items."""

    def __init__(self, b: Builder, kind: str, numbering: Numbering) -> None:
        super().__init__(b, kind, numbering)
        self.seen: dict[tuple[str, str, int], list[Item]] = {}

    def key(self, note: MarkerNote) -> tuple[str, str, int]:
        assert note.ref is not None
        ref = note.ref
        if ref.expert:
            owner = self.b.find_expert(ref.expert) or ref.expert.lower()
        elif ref.initial:
            owner = self.b.experts.by_initial(ref.initial) or ref.initial
        elif self.numbering.scheme == PER_EXPERT:
            owner = note.expert or ""
        else:
            owner = ""
        return (owner, ref.letter, ref.number)

    def place(self, note: MarkerNote) -> None:
        per_expert = self.numbering.scheme == PER_EXPERT and plain(note)
        self.numbering_used = self.numbering_used or plain(note)
        if note.ref is None or not note.ref.letter:
            self.new_item(note, scoped=False)
            return
        key = self.key(note)
        prior = self.seen.get(key)
        if not prior:
            self.seen[key] = [self.new_item(note, scoped=per_expert)]
            return
        same = [p for p in prior if not note.label or p.label == note.label or similar(note.label, p.label)]
        last = prior[-1]
        if same and (note.round != last.round or note.expert == last.author):
            self.mention(same[-1], note)
            return
        item = self.new_item(note, scoped=per_expert)
        prior.append(item)
        if self.numbering.scheme == GLOBAL and plain(note):
            names = ", ".join(sorted({self.name(p.author) for p in prior}))
            where = f" in round {note.round}" if note.round is not None else ""
            if note.round == last.round:
                self.b.warn(f"{note.ref.written} is used for more than one {self.kind}{where} ({names})")
            else:
                self.b.warn(f"{note.ref.written} is used again{where} for another {self.kind} ({names})")
