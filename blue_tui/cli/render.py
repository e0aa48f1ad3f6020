"""`blue dialogue show`: a dialogue.json document as readable text (rich in a terminal).

Order: header (title, status, question, ALIGNMENT ...), the importer's warnings,
the panel, scores by round and by expert, the inventories with their statuses, open
items, moves, verdicts, then the full text: every round (its heading, facts, text,
the Judge's summary, each expert's contribution, round documents), the dialogue's
other sections and documents, verbatim. In a terminal the verbatim markdown is
rendered by rich; piped, it is printed line for line (so every source line of an
imported file can be found in the output).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from blue_tui.cli.output import stdout_console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

INVENTORIES = (
    ("perspectives", "Perspectives"),
    ("tensions", "Tensions"),
    ("recommendations", "Recommendations"),
    ("evidence", "Evidence"),
    ("claims", "Claims"),
)
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
STATUS_STYLE = {
    "open": "yellow",
    "reopened": "yellow",
    "addressed": "cyan",
    "resolved": "green",
    "adopted": "green",
    "converged": "green",
    "rejected": "red",
    "abandoned": "red",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _add(grid: Table, *cells: Any) -> None:
    """A table row whose text prints as written (cells are never read as rich markup)."""
    from rich.text import Text

    grid.add_row(*(cell if isinstance(cell, Text) else Text(_text(cell)) for cell in cells))


def _members(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = doc.get(name)
    return [m for m in value if isinstance(m, Mapping)] if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class _Printer:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.rich = console.is_terminal

    def line(self, text: str = "", style: str | None = None) -> None:
        from rich.text import Text

        self.console.print(Text(text, style=style or ""), soft_wrap=True)

    def fact(self, label: str, value: Any) -> None:
        from rich.text import Text

        line = Text()
        line.append(f"{label}: ", style="dim")
        line.append(_text(value))
        self.console.print(line, soft_wrap=True)

    def heading(self, text: str, level: int = 1) -> None:
        from rich.rule import Rule
        from rich.text import Text

        if self.rich:
            # Text, not a markup string: headings hold "[...]" that must print as written.
            self.console.print(Rule(Text(text), align="left", style="blue" if level == 1 else "dim"))
        else:
            self.line("")
            self.line(("== " if level == 1 else "-- ") + text)

    def verbatim(self, text: str) -> None:
        """Markdown kept from the source: rendered in a terminal, line for line when piped."""
        if not text.strip():
            return
        if self.rich:
            from rich.markdown import Markdown

            self.console.print(Markdown(text, code_theme="ansi_dark"))
        else:
            for raw in text.split("\n"):
                self.line(raw)

    def table(self, title: str, columns: Sequence[str]) -> Table:
        from rich import box
        from rich.table import Table

        grid = Table(
            title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, title_style="bold"
        )
        for column in columns:
            grid.add_column(column, overflow="fold")
        return grid


def render_dialogue(doc: Mapping[str, Any]) -> None:
    printer = _Printer(stdout_console())
    _header(printer, doc)
    _panel(printer, doc)
    _scores(printer, doc)
    _inventories(printer, doc)
    _contributions(printer, doc)
    _open_items(printer, doc)
    _moves(printer, doc)
    _verdicts(printer, doc)
    _transcript(printer, doc)


def _header(p: _Printer, doc: Mapping[str, Any]) -> None:
    title = _text(doc.get("title") or doc.get("id") or "(untitled dialogue)")
    p.line(title, style="bold")
    for key, label in HEADER_FIELDS:
        value = doc.get(key)
        if value in (None, ""):
            continue
        if key == "status" and doc.get("status_text") and _text(doc["status_text"]).lower() != _text(value):
            value = f"{value} ({_text(doc['status_text'])})"
        p.fact(label, value)
    metadata = _mapping(doc.get("metadata"))
    for key, value in metadata.items():
        p.fact(key, value)
    judge = _mapping(doc.get("judge"))
    if judge:
        p.fact("judge", " ".join(_text(judge.get(k)) for k in ("emoji", "name", "role") if judge.get(k)))
    warnings = doc.get("warnings")
    if isinstance(warnings, list) and warnings:
        p.heading(f"Warnings ({len(warnings)})")
        for warning in warnings:
            p.line(f"! {_text(warning)}", style="yellow")


def _panel(p: _Printer, doc: Mapping[str, Any]) -> None:
    experts = _members(doc, "experts")
    if not experts:
        return
    grid = p.table(
        f"Panel ({len(experts)})", ["expert", "id", "role", "tier", "relevance", "source", "rounds", "total"]
    )
    for e in experts:
        name = f"{_text(e.get('emoji'))} {_text(e.get('name') or e.get('slug'))}".strip()
        _add(
            grid,
            name,
            _text(e.get("id")),
            _text(e.get("role")),
            _text(e.get("tier")),
            _text(e.get("relevance")),
            _text(e.get("source")),
            _text(e.get("rounds")),
            _text(e.get("total")),
        )
    p.console.print(grid)
    focus = [(e, e.get("focus")) for e in experts if e.get("focus")]
    for e, value in focus:
        p.fact(f"focus of {_text(e.get('name') or e.get('slug'))}", value)


def _scores(p: _Printer, doc: Mapping[str, Any]) -> None:
    rounds = _members(doc, "rounds_data")
    if rounds:
        grid = p.table("Rounds", ["round", "title", "score", "W/C/T/R", "velocity", "converge", "panel"])
        for r in rounds:
            components = _mapping(r.get("components"))
            wctr = " ".join(f"{k}:{_text(v)}" for k, v in components.items())
            converge = r.get("converge_percent")
            _add(
                grid,
                _text(r.get("round")),
                _text(r.get("title") or r.get("heading")),
                _text(r.get("score")),
                wctr,
                _text(r.get("velocity")),
                f"{_text(converge)}%" if converge is not None else "",
                _text(len(r["panel"]) if isinstance(r.get("panel"), list) else ""),
            )
        p.console.print(grid)
    experts = [e for e in _members(doc, "experts") if _mapping(e.get("scores"))]
    if experts:
        keys = sorted({k for e in experts for k in _mapping(e.get("scores"))}, key=lambda k: (len(k), k))
        grid = p.table("Expert scores", ["expert", *[f"R{k}" for k in keys], "total"])
        for e in experts:
            scores = _mapping(e.get("scores"))
            _add(
                grid,
                _text(e.get("name") or e.get("slug")),
                *[_text(scores.get(k)) for k in keys],
                _text(e.get("total")),
            )
        p.console.print(grid)


def _inventories(p: _Printer, doc: Mapping[str, Any]) -> None:
    from rich.text import Text

    for name, heading in INVENTORIES:
        members = _members(doc, name)
        if not members:
            continue
        counts: dict[str, int] = {}
        for m in members:
            counts[_text(m.get("status"))] = counts.get(_text(m.get("status")), 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        grid = p.table(
            f"{heading} ({len(members)}: {summary})", ["id", "as written", "label", "status", "round", "by"]
        )
        for m in members:
            origin = _mapping(m.get("origin"))
            status = _text(m.get("status"))
            written = _text(m.get("status_text"))
            shown = status + (f" ({written})" if written and written.lower() != status else "")
            _add(
                grid,
                _text(m.get("id")),
                _text(m.get("local_id")),
                _text(m.get("label")),
                Text(shown, style=STATUS_STYLE.get(status, "")),
                _text(origin.get("round")),
                _text(origin.get("contributors") or m.get("contributors")),
            )
        p.console.print(grid)
        for m in members:
            events = [
                e for e in m.get("events") or [] if isinstance(e, Mapping) and e.get("type") != "created"
            ]
            for event in events:
                when = f" in round {_text(event['round'])}" if event.get("round") is not None else ""
                by = f" by {_text(event.get('by'))}" if event.get("by") else ""
                where = f" ({_text(event.get('in'))})" if event.get("in") else ""
                reason = f": {_text(event.get('reason'))}" if event.get("reason") else ""
                p.line(f"  {_text(m.get('id'))} {_text(event.get('type'))}{when}{by}{where}{reason}")


def _contributions(p: _Printer, doc: Mapping[str, Any]) -> None:
    """Markers kept as each expert's own (numbered per expert), with the inventory item each records."""
    rows = [(e, c) for e in _members(doc, "experts") for c in _members(e, "contributions")]
    if not rows:
        return
    grid = p.table(f"Contributions ({len(rows)})", ["expert", "round", "kind", "as written", "label", "item"])
    for expert, c in rows:
        _add(
            grid,
            _text(expert.get("name") or expert.get("slug")),
            _text(c.get("round")),
            _text(c.get("kind")),
            _text(c.get("id")),
            _text(c.get("label")),
            _text(c.get("item")),
        )
    p.console.print(grid)


def _open_items(p: _Printer, doc: Mapping[str, Any]) -> None:
    items = _members(doc, "open_items")
    if not items:
        return
    grid = p.table(f"Open items ({len(items)})", ["id", "label", "status", "round", "owner"])
    for item in items:
        _add(
            grid,
            _text(item.get("id")),
            _text(item.get("label")),
            _text(item.get("status")),
            _text(item.get("round")),
            _text(item.get("owner")),
        )
    p.console.print(grid)


def _moves(p: _Printer, doc: Mapping[str, Any]) -> None:
    moves = _members(doc, "moves")
    refs = _members(doc, "refs")
    if moves:
        grid = p.table(f"Moves ({len(moves)})", ["round", "expert", "move", "targets", "context"])
        for m in moves:
            _add(
                grid,
                _text(m.get("round")),
                _text(m.get("expert")),
                _text(m.get("move_type")),
                _text(m.get("targets")),
                _text(m.get("context")),
            )
        p.console.print(grid)
    if refs:
        grid = p.table(f"References ({len(refs)})", ["round", "from", "type", "to"])
        for r in refs:
            _add(
                grid,
                _text(r.get("round")),
                _text(r.get("source_id")),
                _text(r.get("ref_type")),
                _text(r.get("target_id")),
            )
        p.console.print(grid)


def _verdicts(p: _Printer, doc: Mapping[str, Any]) -> None:
    verdicts = _members(doc, "verdicts")
    if not verdicts:
        return
    p.heading(f"Verdicts ({len(verdicts)})")
    for v in verdicts:
        kind = _text(v.get("verdict_type") or v.get("type"))
        title = _text(v.get("title"))
        p.line(
            f"[{_text(v.get('id') or v.get('verdict_id'))}] {kind}, round {_text(v.get('round'))}: {title}",
            "bold",
        )
        for key in (
            "recommendation",
            "description",
            "author_expert",
            "confidence",
            "vote",
            "conditions",
            "tensions_resolved",
            "in",
        ):
            if v.get(key) not in (None, "", []):
                p.fact(f"  {key.replace('_', ' ')}", v.get(key))


def _transcript(p: _Printer, doc: Mapping[str, Any]) -> None:
    sections = _members(doc, "sections")
    preamble = [s for s in sections if s.get("placement") != "closing"]
    closing = [s for s in sections if s.get("placement") == "closing"]
    for section in preamble:
        _section(p, section)
    for r in _members(doc, "rounds_data"):
        _round(p, r)
    for section in closing:
        _section(p, section)
    for document in _members(doc, "documents"):
        p.heading(_text(document.get("path") or "document"))
        p.verbatim(_text(document.get("text")))


def _section(p: _Printer, section: Mapping[str, Any]) -> None:
    heading = section.get("heading")
    if heading:
        p.heading(_text(heading), 1 if (section.get("level") or 2) <= 2 else 2)
    p.verbatim(_text(section.get("text")))


def _round(p: _Printer, r: Mapping[str, Any]) -> None:
    number = _text(r.get("round"))
    heading = r.get("heading") or (
        f"Round {number}: {_text(r.get('title'))}" if r.get("title") else f"Round {number}"
    )
    p.heading(_text(heading))
    for key, label in ROUND_FACTS:
        if r.get(key) not in (None, ""):
            p.fact(label, r.get(key))
    panel_file = _mapping(r.get("panel_file"))
    for key in PANEL_NOTES:
        if panel_file.get(key):
            p.fact(key.replace("_", " "), panel_file.get(key))
    if isinstance(r.get("panel"), list) and r["panel"]:
        p.fact("panel", r["panel"])
    if isinstance(r.get("speakers"), list) and r["speakers"]:
        p.fact("speakers", r["speakers"])
    for slug, entry in _mapping(r.get("experts")).items():
        details = ", ".join(f"{k}: {_text(v)}" for k, v in _mapping(entry).items())
        if details:
            p.fact(f"  {slug}", details)
    p.verbatim(_text(r.get("text")))
    if r.get("summary"):
        p.heading(f"Round {number} summary ({_text(r.get('summary_file') or 'summary')})", 2)
        p.verbatim(_text(r.get("summary")))
    for contribution in _members(r, "contributions"):
        p.heading(f"{_text(contribution.get('expert'))} ({_text(contribution.get('file'))})", 2)
        p.verbatim(_text(contribution.get("text")))
    for document in _members(r, "documents"):
        p.heading(_text(document.get("path") or "document"), 2)
        p.verbatim(_text(document.get("text")))
    for prompt in _members(r, "prompts"):
        lines = len(_text(prompt.get("text")).splitlines())
        p.line(
            f"(prompt given to {_text(prompt.get('expert'))} kept: {_text(prompt.get('file'))}, {lines} lines; "
            "see `blue dialogue export`)",
            style="dim",
        )
