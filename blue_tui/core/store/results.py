"""What the dialogue store's operations return: plain values, ready for `--json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.errors import IntegrityProblem


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

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class OpenedDialogue:
    id: str
    generation: int
    items: int
    key_id: str
    document: dict[str, Any]
    #: Items of other generations: an interrupted write or clean-up left them (harmless).
    stale_items: int = 0


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
