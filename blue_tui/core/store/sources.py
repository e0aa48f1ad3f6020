"""Reading dialogue files into dialogue.json documents, before anything is encrypted.

``parse_path`` is the one entry point `blue dialogue import` uses for every path it
is given; each format plugs in here: dialogue.json files, dialogue markdown files and
round-scoped dialogue folders (:mod:`blue_tui.core.store.mdimport`), and folders
holding many of those. A file that cannot be read as a dialogue raises
:class:`SourceError` naming the file (and line, where one applies); inside a folder
of many dialogues such a file becomes a :class:`ParsedDialogue` whose ``error`` is
set, so that it fails alone and the others still import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.errors import SourceError
from blue_tui.core.store.entities import DIALOGUE_ID, slugify

MARKDOWN_SUFFIXES = (".md", ".markdown")


class _Unreadable(dict[str, Any]):
    """The empty document of a file that could not be read; :func:`document_id` raises its error."""

    def __init__(self, error: SourceError) -> None:
        super().__init__()
        self.error = error


@dataclass
class ParsedDialogue:
    source: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    #: Set for a member of a folder of many that could not be read; importing it raises this.
    error: SourceError | None = None

    @property
    def dialogue_id(self) -> str:
        return document_id(self.document, self.source)

    @classmethod
    def failed(cls, error: SourceError) -> ParsedDialogue:
        return cls(error.source, _Unreadable(error), [], error)


def document_id(doc: dict[str, Any], source: str) -> str:
    """The dialogue's id: its ``id`` when valid, else a slug of its title."""
    if isinstance(doc, _Unreadable):
        raise doc.error
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
        raise SourceError(
            source, f"is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno
        ) from None
    if not isinstance(doc, dict):
        raise SourceError(source, f"holds a JSON {type(doc).__name__}, a dialogue.json is an object")
    parsed = ParsedDialogue(source, doc)
    parsed.dialogue_id  # noqa: B018 (validates the id now, naming the file)
    return parsed


def parse_markdown_file(path: Path) -> ParsedDialogue:
    """A dialogue markdown file (any generation) as a dialogue.json document."""
    from blue_tui.core.store.mdimport import parse_markdown_text

    text = read_text(path)
    doc, warnings = parse_markdown_text(text, path.name)
    parsed = ParsedDialogue(str(path), doc, warnings)
    parsed.dialogue_id  # noqa: B018 (validates the id now, naming the file)
    return parsed


def parse_dialogue_folder(path: Path) -> ParsedDialogue:
    """A round-scoped dialogue folder (expert-pool.json, round-N/, scoreboard.md, ...) as one document."""
    from blue_tui.core.store.mdimport import parse_folder

    doc, warnings = parse_folder(path)
    parsed = ParsedDialogue(str(path), doc, warnings)
    parsed.dialogue_id  # noqa: B018
    return parsed


def parse_path(path: Path) -> list[ParsedDialogue]:
    """Every dialogue held by ``path``: a file, a dialogue folder, or a folder of many dialogues."""
    from blue_tui.core.store.mdimport import is_dialogue_folder

    if path.is_dir():
        if is_dialogue_folder(path):
            return [parse_dialogue_folder(path)]
        found = _parse_many(path)
        if not found:
            raise SourceError(str(path), "holds no dialogue files")
        return found
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return [parse_markdown_file(path)]
    if suffix == ".json" or not path.exists():
        return [parse_dialogue_json(path)]
    raise SourceError(
        str(path),
        "is not a dialogue file (expected a dialogue.json, a dialogue .md file or a dialogue folder)",
    )


def _natural(name: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name))


def _parse_many(folder: Path) -> list[ParsedDialogue]:
    """The dialogues of a folder of many, in name order; unreadable ones come back failed.

    Picked up: ``*.json`` holding a dialogue (an object with an id, title or rounds),
    ``*.md`` holding a dialogue (by name, ``*.dialogue.md``, or by content) and
    round-scoped dialogue folders. Other files (READMEs, expert pools, images) and
    hidden files are not dialogues and are passed over.
    """
    from blue_tui.core.store.mdimport import is_dialogue_folder, looks_like_dialogue

    found: list[ParsedDialogue] = []

    def attempt(parse: Any, target: Path) -> None:
        try:
            found.append(parse(target))
        except SourceError as exc:
            found.append(ParsedDialogue.failed(exc))

    try:
        entries = sorted(folder.iterdir(), key=lambda p: _natural(p.name))
    except OSError as exc:
        raise SourceError(str(folder), f"cannot be read ({exc.strerror})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if is_dialogue_folder(entry):
                attempt(parse_dialogue_folder, entry)
            else:
                found.extend(_parse_many(entry))
            continue
        name = entry.name.lower()
        suffix = entry.suffix.lower()
        if suffix == ".json":
            try:
                data = json.loads(read_text(entry))
            except SourceError as exc:
                found.append(ParsedDialogue.failed(exc))
                continue
            except json.JSONDecodeError:
                attempt(parse_dialogue_json, entry)
                continue
            if name.endswith("dialogue.json") or (
                isinstance(data, dict) and any(k in data for k in ("id", "title", "rounds_data"))
            ):
                attempt(parse_dialogue_json, entry)
        elif suffix in MARKDOWN_SUFFIXES:
            named = ".dialogue." in name
            try:
                text = read_text(entry)
            except SourceError as exc:
                if named:
                    found.append(ParsedDialogue.failed(exc))
                continue
            if named or looks_like_dialogue(text):
                attempt(parse_markdown_file, entry)
    return found
