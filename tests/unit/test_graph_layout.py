"""The realm graph's layered layout: deterministic, no overlaps, edges reach their ends."""

from __future__ import annotations

import random

from blue_tui.core.realm.graph_layout import layout
from blue_tui.core.realm.graph_view import GraphEdge, GraphNode, RealmGraph, Via


def graph(nodes: list[str], edges: list[tuple[str, str, str]]) -> RealmGraph:
    g = RealmGraph("r", "abc", False)
    for n in nodes:
        g.nodes[n] = GraphNode(n, None, n == "fungal", (), ())
    for a, b, state in edges:
        g.edges.append(GraphEdge(a, b, (Via("d", f"{a}-{b}", "1.0.0", "^1", "1.0.0", state),), state))
    return g


def test_a_chain_reads_left_to_right_with_labels_and_arrows() -> None:
    canvas = layout(
        graph(["aperture", "fungal", "web"], [("aperture", "fungal", "ok"), ("fungal", "web", "unsatisfied")])
    )
    line = next(r for r in canvas.rows if "[aperture]" in r)
    assert line.index("[aperture]") < line.index("aperture-fungal 1.0.0 ✓") < line.index("▶[fungal]")
    assert line.index("[fungal]") < line.index("fungal-web 1.0.0 ✗") < line.index("▶[web]")
    assert canvas.order[0] == "repo:aperture"
    spans = {style for row in canvas.spans for _, _, style in row}
    assert {"edge.ok", "edge.unsatisfied", "node.you"} <= spans


def test_every_row_has_the_canvas_width_and_regions_stay_inside() -> None:
    rng = random.Random(5)
    names = [f"repo-{i:02d}" for i in range(30)]
    pairs = {tuple(sorted(rng.sample(range(30), 2))) for _ in range(60)}
    canvas = layout(graph(names, [(names[a], names[b], "ok") for a, b in sorted(pairs)]))
    assert all(len(r) == canvas.width for r in canvas.rows) and len(canvas.rows) == canvas.height
    for cells in canvas.regions.values():
        for y, x0, x1 in cells:
            assert 0 <= y < canvas.height and 0 <= x0 < x1 <= canvas.width
    # every repo is drawn exactly once
    text = "\n".join(canvas.rows)
    assert all(text.count(f"[{n}]") == 1 for n in names)
    assert sorted(e for e in canvas.order if e.startswith("repo:")) == sorted(f"repo:{n}" for n in names)


def test_same_graph_same_drawing() -> None:
    edges = [("a", "b", "ok"), ("a", "c", "stale"), ("b", "d", "ok"), ("c", "d", "pending"), ("a", "d", "ok")]
    assert layout(graph(list("abcde"), edges)).rows == layout(graph(list("abcde"), edges)).rows


def test_a_cycle_is_drawn_with_a_backward_arrow() -> None:
    canvas = layout(graph(["a", "b", "c"], [("a", "b", "cycle"), ("b", "c", "cycle"), ("c", "a", "cycle")]))
    text = "\n".join(canvas.rows)
    assert "◀" in text and text.count("▶") == 2
    assert "↺" in text
