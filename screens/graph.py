"""Pane 1, the realm graph: repos as nodes, provider -> consumer edges with their imports' state
and contract versions; a cycle, an out-of-range import or a failing check is marked. The list
beside the drawing holds every repo and edge (``/`` filters it, ``j``/``k`` move); the selected
one is highlighted in the drawing and described below the list (bindings, ranges, last check).

Three steps, each in a worker, each painted as it lands: the realm is loaded and the list, the
summary and the details are shown; then the drawing is laid out (remembered on disk by the
graph's shape; grandalf takes seconds at 50 repos when it is not) and the list takes its reading
order; then the contract check marks both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from blue_tui.core.realm.graph_layout import Canvas
from blue_tui.core.realm.graph_view import GLYPHS, GraphEdge, RealmGraph
from screens.base import FilterBar, Pane
from screens.element_list import ElementList, Row
from screens.graph_canvas import GraphCanvas
from screens.keys import bindings_for
from screens.loads import Channel, Loads

if TYPE_CHECKING:
    from blue_tui.core.realm.locate import Located
    from blue_tui.core.realm.model import Realm
    from blue_tui.core.services import Services
    from blue_tui.core.sessions import Notification
    from screens.live import LiveHub


@dataclass
class GraphData:
    graph: RealmGraph
    #: None until the drawing has been laid out (the list and details show before it).
    canvas: Canvas | None
    located: Located
    realm: Realm
    #: Edge id -> edge (``RealmGraph.edge`` scans the list: once per row, that was quadratic).
    edges: dict[str, GraphEdge] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.edges = {e.id: e for e in self.graph.edges}

    def order(self) -> list[str]:
        """The list's elements: the drawing's reading order, else repos then edges by name."""
        if self.canvas is not None:
            return self.canvas.order
        edges = sorted(self.graph.edges, key=lambda e: (e.provider, e.consumer, e.id))
        return [f"repo:{name}" for name in sorted(self.graph.nodes)] + [e.id for e in edges]


COLUMNS = (" ", "repo or edge", "state")
#: How long the load's worker waits for its result to be painted before it closes the cache.
SHOWN_WAIT = 1.0


def _layout(pane: GraphPane, graph: RealmGraph) -> Canvas:
    from blue_tui.core.gcpause import gc_paused
    from blue_tui.core.realm.layout_cache import cached_layout

    with gc_paused():  # a cached drawing is tens of thousands of small objects
        return cached_layout(graph, pane.services.layout_dir())


def load_graph(pane: GraphPane, channel: Channel[GraphData], *, max_age: float) -> GraphData:
    """Worker thread, first: the realm (the app's shared load, when at most ``max_age`` seconds
    old) and its graph, not yet drawn. The result is posted as soon as it is built, and the
    worker steps aside until it is painted before the realm's cache is closed (which writes its
    hit counters: a write transaction, and the thread and the UI taking turns at the GIL held
    the list's first frame back by tens of ms)."""
    from blue_tui.core.gcpause import gc_paused
    from blue_tui.core.realm.graph_view import build_graph

    shown: list[GraphData] = []

    def show(located: Located, realm: Realm) -> None:
        with gc_paused():
            graph = build_graph(realm, realm.problems, you=located.member(realm.name))
        shown.append(GraphData(graph, None, located, realm))
        channel.post(shown[0], until_drawn=SHOWN_WAIT)

    pane.services.shared_realm(max_age=max_age, then=show)
    return shown[0]


def check_graph(pane: GraphPane, data: GraphData) -> GraphData:
    """Worker thread, once the graph is on screen: the realm's contract check marks it."""
    from blue_tui.core.realm.cache import Cache, cache_path_for
    from blue_tui.core.realm.check import CheckOptions, run_check
    from blue_tui.core.realm.graph_view import build_graph

    with Cache(cache_path_for(data.located)) as cache:
        report = run_check(data.located, CheckOptions(modes=("contract",), run_hooks=False), cache=cache)
    you = data.located.member(data.realm.name)
    graph = build_graph(data.realm, report.problems, you=you, checked_at=pane.services.now_text())
    # (no drawing when laying out failed: the check still marks the list)
    canvas = _layout(pane, graph) if data.canvas is not None else None
    return GraphData(graph, canvas, data.located, data.realm)


class GraphPane(Pane):
    PANE_ID = "graph"
    BINDINGS = bindings_for("graph")

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(services, id=id)
        self.data: GraphData | None = None
        self.loads: Loads[GraphData] = Loads(self, "graph-load")
        self.layout_loads: Loads[Canvas] = Loads(self, "graph-layout")
        self.check_loads: Loads[GraphData] = Loads(self, "graph-check")
        #: Laying out the drawing failed (the list and the check go on without it).
        self.layout_failed = False
        #: Repo -> what its live sessions are (kind), from the live hub: marked in the list.
        self.live: dict[str, list[str]] = {}
        #: The load result posted (and shown) before its worker ended.
        self._posted: GraphData | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="graph-summary", classes="pane-summary")
        yield from self.compose_error()
        yield LoadingIndicator(id="graph-loading")
        with Horizontal(id="graph-body", classes="pane-body") as body:
            body.display = False
            yield GraphCanvas(id="graph-canvas")
            with Vertical(id="graph-side", classes="side"):
                yield ElementList(COLUMNS, id="graph-list")
                yield Static("", id="graph-details", classes="details")
        yield FilterBar(placeholder="filter repos and edges", id="graph-filter")

    def main_widget(self) -> Widget | None:
        return self.query_one("#graph-list", ElementList)

    @property
    def rows(self) -> list[str]:
        """The elements the list shows, in its order."""
        return self.query_one("#graph-list", ElementList).keys

    def refresh_data(self) -> None:
        self.query_one("#graph-loading").display = True
        self.layout_loads.cancel()
        self.check_loads.cancel()
        self.layout_failed = False
        max_age = self.realm_max_age()
        self.loads.stream(
            lambda channel: load_graph(self, channel, max_age=max_age),
            self._loaded_early,
            self._loaded_again,
            self._failed,
            description="load the realm",
        )

    def _loaded_early(self, data: GraphData) -> None:
        self._posted = data
        self._loaded(data)

    def _loaded_again(self, data: GraphData) -> None:
        if self._posted is not data:  # its early post was dropped: show it now
            self._loaded(data)

    def _loaded(self, data: GraphData) -> None:
        self._show(data)
        # the drawing is laid out once the list is painted, so it never delays that frame: the
        # list measures its rows when idle, after the first refresh, and paints after the next
        self.call_after_refresh(self.call_after_refresh, self._start_layout, data)

    def _start_layout(self, data: GraphData) -> None:
        self.layout_loads.start(
            lambda: _layout(self, data.graph),
            lambda canvas: self._laid_out(data, canvas),
            lambda exc: self._layout_failed(data, exc),
            description="lay out the graph",
        )

    def _laid_out(self, data: GraphData, canvas: Canvas) -> None:
        if self.data is not data:
            return  # the check's graph replaced it meanwhile (it brings its own drawing)
        data.canvas = canvas
        self._show(data)
        # the check starts once the drawing is painted, so it never delays that frame
        self.call_after_refresh(self._start_check, data)

    def _start_check(self, data: GraphData) -> None:
        self.check_loads.start(
            lambda: check_graph(self, data), self._show, self._check_failed, description="check"
        )

    def _layout_failed(self, data: GraphData, exc: BaseException) -> None:
        from screens.base import problem_text

        message, hint = problem_text(exc)
        self.app.notify(
            f"{message}\nnext: {hint}", title="drawing the graph failed", severity="error", markup=False
        )
        self.layout_failed = True
        if self.data is data:
            self._summary(data.graph)
            self._start_check(data)

    def _check_failed(self, exc: BaseException) -> None:
        from screens.base import problem_text

        message, hint = problem_text(exc)
        self.app.notify(
            f"{message}\nnext: {hint}", title="realm check failed", severity="error", markup=False
        )

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#graph-loading").display = False
        self.query_one("#graph-body").display = False
        self.show_error(exc, doing="loading the realm")

    def _show(self, data: GraphData) -> None:
        self.data = data
        self.hide_error()
        self.query_one("#graph-loading").display = False
        self.query_one("#graph-body").display = True
        self._summary(data.graph)
        self.query_one(GraphCanvas).show(data.canvas or Canvas())
        bar = self.query_one(FilterBar)
        self.apply_filter(bar.value)
        if not bar.has_focus:  # the check's update must not take the keyboard from the filter
            self.focus_main()

    def _summary(self, graph: RealmGraph) -> None:
        errors = sum(p.severity == "error" for p in graph.problems)
        warnings = sum(p.severity == "warning" for p in graph.problems)
        summary = Text()
        summary.append(f"realm {graph.realm}", style="bold")
        summary.append(f" · commit {(graph.commit or 'none')[:7]}{' (dirty)' if graph.dirty else ''}")
        summary.append(f" · {len(graph.nodes)} repos · {len(graph.edges)} edges")
        if self.data is not None and self.data.canvas is None and graph.nodes:
            summary.append(" · drawing failed" if self.layout_failed else " · drawing: laying out…")
        if graph.checked_at is None:
            summary.append(" · check: running…")
        else:
            summary.append(f" · check: {errors} errors, {warnings} warnings")
        if graph.cycle:
            summary.append(" · CYCLE " + " -> ".join(graph.cycle), style="bold")
        live = sorted(r for r in self.live if r in graph.nodes)
        if live:
            summary.append(" · live: " + ", ".join(live))
        self.query_one("#graph-summary", Static).update(summary)

    def _row(self, element: str) -> tuple[str, str, str]:
        assert self.data is not None
        graph = self.data.graph
        kind, _, name = element.partition(":")
        if kind == "repo":
            node = graph.nodes[name]
            mark = {"failing": "✗", "warning": "!"}.get(node.state, "●" if node.you else "○")
            live = len(self.live.get(name, ()))
            return mark, name + (" (you)" if node.you else "") + (f" ◉{live}" if live else ""), node.state
        edge = self.data.edges[element]
        return GLYPHS[edge.state], f"{edge.provider} -> {edge.consumer}", f"{edge.label[:-2]} · {edge.state}"

    def apply_filter(self, text: str) -> None:
        if self.data is None:
            return
        needle = text.strip().lower()
        listing = self.query_one("#graph-list", ElementList)
        keep = listing.cursor_key
        rows: list[Row] = []
        for element in self.data.order():
            cells = self._row(element)
            if not needle or needle in " ".join(cells).lower():
                rows.append((element, cells))
        keys = [element for element, _ in rows]
        listing.set_rows(rows, cursor=keys.index(keep) if keep in keys else 0)
        self.query_one(GraphCanvas).set_matches(set(keys) if needle else None)
        self._select(listing.cursor_key)

    def on_element_list_highlighted(self, event: ElementList.Highlighted) -> None:
        if event.element_list.id == "graph-list":
            self._select(event.key)

    def _select(self, element: str | None) -> None:
        self.query_one(GraphCanvas).select(element)
        details = Text()
        if element is not None and self.data is not None:
            for label, value in self.data.graph.details(element):
                details.append(f"{label}: ", style="bold")
                details.append(value + "\n")
            kinds = self.live.get(element.partition(":")[2]) if element.startswith("repo:") else None
            if kinds:
                details.append("live sessions: ", style="bold")
                details.append(", ".join(kinds) + "\n")
        self.query_one("#graph-details", Static).update(details)

    def action_details(self) -> None:
        self.query_one("#graph-details").scroll_visible()

    # ---- live sessions (the hub tells) and the selection the realm workflows act on ----------------

    def live_changed(self, hub: LiveHub, what: str, fresh: list[Notification]) -> None:
        if what != "sessions":
            return
        live = {repo: [s.kind for s in sessions] for repo, sessions in hub.live_repos().items()}
        if live != self.live:
            self.live = live
            if self.data is not None:
                self._summary(self.data.graph)
                self.apply_filter(self.query_one(FilterBar).value)

    def selected_repo(self) -> str | None:
        """The repo selected in the list (None for an edge or nothing)."""
        kind, _, name = (self.query_one("#graph-list", ElementList).cursor_key or "").partition(":")
        return name if kind == "repo" else None
