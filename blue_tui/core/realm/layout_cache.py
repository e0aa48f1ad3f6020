"""Realm graph layouts remembered on disk: a layout is a pure function of what is drawn (node
texts and styles, edge labels and states), so the dashboard reopened on an unchanged realm skips
grandalf. Files live in ``$XDG_CACHE_HOME/blue/graph-layouts/`` named by a SHA-256 of that input;
a damaged or foreign file is ignored and recomputed, never trusted beyond its shape."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson

from blue_tui.core.realm.graph_layout import FORMAT, Canvas, layout, node_text
from blue_tui.core.realm.graph_view import RealmGraph

#: Cached layouts kept (the newest); a realm has one or two (before and after its check).
KEEP = 64


def layout_key(graph: RealmGraph) -> str:
    """What the drawing depends on: node texts and styles, edge labels and states."""
    h = hashlib.sha256(f"blue.graph-layout.v{FORMAT}".encode())
    for name in sorted(graph.nodes):
        text, style = node_text(graph, name)
        h.update(json.dumps([name, text, style, graph.nodes[name].id]).encode())
    for e in graph.edges:
        h.update(json.dumps([e.provider, e.consumer, e.label, e.state, e.id]).encode())
    return h.hexdigest()


def _from_json(data: Any) -> Canvas:
    """A cached canvas, checked in shape only (width, height, every row's width); spans and
    regions are used as read, and the widget drawing them tolerates garbage in them."""
    canvas = Canvas(
        data["width"], data["height"], data["rows"], data["spans"], data["regions"], data["order"]
    )
    if not (isinstance(canvas.width, int) and isinstance(canvas.height, int)):
        raise ValueError("width and height must be numbers")
    if not (
        isinstance(canvas.rows, list) and isinstance(canvas.spans, list) and isinstance(canvas.regions, dict)
    ):
        raise ValueError("rows, spans and regions have the wrong shape")
    if len(canvas.rows) != canvas.height or len(canvas.spans) != canvas.height:
        raise ValueError("rows and height disagree")
    if any(not isinstance(r, str) or len(r) != canvas.width for r in canvas.rows):
        raise ValueError("a row has the wrong width")
    if not isinstance(canvas.order, list) or not all(isinstance(e, str) for e in canvas.order):
        raise ValueError("order must be element ids")
    return canvas


def cached_layout(graph: RealmGraph, cache_dir: Path | None) -> Canvas:
    """:func:`layout`, remembered in ``cache_dir`` by :func:`layout_key`: the layout is a pure
    function of the drawing's input, so reopening the dashboard on the same realm skips it."""
    if cache_dir is None:
        return layout(graph)
    path = cache_dir / f"{layout_key(graph)}.json"
    try:
        return _from_json(orjson.loads(path.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    canvas = layout(graph)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".layout-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(asdict(canvas), handle, separators=(",", ":"), ensure_ascii=False)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        old = sorted(cache_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for stale in old:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return canvas
