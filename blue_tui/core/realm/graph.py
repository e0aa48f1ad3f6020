"""The provider -> consumer graph across all domains: cycle prevention and merge order.

Nodes are repos. An edge ``p -> c`` means ``c`` depends on something ``p`` provides: ``c`` imports
a contract that ``p`` owns, or a domain declares ``p`` as a provider and ``c`` as another member.
The graph is kept acyclic incrementally: before a change adds an edge ``p -> c``, a BFS from
``c`` looks for ``p`` (coordination.md 5); if found, the change would close a cycle and the path
is returned for the message. Merge order comes from :mod:`graphlib` in sorted waves, so it is the
same on every machine.
"""

from __future__ import annotations

import graphlib
import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from blue_tui.core.realm.model import Realm


@dataclass(frozen=True)
class Edge:
    provider: str
    consumer: str
    via: str  # "domain/contract", or "domain" for a declared provider


class DependencyGraph:
    def __init__(self) -> None:
        self.succ: dict[str, dict[str, list[str]]] = {}

    def add_node(self, node: str) -> None:
        self.succ.setdefault(node, {})

    def add(self, provider: str, consumer: str, via: str) -> None:
        self.succ.setdefault(consumer, {})
        vias = self.succ.setdefault(provider, {}).setdefault(consumer, [])
        if via not in vias:
            vias.append(via)

    @classmethod
    def from_realm(cls, realm: Realm) -> DependencyGraph:
        """Built directly (no Edge objects): this runs on every check of a 10,000-binding realm."""
        graph = cls()
        succ = graph.succ
        for name in realm.repos:
            succ[name] = {}
        for dom in realm.domains.values():
            for provider in dom.providers:
                for member in dom.members:
                    if member != provider and member not in dom.providers:
                        graph.add(provider, member, dom.name)
        contracts = realm.contracts
        for (domain, repo), binding in realm.bindings.items():
            for imp in binding.imports:
                con = contracts.get((domain, imp.contract))
                if con is None:
                    continue
                row = succ.get(con.owner)
                if row is None:
                    row = succ[con.owner] = {}
                via = f"{domain}/{imp.contract}"
                vias = row.get(repo)
                if vias is None:
                    row[repo] = [via]
                    if repo not in succ:
                        succ[repo] = {}
                elif via not in vias:
                    vias.append(via)
        return graph

    @property
    def edge_count(self) -> int:
        return sum(len(v) for v in self.succ.values())

    def via(self, provider: str, consumer: str) -> list[str]:
        return list(self.succ.get(provider, {}).get(consumer, ()))

    def path(self, src: str, dst: str) -> list[str] | None:
        """The shortest path ``src -> ... -> dst`` (BFS, neighbours in sorted order), or None."""
        if src == dst:
            return [src]
        parent: dict[str, str] = {src: src}
        queue = deque([src])
        while queue:
            node = queue.popleft()
            for nxt in sorted(self.succ.get(node, ())):
                if nxt in parent:
                    continue
                parent[nxt] = node
                if nxt == dst:
                    out = [dst]
                    while out[-1] != src:
                        out.append(parent[out[-1]])
                    return out[::-1]
                queue.append(nxt)
        return None

    def would_cycle(self, provider: str, consumer: str) -> list[str] | None:
        """The cycle that adding ``provider -> consumer`` would close (first node = last), or None."""
        if provider == consumer:
            return [provider, provider]
        back = self.path(consumer, provider)
        return [provider, *back] if back else None

    def check_new(self, edges: Iterable[Edge]) -> tuple[list[str], list[str]] | None:
        """Add ``edges`` one by one; on the first that closes a cycle, undo all and return
        ``(cycle, via notes)``. Otherwise keep them and return None."""
        added: list[Edge] = []
        for edge in edges:
            cycle = self.would_cycle(edge.provider, edge.consumer)
            if cycle is not None:
                notes = self._notes(cycle, extra=edge)
                for e in added:
                    self._remove(e)
                return cycle, notes
            if edge.via not in self.via(edge.provider, edge.consumer):
                added.append(edge)
            self.add(edge.provider, edge.consumer, edge.via)
        return None

    def _remove(self, edge: Edge) -> None:
        vias = self.succ.get(edge.provider, {}).get(edge.consumer)
        if vias and edge.via in vias:
            vias.remove(edge.via)
            if not vias:
                del self.succ[edge.provider][edge.consumer]

    def _notes(self, cycle: list[str], extra: Edge | None = None) -> list[str]:
        notes = []
        for a, b in itertools.pairwise(cycle):
            vias = self.via(a, b)
            if extra is not None and (a, b) == (extra.provider, extra.consumer) and extra.via not in vias:
                vias = [*vias, f"{extra.via} (new)"]
            notes.append(f"{a} -> {b} via {', '.join(vias) or '?'}")
        return notes

    def find_cycle(self) -> tuple[list[str], list[str]] | None:
        """One cycle of the whole graph with its via notes, or None when acyclic."""
        return self.analyze()[1]

    def merge_order(self) -> list[list[str]]:
        """Waves of repos, providers first; repos within a wave can merge in parallel (sorted, so
        the order is the same on every machine). Raises :class:`graphlib.CycleError` on a cycle."""
        order, cycle = self.analyze()
        if order is None:
            assert cycle is not None
            raise graphlib.CycleError("nodes are in a cycle", cycle[0])
        return order

    def analyze(self) -> tuple[list[list[str]] | None, tuple[list[str], list[str]] | None]:
        """``(merge order, None)`` for an acyclic graph, ``(None, (cycle, via notes))`` otherwise.

        Kahn's algorithm in sorted waves (one pass, O(V+E)); only when nodes are left over is
        :mod:`graphlib` asked for the cycle's path.
        """
        succ = self.succ
        indegree = dict.fromkeys(succ, 0)
        for row in succ.values():
            for consumer in row:
                indegree[consumer] += 1
        wave = sorted(node for node, deg in indegree.items() if deg == 0)
        order: list[list[str]] = []
        done = 0
        while wave:
            order.append(wave)
            done += len(wave)
            ready = []
            for node in wave:
                for consumer in succ[node]:
                    indegree[consumer] -= 1
                    if indegree[consumer] == 0:
                        ready.append(consumer)
            wave = sorted(ready)
        if done == len(indegree):
            return order, None
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for provider in sorted(succ):
            sorter.add(provider)
            for consumer in sorted(succ[provider]):
                sorter.add(consumer, provider)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = list(exc.args[1])
            return None, (cycle, self._notes(cycle))
        raise AssertionError("Kahn's algorithm and graphlib disagree")  # pragma: no cover


def realm_edges(realm: Realm) -> list[Edge]:
    edges: list[Edge] = []
    for dom in realm.domains.values():
        for provider in dom.providers:
            for member in dom.members:
                if member != provider and member not in dom.providers:
                    edges.append(Edge(provider, member, dom.name))
    for (domain, repo), binding in realm.bindings.items():
        for imp in binding.imports:
            con = realm.contracts.get((domain, imp.contract))
            if con is not None:
                edges.append(Edge(con.owner, repo, f"{domain}/{imp.contract}"))
    return edges
