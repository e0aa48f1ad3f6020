"""Realm graph layouts remembered on disk: reused when the drawing is the same, never trusted
beyond their shape."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from blue_tui.core.realm import layout_cache
from blue_tui.core.realm.graph_layout import Canvas, layout
from blue_tui.core.realm.graph_view import GraphEdge, GraphNode, RealmGraph, Via
from blue_tui.core.realm.layout_cache import cached_layout, layout_key


def graph(state: str = "ok") -> RealmGraph:
    g = RealmGraph("r", "abc", False)
    for n in ("a", "b", "c"):
        g.nodes[n] = GraphNode(n, None, False, (), ())
    g.edges = [
        GraphEdge("a", "b", (Via("d", "x", "1.0.0", "^1", "1.0.0", state),), state),
        GraphEdge("b", "c", (Via("d", "y", "1.0.0", "^1", "1.0.0", "ok"),), "ok"),
    ]
    return g


def test_the_same_drawing_is_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cached_layout(graph(), tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 1

    def no_layout(_graph: RealmGraph) -> None:
        raise AssertionError("laid out again")

    monkeypatch.setattr(layout_cache, "layout", no_layout)
    again = cached_layout(graph(), tmp_path)
    assert same(again, first) and same(first, layout(graph()))


def same(a: Canvas, b: Canvas) -> bool:
    """Equal drawings (a cached canvas holds lists where a fresh one holds tuples)."""
    return json.loads(json.dumps(asdict(a))) == json.loads(json.dumps(asdict(b)))


def test_another_state_is_another_layout(tmp_path: Path) -> None:
    assert layout_key(graph("ok")) != layout_key(graph("unsatisfied"))
    cached_layout(graph("ok"), tmp_path)
    cached_layout(graph("unsatisfied"), tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"width": 3}',
        b'{"width": 3, "height": 1, "rows": ["toolong"], "spans": [[]], "regions": {}, "order": []}',
    ],
)
def test_a_damaged_file_is_recomputed(tmp_path: Path, content: bytes) -> None:
    (tmp_path / f"{layout_key(graph())}.json").write_bytes(content)
    assert same(cached_layout(graph(), tmp_path), layout(graph()))


def test_old_layouts_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_cache, "KEEP", 1)
    cached_layout(graph("ok"), tmp_path)
    cached_layout(graph("stale"), tmp_path)
    assert [p.name for p in tmp_path.glob("*.json")] == [f"{layout_key(graph('stale'))}.json"]


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert same(cached_layout(graph(), blocked / "sub"), layout(graph()))
