"""The files of a round-scoped dialogue folder: found without following links, read with limits.

Every member is found by walking the folder with ``os.scandir`` and never following a
symbolic link (a link could point outside the folder, or at ``/dev/zero``); hidden
files are passed over. A member that is not a regular file, or not text, is refused
with a message naming it: a markdown or JSON member fails the dialogue (its content
would be missing), any other member is skipped with a warning. Empty members are
kept empty, with a warning.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.errors import SourceError
from blue_tui.core.store.mdimport.builder import Builder
from blue_tui.core.store.sources import ReadLimits, read_text

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".json", ".yaml", ".yml", ".csv", ".toml"})
MAX_DEPTH = 8


def natural(name: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name))


@dataclass
class Members:
    root: Path
    builder: Builder
    limits: ReadLimits

    def walk(self) -> list[Path]:
        """Every regular file under the folder (sorted naturally); links and special files are refused."""
        found: list[Path] = []
        self._walk(self.root, 0, found)
        return sorted(found, key=lambda p: tuple(natural(part) for part in p.relative_to(self.root).parts))

    def _walk(self, folder: Path, depth: int, found: list[Path]) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            raise SourceError(str(folder), f"cannot be read ({exc.strerror})") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    self._walk(path, depth + 1, found)
                else:
                    self.builder.warn(
                        f"{self.rel(path)} skipped: folders nest deeper than {MAX_DEPTH} levels"
                    )
                continue
            if entry.is_file(follow_symlinks=False):
                found.append(path)
                continue
            reason = self._not_regular(entry)
            if path.suffix.lower() in TEXT_SUFFIXES:
                raise SourceError(str(path), reason)
            self.builder.warn(f"{self.rel(path)} skipped: {reason}")

    @staticmethod
    def _not_regular(entry: os.DirEntry[str]) -> str:
        if entry.is_symlink():
            return "is a symbolic link; inside a folder only regular files are read (links are not followed)"
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
        for test, name in (
            (stat.S_ISFIFO, "a FIFO"),
            (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"),
        ):
            if test(mode):
                return f"is {name}, not a regular file; only regular files are read"
        return "is not a regular file; only regular files are read"

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def text(self, path: Path) -> str | None:
        """A member's text; empty files are kept empty (with a warning); unreadable ones fail the dialogue."""
        try:
            return read_text(path, self.limits, follow_symlinks=False)
        except SourceError as exc:
            if exc.reason == "is empty":
                self.builder.warn(f"{self.rel(path)} is empty")
                return ""
            if path.suffix.lower() in TEXT_SUFFIXES:
                raise SourceError(str(path), exc.reason, line=exc.line) from None
            self.builder.warn(f"{self.rel(path)} skipped: {exc.reason}")
            return None

    @staticmethod
    def json(path: Path, text: str) -> Any:
        try:
            return json.loads(text) if text.strip() else None
        except json.JSONDecodeError as exc:
            raise SourceError(
                str(path), f"is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno
            ) from None
        except RecursionError:
            raise SourceError(str(path), "is nested too deeply to be read") from None
