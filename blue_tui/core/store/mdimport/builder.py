"""Collecting one dialogue: what the readers report, in reading order.

The readers (:mod:`.reader`, :mod:`.single_file`, :mod:`.folder`) report experts,
rounds, inventory rows, markers, status statements, moves and verdicts to a
:class:`Builder`. Nothing is decided here that needs the whole dialogue: markers are
kept as :class:`~.model.MarkerNote` until :mod:`.inventory` knows how the dialogue
numbers them, references stay :class:`~.model.Mention` until :mod:`.resolve` runs,
and :meth:`Builder.document` (:mod:`.emit`) builds the document at the end.

Inventory rows are items at once. A row of a later table (or an item heading) with
an id written the same way as a row of an earlier table is the same item, unless the
contributors the two name contradict it; rows of one table are always distinct items
(``P01 | Muffin`` and ``P01 | Cupcake`` are two perspectives).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from blue_tui.core.store.mdimport.experts import Experts, is_judge
from blue_tui.core.store.mdimport.ids import IdRef
from blue_tui.core.store.mdimport.labels import similarity
from blue_tui.core.store.mdimport.model import (
    Effect,
    Item,
    MarkerNote,
    Move,
    Ref,
    Statement,
    Target,
    Verdict,
)
from blue_tui.core.store.mdimport.statuses import DEFAULT_STATUS, normalize_status
from blue_tui.core.store.mdimport.tables import strip_markup


def mention(where: str, rnd: int | None, written: str | None, *, by: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if where:
        out["in"] = where
    out["round"] = rnd
    if written is not None:
        out["as"] = written
    if by is not None:
        out["by"] = by
    return out


def norm_written(text: str) -> str:
    return " ".join(text.lower().split())


class Builder:
    """Collects one dialogue. Not thread-safe by itself; each parse uses its own builder."""

    def __init__(self, source: str, *, recorded: bool = False) -> None:
        self.source = source
        self.recorded = recorded
        self.format = "markdown"
        self.id: str | None = None
        self.title: str | None = None
        self.question: str | None = None
        self.domain: str | None = None
        self.date: str | None = None
        self.metadata: dict[str, str] = {}
        self.pool: Any = None
        self.experts = Experts()
        self.rounds: dict[int, dict[str, Any]] = {}
        self._round_experts: dict[tuple[int, str], dict[str, Any]] = {}
        self.items: list[Item] = []
        self.notes: list[MarkerNote] = []
        #: Contributions whose writer is not known (a marker outside any expert's text).
        self.loose_contributions: list[dict[str, Any]] = []
        self._tabled: dict[tuple[str, str], list[Item]] = defaultdict(list)
        self._unnumbered: dict[tuple[str, str], Item] = {}
        self._tables = 0
        self.moves: list[Move] = []
        self._move_index: dict[tuple[int | None, str, str, str], Move] = {}
        self.refs: list[Ref] = []
        self.effects: list[Effect] = []
        self.event_order = 0
        self.verdicts: list[Verdict] = []
        self.open_items: list[dict[str, Any]] = []
        self.sections: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.statuses: list[Statement] = []
        self.totals: list[tuple[int | float, str]] = []
        self.score_tables: list[tuple[str, bool]] = []  # (where, all zero)
        self.warnings: list[str] = []
        self._warned: set[str] = set()

    # ---- warnings -------------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)

    # ---- experts --------------------------------------------------------------------------------

    @property
    def judge(self) -> dict[str, Any] | None:
        return self.experts.judge

    def is_judge(self, text: str, *, whole: bool = False) -> bool:
        return is_judge(text, whole=whole)

    def expert(self, name: str, **fields: Any) -> str | None:
        return self.experts.register(name, **fields)

    def find_expert(self, text: str) -> str | None:
        return self.experts.find(text)

    def experts_in(self, text: str) -> list[str]:
        return self.experts.named_in(text)

    def expert_round(self, slug: str, rnd: int | None) -> None:
        exp = self.experts.by_slug.get(slug)
        if exp is not None and rnd is not None and rnd not in exp.rounds:
            exp.rounds.append(rnd)

    # ---- rounds ---------------------------------------------------------------------------------

    def round(self, number: int) -> dict[str, Any]:
        data = self.rounds.get(number)
        if data is None:
            data = {"round": number}
            self.rounds[number] = data
        return data

    def round_expert(self, number: int, slug: str) -> dict[str, Any]:
        """``slug`` speaks in round ``number`` (on its panel, the round in the expert's rounds);
        returns the expert's entry of that round. Called for every marker: done once per pair."""
        known = self._round_experts.get((number, slug))
        if known is not None:
            return known
        data = self.round(number)
        panel = data.setdefault("panel", [])
        if slug not in panel:
            panel.append(slug)
        self.expert_round(slug, number)
        experts: dict[str, dict[str, Any]] = data.setdefault("experts", {})
        entry = self._round_experts[(number, slug)] = experts.setdefault(slug, {})
        return entry

    def expert_score(self, slug: str, number: int, value: int | float, where: str) -> None:
        exp = self.experts[slug]
        key = str(number)
        if key in exp.scores and exp.scores[key] != value:
            self.warn(
                f"{exp.name}'s round {number} score is {exp.scores[key]} in one place and {value} in {where}; "
                f"kept {exp.scores[key]}"
            )
            return
        exp.scores[key] = value

    # ---- inventory rows -------------------------------------------------------------------------

    def new_table(self) -> int:
        """A number for one inventory table (or one file's item headings)."""
        self._tables += 1
        return self._tables

    def new_item(
        self, kind: str, ref: IdRef | None, label: str, content: str, rnd: int | None, people: list[str]
    ) -> Item:
        item = Item(kind, len(self.items), ref, label, content, rnd, list(people))
        item.status = DEFAULT_STATUS[kind]
        if ref is not None:
            item.written.append(ref.written)
        self.items.append(item)
        return item

    def _same_row(self, item: Item, people: list[str], ref: IdRef | None) -> bool:
        if people and item.contributors and not set(people) & set(item.contributors):
            return False
        if ref is not None and item.ref is not None:
            if ref.initial and item.ref.initial and ref.initial != item.ref.initial:
                return False
            if ref.round is not None and item.ref.round is not None and ref.round != item.ref.round:
                return False
        return True

    def table_item(
        self,
        kind: str,
        ref: IdRef | None,
        written: str,
        label: str,
        rnd: int | None,
        people: list[str],
        where: str,
        *,
        table: int,
        people_text: str | None = None,
    ) -> Item:
        """A row of an inventory table (or an item heading): a new item, or the one an earlier table listed."""
        key = (kind, norm_written(written))
        known = [c for c in self._tabled[key] if table not in c.tables and self._same_row(c, people, ref)]
        item: Item | None = None
        if len(known) == 1:
            item = known[0]
        elif known:
            item = max(known, key=lambda c: (similarity(c.label, label), -c.order))
        if item is None:
            origin = ref.round if ref is not None and ref.round is not None else rnd
            hinted = self.find_expert(ref.expert) if ref is not None and ref.expert else None
            if hinted and hinted not in people:
                people = [hinted, *people]
            item = self.new_item(kind, ref, label, label, origin, people)
            if ref is None and written:
                item.written.append(written)
            item.events.append({"type": "created", "round": origin, "by": list(people)})
            self._tabled[key].append(item)
        else:
            for person in people:
                if person not in item.contributors:
                    item.contributors.append(person)
            if written and written not in item.written:
                item.written.append(written)
            if not item.label:
                item.label = item.content = label
        if people_text and item.contributors_text is None:
            item.contributors_text = people_text
        if len(item.contributors) == 1 and item.author is None:
            item.author = item.contributors[0]
        item.tables.add(table)
        item.mentions.append(mention(where, rnd, written or None))
        return item

    def unnumbered_item(
        self, kind: str, label: str, rnd: int | None, people: list[str], where: str, *, table: int
    ) -> Item:
        """An inventory entry without an id (a table without an ID column); listed again, it is the same."""
        key = (kind, norm_written(label.lstrip("0123456789.) ")))
        known = self._unnumbered.get(key)
        if known is not None and table not in known.tables:
            known.tables.add(table)
            known.mentions.append(mention(where, rnd, None))
            return known
        item = self.new_item(kind, None, label, label, rnd, people)
        item.unnumbered = True
        self._unnumbered.setdefault(key, item)
        item.tables.add(table)
        item.events.append({"type": "created", "round": rnd, "by": list(people)})
        item.mentions.append(mention(where, rnd, None))
        return item

    def table_status(
        self,
        item: Item,
        written: str,
        rnd: int | None,
        by: list[str],
        where: str,
        *,
        reason: str | None = None,
        inferred: bool = False,
    ) -> None:
        """The status an inventory table (or an item's **Status:** line) states: the record's status.

        A status only ``inferred`` from the section a row sits in ("### Resolved Architecture")
        never replaces one a status cell or line states.
        """
        value = normalize_status(written, item.kind, loose=True)
        if value is None:
            return
        weight = 1 if inferred else 2
        if weight >= item.table_status_weight:
            item.table_status = strip_markup(written) or value
            item.table_status_weight = weight
        self.status(item, written, rnd, by, where, reason=reason, normalized=value)

    # ---- markers --------------------------------------------------------------------------------

    def marker(
        self,
        kind: str,
        ref: IdRef | None,
        label: str,
        content: str,
        rnd: int | None,
        expert: str | None,
        where: str,
    ) -> MarkerNote:
        self.event_order += 1
        note = MarkerNote(kind, len(self.notes), ref, label, content, rnd, expert, where, self.event_order)
        self.notes.append(note)
        return note

    # ---- statuses and events --------------------------------------------------------------------

    def status(
        self,
        item: Item,
        written: str,
        rnd: int | None,
        by: list[str],
        where: str,
        *,
        reason: str | None = None,
        normalized: str | None = None,
        order: int | None = None,
    ) -> None:
        """What a file says an item's status is. Events are ordered by round when the document is built."""
        value = normalized or normalize_status(written, item.kind)
        if value is None:
            return
        self.event_order += 1
        event: dict[str, Any] = {"type": value, "round": rnd, "by": list(by)}
        text = reason if reason is not None else strip_markup(written)
        if text and text.lower() != value:
            event["reason"] = text
        if where:
            event["in"] = where
        event["_order"] = self.event_order if order is None else order
        event["_written"] = strip_markup(written) or value
        item.events.append(event)

    def note_event(
        self,
        item: Item,
        event_type: str,
        rnd: int | None,
        by: list[str],
        where: str,
        order: int | None = None,
        **extra: Any,
    ) -> None:
        """An event that does not change the status (``[ACKNOWLEDGED T09]``, a later mention)."""
        self.event_order += 1
        event: dict[str, Any] = {"type": event_type, "round": rnd, "by": list(by)}
        if where:
            event["in"] = where
        event.update(extra)
        event["_order"] = self.event_order if order is None else order
        event["_note"] = True
        item.events.append(event)

    # ---- moves, refs, verdicts, open items -------------------------------------------------------

    def move(
        self,
        rnd: int | None,
        expert: str | None,
        move_type: str,
        targets: list[Target],
        context: str,
        written: str,
        where: str,
    ) -> None:
        """A move; the same move reported again in another file (a summary, a scoreboard) is noted once."""
        if expert is not None:
            key = (rnd, expert, move_type, written)
            known = self._move_index.get(key)
            if known is not None and known.where != where:
                if where not in known.also_in:
                    known.also_in.append(where)
                return
        move = Move(rnd, expert, move_type, targets, context, written, where)
        self.moves.append(move)
        if expert is not None:
            self._move_index.setdefault((rnd, expert, move_type, written), move)

    def ref(
        self, source: Target, ref_type: str, target: Target, rnd: int | None, expert: str | None, written: str
    ) -> None:
        self.refs.append(Ref(source, ref_type, target, rnd, expert, written))

    def effect(self, effect: Effect) -> None:
        """Queue a marker's status change; it keeps its place in reading order."""
        self.event_order += 1
        effect.order = self.event_order
        self.effects.append(effect)

    def verdict(self, verdict: Verdict) -> None:
        self.verdicts.append(verdict)

    def open_item(self, ident: str, label: str, rnd: int | None, columns: dict[str, str], where: str) -> None:
        for known in self.open_items:
            if known["id"] == ident:
                known.setdefault("mentions", []).append({"in": where, "round": rnd, "columns": columns})
                said = columns.get("status")
                if said:
                    known["status"] = normalize_status(said) or known.get("status")
                return
        entry: dict[str, Any] = {"id": ident, "label": label, "round": rnd}
        owner = columns.get("owner")
        if owner:
            entry["owner"] = self.experts_in(owner) or [owner]
        status = columns.get("status")
        entry["status"] = (normalize_status(status) if status else None) or "open"
        entry["mentions"] = [{"in": where, "round": rnd, "columns": columns}]
        self.open_items.append(entry)

    def resolve_open_item(self, ident: str, rnd: int | None, where: str, text: str) -> bool:
        for entry in self.open_items:
            if entry["id"] == ident:
                entry["status"] = "resolved"
                entry["resolution"] = {"round": rnd, "in": where, "text": text}
                return True
        return False

    # ---- the document ---------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        from blue_tui.core.store.mdimport.emit import build_document

        return build_document(self)
