"""References: which item an id written somewhere names, and what follows from it.

``[RESOLVED T02]``, ``[RE:SUPPORT P01]``, ``[MOVE:DEFEND Eclair's P05]``,
``[CONCESSION: Muffin P01 and my P03]`` name items by id. Once every marker has
been placed (:mod:`.inventory`), each id is resolved, preferring in order: the
expert and round the id itself names (``MUFFIN-T01 (R0)``, ``Eclair's P05``,
``T1-S``), an id written exactly so in an inventory, the round the id names, the one
inventory row with that number (or the one the speaker contributed), the speaker's
own item, the only item with that number up to that round. An id that resolves to
nothing stays as written, with a warning.

Status changes the markers ask for (``[RESOLVED T02]`` -> resolved) become events
on the item; an item listed in an inventory keeps the status its last table states.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from blue_tui.core.store.mdimport.builder import norm_written
from blue_tui.core.store.mdimport.ids import IdRef, find_ids
from blue_tui.core.store.mdimport.labels import similar
from blue_tui.core.store.mdimport.model import Item, MarkerNote, Mention, Target
from blue_tui.core.store.mdimport.statuses import DEFAULT_STATUS, normalize_status

if TYPE_CHECKING:
    from blue_tui.core.store.mdimport.builder import Builder

MAX_LABEL = 1000


def _number_of(written: str) -> int | None:
    digits = "".join(ch for ch in written if ch.isdigit())
    return int(digits) if digits and len(digits) <= 6 else None


def _round_key(item: Item) -> int:
    return item.round if item.round is not None else -1


class Resolver:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.by_number: dict[tuple[str, int], list[Item]] = defaultdict(list)
        for item in b.items:
            if item.ref is not None and item.ref.letter:
                self.by_number[(item.kind, item.ref.number)].append(item)
        self._resolved: dict[int, Item | str] = {}

    def find(self, ref: IdRef, rnd: int | None, expert: str | None) -> Item | None:
        """The item an id mentioned in round ``rnd`` by ``expert`` names, or None."""
        if ref.kind is None:
            return None
        pool = self.by_number.get((ref.kind, ref.number), [])
        if not pool:
            return None

        def before(c: Item) -> bool:
            return rnd is None or c.round is None or c.round <= rnd

        named = self.b.find_expert(ref.expert) if ref.expert else None
        if ref.initial:
            named = self.b.experts.by_initial(ref.initial)
            exact = [c for c in pool if c.ref is not None and c.ref.initial == ref.initial]
            if len(exact) == 1:
                return exact[0]
        if named is not None:
            hits = [
                c
                for c in pool
                if (c.author == named or named in c.contributors)
                and (ref.round is None or c.round == ref.round)
            ]
            if hits:
                return max(hits, key=lambda c: (_round_key(c), -c.order))
            return None  # "Cupcake's P01" is Cupcake's, or nobody's: never another expert's P01
        written = norm_written(ref.written)
        exact = [c for c in pool if c.from_table and written in {norm_written(w) for w in c.written}]
        if len(exact) == 1:
            return exact[0]
        if ref.round is not None:
            hits = [c for c in pool if c.round == ref.round]
            if len(hits) == 1:
                return hits[0]
        tabled = [c for c in pool if c.from_table and before(c)]
        if len(tabled) == 1:
            return tabled[0]
        if len(tabled) > 1 and expert is not None:
            theirs = [c for c in tabled if expert in c.contributors]
            if len(theirs) == 1:
                return theirs[0]
        if expert is not None:
            own = [c for c in pool if c.author == expert and before(c)]
            if own:
                return max(own, key=lambda c: (_round_key(c), -c.order))
        earlier = [c for c in pool if before(c)]
        if len(earlier) == 1:
            return earlier[0]
        if earlier:
            latest = max(_round_key(c) for c in earlier)
            hits = [c for c in earlier if _round_key(c) == latest]
            if len(hits) == 1:
                return hits[0]
        return None

    def contribution(self, target: Mention) -> dict[str, Any] | None:
        """The contribution an id names (``Cupcake's P01`` where ids restart per expert), if any."""
        ref = target.ref
        owner = self.b.find_expert(ref.expert) if ref.expert else target.expert
        if owner is None or owner not in self.b.experts or ref.kind is None:
            return None
        found = None
        for entry in self.b.experts[owner].contributions:
            written = entry.get("id")
            same = (
                entry["kind"] == ref.kind and isinstance(written, str) and _number_of(written) == ref.number
            )
            if same and (target.round is None or entry["round"] is None or entry["round"] <= target.round):
                found = entry
        return found

    def target(self, target: Target) -> Item | str:
        """The item a target names (each mention is resolved once; unresolved ones stay as written)."""
        if isinstance(target, MarkerNote):
            item = target.item
            return item if item is not None else f"@{target.expert or 'judge'}"
        if not isinstance(target, Mention):
            return target
        key = id(target)
        if key not in self._resolved:
            item = self.find(target.ref, target.round, target.expert)
            if item is None and self.contribution(target) is not None:
                self._resolved[key] = target.ref.written  # an expert's own marker, kept on the expert
                return target.ref.written
            if item is None and target.warn:
                self.b.warn(
                    f"{target.where}: {target.written[:80]} names {target.ref.written}, which no "
                    f"{target.ref.kind or 'item'} in the dialogue has"
                    + (f" (round {target.round})" if target.round is not None else "")
                )
            self._resolved[key] = item if item is not None else target.ref.written
        return self._resolved[key]


def absorb_summary_rows(b: Builder, resolver: Resolver) -> None:
    """Rows of tables without ids (``| Tension | Resolution |`` in a Judge's summary) where the
    dialogue keeps an inventory with ids: mentions of the inventory's items, not items of their own.

    The ids a row writes (``T1/T4``, ``Muffin T01``), else a label that agrees, name the
    items; the row's statuses become events on them (the record's status stays the inventory's).
    """
    numbered = {i.kind for i in b.items if i.from_table and not i.unnumbered and i.written}
    absorbed: set[int] = set()
    for item in b.items:
        if not item.unnumbered or item.kind not in numbered:
            continue
        absorbed.add(id(item))
        expert = item.contributors[0] if len(item.contributors) == 1 else None
        targets: list[Item] = []
        for ref in find_ids(item.label[:MAX_LABEL]):
            found = resolver.find(ref, item.round, expert)
            if found is not None and found.kind == item.kind and found not in targets:
                targets.append(found)
        if not targets:
            rows = [
                c
                for c in b.items
                if c.kind == item.kind and not c.unnumbered and similar(c.label, item.label)
            ]
            targets = rows[:1]
        if not targets:
            where = next((m.get("in") for m in item.mentions if m.get("in")), None) or b.source
            b.warn(
                f"a row of a {item.kind} table in {where} names no {item.kind} of the inventory: {item.label[:80]}"
            )
            continue
        for target in targets:
            target.mentions.extend(item.mentions)
            for event in item.events:
                if event["type"] != "created":
                    target.events.append(dict(event))
    if absorbed:
        b.items[:] = [i for i in b.items if id(i) not in absorbed]
        for order, item in enumerate(b.items):
            item.order = order


def apply_references(b: Builder) -> Resolver:
    """Resolve every effect, move and ref target; status changes become events."""
    resolver = Resolver(b)
    absorb_summary_rows(b, resolver)
    for effect in b.effects:
        target = resolver.target(effect.target)
        if isinstance(target, Item):
            if effect.status == "acknowledged":
                b.note_event(target, "acknowledged", effect.round, effect.by, effect.where, effect.order)
            elif target.kind == "tension":
                b.status(
                    target,
                    effect.status,
                    effect.round,
                    effect.by,
                    effect.where,
                    reason=effect.reason,
                    normalized=effect.status,
                    order=effect.order,
                )
        elif effect.target.ref.letter == "O" and effect.status == "resolved":
            b.resolve_open_item(effect.target.ref.written, effect.round, effect.where, effect.reason or "")
    for move in b.moves:
        move.targets = [resolver.target(t) for t in move.targets]
    for ref in b.refs:
        ref.source = resolver.target(ref.source)
        ref.target = resolver.target(ref.target)
    return resolver


def settle(item: Item) -> None:
    """Order an item's events by round and derive its status; repeated statuses are dropped.

    An item an inventory lists keeps the status its last table states (the dialogue's
    record); markers and later tables still leave their events.
    """
    created = [e for e in item.events if e["type"] == "created" and "_order" not in e]
    rest = [e for e in item.events if not (e["type"] == "created" and "_order" not in e)]
    rest.sort(key=lambda e: (e["round"] if isinstance(e.get("round"), int) else 10**9, e["_order"]))
    running = DEFAULT_STATUS[item.kind]
    text: str | None = None
    kept: list[dict[str, Any]] = []
    for event in rest:
        note = event.pop("_note", False)
        written = event.pop("_written", None)
        event.pop("_order", None)
        if note:
            kept.append(event)
            continue
        text = written
        if event["type"] == running:
            continue
        running = event["type"]
        kept.append(event)
    item.events = created + kept
    item.status = running
    item.status_text = text
    if item.table_status is not None:
        item.status = normalize_status(item.table_status, item.kind, loose=True) or running
        item.status_text = item.table_status
