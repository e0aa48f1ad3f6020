"""Building one RFC 0051 dialogue.json document out of what the readers find.

The readers (:mod:`.reader`, :mod:`.single_file`, :mod:`.folder`) report experts,
rounds, inventory rows, markers, status statements and verdicts to a
:class:`Builder`; :meth:`Builder.document` then assigns global ids, resolves
references, checks the dialogue against itself and returns the document.

Merging: a perspective (or tension, ...) written once in an inventory table and once
as an inline marker is one item. A table row and a marker are the same item when
their ids have the same letter and number and nothing known contradicts it (the
round, the contributors, an expert or round inside the id such as
``MUFFIN-T01 (R0)``); when several markers could match, the one whose label shares
most words with the row wins, or none does.

Contradictions are never fixed: the document keeps what the files say and
:attr:`Builder.warnings` says what does not add up.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from blue_tui.core.store.entities import slugify
from blue_tui.core.store.mdimport.ids import KIND_LETTER, IdRef, assign_global_ids
from blue_tui.core.store.mdimport.tables import emoji_of, strip_emoji, strip_markup

INVENTORY_KINDS = ("perspective", "tension", "recommendation", "evidence", "claim")
ARRAY_OF = {
    "perspective": "perspectives",
    "tension": "tensions",
    "recommendation": "recommendations",
    "evidence": "evidence",
    "claim": "claims",
}
DEFAULT_STATUS = {
    "perspective": "open",
    "tension": "open",
    "recommendation": "proposed",
    "evidence": "cited",
    "claim": "asserted",
}
TEXT_FIELD = {"tension": "description"}
#: Tension statuses that mean "not settled" for the converged-with-open-tensions check.
UNSETTLED = frozenset({"open", "reopened", "addressed", "conditional"})
#: Longest list of ids one warning spells out.
MAX_LISTED = 10

_STATUS_WORDS: dict[str, str] = {
    "resolved": "resolved",
    "resolve": "resolved",
    "closed": "resolved",
    "done": "resolved",
    "settled": "resolved",
    "reopened": "reopened",
    "reopen": "reopened",
    "open": "open",
    "opened": "open",
    "new": "open",
    "active": "open",
    "unresolved": "open",
    "pending": "open",
    "raised": "open",
    "addressed": "addressed",
    "partially": "addressed",
    "partial": "addressed",
    "narrowed": "addressed",
    "acknowledged": "addressed",
    "in": "open",  # "in progress"
}
_STATUS_KEEP = frozenset(
    {
        "accepted",
        "deferred",
        "superseded",
        "conditional",
        "withdrawn",
        "rejected",
        "kept",
        "adopted",
        "refined",
        "conceded",
        "merged",
        "relaxed",
        "elevated",
        "proposed",
        "amended",
        "cited",
        "challenged",
        "confirmed",
        "refuted",
        "asserted",
        "supported",
        "opposed",
        "evolved",
        "converged",
        "dropped",
        "invalid",
        "invalidated",
    }
)
#: Written dialogue statuses and RFC 0051's value for them; the earliest match in a text wins.
_DIALOGUE_STATUS = (
    (re.compile(r"\babandon|\bcancel", re.I), "abandoned"),
    (re.compile(r"\bnot\s+(?:yet\s+)?converged|\bno\s+convergence", re.I), "open"),
    (re.compile(r"\bconverging\b", re.I), "converging"),
    (
        re.compile(
            r"\bconverged\b|\bconvergence\s+achieved|\bcomplete[d]?\b|\bconcluded\b|✓\s*achieved", re.I
        ),
        "converged",
    ),
    (re.compile(r"\bin\s+progress|\bawaiting|\bdraft\b|\bopen\b|\bactive\b|\bongoing\b", re.I), "open"),
)
_WORD = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    {"the", "and", "for", "not", "with", "via", "from", "that", "this", "are", "all", "but", "into"}
)
_PAREN = re.compile(r"\([^)]*\)")
_JUDGE = re.compile(r"^(?:💙\s*)?(?:the\s+)?(judge|facilitator|moderator|orchestrator)\b", re.I)
_EXPERT_N = re.compile(r"^(?:expert\s*#?\s*)?(\d{1,3})$", re.I)
_ROUND_OR_PAREN = re.compile(r"\bR\d+\b|\bRound\s+\d+\b|\(.*?\)")
_POSSESSIVE = re.compile(r"'s\b")
_SPLIT_PEOPLE = re.compile(r"\s*(?:,|\+|&|/|;|\band\b|\bvs\.?\b)\s*", re.I)


@lru_cache(maxsize=4096)
def normalize_status(text: str) -> str | None:
    """A short status keyword for what a cell or line says (``"**RESOLVED** (kept)"`` -> ``resolved``)."""
    clean = strip_emoji(strip_markup(text)).lower()
    if "✅" in text or clean.startswith("✓"):
        return "resolved"
    match = _WORD.search(clean)
    if not match:
        return None
    word = match.group(0)
    if word in _STATUS_WORDS:
        return _STATUS_WORDS[word]
    return word if word in _STATUS_KEEP else None


@lru_cache(maxsize=1024)
def dialogue_status(text: str) -> str | None:
    """RFC 0051's dialogue status (open, converging, converged, abandoned) for a written one."""
    clean = strip_markup(text)
    best: tuple[int, str] | None = None
    for pattern, status in _DIALOGUE_STATUS:
        match = pattern.search(clean)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), status)
    return best[1] if best else None


def _mention(where: str, rnd: int | None, written: str | None, *, by: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if where:
        out["in"] = where
    out["round"] = rnd
    if written is not None:
        out["as"] = written
    if by is not None:
        out["by"] = by
    return out


def _norm_written(text: str) -> str:
    return " ".join(text.lower().split())


def tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOP}


def similar(a: str, b: str) -> bool:
    """Do two labels describe the same thing? (Most words of the shorter one are in the longer.)"""
    la, lb = a.strip().lower(), b.strip().lower()
    if la and lb and len(min(la, lb, key=len)) >= 10 and (la.startswith(lb) or lb.startswith(la)):
        return True
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    shared = len(ta & tb)
    return shared >= 2 and shared / min(len(ta), len(tb)) >= 0.5


def similarity(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


@dataclass
class Expert:
    slug: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, int | float] = field(default_factory=dict)
    total: int | float | None = None
    rounds: list[int] = field(default_factory=list)


@dataclass
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
    from_table: bool = False
    from_marker: bool = False
    global_id: str = ""


@dataclass
class Mention:
    """An id written somewhere (``[RESOLVED T02]``), resolved once every file has been read."""

    ref: IdRef
    round: int | None
    expert: str | None
    written: str
    where: str
    warn: bool = True


Target = Item | str | Mention


@dataclass
class Effect:
    """A status change a marker asks for, applied after resolution (``[RESOLVED T02]`` -> resolved)."""

    target: Mention
    status: str
    round: int | None
    by: list[str]
    reason: str | None
    where: str
    order: int = 0


@dataclass
class Move:
    round: int | None
    expert: str | None
    move_type: str
    targets: list[Target]
    context: str
    written: str
    where: str
    also_in: list[str] = field(default_factory=list)


@dataclass
class Ref:
    source: Item | str
    ref_type: str
    target: Target
    round: int | None
    expert: str | None
    written: str


@dataclass
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


@dataclass
class Statement:
    value: str
    where: str
    level: str  # header | section | round | closing | inferred


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
        self.judge: dict[str, Any] | None = None
        self.pool: Any = None
        self.experts: dict[str, Expert] = {}
        self.aliases: dict[str, str] = {}
        self.rounds: dict[int, dict[str, Any]] = {}
        self.items: list[Item] = []
        self._by_key: dict[tuple[str, int], list[Item]] = defaultdict(list)
        self.moves: list[Move] = []
        self._move_index: dict[tuple[int | None, str, str, str], Move] = {}
        self._marker_index: dict[tuple[str, int, str | None, int | None], Item] = {}
        self._unnumbered: dict[tuple[str, str], Item] = {}
        self._people_cache: dict[str, tuple[int, list[str]]] = {}
        self.refs: list[Ref] = []
        self.effects: list[Effect] = []
        self._resolved: dict[int, Item | str] = {}
        self._event_order = 0
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

    @staticmethod
    @lru_cache(maxsize=4096)
    def _alias_key(text: str) -> str:
        clean = strip_emoji(strip_markup(text))
        clean = _PAREN.sub(" ", clean).replace("’", "'")
        clean = _POSSESSIVE.sub("", clean)
        return " ".join(clean.lower().strip(" :*_-—–.,").split())

    def is_judge(self, text: str) -> bool:
        return bool(_JUDGE.match(strip_markup(text).strip())) or strip_markup(text).strip() == "💙"

    def expert(self, name: str, **fields: Any) -> str | None:
        """Register (or complete) the expert called ``name``; returns its slug, None for the Judge."""
        raw = strip_markup(name)
        if not raw.strip() or self.is_judge(raw):
            if raw.strip():
                judge = self.judge or {"name": strip_emoji(raw) or "Judge"}
                for key, value in fields.items():
                    if value not in (None, "") and key not in judge:
                        judge[key] = value
                self.judge = judge
            return None
        emoji = emoji_of(raw)
        display = " ".join(_PAREN.sub(" ", strip_emoji(raw)).split()) or strip_emoji(raw) or raw.strip()
        numbered = _EXPERT_N.match(display)
        if numbered:
            display = f"Expert {int(numbered.group(1))}"
        slug = self.find_expert(display) or self.find_expert(raw)
        if slug is None:
            slug = base = slugify(display)
            n = 2
            while slug in self.experts:
                slug = f"{base}-{n}"
                n += 1
            self.experts[slug] = Expert(slug, display)
            self._alias(display, slug)
            self._alias(slug, slug)
            first = display.split()[0] if display.split() else ""
            if first and first.lower() != display.lower() and len(first) > 2:
                self._alias(first, slug, weak=True)
        exp = self.experts[slug]
        if emoji and "emoji" not in exp.fields:
            exp.fields["emoji"] = emoji
        for key, value in fields.items():
            if value in (None, ""):
                continue
            if key == "id":
                self._alias(str(value), slug)
            if key not in exp.fields:
                exp.fields[key] = value
        return slug

    def _alias(self, text: str, slug: str, *, weak: bool = False) -> None:
        key = self._alias_key(text)
        if not key:
            return
        current = self.aliases.get(key)
        if current is None:
            self.aliases[key] = slug
        elif current != slug and weak:
            self.aliases[key] = ""  # ambiguous first name: resolves to nobody

    def find_expert(self, text: str) -> str | None:
        key = self._alias_key(text)
        if not key:
            return None
        slug = self.aliases.get(key)
        if slug:
            return slug
        numbered = _EXPERT_N.match(key)
        if numbered:
            return self.aliases.get(f"expert {int(numbered.group(1))}") or None
        words = key.split()
        if len(words) > 1:
            # "Muffin Systems Architect", "Alex Chen Distributed Systems": the name comes first.
            for size in range(len(words) - 1, 0, -1):
                slug = self.aliases.get(" ".join(words[:size]))
                if slug:
                    return slug
        return None

    def experts_in(self, text: str) -> list[str]:
        """Slugs of the experts a cell names (``"Cupcake, Croissant"``, ``"🧁 Muffin + 🧁 Eclair R1"``)."""
        cached = self._people_cache.get(text)
        if cached is not None and cached[0] == len(self.experts):
            return list(cached[1])
        found = self._experts_in(text)
        self._people_cache[text] = (len(self.experts), found)
        return list(found)

    def _experts_in(self, text: str) -> list[str]:
        found: list[str] = []
        for raw in _SPLIT_PEOPLE.split(strip_markup(text)):
            part = _ROUND_OR_PAREN.sub(" ", raw).strip()
            if not part:
                continue
            slug = self.find_expert(part)
            if slug and slug not in found:
                found.append(slug)
        return found

    def expert_round(self, slug: str, rnd: int | None) -> None:
        exp = self.experts.get(slug)
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
        data = self.round(number)
        panel = data.setdefault("panel", [])
        if slug not in panel:
            panel.append(slug)
        self.expert_round(slug, number)
        experts: dict[str, dict[str, Any]] = data.setdefault("experts", {})
        return experts.setdefault(slug, {})

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

    # ---- inventory items ------------------------------------------------------------------------

    def _new_item(
        self, kind: str, ref: IdRef | None, label: str, content: str, rnd: int | None, people: list[str]
    ) -> Item:
        item = Item(kind, len(self.items), ref, label, content, rnd, list(people))
        item.status = DEFAULT_STATUS[kind]
        if ref is not None:
            item.written.append(ref.written)
            self._by_key[(kind, ref.number)].append(item)
        self.items.append(item)
        return item

    def _pick(self, candidates: list[Item], label: str, informed: bool) -> Item | None:
        if len(candidates) == 1 and (informed or similar(candidates[0].label, label)):
            return candidates[0]
        if len(candidates) >= 1 and label:
            best = max(candidates, key=lambda c: (similarity(c.label, label), -c.order))
            if similar(best.label, label):
                return best
        return None

    def marker_item(
        self,
        kind: str,
        ref: IdRef | None,
        label: str,
        content: str,
        rnd: int | None,
        author: str | None,
        where: str,
    ) -> Item:
        """An inline marker: a new item, or the table row / earlier marker it repeats."""
        item: Item | None = None
        if ref is not None:
            item = self._marker_index.get((kind, ref.number, author, rnd))
            if item is None:
                candidates = [
                    c
                    for c in self._by_key[(kind, ref.number)]
                    if c.from_table
                    and not c.from_marker
                    and (c.round is None or rnd is None or c.round == rnd)
                    and (author is None or not c.contributors or author in c.contributors)
                    and self._table_hint_matches(c, author, rnd)
                ]
                informed = any(
                    c.round is not None or c.contributors or self._has_hint(c.ref) for c in candidates
                )
                item = self._pick(candidates, label, informed)
        if item is None:
            item = self._new_item(kind, ref, label, content, rnd, [author] if author else [])
            item.events.append({"type": "created", "round": rnd, "by": [author] if author else []})
        else:
            if item.from_table and not item.from_marker:
                # The inventory's label was a summary; the marker is the expert's own words.
                if label:
                    item.label = label
                if content:
                    item.content = content
                if author and author not in item.contributors:
                    item.contributors.append(author)
                if item.round is None:
                    item.round = rnd
                created = item.events[0] if item.events and item.events[0]["type"] == "created" else None
                if created is not None:
                    if created["round"] is None:
                        created["round"] = rnd
                    if author and author not in created["by"]:
                        created["by"].append(author)
            elif content and not item.content:
                item.content = content
            if ref is not None and ref.written not in item.written:
                item.written.append(ref.written)
        item.from_marker = True
        if ref is not None:
            self._marker_index.setdefault((kind, ref.number, author, rnd), item)
        if item.author is None:
            item.author = author
        if not item.content and not item.label:
            item.label = label
        item.mentions.append(_mention(where, rnd, ref.written if ref else None, by=author))
        return item

    @staticmethod
    def _has_hint(ref: IdRef | None) -> bool:
        return ref is not None and (ref.expert is not None or ref.round is not None)

    def _table_hint_matches(self, table_item: Item, author: str | None, rnd: int | None) -> bool:
        ref = table_item.ref
        if ref is None:
            return True
        if ref.expert is not None:
            slug = self.find_expert(ref.expert)
            if slug is not None and author is not None and slug != author:
                return False
        return not (ref.round is not None and rnd is not None and ref.round != rnd)

    def table_item(
        self,
        kind: str,
        ref: IdRef | None,
        label: str,
        rnd: int | None,
        people: list[str],
        where: str,
    ) -> Item:
        """A row of an inventory table (or a ``### T01: label`` heading): new, or the item it names."""
        item: Item | None = None
        if ref is not None:
            key_items = self._by_key[(kind, ref.number)]
            written = _norm_written(ref.written)
            slug = self.find_expert(ref.expert) if ref.expert else None
            origin = ref.round if ref.round is not None else rnd
            # 1. An id another table (or item heading) already wrote the same way: the same item.
            same = [c for c in key_items if c.from_table and written in {_norm_written(w) for w in c.written}]
            if same:
                item = same[0]
            elif slug is not None or ref.round is not None:
                # 2. MUFFIN-T01 (R0): the item that expert raised in that round, wherever it was written.
                hits = [
                    c
                    for c in key_items
                    if (slug is None or c.author == slug or (c.author is None and slug in c.contributors))
                    and (ref.round is None or c.round is None or c.round == ref.round)
                    and (
                        c.ref is None
                        or c.ref.expert is None
                        or _norm_written(c.ref.expert) == _norm_written(ref.expert or "")
                    )
                ]
                item = hits[0] if len(hits) == 1 else self._pick(hits, label, False)
            else:
                # 3. A plain id (T01) in a table: an earlier table's T01, else the one marker it matches.
                tabled = [
                    c
                    for c in key_items
                    if c.from_table
                    and c.ref is not None
                    and c.ref.expert is None
                    and c.ref.round is None
                    and not c.from_marker
                ]
                if tabled:
                    item = tabled[0]
                else:
                    candidates = [
                        c
                        for c in key_items
                        if c.from_marker
                        and not c.from_table
                        and (origin is None or c.round is None or c.round == origin)
                        and (not people or c.author is None or c.author in people)
                    ]
                    informed = origin is not None or bool(people)
                    item = self._pick(candidates, label, informed)
        if item is None:
            origin_round = ref.round if ref is not None and ref.round is not None else rnd
            hinted = self.find_expert(ref.expert) if ref is not None and ref.expert else None
            if hinted and hinted not in people:
                people = [hinted, *people]
            item = self._new_item(kind, ref, label, label, origin_round, people)
            item.events.append({"type": "created", "round": origin_round, "by": list(people)})
        else:
            for person in people:
                if person not in item.contributors:
                    item.contributors.append(person)
            if ref is not None and ref.written not in item.written:
                item.written.append(ref.written)
            if not item.label:
                item.label = label
        item.from_table = True
        item.mentions.append(_mention(where, rnd, ref.written if ref else None))
        return item

    def unnumbered_item(self, kind: str, label: str, rnd: int | None, people: list[str], where: str) -> Item:
        """An inventory entry without an id (a bullet under "Recommendations", a table without an ID column)."""
        known = self._unnumbered.get((kind, label))
        if known is not None:
            known.mentions.append(_mention(where, rnd, None))
            return known
        item = self._new_item(kind, None, label, label, rnd, people)
        self._unnumbered[(kind, label)] = item
        item.from_table = True
        item.events.append({"type": "created", "round": rnd, "by": list(people)})
        item.mentions.append(_mention(where, rnd, None))
        return item

    def resolve(
        self, ref: IdRef, rnd: int | None, expert: str | None, kind: str | None = None
    ) -> Item | None:
        """The item an id mentioned in round ``rnd`` by ``expert`` refers to, or None."""
        kinds = [kind] if kind else ([ref.kind] if ref.kind else [])
        pool = [c for k in kinds for c in self._by_key.get((k, ref.number), [])]
        if not pool:
            return None

        def before(c: Item) -> bool:
            return rnd is None or c.round is None or c.round <= rnd

        if ref.expert is not None:
            slug = self.find_expert(ref.expert)
            if slug is not None:
                hits = [
                    c
                    for c in pool
                    if (c.author == slug or slug in c.contributors)
                    and (ref.round is None or c.round == ref.round)
                ]
                if hits:
                    return max(hits, key=lambda c: (c.round if c.round is not None else -1, -c.order))
        if ref.round is not None:
            hits = [c for c in pool if c.round == ref.round]
            if len(hits) == 1:
                return hits[0]
        tabled = [
            c for c in pool if c.from_table and c.ref is not None and c.ref.expert is None and before(c)
        ]
        if len(tabled) == 1:
            return tabled[0]
        if expert is not None:
            own = [c for c in pool if c.author == expert and before(c)]
            if own:
                return max(own, key=lambda c: (c.round if c.round is not None else -1, -c.order))
        earlier = [c for c in pool if before(c)]
        if len(earlier) == 1:
            return earlier[0]
        if earlier:
            latest = max(c.round if c.round is not None else -1 for c in earlier)
            hits = [c for c in earlier if (c.round if c.round is not None else -1) == latest]
            if len(hits) == 1:
                return hits[0]
        return None

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
        value = normalized or normalize_status(written)
        if value is None:
            return
        self._event_order += 1
        if order is None:
            order = self._event_order
        event: dict[str, Any] = {"type": value, "round": rnd, "by": list(by)}
        text = reason if reason is not None else strip_markup(written)
        if text and text.lower() != value:
            event["reason"] = text
        if where:
            event["in"] = where
        event["_order"] = order
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
    ) -> None:
        """An event that does not change the status (``[ACKNOWLEDGED T09]``)."""
        self._event_order += 1
        item.events.append(
            {
                "type": event_type,
                "round": rnd,
                "by": list(by),
                **({"in": where} if where else {}),
                "_order": self._event_order if order is None else order,
                "_note": True,
            }
        )

    def _settle(self, item: Item) -> None:
        """Order an item's events by round and derive its status; repeated statuses are dropped."""
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
        self,
        source: Item | str,
        ref_type: str,
        target: Target,
        rnd: int | None,
        expert: str | None,
        written: str,
    ) -> None:
        self.refs.append(Ref(source, ref_type, target, rnd, expert, written))

    def effect(self, effect: Effect) -> None:
        """Queue a marker's status change; it keeps its place in reading order."""
        self._event_order += 1
        effect.order = self._event_order
        self.effects.append(effect)

    def resolved(self, target: Target) -> Item | str:
        """The item a target names (a mention is resolved once; unresolved ones stay as written)."""
        if not isinstance(target, Mention):
            return target
        key = id(target)
        if key not in self._resolved:
            item = self.resolve(target.ref, target.round, target.expert)
            if item is None and target.warn:
                self.warn(
                    f"{target.where}: {target.written[:80]} names {target.ref.written}, which no "
                    f"{target.ref.kind or 'item'} in the dialogue has"
                    + (f" (round {target.round})" if target.round is not None else "")
                )
            self._resolved[key] = item if item is not None else target.ref.written
        return self._resolved[key]

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
        for effect in self.effects:
            target = self.resolved(effect.target)
            if isinstance(target, Item):
                if effect.status == "acknowledged":
                    self.note_event(
                        target, "acknowledged", effect.round, effect.by, effect.where, effect.order
                    )
                elif target.kind == "tension":
                    self.status(
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
                self.resolve_open_item(
                    effect.target.ref.written, effect.round, effect.where, effect.reason or ""
                )
        for move in self.moves:
            move.targets = [self.resolved(t) for t in move.targets]
        for ref in self.refs:
            ref.target = self.resolved(ref.target)
        for item in self.items:
            self._settle(item)
        ids = assign_global_ids((KIND_LETTER[item.kind], item.round, item.written) for item in self.items)
        for item, gid in zip(self.items, ids, strict=True):
            item.global_id = gid
        self._check()
        doc: dict[str, Any] = {"id": self.id, "title": self.title}
        for key, value in (
            ("question", self.question),
            ("date", self.date),
            ("status", self._final_status()),
            ("status_text", self._status_text()),
            ("totalAlignment", self._total()),
            ("domain", self.domain),
        ):
            if value is not None:
                doc[key] = value
        doc["format"] = self.format
        doc["source"] = self.source
        if self.metadata:
            doc["metadata"] = dict(self.metadata)
        if self.judge:
            doc["judge"] = self.judge
        if self.pool is not None:
            doc["pool"] = self.pool
        doc["experts"] = [self._expert_doc(e) for e in self.experts.values()]
        doc["rounds_data"] = [self.rounds[n] for n in sorted(self.rounds)]
        for kind in INVENTORY_KINDS:
            doc[ARRAY_OF[kind]] = [self._item_doc(i) for i in self.items if i.kind == kind]
        doc["moves"] = self._moves_doc()
        doc["refs"] = [self._ref_doc(r) for r in self.refs]
        doc["verdicts"] = self._verdicts_doc()
        if self.open_items:
            doc["open_items"] = self.open_items
        if self.sections:
            doc["sections"] = self.sections
        if self.documents:
            doc["documents"] = self.documents
        doc["warnings"] = list(self.warnings)
        return doc

    def _expert_doc(self, exp: Expert) -> dict[str, Any]:
        out: dict[str, Any] = {"slug": exp.slug, "name": exp.name}
        for key in ("id", "emoji", "role", "tier", "relevance", "source", "focus"):
            if key in exp.fields:
                out[key] = exp.fields[key]
        for key, value in exp.fields.items():
            if key not in out:
                out[key] = value
        out["scores"] = {k: exp.scores[k] for k in sorted(exp.scores, key=lambda k: (len(k), k))}
        if exp.total is not None:
            out["total"] = exp.total
        if exp.rounds:
            out["rounds"] = sorted(exp.rounds)
        return out

    def _item_doc(self, item: Item) -> dict[str, Any]:
        out: dict[str, Any] = {"id": item.global_id}
        if item.ref is not None:
            out["local_id"] = item.ref.written
        if len(item.written) > 1:
            out["ids_as_written"] = list(item.written)
        out["label"] = item.label
        out[TEXT_FIELD.get(item.kind, "content")] = item.content or item.label
        out["status"] = item.status
        if item.status_text and item.status_text.lower() != item.status:
            out["status_text"] = item.status_text
        out["origin"] = {"round": item.round, "contributors": list(item.contributors)}
        if item.author:
            out["author"] = item.author
        out["events"] = item.events
        out["mentions"] = item.mentions
        return out

    def _target_id(self, target: Target) -> str:
        if isinstance(target, Mention):
            target = self.resolved(target)
        return target.global_id if isinstance(target, Item) else target

    def _moves_doc(self) -> list[dict[str, Any]]:
        seqs: dict[tuple[int | None, str | None], int] = defaultdict(int)
        out: list[dict[str, Any]] = []
        for move in self.moves:
            seqs[(move.round, move.expert)] += 1
            entry: dict[str, Any] = {
                "round": move.round,
                "expert": move.expert,
                "seq": seqs[(move.round, move.expert)],
                "move_type": move.move_type,
                "targets": [self._target_id(t) for t in move.targets],
            }
            if move.context:
                entry["context"] = move.context
            if move.written.startswith(("[MOVE", "[RE")) or not move.context:
                entry["as_written"] = move.written
            if move.where:
                entry["in"] = move.where
            if move.also_in:
                entry["also_in"] = list(move.also_in)
            out.append(entry)
        return out

    def _ref_doc(self, ref: Ref) -> dict[str, Any]:
        return {
            "source_id": self._target_id(ref.source),
            "ref_type": ref.ref_type,
            "target_id": self._target_id(ref.target),
            "round": ref.round,
            "expert": ref.expert,
            "as_written": ref.written,
        }

    def _verdicts_doc(self) -> list[dict[str, Any]]:
        if not self.verdicts:
            return []
        typed_final = [v for v in self.verdicts if v.verdict_type == "final"]
        untyped = [v for v in self.verdicts if v.verdict_type is None]
        final: Verdict | None = typed_final[-1] if typed_final else None
        if final is None and untyped:
            final = max(untyped, key=lambda v: (v.priority, v.round if v.round is not None else -1))
        out: list[dict[str, Any]] = []
        counters: dict[str, int] = defaultdict(int)
        used: set[str] = set()
        for verdict in self.verdicts:
            vtype = verdict.verdict_type or ("final" if verdict is final else "interim")
            if verdict is final:
                ident = "final"
            elif vtype in ("minority", "dissent"):
                base = f"{vtype}-{slugify(verdict.author or verdict.title or vtype)}"
                ident = base
            else:
                counters[vtype] += 1
                ident = f"V{counters[vtype]:02d}"
            n = 2
            unique = ident
            while unique in used:
                unique = f"{ident}-{n}"
                n += 1
            used.add(unique)
            entry: dict[str, Any] = {"id": unique, "verdict_type": vtype, "round": verdict.round}
            if verdict.title:
                entry["title"] = verdict.title
            if verdict.recommendation:
                entry["recommendation"] = verdict.recommendation
            if verdict.author:
                entry["author_expert"] = verdict.author
            if verdict.confidence:
                entry["confidence"] = verdict.confidence
            if verdict.tensions_resolved:
                entry["tensions_resolved"] = [t.global_id for t in verdict.tensions_resolved]
            if verdict.where:
                entry["in"] = verdict.where
            out.append(entry)
        return out

    def _final_statement(self) -> tuple[str, Statement] | None:
        """The dialogue's status: the last explicit statement, else the last round's, else inferred."""
        for levels in (("header", "section", "closing"), ("round",), ("inferred",)):
            for statement in reversed([s for s in self.statuses if s.level in levels]):
                status = dialogue_status(statement.value)
                if status is not None:
                    return status, statement
        return None

    def _final_status(self) -> str | None:
        found = self._final_statement()
        return found[0] if found else None

    def _status_text(self) -> str | None:
        found = self._final_statement()
        return strip_markup(found[1].value) if found else None

    def _total(self) -> int | float | None:
        return self.totals[-1][0] if self.totals else None

    # ---- consistency checks ---------------------------------------------------------------------

    def _check(self) -> None:
        status = self._final_status()
        # Status said two different things.
        explicit = [s for s in self.statuses if s.level in ("header", "section", "closing")]
        seen: dict[str, Statement] = {}
        for statement in explicit:
            value = dialogue_status(statement.value)
            if value is not None:
                seen.setdefault(value, statement)
        if len(seen) > 1:
            said = "; ".join(f"{strip_markup(s.value)!r} in {s.where}" for s in seen.values())
            self.warn(f"the dialogue's status is written differently in different places: {said}")
        if self.recorded and status == "open":
            self.warn(
                "the file is a recorded dialogue (.recorded.md) but its status is still open/in progress"
            )
        if status == "converged":
            unsettled = [i for i in self.items if i.kind == "tension" and i.status in UNSETTLED]
            if unsettled:
                shown = unsettled[:MAX_LISTED]
                more = f" and {len(unsettled) - len(shown)} more" if len(unsettled) > len(shown) else ""
                names = ", ".join(
                    f"{i.global_id} ({i.ref.written if i.ref else i.label[:40]}: {i.status})" for i in shown
                )
                self.warn(
                    f"status is converged but {len(unsettled)} tension(s) are not resolved: {names}{more}"
                )
            open_items = [o for o in self.open_items if o.get("status") in UNSETTLED]
            if open_items:
                self.warn(
                    "status is converged but open item(s) remain: "
                    + ", ".join(str(o["id"]) for o in open_items)
                )
        # Totals that disagree.
        distinct = {value for value, _ in self.totals}
        if len(distinct) > 1:
            said = "; ".join(f"{value} in {where}" for value, where in self.totals)
            self.warn(f"Total ALIGNMENT is written with different values: {said}")
        # All-zero scoreboards beside real scores.
        real = (
            any(isinstance(r.get("score"), int | float) and r["score"] != 0 for r in self.rounds.values())
            or any(v for e in self.experts.values() for v in e.scores.values())
            or any(v for v, _ in self.totals)
        )
        for where, zero in self.score_tables:
            if zero and real:
                self.warn(
                    f"the scoreboard in {where} shows 0 for every expert, but the dialogue has non-zero scores"
                )
            elif zero and status == "converged":
                self.warn(
                    f"the scoreboard in {where} shows 0 for every expert, but the dialogue is converged"
                )
        # Expert totals against their round scores.
        for exp in self.experts.values():
            if exp.total is not None and exp.scores:
                summed = sum(exp.scores.values())
                if abs(summed - exp.total) > 1e-9:
                    self.warn(f"{exp.name}'s total is {exp.total} but the round scores add up to {summed}")
        # Convergence 100% while velocity (open tensions + new perspectives) is not zero. Where the
        # velocity column is the score delta instead, it says nothing about convergence.
        for number in sorted(self.rounds):
            data = self.rounds[number]
            converge, velocity = data.get("converge_percent"), data.get("velocity")
            if converge != 100 or not isinstance(velocity, int | float) or velocity <= 0:
                continue
            previous = self.rounds.get(number - 1, {}).get("score")
            score = data.get("score")
            if (
                isinstance(previous, int | float)
                and isinstance(score, int | float)
                and score - previous == velocity
            ):
                continue
            self.warn(f"round {number} shows converge 100% but velocity {velocity} (not zero)")
        # Ids written twice for different things, where the dialogue numbers its items globally.
        markers: dict[tuple[str, int | None], list[Item]] = defaultdict(list)
        for item in self.items:
            if item.from_marker and item.ref is not None and item.ref.expert is None:
                markers[(item.kind, item.round)].append(item)
        for (kind, rnd), group in markers.items():
            numbers: dict[int, list[Item]] = defaultdict(list)
            for item in group:
                if item.ref is not None:
                    numbers[item.ref.number].append(item)
            clashes = {n: items for n, items in numbers.items() if len({i.author for i in items}) > 1}
            if not clashes or len(numbers) < 0.75 * len(group):
                continue  # numbers restart for every expert: a clash is the convention, not a mistake
            for items in clashes.values():
                written = items[0].ref.written if items[0].ref else "?"
                authors = ", ".join(sorted({i.author or "?" for i in items}))
                tabled = [i for i in items if i.from_table]
                note = f"; the inventory table names {tabled[0].author}'s" if len(tabled) == 1 else ""
                self.warn(f"{written} is used for more than one {kind} in round {rnd} ({authors}){note}")
