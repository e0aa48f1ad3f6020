"""One dialogue markdown file: V1 transcripts, V2 pastry panels, V3 generated templates,
summary-only ``.recorded.md`` files and free-form conversations.

The file is cut into rounds (``## Round N: Title``, ``## Opening Arguments (Round 0)``)
and sections; every line is kept verbatim in a round's ``text`` or in a dialogue
``sections`` entry, and the structure found in it is added on top (see
:mod:`.reader`).
"""

from __future__ import annotations

import re
from typing import Any

from blue_tui.core.gcpause import gc_paused
from blue_tui.core.store.mdimport.builder import Builder
from blue_tui.core.store.mdimport.reader import Reader
from blue_tui.core.store.mdimport.tables import strip_emoji, strip_markup
from blue_tui.core.store.sources import id_for_name

MAX_TITLE = 500
SUFFIXES = (".dialogue.recorded.md", ".dialogue.md", ".recorded.md", ".markdown", ".md")
_TITLE_PREFIX = re.compile(r"^(?:alignment[ \t]+)?dialogue[ \t]*[:—–-][ \t]*", re.I)
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2})(\d{2})Z?)?[-_ ]*", re.I)
_SIGNALS = re.compile(
    r"^#{1,6}[^\n]*\b(?:Round\s+\d+|Expert Panel|Scoreboard|Alignment Dialogue|Perspectives|Tensions)\b"
    r"|\[(?:PERSPECTIVE|TENSION|MOVE:|RE:|RESOLVED|CONCESSION|REFINEMENT)"
    r"|^\*\*(?:Participants|Agents|Experts)\*\*|ALIGNMENT",
    re.M | re.I,
)


def stem_of(name: str) -> str:
    low = name.lower()
    for suffix in SUFFIXES:
        if low.endswith(suffix):
            return name[: -len(suffix)]
    return name.rsplit(".", 1)[0] if "." in name else name


def id_for(name: str) -> str:
    """The dialogue id of a file name: the name without its suffix, case kept (see sources.id_for_name)."""
    return id_for_name(stem_of(name))


def humanize(stem: str) -> str:
    """``2026-02-06T1839Z-rfc-0058-supersession`` -> ``Rfc 0058 Supersession`` (the last resort title)."""
    rest = _STAMP.sub("", stem)
    words = [w for w in re.split(r"[-_\s]+", rest) if w]
    return (
        " ".join(w if w.isupper() or any(c.isdigit() for c in w) else w.capitalize() for w in words) or stem
    )


def date_of(name: str) -> str | None:
    match = _STAMP.match(name)
    return match.group(1) if match else None


def looks_like_dialogue(text: str) -> bool:
    """Does a markdown file (found in a folder of many) hold a dialogue?"""
    return bool(_SIGNALS.search(text[:200_000]))


def clean_title(text: str) -> str:
    title = strip_emoji(strip_markup(text[:MAX_TITLE]))
    return _TITLE_PREFIX.sub("", title).strip() or title


def read_dialogue_text(builder: Builder, text: str, name: str, *, place: str | None = None) -> Reader:
    """Read a whole dialogue file into ``builder`` (rounds and sections kept verbatim)."""
    reader = Reader(builder, text, name, layout=True, place=place)
    reader.run()
    return reader


def parse_text(text: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """A dialogue markdown file's text -> (dialogue.json document, warnings). Never raises on content.

    Parsing makes hundreds of thousands of small acyclic objects; the cyclic garbage
    collector is paused meanwhile (the store's counted, thread-safe pause), which makes
    parsing about half again as fast.
    """
    with gc_paused():
        return _parse_text(text, name)


def _parse_text(text: str, name: str) -> tuple[dict[str, Any], list[str]]:
    builder = Builder(name, recorded=".recorded." in name.lower())
    builder.id = id_for(name)
    reader = read_dialogue_text(builder, text, name)
    heading = next((b for b in reader.blocks if b.kind == "heading" and b.level == 1), None)
    if heading is not None and heading.title.strip():
        builder.title = clean_title(heading.title)
    else:
        for key in ("Title", "Topic"):
            if builder.metadata.get(key):
                builder.title = strip_markup(builder.metadata[key])
                break
    if not builder.title:
        builder.title = humanize(stem_of(name))
    if builder.date is None:
        builder.date = date_of(name)
    builder.format = _format(builder, reader)
    if not builder.rounds and not builder.experts and not builder.items:
        builder.warn("no rounds, expert panel, scoreboard or markers found; the file is kept as free text")
    doc = builder.document()
    return doc, list(builder.warnings)


def _format(builder: Builder, reader: Reader) -> str:
    """Which generation the file looks like (informational: every shape is read the same way)."""
    headings = {strip_markup(b.title).lower() for b in reader.blocks if b.kind == "heading"}
    speakers = any(r.get("panel") and r.get("text") for r in builder.rounds.values())
    if not builder.experts and not builder.items:
        return "free-form" if builder.rounds else "notes"
    if "Draft" in builder.metadata:
        return "v3-template"
    if any("expert panels by round" in h for h in headings) or not builder.rounds:
        return "summary"
    if "Participants" in builder.metadata or "Agents" in builder.metadata:
        return "v2-pastry"
    if any("perspectives inventory" in h or "tensions tracker" in h for h in headings):
        return "v3-template"
    scored = any(e.fields.get("components") for e in builder.experts.values()) or any(
        "components" in r for r in builder.rounds.values()
    )
    if builder.items or scored:
        return "v2-pastry"
    return "v1-transcript" if speakers else "summary"
