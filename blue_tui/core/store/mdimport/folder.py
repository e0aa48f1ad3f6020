"""Round-scoped dialogue folders (V4, Feb-Mar 2026 and later), with their recorded summary.

Layout read (every part optional)::

    expert-pool.json              {domain, question, experts[{role, tier, relevance, focus}], ...}
    round-N/panel.json            {agents:[...]} or {round, evolution?, panel:[...], ...}
    round-N/{expert}.md           the expert's answer, with markers
    round-N/{expert}.prompt.md    the prompt it was given (kept, never read for markers)
    round-N.summary.md            or round-N/summary.md: the Judge's synthesis
    round-N/scoreboard.md, round-N/<other>.md
    scoreboard.md, tensions.md, verdict.md, CONVERGENCE.md, background.md, <other files>

Every text file is kept verbatim in the document (rounds' ``summary``,
``contributions``, ``prompts`` and ``documents``; the dialogue's ``documents``).
When the folder's ``{id}.dialogue.recorded.md`` summary exists (:mod:`.pairing`), it
is read first, as a dialogue file: its inventories are the dialogue's record, its
sections and round texts are kept beside the folder's files. Then the folder is
read in a fixed order: rounds in number order (see :mod:`.folder_rounds`), then
tensions.md, scoreboard.md, other documents, verdict.md and CONVERGENCE.md.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from blue_tui.core.gcpause import gc_paused
from blue_tui.core.store.mdimport.builder import Builder
from blue_tui.core.store.mdimport.folder_members import Members, natural
from blue_tui.core.store.mdimport.folder_rounds import read_round
from blue_tui.core.store.mdimport.model import Statement, Verdict
from blue_tui.core.store.mdimport.reader import Reader
from blue_tui.core.store.mdimport.single_file import clean_title, date_of, humanize, read_dialogue_text
from blue_tui.core.store.mdimport.tables import strip_emoji, strip_markup
from blue_tui.core.store.mdimport.textops import first_of, trailing_paren
from blue_tui.core.store.sources import DEFAULT_LIMITS, ReadLimits, id_for_name

ROUND_DIR = re.compile(r"^round[-_ ]?(\d{1,3})$", re.I)
ROUND_SUMMARY = re.compile(r"^round[-_ ]?(\d{1,3})[._-]summary\.md$", re.I)
TOP_ROLES = {
    "tensions.md": "tensions",
    "scoreboard.md": "scoreboard",
    "verdict.md": "verdict",
    "convergence.md": "convergence",
}
TOP_ORDER = {"tensions": 0, "scoreboard": 1, "document": 2, "verdict": 3, "convergence": 4}
ROUND_DOC_NAMES = frozenset(
    {
        "summary",
        "scoreboard",
        "context-brief",
        "context",
        "brief",
        "tensions",
        "verdict",
        "notes",
        "background",
        "readme",
    }
)
_ANSWER_HEADING = re.compile(r"answer|decision|recommendation|verdict", re.I)


def is_dialogue_folder(path: Path) -> bool:
    """A round-scoped dialogue folder (as opposed to a folder holding many dialogues)."""
    try:
        entries = list(path.iterdir())
    except OSError:
        return False
    names = {e.name.lower() for e in entries}
    if "expert-pool.json" in names:
        return True
    if any(ROUND_SUMMARY.match(e.name) for e in entries if e.is_file()):
        return True
    if any(ROUND_DIR.match(e.name) for e in entries if e.is_dir()):
        return True
    has_dialogue_files = any(n.endswith((".dialogue.md", ".dialogue.json")) for n in names)
    return (
        bool(names & {"scoreboard.md", "tensions.md", "verdict.md", "convergence.md"})
        and not has_dialogue_files
    )


def parse_folder(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, summary: tuple[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A round-scoped dialogue folder (and its recorded summary's name and text) -> (document, warnings)."""
    with gc_paused():
        return _parse_folder(path, limits, summary)


def _buckets(
    members: Members, files: list[Path]
) -> tuple[dict[int, dict[str, list[Path]]], list[Path], Path | None]:
    rounds: dict[int, dict[str, list[Path]]] = {}
    top: list[Path] = []
    pool_file: Path | None = None
    for file in files:
        parts = file.relative_to(members.root).parts
        if len(parts) == 1:
            summary = ROUND_SUMMARY.match(file.name)
            if summary:
                rounds.setdefault(int(summary.group(1)), {}).setdefault("summary", []).append(file)
            elif file.name.lower() == "expert-pool.json":
                pool_file = file
            else:
                top.append(file)
            continue
        round_dir = ROUND_DIR.match(parts[0])
        if round_dir and len(parts) == 2:
            bucket = rounds.setdefault(int(round_dir.group(1)), {})
            low = file.name.lower()
            if low == "panel.json":
                bucket.setdefault("panel", []).append(file)
            elif low == "summary.md":
                bucket.setdefault("summary", []).append(file)
            elif low.endswith(".prompt.md"):
                bucket.setdefault("prompts", []).append(file)
            elif low.endswith(".md") and low[:-3] not in ROUND_DOC_NAMES:
                bucket.setdefault("experts", []).append(file)
            else:
                bucket.setdefault("documents", []).append(file)
        else:
            top.append(file)
    return rounds, top, pool_file


def _read_pool(members: Members, pool_file: Path) -> dict[str, dict[str, Any]]:
    builder = members.builder
    pool_roles: dict[str, dict[str, Any]] = {}
    text = members.text(pool_file)
    pool = members.json(pool_file, text) if text is not None else None
    if isinstance(pool, dict):
        builder.pool = pool
        if isinstance(pool.get("question"), str) and builder.question is None:
            builder.question = pool["question"]
        if isinstance(pool.get("domain"), str) and builder.domain is None:
            builder.domain = pool["domain"]
        for entry in pool.get("experts") or []:
            if isinstance(entry, dict) and isinstance(entry.get("role"), str):
                pool_roles.setdefault(entry["role"].lower(), entry)
    elif pool is not None:
        builder.pool = pool
        builder.warn("expert-pool.json is not an object; kept as written")
    return pool_roles


def _parse_folder(
    path: Path, limits: ReadLimits, summary: tuple[str, str] | None
) -> tuple[dict[str, Any], list[str]]:
    name = path.name or path.resolve().name
    builder = Builder(f"{name}/ + {summary[0]}" if summary else name + "/", recorded=summary is not None)
    builder.format = "v4-folder"
    builder.id = id_for_name(name)
    recorded_title: str | None = None
    if summary is not None:
        reader = read_dialogue_text(builder, summary[1], summary[0], place=summary[0])
        h1 = next((b.title for b in reader.blocks if b.kind == "heading" and b.level == 1), None)
        recorded_title = clean_title(h1[:500]) if h1 and h1.strip() else None
    if builder.date is None:
        builder.date = date_of(name)
    members = Members(path, builder, limits)
    rounds, top, pool_file = _buckets(members, members.walk())
    pool_roles = _read_pool(members, pool_file) if pool_file is not None else {}
    summary_titles: list[str] = []
    for number in sorted(rounds):
        read_round(members, number, rounds[number], pool_roles, summary_titles)
    titles = _read_top(members, top, max(rounds) if rounds else None)
    builder.title = recorded_title or _title(titles, summary_titles) or humanize(name)
    doc = builder.document()
    return doc, list(builder.warnings)


def _read_top(members: Members, top: list[Path], last_round: int | None) -> dict[str, str]:
    builder = members.builder
    ordered = sorted(
        top, key=lambda p: (TOP_ORDER[TOP_ROLES.get(p.name.lower(), "document")], natural(p.name))
    )
    titles: dict[str, str] = {}
    for file in ordered:
        rel = members.rel(file)
        text = members.text(file)
        if text is None:
            continue
        role = TOP_ROLES.get(file.name.lower(), "document") if "/" not in rel else "document"
        document: dict[str, Any] = {"path": rel, "text": text}
        builder.documents.append(document)
        if file.suffix.lower() == ".json":
            data = members.json(file, text)
            if data is not None:
                document["data"] = data
            continue
        if file.suffix.lower() not in (".md", ".markdown", ".txt"):
            continue
        before = {id(e) for item in builder.items for e in item.events}
        reader = Reader(builder, text, rel, role=role)
        reader.run()
        h1 = next((b.title for b in reader.blocks if b.kind == "heading" and b.level == 1), None)
        if h1:
            titles[role] = h1[:500]
        if role not in ("verdict", "convergence"):
            continue
        for block in reader.blocks:
            head = block.title.lower()[:500]
            if block.kind == "heading" and ("convergence achieved" in head or "converged" in head):
                builder.statuses.append(Statement(block.title[:500], rel, "inferred"))
        resolved = [
            item
            for item in builder.items
            if item.kind == "tension"
            and any(id(e) not in before and e.get("type") == "resolved" for e in item.events)
        ]
        verdict = Verdict(
            None,
            last_round,
            strip_emoji(strip_markup(h1[:500] if h1 else rel)),
            _answer(reader),
            rel,
            priority=3 if role == "verdict" else 2,
            tensions_resolved=resolved,
        )
        if "unanimous" in text.lower():
            verdict.confidence = "unanimous"
        builder.verdict(verdict)
    return titles


def _answer(reader: Reader) -> str:
    """A verdict's recommendation: the first paragraph under "Answer"/"Decision", else the first paragraph."""
    wanted = None
    for block in reader.blocks:
        if block.kind == "heading" and _ANSWER_HEADING.search(block.title[:500]):
            wanted = block.end
            break
    for block in reader.blocks:
        if block.kind in ("paragraph", "list") and (wanted is None or block.start >= wanted):
            return " ".join(strip_markup("\n".join(reader.lines[block.start : block.end])).split())[:1000]
    return ""


def _title(titles: dict[str, str], summary_titles: list[str]) -> str | None:
    for role, prefixes in (
        ("scoreboard", ("scoreboard",)),
        ("tensions", ("tensions",)),
        ("verdict", ("final verdict", "verdict")),
    ):
        h1 = titles.get(role)
        if not h1:
            continue
        clean = strip_emoji(strip_markup(h1))
        paren = trailing_paren(clean)
        if paren is not None:
            clean = paren[0]
        split = first_of(clean, ":—–")
        if split > 0 and clean[:split].strip().lower() in prefixes and clean[split + 1 :].strip():
            return clean[split + 1 :].strip()
    if summary_titles:
        counts = Counter(summary_titles)
        best, count = counts.most_common(1)[0]
        if count >= 2 or len(summary_titles) == 1:
            return best
    return None
