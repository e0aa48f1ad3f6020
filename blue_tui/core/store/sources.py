"""Reading dialogue files into dialogue.json documents, before anything is encrypted.

``parse_path`` is the one entry point `blue dialogue import` uses for every path it
is given; each format plugs in here: dialogue.json files, dialogue markdown files and
round-scoped dialogue folders (:mod:`blue_tui.core.store.mdimport`), and folders
holding many of those. A round folder and its ``.dialogue.recorded.md`` summary are
one dialogue: either path brings in the other (see :mod:`.mdimport.pairing`). A file
that cannot be read as a dialogue raises :class:`SourceError` naming the file (and
line, where one applies); inside a folder of many dialogues such a file becomes a
:class:`ParsedDialogue` whose ``error`` is set, so that it fails alone and the others
still import.

Only regular files are read, at most :attr:`ReadLimits.max_bytes` each (16 MiB unless
told otherwise): a FIFO or a device (``/dev/zero``) would make an import hang or
fill memory. Inside a folder, symbolic links are not followed at all, so that a
handed-over folder cannot make the importer read a file outside it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.errors import SourceError
from blue_tui.core.store.entities import slugify

MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: A dialogue id as written (case kept): what a file or folder name may be used as directly.
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Why a markdown file found in a folder of many is passed over rather than reported.
_NOT_A_DIALOGUE = ("is empty", "is a binary file", "is not UTF-8")
_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


@dataclass(frozen=True)
class ReadLimits:
    """How much the importer reads: at most ``max_bytes`` per file."""

    max_bytes: int = DEFAULT_MAX_BYTES


DEFAULT_LIMITS = ReadLimits()


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
    #: Other paths this dialogue was read from (a round folder's summary, or the folder).
    companions: tuple[str, ...] = ()

    @property
    def dialogue_id(self) -> str:
        return document_id(self.document, self.source)

    @classmethod
    def failed(cls, error: SourceError) -> ParsedDialogue:
        return cls(error.source, _Unreadable(error), [], error)


def id_for_name(name: str) -> str:
    """A file or folder name (without its suffix) as a dialogue id: as written when it is a safe
    name (``2026-03-12T2026Z-pm-repo-sync``), else a slug of it (``Realm Index`` -> ``realm-index``)."""
    return name if SAFE_ID.match(name) else slugify(name)


def document_id(doc: dict[str, Any], source: str) -> str:
    """The dialogue's id: its ``id`` when valid, else a slug of its title."""
    if isinstance(doc, _Unreadable):
        raise doc.error
    ident = doc.get("id")
    if isinstance(ident, str) and ident:
        if not SAFE_ID.match(ident):
            raise SourceError(
                source,
                f"dialogue id {ident[:200]!r} is not a safe name (letters, digits, '.', '_', '-', at most 128, "
                "starting with a letter or digit)",
            )
        return ident
    title = doc.get("title")
    if isinstance(title, str) and title.strip():
        return slugify(title)
    raise SourceError(source, "the dialogue has neither an 'id' nor a 'title'")


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit:,} bytes"


def read_bytes(path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, follow_symlinks: bool = True) -> bytes:
    """A regular file's bytes, at most ``limits.max_bytes``; anything else is one clear SourceError."""
    source = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except IsADirectoryError:
        raise SourceError(source, "is a folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(
                source,
                "is a symbolic link; inside a folder only regular files are read (links are not followed)",
            ) from None
        raise SourceError(source, f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "not a regular file")
            if kind == "a folder":
                raise SourceError(source, "is a folder")
            raise SourceError(source, f"is {kind}, not a regular file; only regular files are read")
        if info.st_size > limits.max_bytes:
            raise SourceError(
                source,
                f"is {info.st_size:,} bytes, over the {_size(limits.max_bytes)} limit for one file "
                "(raise it with --max-file-size)",
            )
        raw = handle.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise SourceError(
            source,
            f"is over the {_size(limits.max_bytes)} limit for one file (raise it with --max-file-size)",
        )
    return raw


def read_text(path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, follow_symlinks: bool = True) -> str:
    """A file's text, or one clear SourceError (missing, not a regular file, too big, binary, not UTF-8, empty)."""
    source = str(path)
    raw = read_bytes(path, limits, follow_symlinks=follow_symlinks)
    if not raw.strip():
        raise SourceError(source, "is empty")
    if b"\x00" in raw[:8192]:
        raise SourceError(source, "is a binary file, not a dialogue")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(source, "is not UTF-8 text", line=line) from None


def parse_dialogue_json(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, follow_symlinks: bool = True
) -> ParsedDialogue:
    source = str(path)
    text = read_text(path, limits, follow_symlinks=follow_symlinks)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            source, f"is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno
        ) from None
    except RecursionError:
        raise SourceError(source, "is nested too deeply to be a dialogue") from None
    if not isinstance(doc, dict):
        raise SourceError(source, f"holds a JSON {type(doc).__name__}, a dialogue.json is an object")
    parsed = ParsedDialogue(source, doc)
    parsed.dialogue_id  # noqa: B018 (validates the id now, naming the file)
    return parsed


def parse_markdown_file(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, follow_symlinks: bool = True, pair: bool = True
) -> ParsedDialogue:
    """A dialogue markdown file (any generation) as a dialogue.json document.

    A ``.dialogue.recorded.md`` summary whose round folder exists is read with it, as one dialogue.
    """
    from blue_tui.core.store.mdimport import folder_for_summary, parse_markdown_text

    partner = folder_for_summary(path) if pair else None
    if partner is not None:
        return parse_dialogue_folder(partner, limits, summary=path, source=str(path))
    text = read_text(path, limits, follow_symlinks=follow_symlinks)
    doc, warnings = parse_markdown_text(text, path.name)
    parsed = ParsedDialogue(str(path), doc, warnings)
    parsed.dialogue_id  # noqa: B018 (validates the id now, naming the file)
    return parsed


def parse_dialogue_folder(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, summary: Path | None = None, source: str | None = None
) -> ParsedDialogue:
    """A round-scoped dialogue folder (expert-pool.json, round-N/, scoreboard.md, ...) as one document,
    with its ``.dialogue.recorded.md`` summary when there is one."""
    from blue_tui.core.store.mdimport import parse_folder, summary_for_folder

    if summary is None:
        summary = summary_for_folder(path)
    summary_text = read_text(summary, limits) if summary is not None else None
    doc, warnings = parse_folder(
        path, limits, summary=(summary.name, summary_text) if summary is not None and summary_text else None
    )
    source = source or str(path)
    parts = [str(path), str(summary)] if summary is not None else [str(path)]
    parsed = ParsedDialogue(source, doc, warnings, companions=tuple(p for p in parts if p != source))
    parsed.dialogue_id  # noqa: B018
    return parsed


def parse_path(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[ParsedDialogue]:
    """Every dialogue held by ``path``: a file, a dialogue folder, or a folder of many dialogues."""
    from blue_tui.core.store.mdimport import is_dialogue_folder

    if path.is_dir():
        if is_dialogue_folder(path):
            return [parse_dialogue_folder(path, limits)]
        found = _parse_many(path, limits)
        if not found:
            raise SourceError(str(path), "holds no dialogue files")
        return found
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return [parse_markdown_file(path, limits)]
    if suffix == ".json" or not path.exists():
        return [parse_dialogue_json(path, limits)]
    raise SourceError(
        str(path),
        "is not a dialogue file (expected a dialogue.json, a dialogue .md file or a dialogue folder)",
    )


def _natural(name: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name))


def _parse_many(folder: Path, limits: ReadLimits, seen: set[str] | None = None) -> list[ParsedDialogue]:
    """The dialogues of a folder of many, in name order; unreadable ones come back failed.

    Picked up: ``*.json`` holding a dialogue (an object with an id, title or rounds),
    ``*.md`` holding a dialogue (by name, ``*.dialogue.md``, or by content) and
    round-scoped dialogue folders (with their summaries: a summary already read with its
    folder is not read again). Other files (READMEs, expert pools, images) and hidden
    files are not dialogues and are passed over. Symbolic links are not followed; a
    FIFO, device or link where a dialogue file could be is reported, never opened.
    """
    from blue_tui.core.store.mdimport import is_dialogue_folder, looks_like_dialogue

    seen = set() if seen is None else seen
    found: list[ParsedDialogue] = []

    def attempt(parse: Any, target: Path, *args: Any, **kwargs: Any) -> None:
        if str(target) in seen:
            return
        try:
            parsed = parse(target, *args, **kwargs)
        except SourceError as exc:
            found.append(ParsedDialogue.failed(exc))
            return
        seen.update((parsed.source, *parsed.companions))
        found.append(parsed)

    try:
        entries = sorted(os.scandir(folder), key=lambda e: _natural(e.name))
    except OSError as exc:
        raise SourceError(str(folder), f"cannot be read ({exc.strerror})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if is_dialogue_folder(path):
                attempt(parse_dialogue_folder, path, limits)
            else:
                found.extend(_parse_many(path, limits, seen))
            continue
        name = entry.name.lower()
        suffix = path.suffix.lower()
        if suffix not in (".json", *MARKDOWN_SUFFIXES) or str(path) in seen:
            continue
        if not entry.is_file(follow_symlinks=False):
            found.append(ParsedDialogue.failed(_not_regular(path, entry)))
            continue
        if suffix == ".json":
            try:
                data = json.loads(read_text(path, limits, follow_symlinks=False))
            except SourceError as exc:
                found.append(ParsedDialogue.failed(exc))
                continue
            except (json.JSONDecodeError, RecursionError):
                attempt(parse_dialogue_json, path, limits, follow_symlinks=False)
                continue
            if name.endswith("dialogue.json") or (
                isinstance(data, dict) and any(k in data for k in ("id", "title", "rounds_data"))
            ):
                attempt(parse_dialogue_json, path, limits, follow_symlinks=False)
        else:
            named = ".dialogue." in name
            try:
                text = read_text(path, limits, follow_symlinks=False)
            except SourceError as exc:
                if named or not exc.reason.startswith(_NOT_A_DIALOGUE):
                    found.append(ParsedDialogue.failed(exc))
                continue
            if named or looks_like_dialogue(text):
                attempt(parse_markdown_file, path, limits, follow_symlinks=False)
    return found


def _not_regular(path: Path, entry: os.DirEntry[str]) -> SourceError:
    if entry.is_symlink():
        return SourceError(
            str(path),
            "is a symbolic link; inside a folder only regular files are read (links are not followed)",
        )
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return SourceError(str(path), f"cannot be read ({exc.strerror})")
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return SourceError(str(path), f"is {kind}, not a regular file; only regular files are read")
