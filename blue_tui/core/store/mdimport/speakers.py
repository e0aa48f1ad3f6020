"""Who is speaking: expert headings, speaker labels, names before a marker, placeholders.

Inside a round, ``### 🧁 Muffin (Systems Architect)`` (or ``### Muffin 🧁``, ``### 🧁
Muffin → HHMMZ (switched)``) gives the floor to Muffin until the next heading of that
level; ``**Alex Chen (Distributed Systems):**`` opening a paragraph does the same in
V1 transcripts; ``- Cupcake: [MOVE:CONVERGE]`` in a summary names the expert of that
one line. A heading of a round with no panel names a free-form speaker.
"""

from __future__ import annotations

import re

from blue_tui.core.store.mdimport.markdown import Block
from blue_tui.core.store.mdimport.markers import Marker
from blue_tui.core.store.mdimport.reader_base import ReaderBase
from blue_tui.core.store.mdimport.tables import is_placeholder, strip_markup

SPEAKER = re.compile(r"^\*\*(?P<label>[^*\n]{1,100}?)(?::\*\*|\*\*[ \t]*:)[ \t]*(?P<rest>[^\n]*)$")
_JOINT = re.compile(r"\((?:joint|together)\)", re.I)
_SPEAKS = ("speaks", "says", "responds", "replies")
MAX_NAME = 40
MAX_PREFIX = 200
MAX_PLACEHOLDER = 200
MAX_HEADING_NAME = 60
MAX_TITLE = 500


def starts_with(text: str, prefix: str) -> bool:
    """``text.lstrip().startswith(prefix)`` without copying a long text."""
    if text.startswith(prefix):
        return True
    if text[:1] not in (" ", "\t", "\n"):
        return False
    return text.lstrip()[: len(prefix)] == prefix


def without_speaks(title: str) -> str:
    """``"River Speaks"`` -> ``"River"``."""
    stripped = title.rstrip()
    words = stripped.rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in _SPEAKS:
        return words[0]
    return stripped


class SpeakersMixin(ReaderBase):
    def _speaker_heading(self, block: Block, rnd: int | None) -> tuple[str | None, str | None] | None:
        """``### 🧁 Muffin (Systems Architect)`` inside a round: that expert speaks until the next heading."""
        if self.fixed_expert is not None or not self.layout:
            return None
        if rnd is None or block.level <= self.round_level or len(block.title) > MAX_TITLE:
            return None
        raw = strip_markup(block.title)
        name = without_speaks(raw)
        slug = self.b.find_expert(name)
        if slug is not None:
            self.b.round_expert(rnd, slug)
            return slug, self.b.experts[slug].name
        if self.b.is_judge(name):
            return None, "Judge"
        if block.level == self.round_level + 1 and len(name) <= MAX_HEADING_NAME:
            # A speaker of a free-form conversation, if the dialogue turns out to have no panel.
            self.free_speakers.append((rnd, raw))
        return None

    def _speaker_label(self, text: str, rnd: int | None) -> tuple[str | None, str | None] | None:
        """``**Alex Chen (Distributed Systems):**`` opening a paragraph (V1 transcripts)."""
        if self.fixed_expert is not None or not starts_with(text, "**"):
            return None
        match = SPEAKER.match(text.strip())
        if not match:
            return None
        label = match.group("label")
        if self.b.is_judge(label, whole=True):
            return None, "Judge"
        people = self.b.experts_in(_JOINT.sub("", label))
        if not people:
            return None
        if rnd is not None:
            for slug in people:
                self.b.round_expert(rnd, slug)
        return people[0], strip_markup(label)

    def _line_speaker(self, text: str, marker: Marker, line_start: int) -> str | None:
        """``- Cupcake: [MOVE:CONVERGE]`` in a summary: the name before the marker on its line
        (``line_start``: where that line starts)."""
        if marker.start - line_start > MAX_PREFIX:
            return None
        before = text[line_start : marker.start].rstrip().rstrip("*").rstrip()
        if not before.endswith(":"):
            return None
        name = before[:-1].rstrip().rstrip("*").lstrip(" \t>*+-")
        if not 1 <= len(name) <= MAX_NAME or any(c in name for c in ":*[]"):
            return None
        return self.b.find_expert(name)

    def _placeholder_text(
        self, text: str, rnd: int | None, speaker: str | None, name: str | None, section: str
    ) -> None:
        if len(text) > MAX_PLACEHOLDER or not starts_with(text, "["):
            return
        clean = text.strip()
        if is_placeholder(clean):
            who = (
                name
                or (self.b.experts[speaker].name if speaker and speaker in self.b.experts else None)
                or section
            )
            where = f"round {rnd}" if rnd is not None else self.where
            self.b.warn(f"{where}: {who}'s response is a placeholder, kept as written: {clean}")
