"""The realm as values: what the files under a realm repo say, after validation.

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

from blue_tui.core.realm.problems import Problem

DIRECTIONS = ("backward", "forward")
ROLES = ("provider", "consumer", "both")
IMPORT_STATUSES = ("pending", "current", "outdated", "broken")
HOOK_MODES = ("exporter", "importer", "both")

REALM_FILE = "realm.yaml"
REPOS_DIR = "repos"
DOMAINS_DIR = "domains"
DOMAIN_FILE = "domain.yaml"
GOVERNANCE_FILE = "governance.yaml"
CONTRACTS_DIR = "contracts"
BINDINGS_DIR = "bindings"


def repo_file(repo: str) -> str:
    return f"{REPOS_DIR}/{repo}.yaml"


def domain_file(domain: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{DOMAIN_FILE}"


def governance_file(domain: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{GOVERNANCE_FILE}"


def contract_file(domain: str, contract: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{CONTRACTS_DIR}/{contract}.yaml"


def binding_file(domain: str, repo: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{BINDINGS_DIR}/{repo}.yaml"


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
