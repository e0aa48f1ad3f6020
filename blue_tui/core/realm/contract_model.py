"""A contract as a value: its schema, compatibility promise, evolution and validation hooks.

Immutable and JSON-round-trippable like the rest of :mod:`.model`, which re-exports these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.realm.file_layout import contract_file

HOOK_MODES = ("exporter", "importer", "both")


@dataclass(frozen=True)
class Hook:
    """A validation hook: a program inside the checking repo, run without a shell."""

    argv: tuple[str, ...]
    timeout: float | None = None
    #: For ``ci_only`` hooks: which side runs it (``exporter``, ``importer`` or ``both``).
    mode: str = "both"
    ci_only: bool = False
    key: str = ""

    @property
    def label(self) -> str:
        return " ".join(self.argv)

    def as_json(self) -> dict[str, Any]:
        return {
            "run": list(self.argv),
            "timeout": self.timeout,
            "mode": self.mode,
            "ci_only": self.ci_only,
            "key": self.key,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Hook:
        return cls(
            tuple(d["run"]), d.get("timeout"), d.get("mode", "both"), bool(d.get("ci_only")), d.get("key", "")
        )


@dataclass(frozen=True)
class Validation:
    exporter: tuple[Hook, ...] = ()
    importer: tuple[Hook, ...] = ()
    ci_only: tuple[Hook, ...] = ()
    timeout: float | None = None

    def hooks_for(self, mode: str) -> tuple[Hook, ...]:
        """The hooks that ``mode`` (exporter/importer) runs, ci_only ones included."""
        own = self.exporter if mode == "exporter" else self.importer
        return own + tuple(h for h in self.ci_only if h.mode in (mode, "both"))

    def as_json(self) -> dict[str, Any]:
        return {
            "exporter": [h.as_json() for h in self.exporter],
            "importer": [h.as_json() for h in self.importer],
            "ci_only": [h.as_json() for h in self.ci_only],
            "timeout": self.timeout,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Validation:
        return cls(
            tuple(Hook.from_json(h) for h in d.get("exporter", ())),
            tuple(Hook.from_json(h) for h in d.get("importer", ())),
            tuple(Hook.from_json(h) for h in d.get("ci_only", ())),
            d.get("timeout"),
        )


@dataclass(frozen=True)
class Compatibility:
    """Which directions a contract promises, against which versions, under which policy.

    backward: the new schema reads documents written under older versions (replays, early adopters).
    forward: older schemas read documents of the new version (protects existing importers).
    transitive: check against every version in ``evolution``, not only the previous one.
    """

    backward: bool = True
    forward: bool = True
    transitive: bool = True
    policy: str = "lenient"
    readers_apply_defaults: bool = False

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(d for d, on in (("backward", self.backward), ("forward", self.forward)) if on)

    @property
    def mode(self) -> str:
        base = {(True, True): "full", (True, False): "backward", (False, True): "forward"}.get(
            (self.backward, self.forward), "none"
        )
        return f"{base}_transitive" if self.transitive and base != "none" else base

    def as_json(self) -> dict[str, Any]:
        return {
            "backward": self.backward,
            "forward": self.forward,
            "transitive": self.transitive,
            "policy": self.policy,
            "readers_apply_defaults": self.readers_apply_defaults,
            "mode": self.mode,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Compatibility:
        return cls(
            d["backward"], d["forward"], d["transitive"], d["policy"], d.get("readers_apply_defaults", False)
        )


@dataclass(frozen=True)
class EvolutionEntry:
    version: str
    changes: tuple[str, ...] = ()
    compatible: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "changes": list(self.changes), "compatible": self.compatible}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> EvolutionEntry:
        return cls(d["version"], tuple(d.get("changes", ())), d.get("compatible"))


@dataclass(frozen=True)
class Contract:
    domain: str
    name: str
    version: str
    owner: str
    schema: Any = field(default_factory=dict, compare=False)
    description: str = ""
    compatibility: Compatibility = field(default_factory=Compatibility)
    prereleases: bool = False
    validation: Validation = field(default_factory=Validation)
    evolution: tuple[EvolutionEntry, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.domain}/{self.name}"

    @property
    def file(self) -> str:
        return contract_file(self.domain, self.name)

    @property
    def versions(self) -> tuple[str, ...]:
        """Every version the contract has declared: its evolution plus the current one."""
        seen = [e.version for e in self.evolution]
        if self.version not in seen:
            seen.append(self.version)
        return tuple(seen)

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "name": self.name,
            "version": self.version,
            "owner": self.owner,
            "description": self.description,
            "compatibility": self.compatibility.as_json(),
            "prereleases": self.prereleases,
            "schema": self.schema,
            "validation": self.validation.as_json(),
            "evolution": [e.as_json() for e in self.evolution],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Contract:
        return cls(
            domain=d["domain"],
            name=d["name"],
            version=d["version"],
            owner=d["owner"],
            schema=d.get("schema"),
            description=d.get("description", ""),
            compatibility=Compatibility.from_json(d["compatibility"]),
            prereleases=bool(d.get("prereleases")),
            validation=Validation.from_json(d.get("validation", {})),
            evolution=tuple(EvolutionEntry.from_json(e) for e in d.get("evolution", ())),
        )
