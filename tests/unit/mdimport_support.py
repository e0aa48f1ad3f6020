"""What the importer's format tests share: the fixture files and small readers of a parsed document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blue_tui.core.store.mdimport import parse_markdown_text
from blue_tui.core.store.sources import ParsedDialogue, parse_path

DIALOGUES = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues"
SAMPLES = DIALOGUES / "samples"
FORMATS = DIALOGUES / "formats"
V1_SAMPLE = SAMPLES / "cross-repo-realms-refinement.dialogue.recorded.md"
V4_SAMPLE = SAMPLES / "local-prod-parity"
MARKDOWN_FIXTURES = sorted([V1_SAMPLE, *FORMATS.glob("*.md")])
FOLDER_FIXTURES = [V4_SAMPLE, FORMATS / "2026-03-01T1200Z-hybrid-review"]


def one(path: Path) -> ParsedDialogue:
    found = parse_path(path)
    assert len(found) == 1
    assert found[0].error is None
    return found[0]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def kept_text(doc: dict[str, Any]) -> str:
    """Every piece of source text the document keeps verbatim."""
    parts: list[str] = []
    for section in doc.get("sections", []):
        parts += [section.get("heading") or "", section["text"]]
    for rnd in doc["rounds_data"]:
        parts += [rnd.get("heading") or "", rnd.get("text", ""), rnd.get("summary", "")]
        for key in ("contributions", "documents", "prompts"):
            parts += [entry["text"] for entry in rnd.get(key, [])]
    parts += [entry["text"] for entry in doc.get("documents", [])]
    return "\n".join(parts)


def source_lines(path: Path) -> list[str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix == ".md")
    lines: list[str] = []
    for file in files:
        lines += [line.strip().lstrip("#").strip() for line in file.read_text().splitlines()]
    return [line for line in lines if line]


# ---- excerpts of the numbering tests ---------------------------------------------------------------

PANEL = """\
## Expert Panel

| Agent | Role | Tier | Relevance | Emoji |
|-------|------|------|-----------|-------|
| 💙 Judge | Orchestrator | — | — | 💙 |
| 🧁 Muffin | Systems Architect | Core | 0.95 | 🧁 |
| 🧁 Cupcake | Systems Thinker | Core | 0.90 | 🧁 |
| 🧁 Scone | Domain Expert | Core | 0.85 | 🧁 |
"""


def parse(body: str, name: str = "excerpt.dialogue.recorded.md") -> tuple[dict[str, Any], list[str]]:
    return parse_markdown_text(f"# Alignment Dialogue: Excerpt\n\n{PANEL}\n{body}", name)


def contributions(doc: dict[str, Any], slug: str) -> list[tuple[Any, ...]]:
    expert = next(e for e in doc["experts"] if e["slug"] == slug)
    return [(c["round"], c["kind"][0], c.get("id"), c["item"]) for c in expert.get("contributions", [])]
