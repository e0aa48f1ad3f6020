"""One round of a round-scoped folder: its panel, prompts, expert files, documents and summary.

Read in that order, so that the panel is known before the experts speak:
``round-N/panel.json`` (either shape: ``{agents: [...], history}`` or ``{round,
evolution, panel: [...]}``; relevance from the pool by role when the panel lacks
it), ``{expert}.prompt.md`` (kept, never read for markers), ``round-N/{expert}.md``
(in panel order), round documents (``scoreboard.md`` ...), then the Judge's
summary (``round-N.summary.md`` or ``round-N/summary.md``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from blue_tui.core.store.mdimport.builder import Builder
from blue_tui.core.store.mdimport.folder_members import Members, natural
from blue_tui.core.store.mdimport.reader import Reader
from blue_tui.core.store.mdimport.tables import strip_markup
from blue_tui.core.store.mdimport.textops import first_of, trailing_paren

_PROMPT_WHO = re.compile(
    r"You are (?P<name>[A-Z][\w-]{0,40})[ \t]*(?P<emoji>[^\w\s,]{0,8})[ \t]*,[ \t]*an?[ \t]+"
    r"(?P<role>[^.\n]{1,200}?)[ \t]++in an\b"
)
_ROUND_SUMMARY_TITLE = re.compile(r"^Round[ \t]+\d{1,3}[ \t]+Summary$", re.I)


def read_round(
    members: Members,
    number: int,
    bucket: dict[str, list[Path]],
    pool_roles: dict[str, dict[str, Any]],
    summary_titles: list[str],
) -> None:
    builder = members.builder
    data = builder.round(number)
    panel: list[str] = []
    for file in bucket.get("panel", []):
        text = members.text(file)
        raw = members.json(file, text) if text is not None else None
        if raw is None:
            continue
        data["panel_file"] = raw
        panel = read_panel(builder, number, raw, pool_roles)
    for file in bucket.get("prompts", []):
        text = members.text(file)
        if text is None:
            continue
        who = _PROMPT_WHO.search(text)
        stem = file.name[: -len(".prompt.md")]
        slug = builder.find_expert(stem)
        if slug is None and who is not None:
            slug = builder.expert(
                who.group("name"), role=who.group("role").strip(), emoji=who.group("emoji") or None
            )
        data.setdefault("prompts", []).append(
            {"expert": slug or stem, "file": members.rel(file), "text": text}
        )

    def in_panel(file: Path) -> tuple[int, tuple[Any, ...]]:
        slug = builder.find_expert(file.stem)
        return (panel.index(slug) if slug in panel else len(panel), natural(file.name))

    for file in sorted(bucket.get("experts", []), key=in_panel):
        text = members.text(file)
        if text is None:
            continue
        slug = builder.find_expert(file.stem) or builder.expert(
            file.stem.replace("-", " ").replace("_", " ").title()
        )
        if slug is None:
            continue
        if panel and slug not in panel:
            builder.warn(
                f"round-{number}/{file.name} is by {builder.experts[slug].name}, who is not in round {number}'s panel.json"
            )
        builder.round_expert(number, slug)
        rel = members.rel(file)
        data.setdefault("contributions", []).append({"expert": slug, "file": rel, "text": text})
        Reader(builder, text, rel, base_round=number, expert=slug, role="expert").run()
    for file in bucket.get("documents", []):
        text = members.text(file)
        if text is None:
            continue
        rel = members.rel(file)
        data.setdefault("documents", []).append({"path": rel, "text": text})
        if file.suffix.lower() in (".md", ".markdown", ".txt"):
            role = "scoreboard" if file.name.lower() == "scoreboard.md" else "document"
            Reader(builder, text, rel, base_round=number, role=role).run()
    for k, file in enumerate(bucket.get("summary", [])):
        text = members.text(file)
        if text is None:
            continue
        rel = members.rel(file)
        if k == 0:
            data["summary"] = text
            data["summary_file"] = rel
        else:
            builder.warn(f"round {number} has more than one summary; {rel} kept as a round document")
            data.setdefault("documents", []).append({"path": rel, "text": text})
        reader = Reader(builder, text, rel, base_round=number, role="summary")
        reader.run()
        h1 = next((b.title for b in reader.blocks if b.kind == "heading" and b.level == 1), None)
        if h1:
            _summary_title(strip_markup(h1[:500]), data, summary_titles)


def _summary_title(clean: str, data: dict[str, Any], summary_titles: list[str]) -> None:
    """``# Round 1 Summary — PM Repo Sync (Tension Resolution)``: the round's title and the dialogue's."""
    paren = trailing_paren(clean)
    if paren is not None and "title" not in data:
        data["title"] = paren[1].strip()
    head = paren[0] if paren is not None else clean
    split = first_of(head, ":—–")
    if split > 0 and _ROUND_SUMMARY_TITLE.match(head[:split].strip()) and head[split + 1 :].strip():
        summary_titles.append(head[split + 1 :].strip())


def read_panel(builder: Builder, number: int, raw: Any, pool_roles: dict[str, dict[str, Any]]) -> list[str]:
    """panel.json in either shape; returns the panel's slugs in order."""
    if not isinstance(raw, dict):
        builder.warn(f"round-{number}/panel.json is not an object; kept as written")
        return []
    members = raw.get("panel") if isinstance(raw.get("panel"), list) else raw.get("agents")
    if not isinstance(members, list):
        builder.warn(f"round-{number}/panel.json has neither 'panel' nor 'agents'; kept as written")
        return []
    history: dict[str, Any] = raw["history"] if isinstance(raw.get("history"), dict) else {}
    sources = {
        str(e.get("name")).lower(): e.get("source")
        for e in (history.get("experts") or [])
        if isinstance(e, dict) and e.get("name")
    }
    slugs: list[str] = []
    for member in members:
        if not isinstance(member, dict) or not isinstance(member.get("name"), str):
            builder.warn(f"round-{number}/panel.json has an entry without a name; kept as written")
            continue
        role = member.get("role") if isinstance(member.get("role"), str) else None
        tier = member.get("tier") if isinstance(member.get("tier"), str) else None
        relevance = member.get("relevance")
        if not isinstance(relevance, int | float) and role and role.lower() in pool_roles:
            relevance = pool_roles[role.lower()].get("relevance")
        source = member.get("source") or sources.get(member["name"].lower())
        slug = builder.expert(
            member["name"],
            emoji=member.get("emoji") if isinstance(member.get("emoji"), str) else None,
            role=role,
            tier=tier[:1].upper() + tier[1:] if tier else None,
            relevance=relevance if isinstance(relevance, int | float) else None,
            source=source if isinstance(source, str) else None,
            focus=member.get("focus") if isinstance(member.get("focus"), str) else None,
        )
        if slug is None:
            continue
        entry = builder.round_expert(number, slug)
        for key in ("role", "source", "focus"):
            if isinstance(member.get(key), str):
                entry.setdefault(key, member[key])
        if isinstance(source, str):
            entry.setdefault("source", source)
        slugs.append(slug)
    return slugs
