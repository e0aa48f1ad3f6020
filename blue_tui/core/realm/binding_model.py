"""A binding as a value: one repo's part in one domain, the contracts it exports and imports.

Immutable and JSON-round-trippable like the rest of :mod:`.model`, which re-exports these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blue_tui.core.realm.file_layout import binding_file

ROLES = ("provider", "consumer", "both")
IMPORT_STATUSES = ("pending", "current", "outdated", "broken")


@dataclass(frozen=True)
class Export:
    contract: str
    source_files: tuple[str, ...] = ()
    index: int = 0

    @property
    def key(self) -> str:
        return f"exports[{self.index}]"

    def as_json(self) -> dict[str, Any]:
        return {"contract": self.contract, "source_files": list(self.source_files), "index": self.index}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Export:
        return cls(d["contract"], tuple(d.get("source_files", ())), d.get("index", 0))


@dataclass(frozen=True)
class Import:
    contract: str
    range: str
    binding: str | None = None
    status: str = "pending"
    resolved_version: str | None = None
    resolved_at: str | None = None
    index: int = 0

    @property
    def key(self) -> str:
        return f"imports[{self.index}]"

    def as_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "version": self.range,
            "binding": self.binding,
            "status": self.status,
            "resolved_version": self.resolved_version,
            "resolved_at": self.resolved_at,
            "index": self.index,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Import:
        return cls(
            d["contract"],
            d["version"],
            d.get("binding"),
            d.get("status", "pending"),
            d.get("resolved_version"),
            d.get("resolved_at"),
            d.get("index", 0),
        )


@dataclass(frozen=True)
class Binding:
    domain: str
    repo: str
    role: str | None = None
    exports: tuple[Export, ...] = ()
    imports: tuple[Import, ...] = ()

    @property
    def file(self) -> str:
        return binding_file(self.domain, self.repo)

    @property
    def effective_role(self) -> str:
        if self.role:
            return self.role
        if self.exports and self.imports:
            return "both"
        return "provider" if self.exports else "consumer"

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "repo": self.repo,
            "role": self.role,
            "exports": [e.as_json() for e in self.exports],
            "imports": [i.as_json() for i in self.imports],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Binding:
        return cls(
            d["domain"],
            d["repo"],
            d.get("role"),
            tuple(Export.from_json(e) for e in d.get("exports", ())),
            tuple(Import.from_json(i) for i in d.get("imports", ())),
        )
