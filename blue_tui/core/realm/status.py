"""``blue realm status`` and the can-i-merge matrix, as JSON-ready values.

The matrix (Pact's, coordination.md 1) crosses each importer's range with every version of a
contract: a cell says whether the range admits the version and whether code built against the
importer's resolved version can read that version's documents (old schemas from git history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import semver
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.compatcheck import compare
from blue_tui.core.realm.errors import ItemNotFound
from blue_tui.core.realm.graph import DependencyGraph
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.loader import Progress, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Binding, Contract, Import, Realm
from blue_tui.core.realm.problems import counts


def import_state(imp: Import, con: Contract | None) -> str:
    """``current`` | ``stale`` | ``pending`` | ``unsatisfied`` | ``broken`` | ``unknown-contract``."""
    if con is None:
        return "unknown-contract"
    if semver.range_problem(imp.range, allow_prerelease=con.prereleases) is not None:
        return "broken"
    if not semver.satisfies(con.version, imp.range):
        return "unsatisfied"
    if imp.status == "broken":
        return "broken"
    if imp.resolved_version is None or imp.status == "pending":
        return "pending"
    if imp.resolved_version != con.version or imp.status == "outdated":
        return "stale"
    return "current"


def direction(realm: Realm, domain: str) -> tuple[list[str], list[str]]:
    dom = realm.domains[domain]
    providers = set(dom.providers) | {c.owner for c in realm.contracts_in(domain)}
    consumers = {b.repo for b in realm.bindings_in(domain) if b.imports}
    if dom.providers:
        consumers |= {m for m in dom.members if m not in providers}
    return sorted(providers), sorted(consumers - providers)


@dataclass
class StatusReport:
    realm: Realm
    repo: str | None
    merge_order: list[list[str]] | None
    cycle: list[str] | None
    matrix: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return self.data


def realm_status(
    located: Located,
    *,
    cache: Cache | None = None,
    matrix_domain: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> StatusReport:
    """The realm's state; with ``settings``, also its live sessions and pending notifications."""
    realm = load_realm(located.root, cache=cache, progress=progress)
    member = located.member(realm.name)
    graph = DependencyGraph.from_realm(realm)
    found = graph.find_cycle()
    order = None if found else graph.merge_order()
    domains = []
    for name in sorted(realm.domains):
        dom = realm.domains[name]
        providers, consumers = direction(realm, name)
        contracts = [
            {
                "name": c.name,
                "version": c.version,
                "owner": c.owner,
                "compatibility": c.compatibility.mode,
                "policy": c.compatibility.policy,
            }
            for c in realm.contracts_in(name)
        ]
        bindings = []
        for b in realm.bindings_in(name):
            bindings.append(
                {
                    "repo": b.repo,
                    "role": b.effective_role,
                    "exports": [e.contract for e in b.exports],
                    "imports": [
                        {
                            "contract": i.contract,
                            "range": i.range,
                            "resolved_version": i.resolved_version,
                            "status": i.status,
                            "state": import_state(i, realm.contract(name, i.contract)),
                        }
                        for i in b.imports
                    ],
                }
            )
        domains.append(
            {
                "name": name,
                "description": dom.description,
                "members": list(dom.members),
                "providers": providers,
                "consumers": consumers,
                "direction": f"{', '.join(providers) or '?'} -> {', '.join(consumers) or '?'}",
                "governance": dom.governance.as_json() if dom.governance else None,
                "contracts": contracts,
                "bindings": bindings,
            }
        )
    meta = realm.meta
    data: dict[str, Any] = {
        "realm": {
            "name": realm.name,
            "version": meta.version if meta else None,
            "path": str(realm.root),
            "commit": realm.commit,
            "dirty": realm.dirty,
            "governance": meta.governance if meta else {},
            "trust": meta.trust if meta else {},
        },
        "repo": member,
        "repos": [
            {"name": r.name, "url": r.url, "maintainers": list(r.maintainers), "you": r.name == member}
            for r in sorted(realm.repos.values(), key=lambda r: r.name)
        ],
        "domains": domains,
        "merge_order": order,
        "cycle": found[0] if found else None,
        "summary": counts(realm.problems),
        "problems": [p.as_json() for p in realm.problems],
    }
    if settings is not None:
        from blue_tui.core.sessions.realmview import live_status

        data.update(live_status(settings, realm, member))
    report = StatusReport(realm, member, order, found[0] if found else None, data=data)
    if matrix_domain is not None:
        report.matrix = can_i_merge(realm, matrix_domain, cache=cache)
        data["matrix"] = report.matrix
    return report


def can_i_merge(realm: Realm, domain: str, *, cache: Cache | None = None) -> dict[str, Any]:
    """Importer ranges x contract versions x verdict, for every contract in ``domain``."""
    if domain not in realm.domains:
        known = ", ".join(sorted(realm.domains)) or "none"
        raise ItemNotFound(f"no domain {domain!r} in realm {realm.name!r} (domains: {known})")
    history = ContractHistory(realm, cache)
    history.prefetch([(domain, c.name) for c in realm.contracts_in(domain)])
    out = []
    for con in realm.contracts_in(domain):
        known_versions = set(con.versions) | set(history.versions(domain, con.name))
        versions = semver.sort_versions(known_versions)
        schemas = {v: history.schema(domain, con.name, v) for v in versions}
        rows = []
        for binding, imp in realm.imports_of(domain, con.name):
            rows.append(_row(con, binding, imp, versions, schemas))
        out.append(
            {
                "contract": con.name,
                "owner": con.owner,
                "current": con.version,
                "policy": con.compatibility.policy,
                "versions": versions,
                "rows": rows,
                "can_merge": all(r["can_merge"] for r in rows),
            }
        )
    return {"domain": domain, "contracts": out}


def _row(
    con: Contract, binding: Binding, imp: Import, versions: list[str], schemas: dict[str, Any]
) -> dict[str, Any]:
    reader = imp.resolved_version
    cells = []
    for v in versions:
        in_range = semver.satisfies(v, imp.range)
        compatible: bool | None
        why = ""
        if reader is None:
            compatible, why = None, "never resolved"
        elif v == reader:
            compatible = True
        else:
            mine, theirs = schemas.get(reader), schemas.get(v)
            if mine is None or theirs is None:
                compatible, why = None, f"no schema for {reader if mine is None else v} in history"
            else:
                # Can the reader's schema (at its resolved version) read documents of version v?
                compatible = compare(theirs.schema, mine.schema, con.compatibility).backward
        if not in_range:
            verdict = "excluded"
        elif reader is None:
            verdict = "pending"
        elif compatible is True:
            verdict = "ok"
        elif compatible is False:
            verdict = "breaks"
        else:
            verdict = "unknown"
        cells.append(
            {
                "version": v,
                "in_range": in_range,
                "compatible": compatible,
                "verdict": verdict,
                "current": v == con.version,
                **({"why": why} if why else {}),
            }
        )
    at_current = next((c for c in cells if c["current"]), None)
    return {
        "repo": binding.repo,
        "range": imp.range,
        "resolved_version": reader,
        "state": import_state(imp, con),
        "cells": cells,
        "can_merge": bool(at_current and at_current["verdict"] in ("ok", "pending")),
    }
