"""The blocks a dialogue's view is made of (docs: :mod:`blue_tui.core.store.dialogue_view`).

Plain values whose text is exactly what is shown and whose styles are names (``bold``,
``warning``, ``status.open``): the CLI (rich) and the dashboard (Textual strips) paint them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Statuses that get a style of their own (``status.<word>``).
STATUSES = frozenset(
    {"open", "reopened", "addressed", "resolved", "adopted", "converged", "rejected", "abandoned"}
)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""


class Cell(NamedTuple):
    """One table cell (a tuple: tens of thousands are made for a big dialogue)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Verbatim:
    """Markdown kept from the source, shown as written."""

    text: str


Block = Heading | Fact | Line | Table | Verbatim


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    #: A round of the transcript: the dashboard shows it folded until asked.
    foldable: bool = False


@dataclass
class DialogueView:
    id: str
    title: str
    sections: list[Section] = field(default_factory=list)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


def text(value: Any) -> str:
    """A JSON value as one line of plain text."""
    if type(value) is str:  # most values: the fast path (this runs once per cell)
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join([text(v) for v in value])
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {text(v)}" for k, v in value.items())
    return str(value)


def members(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """The objects of the list ``doc[name]`` (anything else in it, or no list, gives none)."""
    value = doc.get(name)
    return [m for m in value if isinstance(m, Mapping)] if isinstance(value, list) else []


def status_style(status: str) -> str:
    return f"status.{status}" if status in STATUSES else ""
