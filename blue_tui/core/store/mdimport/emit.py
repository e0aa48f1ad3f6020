"""Building the RFC 0051 dialogue.json document out of a :class:`~.builder.Builder`.

In order: place every marker (:mod:`.inventory`), resolve references and apply the
status changes they ask for (:mod:`.resolve`), settle each item's status, assign
global ids (:mod:`.ids`), check the dialogue against itself (:mod:`.checks`), then
write the document. The same builder state always gives the same document.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from blue_tui.core.store.entities import slugify
from blue_tui.core.store.mdimport.checks import check, final_statement
from blue_tui.core.store.mdimport.experts import Expert
from blue_tui.core.store.mdimport.ids import KIND_LETTER, assign_global_ids
from blue_tui.core.store.mdimport.inventory import reconcile
from blue_tui.core.store.mdimport.model import (
    ARRAY_OF,
    INVENTORY_KINDS,
    TEXT_FIELD,
    Item,
    Ref,
    Target,
    Verdict,
)
from blue_tui.core.store.mdimport.resolve import apply_references, settle
from blue_tui.core.store.mdimport.tables import strip_markup

if TYPE_CHECKING:
    from blue_tui.core.store.mdimport.builder import Builder


def build_document(b: Builder) -> dict[str, Any]:
    reconcile(b)
    apply_references(b)
    for item in b.items:
        settle(item)
    ids = assign_global_ids((KIND_LETTER[item.kind], item.round, item.written) for item in b.items)
    for item, gid in zip(b.items, ids, strict=True):
        item.global_id = gid
    check(b)
    found = final_statement(b)
    doc: dict[str, Any] = {"id": b.id, "title": b.title}
    for key, value in (
        ("question", b.question),
        ("date", b.date),
        ("status", found[0] if found else None),
        ("status_text", strip_markup(found[1].value) if found else None),
        ("totalAlignment", b.totals[-1][0] if b.totals else None),
        ("domain", b.domain),
    ):
        if value is not None:
            doc[key] = value
    doc["format"] = b.format
    doc["source"] = b.source
    if b.metadata:
        doc["metadata"] = dict(b.metadata)
    if b.judge:
        doc["judge"] = b.judge
    if b.pool is not None:
        doc["pool"] = b.pool
    doc["experts"] = [_expert_doc(e) for e in b.experts.values()]
    doc["rounds_data"] = [b.rounds[n] for n in sorted(b.rounds)]
    for kind in INVENTORY_KINDS:
        doc[ARRAY_OF[kind]] = [_item_doc(i) for i in b.items if i.kind == kind]
    doc["moves"] = _moves_doc(b)
    doc["refs"] = [_ref_doc(r) for r in b.refs]
    doc["verdicts"] = _verdicts_doc(b.verdicts)
    if b.loose_contributions:
        doc["contributions"] = [_contribution_doc(c) for c in b.loose_contributions]
    if b.open_items:
        doc["open_items"] = b.open_items
    if b.sections:
        doc["sections"] = b.sections
    if b.documents:
        doc["documents"] = b.documents
    doc["warnings"] = list(b.warnings)
    return doc


def _contribution_doc(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if k != "_item"}
    linked = entry.get("_item")
    out["item"] = linked.global_id if isinstance(linked, Item) else None
    return out


def _expert_doc(exp: Expert) -> dict[str, Any]:
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
    if exp.contributions:
        out["contributions"] = [_contribution_doc(c) for c in exp.contributions]
    return out


def _item_doc(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.global_id}
    if item.written:
        out["local_id"] = item.written[0]
    if len(item.written) > 1:
        out["ids_as_written"] = list(item.written)
    if item.scoped_id:
        out["scoped_id"] = item.scoped_id
    out["label"] = item.label
    out[TEXT_FIELD.get(item.kind, "content")] = item.content or item.label
    out["status"] = item.status
    if item.status_text:
        out["status_text"] = item.status_text
    origin: dict[str, Any] = {"round": item.round, "contributors": list(item.contributors)}
    if item.contributors_text:
        origin["as_written"] = item.contributors_text
    out["origin"] = origin
    if item.author:
        out["author"] = item.author
    out["events"] = item.events
    out["mentions"] = item.mentions
    return out


def _target_id(target: Target) -> str:
    if isinstance(target, Item):
        return target.global_id
    return target if isinstance(target, str) else "?"


def _moves_doc(b: Builder) -> list[dict[str, Any]]:
    seqs: dict[tuple[int | None, str | None], int] = defaultdict(int)
    out: list[dict[str, Any]] = []
    for move in b.moves:
        seqs[(move.round, move.expert)] += 1
        entry: dict[str, Any] = {
            "round": move.round,
            "expert": move.expert,
            "seq": seqs[(move.round, move.expert)],
            "move_type": move.move_type,
            "targets": [_target_id(t) for t in move.targets],
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


def _ref_doc(ref: Ref) -> dict[str, Any]:
    return {
        "source_id": _target_id(ref.source),
        "ref_type": ref.ref_type,
        "target_id": _target_id(ref.target),
        "round": ref.round,
        "expert": ref.expert,
        "as_written": ref.written,
    }


def _verdicts_doc(verdicts: list[Verdict]) -> list[dict[str, Any]]:
    if not verdicts:
        return []
    typed_final = [v for v in verdicts if v.verdict_type == "final"]
    untyped = [v for v in verdicts if v.verdict_type is None]
    final: Verdict | None = typed_final[-1] if typed_final else None
    if final is None and untyped:
        final = max(untyped, key=lambda v: (v.priority, v.round if v.round is not None else -1))
    out: list[dict[str, Any]] = []
    counters: dict[str, int] = defaultdict(int)
    used: set[str] = set()
    for verdict in verdicts:
        vtype = verdict.verdict_type or ("final" if verdict is final else "interim")
        if verdict is final:
            ident = "final"
        elif vtype in ("minority", "dissent"):
            ident = f"{vtype}-{slugify(verdict.author or verdict.title or vtype)}"
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
