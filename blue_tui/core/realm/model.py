"""The realm as values: what the files under a realm repo say, after validation.

A contract's values live in :mod:`.contract_model`, a binding's in :mod:`.binding_model`, the
file layout in :mod:`.file_layout`; all are re-exported here, the one import path for the realm.

Everything here is immutable and JSON-round-trippable (``as_json``/``from_json``), so a loaded
realm can be cached in ``.blue/cache.db``, handed to worker threads, and shown by the dashboard.
See docs/REALM.md for the file formats these mirror.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from blue_tui.core.realm.binding_model import IMPORT_STATUSES, ROLES, Binding, Export, Import
from blue_tui.core.realm.contract_model import (
    HOOK_MODES,
    Compatibility,
    Contract,
    EvolutionEntry,
    Hook,
    Validation,
)
from blue_tui.core.realm.file_layout import (
    BINDINGS_DIR,
    CONTRACTS_DIR,
    DOMAIN_FILE,
    DOMAINS_DIR,
    GOVERNANCE_FILE,
    REALM_FILE,
    REPOS_DIR,
    binding_file,
    contract_file,
    domain_file,
    governance_file,
    repo_file,
)
from blue_tui.core.realm.problems import Problem

__all__ = [
    "BINDINGS_DIR",
    "CONTRACTS_DIR",
    "DIRECTIONS",
    "DOMAINS_DIR",
    "DOMAIN_FILE",
    "GOVERNANCE_FILE",
    "HOOK_MODES",
    "IMPORT_STATUSES",
    "REALM_FILE",
    "REPOS_DIR",
    "ROLES",
    "Binding",
    "Compatibility",
    "Contract",
    "Domain",
    "DomainGovernance",
    "EvolutionEntry",
    "Export",
    "Hook",
    "Import",
    "Realm",
    "RealmMeta",
    "Repo",
    "Validation",
    "binding_file",
    "contract_file",
    "domain_file",
    "governance_file",
    "repo_file",
]

DIRECTIONS = ("backward", "forward")


@dataclass(frozen=True)
class DomainGovernance:
    primary: str | None = None
    stakeholders: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"primary": self.primary, "stakeholders": list(self.stakeholders), "data": self.data}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DomainGovernance:
        return cls(d.get("primary"), tuple(d.get("stakeholders", ())), d.get("data", {}))


@dataclass(frozen=True)
class Domain:
    name: str
    description: str = ""
    members: tuple[str, ...] = ()
    #: Declared direction: these members provide to the others (optional; bindings add more).
    providers: tuple[str, ...] = ()
    governance: DomainGovernance | None = None
    created_at: str | None = None

    @property
    def file(self) -> str:
        return domain_file(self.name)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "members": list(self.members),
            "providers": list(self.providers),
            "governance": self.governance.as_json() if self.governance else None,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Domain:
        gov = d.get("governance")
        return cls(
            d["name"],
            d.get("description", ""),
            tuple(d.get("members", ())),
            tuple(d.get("providers", ())),
            DomainGovernance.from_json(gov) if gov else None,
            d.get("created_at"),
        )


@dataclass(frozen=True)
class Repo:
    name: str
    url: str | None = None
    org: str | None = None
    description: str = ""
    maintainers: tuple[str, ...] = ()
    default_branch: str | None = None
    joined_at: str | None = None

    @property
    def file(self) -> str:
        return repo_file(self.name)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "org": self.org,
            "description": self.description,
            "maintainers": list(self.maintainers),
            "default_branch": self.default_branch,
            "joined_at": self.joined_at,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Repo:
        return cls(
            d["name"],
            d.get("url"),
            d.get("org"),
            d.get("description", ""),
            tuple(d.get("maintainers", ())),
            d.get("default_branch"),
            d.get("joined_at"),
        )


@dataclass(frozen=True)
class RealmMeta:
    name: str
    version: str = "1.0.0"
    description: str = ""
    created_at: str | None = None
    governance: dict[str, Any] = field(default_factory=dict, compare=False)
    trust: dict[str, Any] = field(default_factory=dict, compare=False)
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "created_at": self.created_at,
            "governance": self.governance,
            "trust": self.trust,
            "permissions": {k: list(v) for k, v in self.permissions.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RealmMeta:
        return cls(
            d["name"],
            d.get("version", "1.0.0"),
            d.get("description", ""),
            d.get("created_at"),
            d.get("governance", {}),
            d.get("trust", {}),
            {k: tuple(v) for k, v in d.get("permissions", {}).items()},
        )


@dataclass
class Realm:
    """A loaded realm. ``problems`` holds everything the loader found wrong (it never raises for them)."""

    root: Path
    meta: RealmMeta | None
    repos: dict[str, Repo] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)
    contracts: dict[tuple[str, str], Contract] = field(default_factory=dict)
    bindings: dict[tuple[str, str], Binding] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    commit: str | None = None
    dirty: bool = False
    #: Items whose file was too broken to model (``contract:d/c``, ``repo:r``, ``domain:d``,
    #: ``binding:d/r``): cross-file checks skip them, since their own problem is already reported.
    unusable: set[str] = field(default_factory=set)
    #: Where the model came from: ``files`` or ``cache``.
    source: str = "files"

    @property
    def name(self) -> str:
        return self.meta.name if self.meta else self.root.name

    def contract(self, domain: str, name: str) -> Contract | None:
        return self.contracts.get((domain, name))

    # Indexes, built on first use. A Realm is not changed after loading (admin commands reload).

    @cached_property
    def _contracts_by_domain(self) -> dict[str, list[Contract]]:
        out: dict[str, list[Contract]] = {}
        for key in sorted(self.contracts):
            out.setdefault(key[0], []).append(self.contracts[key])
        return out

    @cached_property
    def _bindings_by_domain(self) -> dict[str, list[Binding]]:
        out: dict[str, list[Binding]] = {}
        for key in sorted(self.bindings):
            out.setdefault(key[0], []).append(self.bindings[key])
        return out

    @cached_property
    def _bindings_by_repo(self) -> dict[str, list[Binding]]:
        out: dict[str, list[Binding]] = {}
        for key in sorted(self.bindings):
            out.setdefault(key[1], []).append(self.bindings[key])
        return out

    def contracts_in(self, domain: str) -> list[Contract]:
        return list(self._contracts_by_domain.get(domain, ()))

    def bindings_in(self, domain: str) -> list[Binding]:
        return list(self._bindings_by_domain.get(domain, ()))

    def bindings_of(self, repo: str) -> list[Binding]:
        return list(self._bindings_by_repo.get(repo, ()))

    def imports_of(self, domain: str, contract: str) -> Iterator[tuple[Binding, Import]]:
        for binding in self.bindings_in(domain):
            for imp in binding.imports:
                if imp.contract == contract:
                    yield binding, imp

    def exporters_of(self, domain: str, contract: str) -> list[str]:
        return [b.repo for b in self.bindings_in(domain) if any(e.contract == contract for e in b.exports)]

    def involvement(self, repo: str) -> list[str]:
        """Where ``repo`` still takes part: memberships, owned contracts, bindings."""
        out = [
            f"member of domain {d.name}"
            for d in sorted(self.domains.values(), key=lambda d: d.name)
            if repo in d.members
        ]
        out += [
            f"owner of contract {c.ref}"
            for c in sorted(self.contracts.values(), key=lambda c: c.ref)
            if c.owner == repo
        ]
        out += [f"binding {b.file}" for b in self.bindings_of(repo)]
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "meta": self.meta.as_json() if self.meta else None,
            "repos": [r.as_json() for r in self.repos.values()],
            "domains": [d.as_json() for d in self.domains.values()],
            "contracts": [c.as_json() for c in self.contracts.values()],
            "bindings": [b.as_json() for b in self.bindings.values()],
            "problems": [p.as_json() for p in self.problems],
            "commit": self.commit,
            "dirty": self.dirty,
            "unusable": sorted(self.unusable),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], *, root: Path | None = None) -> Realm:
        contracts = [Contract.from_json(c) for c in d.get("contracts", ())]
        bindings = [Binding.from_json(b) for b in d.get("bindings", ())]
        return cls(
            root=root or Path(d["root"]),
            meta=RealmMeta.from_json(d["meta"]) if d.get("meta") else None,
            repos={r["name"]: Repo.from_json(r) for r in d.get("repos", ())},
            domains={x["name"]: Domain.from_json(x) for x in d.get("domains", ())},
            contracts={(c.domain, c.name): c for c in contracts},
            bindings={(b.domain, b.repo): b for b in bindings},
            problems=[Problem.from_json(p) for p in d.get("problems", ())],
            commit=d.get("commit"),
            dirty=bool(d.get("dirty")),
            unusable=set(d.get("unusable", ())),
        )
