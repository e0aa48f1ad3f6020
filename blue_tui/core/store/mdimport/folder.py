"""Round-scoped dialogue folders (V4, Feb-Mar 2026 and later).

Layout read (every part optional)::

    expert-pool.json              {domain, question, experts[{role, tier, relevance, focus}], ...}
    round-N/panel.json            {agents:[...]} or {round, evolution?, panel:[...], ...}
    round-N/{expert}.md           the expert's answer, with markers
    round-N/{expert}.prompt.md    the prompt it was given (kept, never read for markers)
    round-N.summary.md            or round-N/summary.md: the Judge's synthesis
    round-N/scoreboard.md, round-N/<other>.md
    scoreboard.md, tensions.md, verdict.md, CONVERGENCE.md, background.md, <other files>

Every text file is kept verbatim in the document (rounds' ``summary``,
``contributions``, ``prompts`` and ``documents``; the dialogue's ``documents``),
and read for structure in a fixed order: rounds in number order (panel, expert
files, round documents, summary), then tensions.md, scoreboard.md, other documents,
verdict.md and CONVERGENCE.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from blue_tui.core.errors import SourceError
from blue_tui.core.gcpause import gc_paused
from blue_tui.core.store.entities import slugify
from blue_tui.core.store.mdimport.model import Builder, Statement, Verdict
from blue_tui.core.store.mdimport.reader import Reader
from blue_tui.core.store.mdimport.single_file import date_of, humanize
from blue_tui.core.store.mdimport.tables import strip_emoji, strip_markup
from blue_tui.core.store.sources import read_text

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
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".json", ".yaml", ".yml", ".csv", ".toml"})
_PROMPT_WHO = re.compile(
    r"You are (?P<name>[A-Z][\w-]*)\s*(?P<emoji>[^\w\s,]*)\s*,\s*an?\s+(?P<role>[^.\n]+?)\s+in an\b"
)
_TITLE_SPLIT = re.compile(r"\s*[:—–]\s*")
_TRAILING_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")


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


def _natural(name: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name))


def _member_text(path: Path, root: Path, builder: Builder) -> str | None:
    """A member file's text; empty files are kept empty (with a warning); unreadable ones fail the dialogue."""
    rel = path.relative_to(root).as_posix()
    try:
        return read_text(path)
    except SourceError as exc:
        if exc.reason == "is empty":
            builder.warn(f"{rel} is empty")
            return ""
        if path.suffix.lower() in TEXT_SUFFIXES:
            raise SourceError(str(path), exc.reason, line=exc.line) from None
        builder.warn(f"{rel} skipped: {exc.reason}")
        return None


def _json(path: Path, text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise SourceError(
            str(path), f"is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno
        ) from None


def parse_folder(path: Path) -> tuple[dict[str, Any], list[str]]:
    """A round-scoped dialogue folder -> (dialogue.json document, warnings)."""
    with gc_paused():
        return _parse_folder(path)


def _parse_folder(path: Path) -> tuple[dict[str, Any], list[str]]:
    name = path.name or path.resolve().name
    builder = Builder(name + "/")
    builder.format = "v4-folder"
    builder.id = slugify(name)
    builder.date = date_of(name)
    files = sorted(
        (
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ),
        key=lambda p: tuple(_natural(part) for part in p.relative_to(path).parts),
    )
    rounds: dict[int, dict[str, list[Path]]] = {}
    top: list[Path] = []
    pool_file: Path | None = None
    for file in files:
        parts = file.relative_to(path).parts
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

    pool_roles: dict[str, dict[str, Any]] = {}
    if pool_file is not None:
        text = _member_text(pool_file, path, builder)
        pool = _json(pool_file, text) if text is not None else None
        if isinstance(pool, dict):
            builder.pool = pool
            if isinstance(pool.get("question"), str):
                builder.question = pool["question"]
            if isinstance(pool.get("domain"), str):
                builder.domain = pool["domain"]
            for entry in pool.get("experts") or []:
                if isinstance(entry, dict) and isinstance(entry.get("role"), str):
                    pool_roles.setdefault(entry["role"].lower(), entry)
        elif pool is not None:
            builder.pool = pool
            builder.warn("expert-pool.json is not an object; kept as written")

    summary_titles: list[str] = []
    for number in sorted(rounds):
        _read_round(builder, path, number, rounds[number], pool_roles, summary_titles)

    ordered = sorted(
        top, key=lambda p: (TOP_ORDER[TOP_ROLES.get(p.name.lower(), "document")], _natural(p.name))
    )
    titles: dict[str, str] = {}
    last_round = max(rounds) if rounds else None
    for file in ordered:
        rel = file.relative_to(path).as_posix()
        text = _member_text(file, path, builder)
        if text is None:
            continue
        role = (
            TOP_ROLES.get(file.name.lower(), "document")
            if len(file.relative_to(path).parts) == 1
            else "document"
        )
        document: dict[str, Any] = {"path": rel, "text": text}
        builder.documents.append(document)
        if file.suffix.lower() == ".json":
            data = _json(file, text)
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
            titles[role] = h1
        if role in ("verdict", "convergence"):
            heads = [b.title for b in reader.blocks if b.kind == "heading"]
            for head in heads:
                if "convergence achieved" in head.lower() or "converged" in head.lower():
                    builder.statuses.append(Statement(head, rel, "inferred"))
            resolved = [
                item
                for item in builder.items
                if item.kind == "tension"
                and any(id(e) not in before and e.get("type") == "resolved" for e in item.events)
            ]
            verdict = Verdict(
                None,
                last_round,
                strip_emoji(strip_markup(h1 or rel)),
                _answer(reader, text),
                rel,
                priority=3 if role == "verdict" else 2,
                tensions_resolved=resolved,
            )
            if "unanimous" in text.lower():
                verdict.confidence = "unanimous"
            builder.verdict(verdict)

    builder.title = _title(titles, summary_titles) or humanize(name)
    doc = builder.document()
    return doc, list(builder.warnings)


def _read_round(
    builder: Builder,
    root: Path,
    number: int,
    bucket: dict[str, list[Path]],
    pool_roles: dict[str, dict[str, Any]],
    summary_titles: list[str],
) -> None:
    data = builder.round(number)
    panel: list[str] = []
    for file in bucket.get("panel", []):
        text = _member_text(file, root, builder)
        raw = _json(file, text) if text is not None else None
        if raw is None:
            continue
        data["panel_file"] = raw
        panel = _read_panel(builder, number, raw, pool_roles)
    for file in bucket.get("prompts", []):
        text = _member_text(file, root, builder)
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
            {"expert": slug or stem, "file": file.relative_to(root).as_posix(), "text": text}
        )
    experts = sorted(
        bucket.get("experts", []),
        key=lambda f: (
            panel.index(builder.find_expert(f.stem) or "")
            if builder.find_expert(f.stem) in panel
            else len(panel),
            _natural(f.name),
        ),
    )
    for file in experts:
        text = _member_text(file, root, builder)
        if text is None:
            continue
        slug = builder.find_expert(file.stem)
        if slug is None:
            slug = builder.expert(file.stem.replace("-", " ").replace("_", " ").title())
        if slug is None:
            continue
        if panel and slug not in panel:
            builder.warn(
                f"round-{number}/{file.name} is by {builder.experts[slug].name}, who is not in round {number}'s panel.json"
            )
        builder.round_expert(number, slug)
        rel = file.relative_to(root).as_posix()
        data.setdefault("contributions", []).append({"expert": slug, "file": rel, "text": text})
        Reader(builder, text, rel, base_round=number, expert=slug, role="expert").run()
    for file in bucket.get("documents", []):
        text = _member_text(file, root, builder)
        if text is None:
            continue
        rel = file.relative_to(root).as_posix()
        data.setdefault("documents", []).append({"path": rel, "text": text})
        if file.suffix.lower() in (".md", ".markdown", ".txt"):
            role = "scoreboard" if file.name.lower() == "scoreboard.md" else "document"
            Reader(builder, text, rel, base_round=number, role=role).run()
    for k, file in enumerate(bucket.get("summary", [])):
        text = _member_text(file, root, builder)
        if text is None:
            continue
        rel = file.relative_to(root).as_posix()
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
            clean = strip_markup(h1)
            paren = _TRAILING_PAREN.search(clean)
            if paren and "title" not in data:
                data["title"] = paren.group(1).strip()
            parts = _TITLE_SPLIT.split(_TRAILING_PAREN.sub("", clean), maxsplit=1)
            if len(parts) == 2 and re.match(r"^Round\s+\d+\s+Summary$", parts[0], re.I):
                summary_titles.append(parts[1].strip())


def _read_panel(builder: Builder, number: int, raw: Any, pool_roles: dict[str, dict[str, Any]]) -> list[str]:
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


def _answer(reader: Reader, text: str) -> str:
    """A verdict's recommendation: the first paragraph under "Answer"/"Decision", else the first paragraph."""
    lines = reader.lines
    wanted = None
    for block in reader.blocks:
        if block.kind == "heading" and re.search(
            r"answer|decision|recommendation|verdict", block.title, re.I
        ):
            wanted = block.end
            break
    for block in reader.blocks:
        if block.kind in ("paragraph", "list") and (wanted is None or block.start >= wanted):
            return " ".join(strip_markup("\n".join(lines[block.start : block.end])).split())[:1000]
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
        clean = _TRAILING_PAREN.sub("", strip_emoji(strip_markup(h1)))
        parts = _TITLE_SPLIT.split(clean, maxsplit=1)
        if len(parts) == 2 and parts[0].strip().lower() in prefixes and parts[1].strip():
            return parts[1].strip()
    if summary_titles:
        counts = Counter(summary_titles)
        best, count = counts.most_common(1)[0]
        if count >= 2 or len(summary_titles) == 1:
            return best
    return None
