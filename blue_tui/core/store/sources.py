"""Reading dialogue files into dialogue.json documents, before anything is encrypted.

``parse_path`` is the one entry point `blue dialogue import` uses for every path it
is given; each format plugs in here. A file that cannot be read as a dialogue raises
:class:`SourceError` naming the file (and line, where one applies).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.errors import SourceError
from blue_tui.core.store.entities import DIALOGUE_ID, slugify


@dataclass
class ParsedDialogue:
    source: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def dialogue_id(self) -> str:
        return document_id(self.document, self.source)


def document_id(doc: dict[str, Any], source: str) -> str:
    """The dialogue's id: its ``id`` when valid, else a slug of its title."""
    ident = doc.get("id")
    if isinstance(ident, str) and ident:
        if not DIALOGUE_ID.match(ident):
            raise SourceError(
                source,
                f"dialogue id {ident!r} is not a safe name (a-z, 0-9, '.', '_', '-', at most 128, "
                "starting with a letter or digit)",
            )
        return ident
    title = doc.get("title")
    if isinstance(title, str) and title.strip():
        return slugify(title)
    raise SourceError(source, "the dialogue has neither an 'id' nor a 'title'")


def read_text(path: Path) -> str:
    """A file's text, or one clear SourceError (missing, unreadable, binary, not UTF-8, empty)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except IsADirectoryError:
        raise SourceError(source, "is a folder") from None
    except OSError as exc:
        raise SourceError(source, f"cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise SourceError(source, "is empty")
    if b"\x00" in raw[:8192]:
        raise SourceError(source, "is a binary file, not a dialogue")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(source, "is not UTF-8 text", line=line) from None


def parse_dialogue_json(path: Path) -> ParsedDialogue:
    source = str(path)
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(source, f"is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno) from None
    if not isinstance(doc, dict):
        raise SourceError(source, f"holds a JSON {type(doc).__name__}, a dialogue.json is an object")
    parsed = ParsedDialogue(source, doc)
    parsed.dialogue_id  # noqa: B018 (validates the id now, naming the file)
    return parsed


def parse_path(path: Path) -> list[ParsedDialogue]:
    """Every dialogue held by ``path`` (a file, or a folder of dialogue files)."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not found:
            raise SourceError(str(path), "holds no dialogue files")
        return [parse_dialogue_json(p) for p in found]
    if path.suffix.lower() == ".json" or not path.exists():
        return [parse_dialogue_json(path)]
    raise SourceError(str(path), "is not a dialogue.json file")
