"""The realm as the dashboard's graph pane shows it: repos, provider -> consumer edges, marks.

Built from a loaded realm and the problems of its last check. An edge joins a provider and a
consumer and carries every way the consumer depends on it (``via``: an import of a contract, or a
domain's declared provider). Each import's state comes from :func:`status.import_state`; an edge
takes the worst of its imports (an out-of-range import is ``unsatisfied``). Edges on a cycle are
marked ``cycle``; repos with errors in the check are marked ``failing``. Everything here is plain
data, so the CLI, tests and the pane read the same facts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from blue_tui.core.realm.graph import DependencyGraph
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.status import import_state

#: Edge states from harmless to worst; an edge shows its worst import.
EDGE_STATES = ("ok", "declared", "pending", "stale", "unknown", "unsatisfied", "broken", "cycle")
#: Import states (status.import_state) as edge states.
_IMPORT_TO_EDGE = {
    "current": "ok",
    "pending": "pending",
    "stale": "stale",
    "unsatisfied": "unsatisfied",
    "broken": "broken",
    "unknown-contract": "unknown",
}
GLYPHS = {
    "ok": "✓",
    "declared": "·",
    "pending": "…",
    "stale": "!",
    "unknown": "?",
    "unsatisfied": "✗",
    "broken": "✗",
    "cycle": "↺",
}


def worst(states: list[str]) -> str:
    return max(states, key=EDGE_STATES.index) if states else "declared"


@dataclass(frozen=True)
class Via:
    domain: str
    contract: str | None
    #: The contract's current version (None for a declared provider).
    version: str | None = None
    range: str | None = None
    resolved_version: str | None = None
    state: str = "declared"
    binding_file: str | None = None

    @property
    def label(self) -> str:
        if self.contract is None:
            return f"{self.domain} (declared provider)"
        return f"{self.domain}/{self.contract} {self.version or '?'}"


@dataclass(frozen=True)
class GraphEdge:
    provider: str
    consumer: str
    vias: tuple[Via, ...]
    state: str

    @property
    def id(self) -> str:
        return f"edge:{self.provider}->{self.consumer}"

    @property
    def label(self) -> str:
        """Short text drawn on the edge: the contract and version, or how many there are."""
        contracts = [v for v in self.vias if v.contract]
        if not contracts:
            return f"{self.vias[0].domain} {GLYPHS[self.state]}" if self.vias else GLYPHS[self.state]
        if len(contracts) == 1:
            v = contracts[0]
            return f"{v.contract} {v.version or '?'} {GLYPHS[self.state]}"
        return f"{len(contracts)} contracts {GLYPHS[self.state]}"


@dataclass(frozen=True)
class GraphNode:
    name: str
    url: str | None
    you: bool
    domains: tuple[str, ...]
    owns: tuple[str, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        return f"repo:{self.name}"

    @property
    def state(self) -> str:
        severities = {p.severity for p in self.problems}
        return "failing" if "error" in severities else "warning" if "warning" in severities else "ok"


@dataclass
class RealmGraph:
    realm: str
    commit: str | None
    dirty: bool
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)
    cycle: list[str] | None = None
    problems: list[Problem] = field(default_factory=list)
    #: When the check ran (for "last check"); None: the problems are the realm load's only.
    checked_at: str | None = None

    def edge(self, edge_id: str) -> GraphEdge | None:
        return next((e for e in self.edges if e.id == edge_id), None)

    def details(self, element_id: str) -> list[tuple[str, str]]:
        """``(label, text)`` lines describing a repo or an edge, for the details panel."""
        kind, _, name = element_id.partition(":")
        if kind == "repo" and name in self.nodes:
            return self._node_details(self.nodes[name])
        edge = self.edge(element_id)
        return self._edge_details(edge) if edge else []

    def _last_check(self, problems: list[Problem]) -> list[tuple[str, str]]:
        commit = f"realm commit {(self.commit or 'none')[:12]}{' (dirty)' if self.dirty else ''}"
        if self.checked_at is None:  # the check has not finished: what loading the realm found
            out = [("last check", f"running; loading {commit} found {_count(problems)}")]
        else:
            out = [("last check", f"{self.checked_at}, {commit}: {_count(problems)}")]
        out += [
            (p.severity, f"[{p.rule}] {p.message}" + (f" ({p.where})" if p.where else "")) for p in problems
        ]
        return out

    def _node_details(self, node: GraphNode) -> list[tuple[str, str]]:
        out = [("repo", node.name + (" (you)" if node.you else ""))]
        if node.url:
            out.append(("url", node.url))
        out.append(("domains", ", ".join(node.domains) or "none"))
        out.append(("owns", ", ".join(node.owns) or "no contracts"))
        for e in self.edges:
            if e.consumer == node.name:
                out += [("imports", f"{v.label} from {e.provider}: {_import_text(v)}") for v in e.vias]
            if e.provider == node.name:
                out += [("provides", f"{v.label} to {e.consumer}: {_import_text(v)}") for v in e.vias]
        return out + self._last_check(list(node.problems))

    def _edge_details(self, edge: GraphEdge) -> list[tuple[str, str]]:
        out = [
            ("edge", f"{edge.provider} -> {edge.consumer}"),
            ("state", f"{GLYPHS[edge.state]} {edge.state}"),
        ]
        for v in edge.vias:
            out.append(("via", v.label))
            if v.contract is not None:
                out.append(("  range", v.range or "?"))
                out.append(("  resolved", v.resolved_version or "never"))
                out.append(("  import", _import_text(v)))
                if v.binding_file:
                    out.append(("  binding", v.binding_file))
        if edge.state == "cycle" and self.cycle:
            out.append(("cycle", " -> ".join(self.cycle)))
        related = [
            p
            for p in self.problems
            if p.repo in (edge.provider, edge.consumer)
            and (p.domain is None or any(p.domain == v.domain for v in edge.vias))
        ]
        return out + self._last_check(related)


def _count(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    if not errors and not warnings:
        return "ok"
    return f"{errors} error(s), {warnings} warning(s)"


def _import_text(v: Via) -> str:
    if v.contract is None:
        return "declared in domain.yaml"
    return {
        "ok": f"current ({v.resolved_version})",
        "pending": "pending: never resolved",
        "stale": f"stale: resolved {v.resolved_version}, contract is {v.version}",
        "unsatisfied": f"OUT OF RANGE: {v.version} is outside {v.range}",
        "broken": "broken",
        "unknown": "unknown contract",
    }.get(v.state, v.state)


def build_graph(
    realm: Realm,
    problems: list[Problem] | None = None,
    *,
    you: str | None = None,
    checked_at: str | None = None,
) -> RealmGraph:
    problems = list(realm.problems if problems is None else problems)
    out = RealmGraph(realm.name, realm.commit, realm.dirty, problems=problems, checked_at=checked_at)
    owned: dict[str, list[str]] = {}
    for con in realm.contracts.values():
        owned.setdefault(con.owner, []).append(con.ref)
    by_repo: dict[str, list[Problem]] = {}
    for p in problems:
        if p.repo:
            by_repo.setdefault(p.repo, []).append(p)
    for name in sorted(realm.repos):
        repo = realm.repos[name]
        domains = tuple(sorted(d.name for d in realm.domains.values() if name in d.members))
        out.nodes[name] = GraphNode(
            name,
            repo.url or None,
            name == you,
            domains,
            tuple(sorted(owned.get(name, ()))),
            tuple(by_repo.get(name, ())),
        )
    vias: dict[tuple[str, str], list[Via]] = {}
    for dom in realm.domains.values():
        for provider in dom.providers:
            for member in dom.members:
                if member != provider and member not in dom.providers:
                    vias.setdefault((provider, member), []).append(Via(dom.name, None))
    for (domain, importer), binding in sorted(realm.bindings.items()):
        for imp in binding.imports:
            contract = realm.contract(domain, imp.contract)
            if contract is None:
                continue
            state = _IMPORT_TO_EDGE[import_state(imp, contract)]
            via = Via(
                domain, imp.contract, contract.version, imp.range, imp.resolved_version, state, binding.file
            )
            vias.setdefault((contract.owner, importer), []).append(via)
    found = DependencyGraph.from_realm(realm).find_cycle()
    cycle = found[0] if found else None
    on_cycle = set(itertools.pairwise(cycle)) if cycle else set()
    out.cycle = cycle
    for (provider, consumer), items in sorted(vias.items()):
        for name in (provider, consumer):
            if name not in out.nodes:  # a binding of an unregistered repo: still drawn
                out.nodes[name] = GraphNode(name, None, name == you, (), (), tuple(by_repo.get(name, ())))
        state = "cycle" if (provider, consumer) in on_cycle else worst([v.state for v in items])
        out.edges.append(GraphEdge(provider, consumer, tuple(items), state))
    return out
