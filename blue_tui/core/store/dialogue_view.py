"""One view of a dialogue, for `blue dialogue show` and the dashboard's record view alike.

A dialogue.json document becomes a list of :class:`Section`\\ s made of a few plain blocks
(:class:`Heading`, :class:`Fact`, :class:`Line`, :class:`Table`, :class:`Verbatim`) whose text is
exactly what is shown and whose styles are names (``bold``, ``warning``, ``status.open``), so the
CLI (rich) and the dashboard (Textual strips) differ only in how they paint. Text is data: no
block is ever read as markup.

Order: header (title, status, question, ALIGNMENT ...), the importer's warnings, the panel,
scores by round and by expert, the inventories with their statuses and contributors, open items,
moves and references, verdicts, then the full text: the dialogue's opening sections, every round
(heading, facts, text, the Judge's summary, each expert's contribution, round documents; one
foldable section per round), the closing sections and documents, verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blue_tui.core.store.dialogue_blocks import (
    Block,
    Cell,
    DialogueView,
    Fact,
    Heading,
    Line,
    Section,
    Table,
    Verbatim,
    members,
    text,
)
from blue_tui.core.store.view_inventories import InventoryRows, inventory_sections

HEADER_FIELDS = (
    ("id", "id"),
    ("status", "status"),
    ("date", "date"),
    ("totalAlignment", "ALIGNMENT"),
    ("question", "question"),
    ("domain", "domain"),
    ("format", "format"),
    ("source", "source"),
)
ROUND_FACTS = (
    ("score", "score"),
    ("cumulative", "cumulative"),
    ("velocity", "velocity"),
    ("converge_percent", "converge %"),
    ("open_tensions", "open tensions"),
    ("new_perspectives", "new perspectives"),
    ("panel_size", "panel size"),
    ("status_text", "status"),
)
#: Per-round panel.json keys worth a line of their own.
PANEL_NOTES = ("evolution", "goal", "constraint_change")
VERDICT_FACTS = (
    "recommendation",
    "description",
    "author_expert",
    "confidence",
    "vote",
    "conditions",
    "tensions_resolved",
    "in",
)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _row(*cells: Any) -> tuple[Cell, ...]:
    return tuple(c if type(c) is Cell else Cell(text(c)) for c in cells)


def build_view(doc: Mapping[str, Any], rows: InventoryRows | None = None) -> DialogueView:
    """The view of ``doc``; ``rows``: inventory rows made while it was read (see view_inventories)."""
    title = text(doc.get("title") or doc.get("id") or "(untitled dialogue)")
    view = DialogueView(text(doc.get("id")), title)
    add = view.sections.append
    add(Section("header", "Header", tuple(_header(doc, title))))
    warnings = doc.get("warnings")
    if isinstance(warnings, list) and warnings:
        blocks: list[Block] = [Heading(f"Warnings ({len(warnings)})")]
        blocks += [Line(f"! {text(w)}", "warning") for w in warnings]
        add(Section("warnings", f"Warnings ({len(warnings)})", tuple(blocks)))
    for section in (
        _panel(doc),
        _scores(doc),
        *inventory_sections(doc, rows),
        _contributions(doc),
        _open_items(doc),
        _moves(doc),
        _verdicts(doc),
    ):
        if section is not None:
            add(section)
    view.sections.extend(_transcript(doc))
    return view


def _header(doc: Mapping[str, Any], title: str) -> list[Block]:
    out: list[Block] = [Line(title, "bold")]
    for key, label in HEADER_FIELDS:
        value = doc.get(key)
        if value in (None, ""):
            continue
        if key == "status" and doc.get("status_text") and text(doc["status_text"]).lower() != text(value):
            value = f"{value} ({text(doc['status_text'])})"
        out.append(Fact(label, text(value)))
    for key, value in _mapping(doc.get("metadata")).items():
        out.append(Fact(str(key), text(value)))
    judge = _mapping(doc.get("judge"))
    if judge:
        out.append(
            Fact("judge", " ".join(text(judge.get(k)) for k in ("emoji", "name", "role") if judge.get(k)))
        )
    return out


def _panel(doc: Mapping[str, Any]) -> Section | None:
    experts = members(doc, "experts")
    if not experts:
        return None
    rows = []
    for e in experts:
        name = f"{text(e.get('emoji'))} {text(e.get('name') or e.get('slug'))}".strip()
        rows.append(
            _row(
                name,
                e.get("id"),
                e.get("role"),
                e.get("tier"),
                e.get("relevance"),
                e.get("source"),
                e.get("rounds"),
                e.get("total"),
            )
        )
    title = f"Panel ({len(experts)})"
    blocks: list[Block] = [
        Table(title, ("expert", "id", "role", "tier", "relevance", "source", "rounds", "total"), tuple(rows))
    ]
    blocks += [
        Fact(f"focus of {text(e.get('name') or e.get('slug'))}", text(e.get("focus")))
        for e in experts
        if e.get("focus")
    ]
    return Section("panel", title, tuple(blocks))


def _scores(doc: Mapping[str, Any]) -> Section | None:
    blocks: list[Block] = []
    rounds = members(doc, "rounds_data")
    if rounds:
        rows = []
        for r in rounds:
            wctr = " ".join(f"{k}:{text(v)}" for k, v in _mapping(r.get("components")).items())
            converge = r.get("converge_percent")
            rows.append(
                _row(
                    r.get("round"),
                    r.get("title") or r.get("heading"),
                    r.get("score"),
                    wctr,
                    r.get("velocity"),
                    f"{text(converge)}%" if converge is not None else "",
                    len(r["panel"]) if isinstance(r.get("panel"), list) else "",
                )
            )
        blocks.append(
            Table(
                "Rounds", ("round", "title", "score", "W/C/T/R", "velocity", "converge", "panel"), tuple(rows)
            )
        )
    experts = [e for e in members(doc, "experts") if _mapping(e.get("scores"))]
    if experts:
        keys = sorted({k for e in experts for k in _mapping(e.get("scores"))}, key=lambda k: (len(k), k))
        rows = [
            _row(
                e.get("name") or e.get("slug"),
                *[_mapping(e.get("scores")).get(k) for k in keys],
                e.get("total"),
            )
            for e in experts
        ]
        blocks.append(Table("Expert scores", ("expert", *[f"R{k}" for k in keys], "total"), tuple(rows)))
    return Section("scores", "Scores", tuple(blocks)) if blocks else None


def _contributions(doc: Mapping[str, Any]) -> Section | None:
    """Markers kept as each expert's own (numbered per expert), with the inventory item each records."""
    rows = tuple(
        _row(
            e.get("name") or e.get("slug"),
            c.get("round"),
            c.get("kind"),
            c.get("id"),
            c.get("label"),
            c.get("item"),
        )
        for e in members(doc, "experts")
        for c in members(e, "contributions")
    )
    if not rows:
        return None
    title = f"Contributions ({len(rows)})"
    columns = ("expert", "round", "kind", "as written", "label", "item")
    return Section("contributions", title, (Table(title, columns, rows),))


def _open_items(doc: Mapping[str, Any]) -> Section | None:
    items = members(doc, "open_items")
    if not items:
        return None
    title = f"Open items ({len(items)})"
    rows = tuple(
        _row(i.get("id"), i.get("label"), i.get("status"), i.get("round"), i.get("owner")) for i in items
    )
    return Section("open-items", title, (Table(title, ("id", "label", "status", "round", "owner"), rows),))


def _moves(doc: Mapping[str, Any]) -> Section | None:
    blocks: list[Block] = []
    moves = members(doc, "moves")
    if moves:
        rows = tuple(
            _row(m.get("round"), m.get("expert"), m.get("move_type"), m.get("targets"), m.get("context"))
            for m in moves
        )
        blocks.append(Table(f"Moves ({len(moves)})", ("round", "expert", "move", "targets", "context"), rows))
    refs = members(doc, "refs")
    if refs:
        rows = tuple(
            _row(r.get("round"), r.get("source_id"), r.get("ref_type"), r.get("target_id")) for r in refs
        )
        blocks.append(Table(f"References ({len(refs)})", ("round", "from", "type", "to"), rows))
    return Section("moves", "Moves", tuple(blocks)) if blocks else None


def _verdicts(doc: Mapping[str, Any]) -> Section | None:
    verdicts = members(doc, "verdicts")
    if not verdicts:
        return None
    title = f"Verdicts ({len(verdicts)})"
    blocks: list[Block] = [Heading(title)]
    for v in verdicts:
        kind = text(v.get("verdict_type") or v.get("type"))
        blocks.append(
            Line(
                f"[{text(v.get('id') or v.get('verdict_id'))}] {kind}, round {text(v.get('round'))}: {text(v.get('title'))}",
                "bold",
            )
        )
        blocks += [
            Fact(f"  {key.replace('_', ' ')}", text(v.get(key)))
            for key in VERDICT_FACTS
            if v.get(key) not in (None, "", [])
        ]
    return Section("verdicts", title, tuple(blocks))


def _transcript(doc: Mapping[str, Any]) -> list[Section]:
    sections = members(doc, "sections")
    out = [_section(i, s) for i, s in enumerate(sections) if s.get("placement") != "closing"]
    out += [_round(r) for r in members(doc, "rounds_data")]
    out += [_section(i, s) for i, s in enumerate(sections) if s.get("placement") == "closing"]
    for i, document in enumerate(members(doc, "documents")):
        heading = text(document.get("path") or "document")
        out.append(
            Section(f"document-{i}", heading, (Heading(heading), Verbatim(text(document.get("text")))))
        )
    return out


def _section(index: int, section: Mapping[str, Any]) -> Section:
    blocks: list[Block] = []
    heading = section.get("heading")
    if heading:
        blocks.append(Heading(text(heading), 1 if (section.get("level") or 2) <= 2 else 2))
    blocks.append(Verbatim(text(section.get("text"))))
    return Section(f"section-{index}", text(heading) or "Text", tuple(blocks))


def _round(r: Mapping[str, Any]) -> Section:
    number = text(r.get("round"))
    heading = text(
        r.get("heading")
        or (f"Round {number}: {text(r.get('title'))}" if r.get("title") else f"Round {number}")
    )
    blocks: list[Block] = [Heading(heading)]
    blocks += [Fact(label, text(r.get(key))) for key, label in ROUND_FACTS if r.get(key) not in (None, "")]
    panel_file = _mapping(r.get("panel_file"))
    blocks += [
        Fact(key.replace("_", " "), text(panel_file.get(key))) for key in PANEL_NOTES if panel_file.get(key)
    ]
    for key in ("panel", "speakers"):
        if isinstance(r.get(key), list) and r[key]:
            blocks.append(Fact(key, text(r[key])))
    for slug, entry in _mapping(r.get("experts")).items():
        details = ", ".join(f"{k}: {text(v)}" for k, v in _mapping(entry).items())
        if details:
            blocks.append(Fact(f"  {slug}", details))
    blocks.append(Verbatim(text(r.get("text"))))
    if r.get("summary"):
        blocks.append(Heading(f"Round {number} summary ({text(r.get('summary_file') or 'summary')})", 2))
        blocks.append(Verbatim(text(r.get("summary"))))
    for contribution in members(r, "contributions"):
        blocks.append(Heading(f"{text(contribution.get('expert'))} ({text(contribution.get('file'))})", 2))
        blocks.append(Verbatim(text(contribution.get("text"))))
    for document in members(r, "documents"):
        blocks.append(Heading(text(document.get("path") or "document"), 2))
        blocks.append(Verbatim(text(document.get("text"))))
    for prompt in members(r, "prompts"):
        lines = len(text(prompt.get("text")).splitlines())
        blocks.append(
            Line(
                f"(prompt given to {text(prompt.get('expert'))} kept: {text(prompt.get('file'))}, {lines} lines; "
                "see `blue dialogue export`)",
                "dim",
            )
        )
    return Section(f"round-{number}", heading, tuple(blocks), foldable=True)
