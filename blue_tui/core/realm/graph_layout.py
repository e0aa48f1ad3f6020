"""The realm graph laid out in layers, left to right, and drawn into a grid of text cells.

Layering, crossing reduction and coordinates come from grandalf's Sugiyama layout (pure Python,
no dependencies, no import side effects, so it can live in the core). netext was the other
candidate: it draws graphs with rich and routes edges in Rust, but it imports rich (the core must
not), installs rich's traceback hook as ``sys.excepthook`` when imported, renders the whole graph
as one renderable (no virtual scrolling), and took 10 s to route 50 repos / 200 edges here, where
grandalf lays them out in about 50 ms.

Each edge's label (contract, version, state glyph) is a vertex of its own between provider and
consumer, the way dot places edge labels, so labels get a column and a row and never overlap.
Edges spanning several layers pass through grandalf's dummy vertices; between two layers an edge
turns on its own vertical track. The result is plain text rows plus style spans named by state
(``edge.stale``, ``node.failing``) and, per element, the cells it covers, so a widget can paint
only the visible rows and highlight the selected element.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from blue_tui.core.realm.graph_view import EDGE_STATES, RealmGraph

N, E, S, W = 1, 2, 4, 8
_BOX = {
    0: " ",
    E: "─",
    W: "─",
    E | W: "─",
    N: "│",
    S: "│",
    N | S: "│",
    E | S: "╭",
    W | S: "╮",
    N | E: "╰",
    N | W: "╯",
    N | S | E: "├",
    N | S | W: "┤",
    E | W | S: "┬",
    E | W | N: "┴",
    N | E | S | W: "┼",
}
_RANK = {f"edge.{state}": i for i, state in enumerate(EDGE_STATES)}
#: Bumped whenever the drawing changes, so old cached layouts are not reused.
FORMAT = 1
#: Rows between two vertices of one layer.
ROW_GAP = 2
#: Empty columns around each layer.
PAD = 2


@dataclass
class Canvas:
    """A drawn graph: ``rows[y]`` is exactly ``width`` characters; ``spans[y]`` are
    ``(start, end, style)``; ``regions[element_id]`` the ``(y, start, end)`` cells it covers."""

    width: int = 0
    height: int = 0
    rows: list[str] = field(default_factory=list)
    spans: list[list[tuple[int, int, str]]] = field(default_factory=list)
    regions: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    #: Element ids in reading order (layer by layer, top to bottom): the pane's list order.
    order: list[str] = field(default_factory=list)

    def anchor(self, element_id: str) -> tuple[int, int] | None:
        """The cell to scroll to for an element (its first cell)."""
        cells = self.regions.get(element_id)
        return (cells[0][1], cells[0][0]) if cells else None


@dataclass
class _Item:
    """A vertex in the grid: a repo, an edge label, or a dummy an edge passes through."""

    key: str
    text: str
    style: str
    layer: int = 0
    row: int = 0
    element: str | None = None
    #: grandalf's coordinate along the layer (becomes the row).
    x: float = 0.0
    component: int = 0


class _Grid:
    def __init__(self) -> None:
        self.lines: dict[tuple[int, int], int] = {}
        self.line_style: dict[tuple[int, int], str] = {}
        self.text: dict[tuple[int, int], tuple[str, str]] = {}
        self.regions: dict[str, list[tuple[int, int, int]]] = {}

    def _mark(self, y: int, x: int, bits: int, style: str, rank: int) -> None:
        key = (y, x)
        self.lines[key] = self.lines.get(key, 0) | bits
        old = self.line_style.get(key)
        if old is None or rank > _RANK[old]:
            self.line_style[key] = style

    def hline(self, y: int, xa: int, xb: int, style: str, element: str) -> None:
        lo, hi = min(xa, xb), max(xa, xb)
        rank = _RANK[style]
        for x in range(lo, hi + 1):
            self._mark(y, x, (E if x < hi else 0) | (W if x > lo else 0) or (E | W), style, rank)
        self.regions.setdefault(element, []).append((y, lo, hi + 1))

    def vline(self, x: int, ya: int, yb: int, style: str, element: str) -> None:
        lo, hi = min(ya, yb), max(ya, yb)
        rank = _RANK[style]
        cells = self.regions.setdefault(element, [])
        for y in range(lo, hi + 1):
            self._mark(y, x, (S if y < hi else 0) | (N if y > lo else 0), style, rank)
            cells.append((y, x, x + 1))

    def put(self, y: int, x: int, text: str, style: str, element: str | None) -> None:
        for i, ch in enumerate(text):
            self.text[(y, x + i)] = (ch, style)
        if element:
            self.regions.setdefault(element, []).append((y, x, x + len(text)))


def node_text(graph: RealmGraph, name: str) -> tuple[str, str]:
    node = graph.nodes[name]
    mark = {"failing": " ✗", "warning": " !"}.get(node.state, "")
    style = "node.you" if node.you else f"node.{node.state}"
    return f"[{name}{mark}]", style


@dataclass
class _Path:
    element: str
    keys: list[str]
    style: str
    hops: list[_Item] = field(default_factory=list)


@dataclass(frozen=True)
class _Segment:
    """An edge's hop between two adjacent layers, on vertical ``track`` of that channel."""

    layer: int
    top: int
    bottom: int
    element: str
    track: int = 0


class _View:
    """What grandalf reads and writes for a vertex: size and position."""

    def __init__(self) -> None:
        self.w, self.h = 1.0, 1.0
        self.xy = (0.0, 0.0)


def layout(graph: RealmGraph) -> Canvas:
    """Lay out and draw ``graph``. Deterministic: the same graph gives the same canvas."""
    items: dict[str, _Item] = {}
    for name in sorted(graph.nodes):
        text, style = node_text(graph, name)
        items[name] = _Item(name, text, style, element=graph.nodes[name].id)
    paths = []
    for edge in graph.edges:
        label = f"label:{edge.provider}->{edge.consumer}"
        items[label] = _Item(label, f" {edge.label} ", f"edge.{edge.state}", element=edge.id)
        paths.append(_Path(edge.id, [edge.provider, label, edge.consumer], f"edge.{edge.state}"))
    components, dummies = _layers(items, paths)
    height = _assign_rows(components)
    columns = max((len(c) for c in components), default=0)
    placed = [i for comp in components for layer in comp for i in layer]
    widths = [1] * columns
    for item in placed:
        widths[item.layer] = max(widths[item.layer], len(item.text))
    for path in paths:
        path.hops = _hops(path.keys, items, dummies)
    tracks = _assign_tracks(paths, columns)
    lefts, x = [], PAD
    for layer in range(columns):
        lefts.append(x)
        x += widths[layer] + 2 * len({s.track for s in tracks.values() if s.layer == layer}) + 3
    grid = _Grid()
    for item in placed:
        if item.element is not None and item.text:
            grid.put(item.row, lefts[item.layer], item.text, item.style, item.element)
    for path in paths:
        _draw_path(grid, path, lefts, widths, tracks)
    return _paint(grid, x + PAD, height, placed)


def _layers(
    items: dict[str, _Item], paths: list[_Path]
) -> tuple[list[list[list[_Item]]], dict[tuple[str, str], dict[int, _Item]]]:
    """grandalf's layers per connected component (vertices ordered within each layer), with the
    dummy vertices long edges pass through, keyed by the hop they belong to and their layer."""
    from grandalf.graphs import Edge, Graph, Vertex  # type: ignore[import-untyped]
    from grandalf.layouts import SugiyamaLayout  # type: ignore[import-untyped]

    vertices = {key: Vertex(key) for key in items}
    for v in vertices.values():
        v.view = _View()
    edges = {}
    for path in paths:
        for a, b in itertools.pairwise(path.keys):
            edges[(a, b)] = Edge(vertices[a], vertices[b])
    g = Graph(list(vertices.values()), list(edges.values()))
    # Components side by side would waste width: stack them, biggest first (ties by name).
    ordered = sorted(g.C, key=lambda c: (-len(c.sV), min(v.data for v in c.sV)))
    dummies: dict[tuple[str, str], dict[int, _Item]] = {}
    out: list[list[list[_Item]]] = []
    singles: list[_Item] = []
    for comp in ordered:
        if len(comp.sV) == 1:
            singles.append(items[next(iter(comp.sV)).data])
            continue
        sug = SugiyamaLayout(comp)
        sug.xspace, sug.dw, sug.dh = ROW_GAP - 1, 1, 1
        roots = sorted((v for v in comp.sV if not v.e_in()), key=lambda v: v.data)
        sug.init_all(roots=roots or None)
        sug.draw(2)
        layers: list[list[_Item]] = []
        for rank, layer in enumerate(sug.layers):
            row_items = []
            for v in sorted(layer, key=lambda v: v.view.xy[0]):
                ctrl = getattr(v, "ctrl", None)
                if ctrl is None:
                    item = items[v.data]
                else:  # a dummy: its edge's end vertices are the lowest and highest ranks of ctrl
                    item = _Item(f"dummy:{len(dummies)}:{rank}", "", "")
                    a, b = ctrl[min(ctrl)].data, ctrl[max(ctrl)].data
                    dummies.setdefault((a, b) if (a, b) in edges else (b, a), {})[rank] = item
                item.layer, item.x = rank, v.view.xy[0]
                row_items.append(item)
            layers.append(row_items)
        out.append(layers)
    if singles:
        out.append([singles])
    return out, dummies


def _assign_rows(components: list[list[list[_Item]]]) -> int:
    """Rows: each layer keeps grandalf's order and roughly its coordinates, vertices at least
    ROW_GAP apart; components are stacked with a blank row between. Returns the height."""
    top = 1
    for index, layers in enumerate(components):
        base = min((i.x for layer in layers for i in layer), default=0.0)
        bottom = top
        for layer in layers:
            row = top - ROW_GAP
            for item in layer:
                item.component = index
                row = max(top + round(item.x - base), row + ROW_GAP)
                item.row = row
                bottom = max(bottom, row)
        top = bottom + ROW_GAP + 1
    return top


def _assign_tracks(paths: list[_Path], columns: int) -> dict[tuple[str, int], _Segment]:
    """Every hop that changes row gets a vertical track in the channel after its left layer;
    hops whose vertical spans overlap get different tracks (interval partitioning)."""
    by_layer: dict[int, list[_Segment]] = {}
    for path in paths:
        for a, b in itertools.pairwise(path.hops):
            left = a if a.layer < b.layer else b
            right = b if left is a else a
            if left.row != right.row:
                seg = _Segment(left.layer, min(a.row, b.row), max(a.row, b.row), path.element)
                by_layer.setdefault(left.layer, []).append(seg)
    out: dict[tuple[str, int], _Segment] = {}
    for layer in range(columns):
        ends: list[int] = []
        for seg in sorted(by_layer.get(layer, []), key=lambda s: (s.top, s.element)):
            track = next((t for t, end in enumerate(ends) if end < seg.top), len(ends))
            if track == len(ends):
                ends.append(seg.bottom)
            else:
                ends[track] = seg.bottom
            out[(seg.element, layer)] = _Segment(seg.layer, seg.top, seg.bottom, seg.element, track)
    return out


def _draw_path(
    grid: _Grid, path: _Path, lefts: list[int], widths: list[int], tracks: dict[tuple[str, int], _Segment]
) -> None:
    style, element = path.style, path.element
    for a, b in itertools.pairwise(path.hops):
        left = a if a.layer < b.layer else b
        right = b if left is a else a
        column_end = lefts[left.layer] + widths[left.layer]
        start = lefts[left.layer] + len(left.text)
        if not left.text:  # a dummy: the line runs through its whole column
            grid.hline(left.row, lefts[left.layer], column_end, style, element)
            start = column_end
        elif left.element and left.element.startswith("edge:"):  # a label: fill to the column's end
            grid.hline(left.row, start, column_end, style, element)
        end = lefts[right.layer] - 1
        seg = tracks.get((element, left.layer))
        if seg is None or left.row == right.row:
            grid.hline(left.row, start, end, style, element)
        else:
            tx = column_end + 1 + 2 * seg.track
            grid.hline(left.row, start, tx, style, element)
            grid.vline(tx, left.row, right.row, style, element)
            grid.hline(right.row, tx, end, style, element)
    last, before = path.hops[-1], path.hops[-2]
    forward = before.layer < last.layer
    tip_x = lefts[last.layer] - 1 if forward else lefts[last.layer] + len(last.text)
    grid.put(last.row, tip_x, "▶" if forward else "◀", style, element)


def _hops(
    keys: list[str], items: dict[str, _Item], dummies: dict[tuple[str, str], dict[int, _Item]]
) -> list[_Item]:
    """The vertices an edge passes, provider to consumer, dummies included."""
    out = [items[keys[0]]]
    for a, b in itertools.pairwise(keys):
        passing = dummies.get((a, b), {})
        ranks = sorted(passing, reverse=items[a].layer > items[b].layer)
        out += [passing[r] for r in ranks]
        out.append(items[b])
    return out


def _paint(grid: _Grid, width: int, height: int, items: Iterable[_Item]) -> Canvas:
    canvas = Canvas(width, height)
    chars = [[" "] * width for _ in range(height)]
    styles = [[""] * width for _ in range(height)]
    for (y, x), bits in grid.lines.items():
        if y < height and x < width:
            chars[y][x] = _BOX.get(bits, "┼")
            styles[y][x] = grid.line_style[(y, x)]
    for (y, x), (ch, style) in grid.text.items():
        if y < height and x < width:
            chars[y][x], styles[y][x] = ch, style
    for y in range(height):
        canvas.rows.append("".join(chars[y]))
        spans: list[tuple[int, int, str]] = []
        for x, style in enumerate(styles[y]):
            if not style:
                continue
            if spans and spans[-1][2] == style and spans[-1][1] == x:
                spans[-1] = (spans[-1][0], x + 1, style)
            else:
                spans.append((x, x + 1, style))
        canvas.spans.append(spans)
    canvas.regions = {k: sorted(set(v)) for k, v in grid.regions.items()}
    ordered = sorted((i for i in items if i.element), key=lambda i: (i.component, i.layer, i.row))
    canvas.order = list(dict.fromkeys(i.element for i in ordered if i.element))
    return canvas
