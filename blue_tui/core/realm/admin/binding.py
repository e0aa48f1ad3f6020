"""``admin binding``: what one repo exports to or imports from a domain.

Only the owner's binding exports a contract; an import names a contract of the domain and an npm
range, and is resolved against the contract's current version (``status: current``, or
``pending`` with a warning). New imports add owner -> importer edges that must not close a cycle.
When run from the repo's own checkout, the files it names are checked to exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import semver
from blue_tui.core.realm.admin.preconditions import (
    check_graph,
    create_or_update,
    require_domain,
    require_repo,
    self_check,
    unchanged,
)
from blue_tui.core.realm.admin.transaction import AdminResult, now, transaction
from blue_tui.core.realm.errors import InvalidInput, ItemNotFound, OwnershipError
from blue_tui.core.realm.graph import Edge
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Binding, Contract, Realm, binding_file
from blue_tui.core.realm.names import check_name, relpath_problem, resolve_inside
from blue_tui.core.realm.yamlfile import dump

ROLES = ("provider", "consumer", "both")


@dataclass(frozen=True)
class ExportSpec:
    contract: str
    source_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportSpec:
    contract: str
    range: str
    binding: str | None = None


class _Entries:
    """The binding's exports and imports as the YAML entries they become, edited in place."""

    def __init__(
        self, realm: Realm, domain: str, repo: str, old: Binding | None, checkout: Path | None
    ) -> None:
        self.realm = realm
        self.domain = domain
        self.repo = repo
        self.old = old
        self.checkout = checkout
        self.warnings: list[str] = []
        self.new_edges: list[Edge] = []
        self.exports: dict[str, dict[str, Any]] = {}
        self.imports: dict[str, dict[str, Any]] = {}
        for e in old.exports if old else ():
            self.exports[e.contract] = {"contract": e.contract} | (
                {"source_files": list(e.source_files)} if e.source_files else {}
            )
        for i in old.imports if old else ():
            pairs = (
                ("contract", i.contract),
                ("version", i.range),
                ("binding", i.binding),
                ("status", i.status),
                ("resolved_version", i.resolved_version),
                ("resolved_at", i.resolved_at),
            )
            self.imports[i.contract] = {k: v for k, v in pairs if v is not None}

    def contract(self, name: str) -> Contract:
        check_name(name, "contract")
        con = self.realm.contracts.get((self.domain, name))
        if con is None:
            known = ", ".join(x.name for x in self.realm.contracts_in(self.domain)) or "none yet"
            raise ItemNotFound(
                f"no contract {name!r} in domain {self.domain!r} (contracts: {known})",
                hint=f"create it: `blue realm admin contract {name} --domain {self.domain} --owner REPO`",
            )
        return con

    def check_file(self, path: str, what: str) -> None:
        why = relpath_problem(path)
        if why:
            raise InvalidInput(f"{what} {why}")
        if self.checkout is not None:
            target = resolve_inside(self.checkout, path)
            if target is None or not target.exists():
                raise InvalidInput(
                    f"{what} {path!r} does not exist in {self.checkout}",
                    hint="paths are relative to the repo root",
                )

    def drop(self, names: Sequence[str]) -> None:
        for c in names:
            check_name(c, "contract")
            if c not in self.exports and c not in self.imports:
                raise ItemNotFound(f"--drop {c}: the binding neither imports nor exports {c!r}")
            self.exports.pop(c, None)
            self.imports.pop(c, None)

    def export(self, specs: Sequence[ExportSpec]) -> None:
        for spec in specs:
            con = self.contract(spec.contract)
            if con.owner != self.repo:
                raise OwnershipError(
                    f"{self.repo!r} cannot export {self.domain}/{spec.contract}: its owner is {con.owner!r}",
                    hint="only the owner's binding exports a contract; import it instead",
                )
            for f in spec.source_files:
                self.check_file(f, "source file")
            item: dict[str, Any] = {"contract": spec.contract}
            if spec.source_files:
                item["source_files"] = list(spec.source_files)
            self.exports[spec.contract] = item

    def import_(self, specs: Sequence[ImportSpec]) -> None:
        had = {i.contract for i in (self.old.imports if self.old else ())}
        for spec in specs:
            con = self.contract(spec.contract)
            if con.owner == self.repo:
                raise InvalidInput(
                    f"{self.repo!r} owns {self.domain}/{spec.contract}; a repo does not import its own contract"
                )
            why = semver.range_problem(spec.range, allow_prerelease=con.prereleases)
            if why:
                raise InvalidInput(f"--import {spec.contract}@{spec.range}: range {why}")
            if spec.binding:
                self.check_file(spec.binding, "binding file")
            entry: dict[str, Any] = {"contract": spec.contract, "version": spec.range}
            binding = spec.binding or self.imports.get(spec.contract, {}).get("binding")
            if binding:
                entry["binding"] = binding
            self.imports[spec.contract] = entry
            if spec.contract not in had:
                self.new_edges.append(Edge(con.owner, self.repo, f"{self.domain}/{spec.contract}"))

    def resolve(self, names: set[str] | None) -> None:
        """Resolve these imports (all with None) against the contracts' current versions."""
        stamp = now()
        for c, entry in self.imports.items():
            current = self.realm.contracts.get((self.domain, c))
            if current is None or (names is not None and c not in names):
                continue
            if semver.satisfies(current.version, entry["version"]):
                if entry.get("resolved_version") != current.version or entry.get("status") != "current":
                    entry.update(
                        {"status": "current", "resolved_version": current.version, "resolved_at": stamp}
                    )
            else:
                entry["status"] = "pending" if not entry.get("resolved_version") else "broken"
                self.warnings.append(
                    f"{self.domain}/{c} {current.version} does not satisfy {entry['version']!r} yet "
                    f"(status: {entry['status']})"
                )

    def role(self, asked: str | None) -> str:
        ex, im = bool(self.exports), bool(self.imports)
        inferred = "both" if ex and im else ("provider" if ex else "consumer")

        def clashes(r: str) -> bool:
            return (r == "consumer" and ex) or (r == "provider" and im)

        if asked is not None:
            if clashes(asked):
                raise InvalidInput(
                    f"--role {asked} does not fit a binding that "
                    f"{'exports' if asked == 'consumer' else 'imports'} contracts",
                    hint=f"use --role {inferred} (or both)",
                )
            return asked
        if self.old is not None and self.old.role and not clashes(self.old.role):
            return self.old.role
        return inferred


def set_binding(
    settings: Settings,
    located: Located,
    domain: str,
    *,
    repo: str | None = None,
    role: str | None = None,
    exports: Sequence[ExportSpec] = (),
    imports: Sequence[ImportSpec] = (),
    drop: Sequence[str] = (),
    refresh: bool = False,
    update: bool = False,
) -> AdminResult:
    check_name(domain, "domain")
    realm = load_realm(located.root)
    require_domain(realm, domain)
    acting = located.member(realm.name)
    repo = repo or acting
    if repo is None:
        raise InvalidInput("which repo's binding? give --repo NAME (or run this from the repo's checkout)")
    check_name(repo, "repo")
    require_repo(realm, repo, "repo")
    if repo not in realm.domains[domain].members:
        raise InvalidInput(
            f"repo {repo!r} is not a member of domain {domain!r}",
            hint=f"`blue realm admin domain {domain} --update --add {repo}`",
        )
    rel = binding_file(domain, repo)
    old = realm.bindings.get((domain, repo))
    exists = create_or_update(
        realm,
        rel,
        known=old is not None,
        update=update,
        exists=(
            f"binding {rel} already exists",
            f"change it with `blue realm admin binding {domain} --repo {repo} --update "
            "--import/--export/--drop ...`",
        ),
        missing=(f"no binding {rel} to update", "create it without --update"),
    )
    if role is not None and role not in ROLES:
        raise InvalidInput(f"--role {role!r} is not provider, consumer or both")
    entries = _Entries(realm, domain, repo, old, located.repo_root if acting == repo else None)
    entries.drop(drop)
    entries.export(exports)
    entries.import_(imports)
    entries.resolve(None if refresh else {s.contract for s in imports})
    check_graph(realm, entries.new_edges, what=f"binding {domain}/{repo}")
    ex_list, im_list = list(entries.exports.values()), list(entries.imports.values())
    if not ex_list and not im_list and not exists and role is None:
        raise InvalidInput(
            "an empty binding says nothing", hint="add --import CONTRACT@RANGE or --export CONTRACT"
        )
    effective = entries.role(role)
    doc: dict[str, Any] = {"repo": repo, "role": effective}
    if ex_list:
        doc["exports"] = ex_list
    if im_list:
        doc["imports"] = im_list
    text = dump(doc)
    self_check("binding", rel, text, realm.root.name, domain=domain, stem=repo)
    warnings = tuple(entries.warnings)
    if exists and unchanged(realm, rel, text):
        return AdminResult(
            "binding", realm.name, str(located.root), f"binding {domain}/{repo} unchanged", warnings=warnings
        )
    parts = [f"import {s.contract} {s.range}" for s in imports] + [f"export {s.contract}" for s in exports]
    parts += [f"drop {c}" for c in drop] + (["refresh"] if refresh else [])
    note = "; ".join(parts) or f"role {effective}"
    with transaction(located.root) as txn:
        txn.write(rel, text)
        sha = txn.commit(settings, f"realm: {'update' if exists else 'add'} binding {domain}/{repo} ({note})")
        return AdminResult(
            "binding",
            realm.name,
            str(located.root),
            f"{'updated' if exists else 'created'} binding {domain}/{repo} ({note})",
            txn.changed,
            sha,
            warnings,
            {"domain": domain, "repo": repo, "role": effective, "imports": im_list, "exports": ex_list},
        )
