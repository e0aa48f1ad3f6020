"""What the dialogue store's operations return: plain values, ready for `--json`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.errors import IntegrityProblem
from blue_tui.core.store.entities import Entity


@dataclass(frozen=True)
class ImportResult:
    id: str
    source: str
    items: int
    status: str  # created | unchanged | replaced
    generation: int
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "items": self.items,
            "status": self.status,
            "generation": self.generation,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class DialogueSummary:
    id: str
    title: str | None
    status: str | None
    date: str | None
    generation: int
    items: int
    rounds: int
    experts: int
    perspectives: int
    tensions: int
    updated_at: str | None
    #: Set when the dialogue's manifest does not authenticate (see `blue dialogue verify`).
    problem: str | None = None
    #: The dialogue's ``totalAlignment`` and how many importer warnings it carries; None for a
    #: dialogue stored before the summary held them (known once it is opened).
    alignment: int | float | str | None = None
    warnings: int | None = None

    @classmethod
    def from_root(
        cls, dialogue_id: str, root: Mapping[str, Any], payload: Mapping[str, Any], problem: str | None
    ) -> DialogueSummary:
        """A summary from a root item and its decrypted payload (empty when it did not authenticate)."""
        info = payload.get("summary", {})
        alignment = info.get("alignment")
        warnings = info.get("warnings")
        return cls(
            id=dialogue_id,
            title=info.get("title"),
            status=info.get("status"),
            date=info.get("date"),
            generation=int(root["gen"]["N"]),
            items=int(payload.get("items", 0)),
            rounds=int(info.get("rounds", 0)),
            experts=int(info.get("experts", 0)),
            perspectives=int(info.get("perspectives", 0)),
            tensions=int(info.get("tensions", 0)),
            updated_at=root.get("updated_at", {}).get("S"),
            problem=problem,
            alignment=alignment if _is_alignment(alignment) else None,
            warnings=warnings if isinstance(warnings, int) and not isinstance(warnings, bool) else None,
        )

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _is_alignment(value: Any) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


@dataclass
class OpenedDialogue:
    id: str
    generation: int
    items: int
    key_id: str
    document: dict[str, Any]
    #: Items of other generations: an interrupted write or clean-up left them (harmless).
    stale_items: int = 0


@dataclass(frozen=True)
class OpenedSlice:
    """What ``DialogueStore.open(on_slice=...)`` hands over while a dialogue is read.

    ``entities`` are the records of the committed generation that have just been decrypted:
    each authenticated by its AAD (so it is the owner's text, at its address), but not yet
    checked against the manifest, the audit log and this machine's high-water mark: the
    dialogue as a whole is unverified until ``open`` returns, and ``open`` raises
    IntegrityError instead if it fails. They come in the partition's order (SK order). The
    objects are the reader's own, and the document ``open`` returns is made of their payloads:
    never change them.
    """

    dialogue_id: str
    generation: int
    #: The read's attempt: when a writer commits meanwhile the read starts over (attempt + 1),
    #: and whatever came with an earlier attempt is to be dropped.
    attempt: int
    entities: tuple[Entity, ...]
    #: Records decrypted so far in this attempt, and how many the manifest lists (once read).
    records_read: int
    records_total: int | None


@dataclass
class VerifyReport:
    dialogues: int = 0
    problems: list[IntegrityProblem] = field(default_factory=list)
    stale_items: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "dialogues": self.dialogues,
            "stale_items": self.stale_items,
        }
