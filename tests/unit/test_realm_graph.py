"""Cycle prevention (incremental, with the path) and merge order (deterministic waves)."""

from __future__ import annotations

import itertools
import random

from blue_tui.core.realm.graph import DependencyGraph, Edge


def chain(*edges: tuple[str, str]) -> DependencyGraph:
    g = DependencyGraph()
    for a, b in edges:
        g.add(a, b, f"{a}-{b}")
    return g


def test_closing_edge_prints_the_cycle_path() -> None:
    g = chain(("api", "web"), ("web", "mobile"))
    assert g.would_cycle("mobile", "api") == ["mobile", "api", "web", "mobile"]
    assert g.would_cycle("api", "mobile") is None
    assert g.would_cycle("api", "api") == ["api", "api"]


def test_check_new_undoes_everything_on_a_cycle() -> None:
    g = chain(("api", "web"))
    before = g.edge_count
    found = g.check_new([Edge("web", "mobile", "d2"), Edge("mobile", "api", "d3")])
    assert found is not None
    cycle, notes = found
    assert cycle == ["mobile", "api", "web", "mobile"]
    assert any("via d3 (new)" in n for n in notes)
    assert g.edge_count == before  # the first, harmless edge was rolled back too
    assert g.check_new([Edge("web", "mobile", "d2")]) is None
    assert g.edge_count == before + 1


def test_find_cycle_and_merge_order() -> None:
    g = chain(("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"))
    g.add_node("z")
    assert g.find_cycle() is None
    assert g.merge_order() == [["a", "z"], ["b", "c"], ["d"]]
    g.add("d", "a", "loop")
    found = g.find_cycle()
    assert found is not None
    cycle = found[0]
    assert cycle[0] == cycle[-1] and {"a", "d"} <= set(cycle)
    for x, y in itertools.pairwise(cycle):
        assert y in g.succ[x]


def test_merge_order_is_deterministic_regardless_of_insertion_order() -> None:
    edges = [(f"r{i}", f"r{j}") for i in range(30) for j in range(i + 1, 30) if (i * 7 + j) % 5 == 0]
    orders = set()
    for seed in range(5):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        orders.add(repr(chain(*shuffled).merge_order()))
    assert len(orders) == 1


def test_incremental_checks_agree_with_a_full_check() -> None:
    rng = random.Random(3)
    g = DependencyGraph()
    for _ in range(400):
        a, b = f"n{rng.randrange(40)}", f"n{rng.randrange(40)}"
        refused = g.check_new([Edge(a, b, "x")])
        if refused is None:
            assert g.find_cycle() is None
        else:
            probe = chain(*[(p, c) for p, cs in g.succ.items() for c in cs], (a, b))
            assert probe.find_cycle() is not None
