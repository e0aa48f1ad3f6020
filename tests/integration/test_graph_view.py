"""The graph pane's facts from real realm repos: cycles, import states, check problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from blue_tui.core.realm.graph_layout import layout
from blue_tui.core.realm.graph_view import build_graph
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.problems import Problem
from tests.realm_builders import SCHEMA_V2, RealmBuilder

pytestmark = pytest.mark.integration


def test_a_cycle_is_marked_on_its_edges(tmp_path: Path) -> None:
    b = RealmBuilder(tmp_path / "realm")
    b.repo("api").repo("web").repo("docs")
    b.domain("users", ["api", "web"], providers=["api"])
    b.domain("screens", ["web", "api"], providers=["web"])
    b.domain("manual", ["api", "docs"], providers=["api"])
    b.commit("a cycle, edited by hand")
    graph = build_graph(load_realm(b.root))
    assert graph.cycle is not None and set(graph.cycle) == {"api", "web"}
    states = {(e.provider, e.consumer): e.state for e in graph.edges}
    assert states == {("api", "web"): "cycle", ("web", "api"): "cycle", ("api", "docs"): "declared"}
    details = dict(graph.details("edge:api->web"))
    assert details["cycle"].count("->") == 2
    text = "\n".join(layout(graph).rows)
    assert "↺" in text and "◀" in text


def test_import_states_and_failing_checks(tmp_path: Path) -> None:
    b = RealmBuilder(tmp_path / "realm")
    b.repo("aperture").repo("fungal").repo("web")
    b.domain("s3", ["aperture", "fungal", "web"])
    b.contract("s3", "perms", "1.1.0", "aperture", SCHEMA_V2, evolution=["1.0.0", "1.1.0"])
    b.binding("s3", "aperture", exports=["perms"])
    b.binding("s3", "fungal", imports=[("perms", "^1.0.0", "1.0.0")])  # resolved to an older version
    b.binding("s3", "web", imports=[("perms", "^1.0.0", None)])  # never resolved
    b.commit()
    realm = load_realm(b.root)
    failing = Problem("error", "source-missing", "models/s3.py is missing", repo="aperture", domain="s3")
    graph = build_graph(realm, [failing], you="fungal", checked_at="2026-01-24 12:00 UTC")
    states = {(e.provider, e.consumer): e.state for e in graph.edges}
    assert states == {("aperture", "fungal"): "stale", ("aperture", "web"): "pending"}
    assert graph.nodes["aperture"].state == "failing" and graph.nodes["fungal"].you
    details = graph.details("repo:aperture")
    assert (
        "last check",
        "2026-01-24 12:00 UTC, realm commit " + realm.commit[:12] + ": 1 error(s), 0 warning(s)",
    ) in [(k, v) for k, v in details]
    assert ("error", "[source-missing] models/s3.py is missing") in details
    canvas = layout(graph)
    assert "[aperture ✗]" in "\n".join(canvas.rows)
    assert {"node.failing", "node.you", "edge.stale", "edge.pending"} <= {
        s for row in canvas.spans for *_, s in row
    }
