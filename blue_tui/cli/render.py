"""`blue dialogue show`: a dialogue.json document as readable text (rich in a terminal)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from blue_tui.cli.output import stdout_console

INVENTORIES = (
    ("perspectives", "Perspectives"),
    ("tensions", "Tensions"),
    ("recommendations", "Recommendations"),
    ("evidence", "Evidence"),
    ("claims", "Claims"),
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _members(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = doc.get(name)
    return [m for m in value if isinstance(m, Mapping)] if isinstance(value, list) else []


def render_dialogue(doc: Mapping[str, Any]) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()

    def grid(title: str, columns: Sequence[str]) -> Table:
        t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, title_style="bold")
        for column in columns:
            t.add_column(column, overflow="fold")
        return t

    title = _text(doc.get("title") or doc.get("id") or "(untitled dialogue)")
    console.print(Text(title, style="bold"))
    facts = [
        (label, doc.get(key))
        for key, label in (
            ("id", "id"),
            ("status", "status"),
            ("date", "date"),
            ("totalAlignment", "ALIGNMENT"),
            ("question", "question"),
        )
        if doc.get(key) not in (None, "")
    ]
    for label, value in facts:
        console.print(f"[dim]{label}:[/dim] {escape(_text(value))}")

    experts = _members(doc, "experts")
    if experts:
        t = grid(f"Panel ({len(experts)})", ["expert", "role", "tier", "source", "total"])
        for e in experts:
            name = _text(e.get("name") or e.get("slug"))
            emoji = _text(e.get("emoji"))
            t.add_row(f"{emoji} {name}".strip(), _text(e.get("role")), _text(e.get("tier")),
                      _text(e.get("source")), _text(e.get("total")))
        console.print(t)

    rounds = _members(doc, "rounds_data")
    if rounds:
        t = grid("Rounds", ["round", "title", "score", "experts"])
        for r in rounds:
            per_expert = r.get("experts")
            scores = ""
            if isinstance(per_expert, Mapping):
                scores = ", ".join(
                    f"{slug} {_text(v.get('score') if isinstance(v, Mapping) else v)}" for slug, v in per_expert.items()
                )
            t.add_row(_text(r.get("round")), _text(r.get("title")), _text(r.get("score")), scores)
        console.print(t)
        for r in rounds:
            text = r.get("text") or r.get("summary")
            if isinstance(text, str) and text.strip():
                console.print(Text(f"Round {_text(r.get('round'))}", style="bold"))
                console.print(escape(text.strip()))

    for name, heading in INVENTORIES:
        members = _members(doc, name)
        if not members:
            continue
        t = grid(f"{heading} ({len(members)})", ["id", "label", "status", "by"])
        for m in members:
            origin = m.get("origin") if isinstance(m.get("origin"), Mapping) else {}
            by = m.get("contributors") or (origin or {}).get("contributors")
            t.add_row(_text(m.get("id")), _text(m.get("label")), _text(m.get("status")), _text(by))
        console.print(t)

    verdicts = _members(doc, "verdicts")
    if verdicts:
        t = grid("Verdicts", ["id", "type", "recommendation", "confidence", "vote"])
        for v in verdicts:
            t.add_row(_text(v.get("id") or v.get("verdict_id")), _text(v.get("verdict_type") or v.get("type")),
                      _text(v.get("recommendation")), _text(v.get("confidence")), _text(v.get("vote")))
        console.print(t)
