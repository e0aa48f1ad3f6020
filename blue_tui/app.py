"""The Textual dashboard (`blue-tui`): services, the action registry's bindings, the panes.

`blue-tui [--realm NAME] [--read-only]`. Panes are listed in blue_tui.core.actions.PANES and
mounted the first time they are shown; each loads its data in a worker, so the first frame
paints before any network, git or disk work finishes. The live hub (screens/live.py) registers
the dashboard's session once the first frame is up and deregisters it when the app exits; the
realm workflows (``s``, ``w``, ``p``) are in screens/workflows.py.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Static

from blue_tui import __version__
from blue_tui.core.actions import BY_ID, PANES, Keymap, KeymapError, load_keymap, resolve
from blue_tui.core.services import Services
from screens.base import Pane
from screens.key_footer import KeyFooter
from screens.keys import bindings_for
from screens.live import LiveHub
from screens.palette import ActionCommands
from screens.workflows import Workflows

#: App-level actions that open a workflow: not while a modal (a confirmation, a result) is up.
WORKFLOW_ACTIONS = frozenset({"realm_sync", "realm_worktree", "realm_prs"})


def styles_dir() -> Path:
    """styles/ inside the installed wheel (blue_tui/styles), else the checkout's top-level styles/."""
    packaged = resources.files("blue_tui").joinpath("styles")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "styles"


def pane_class(pane_id: str) -> type[Pane]:
    spec = next(p for p in PANES if p.id == pane_id)
    module, _, name = spec.widget.partition(":")
    cls: type[Pane] = getattr(importlib.import_module(module), name)
    return cls


class PaneTabs(Static):
    """The numbered pane titles; the current one highlighted; pending notifications counted."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.current = "graph"
        #: Pane id -> a badge after its title (``(2 ✗1)``: two pending notifications, one breaking).
        self.badges: dict[str, str] = {}

    def show_current(self, current: str | None = None) -> None:
        self.current = current or self.current
        text = Text()
        for pane in PANES:
            style = "reverse bold" if pane.id == self.current else ""
            badge = self.badges.get(pane.id)
            text.append(f" {pane.number} {pane.title}" + (f" {badge}" if badge else "") + " ", style=style)
            text.append(" ")
        self.update(text)


class BlueApp(App[None]):
    TITLE = "blue"
    CSS_PATH = str(styles_dir() / "app.tcss")
    COMMANDS = {ActionCommands}  # noqa: RUF012 (Textual declares it)
    BINDINGS: ClassVar[list[BindingType]] = bindings_for(None)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it)

    def __init__(self, services: Services, *, initial_pane: str = "graph") -> None:
        super().__init__()
        self.services = services
        self.initial_pane = initial_pane
        self.current_pane = initial_pane
        self.keymap_error: KeymapError | None = None
        try:
            self.keymap = load_keymap(services.settings.user_config_path)
        except KeymapError as exc:
            self.keymap_error = exc
            self.keymap = Keymap({}, None)
        self.set_keymap(self.keymap.textual())
        self.sub_title = "read-only" if services.read_only else ""
        self.live = LiveHub(services)
        self.workflows = Workflows(self, services)

    @property
    def read_only(self) -> bool:
        return self.services.read_only

    def compose(self) -> ComposeResult:
        yield PaneTabs(id="tabs")
        with ContentSwitcher(id="panes", initial=f"pane-{self.initial_pane}"):
            yield pane_class(self.initial_pane)(self.services)
        yield KeyFooter()
        yield self.live

    def on_load(self) -> None:
        """Before the first frame: the realm (the graph and the live hub both need it) loads meanwhile."""
        self.services.preload_realm()

    def on_mount(self) -> None:
        self.query_one(PaneTabs).show_current(self.initial_pane)

    def on_live_hub_pending_changed(self, message: LiveHub.PendingChanged) -> None:
        found = self.query(PaneTabs)
        if not found:  # the app is closing
            return
        tabs = found.first()
        badge = f"({message.pending}" + (f" ✗{message.breaking}" if message.breaking else "") + ")"
        tabs.badges = {"notifications": badge} if message.pending else {}
        tabs.show_current()

    def on_ready(self) -> None:
        """The first frame is on screen: now the first pane may start its loads."""
        pane = self.pane()
        if pane is not None:
            pane.activate()
        self.live.start()
        if self.keymap_error is not None:
            from screens.modals import ErrorScreen

            self.push_screen(
                ErrorScreen("Your key remapping was not applied (default keys are in use)", self.keymap_error)
            )

    async def on_unmount(self) -> None:
        """Leaving: the dashboard's session is deregistered (a crash leaves a pid that is gone)."""
        await self.live.close()

    # ---- panes ---------------------------------------------------------------------------------

    def pane(self, pane_id: str | None = None) -> Pane | None:
        found = self.query(f"#pane-{pane_id or self.current_pane}")
        widget = found.first() if found else None
        return widget if isinstance(widget, Pane) else None

    async def action_show_pane(self, pane_id: str) -> None:
        switcher = self.query_one("#panes", ContentSwitcher)
        pane = self.pane(pane_id)
        if pane is None:
            pane = pane_class(pane_id)(self.services)
            await switcher.mount(pane)
        self.current_pane = pane_id
        switcher.current = pane.id
        self.query_one(PaneTabs).show_current(pane_id)
        pane.activate()
        self.refresh_bindings()

    def action_targets(self) -> dict[str | None, Widget | None]:
        """Where each group of actions runs now (the palette offers these)."""
        targets: dict[str | None, Widget | None] = {None: None}
        pane = self.pane()
        if pane is not None:
            targets[pane.PANE_ID] = pane
            targets.update(pane.subviews())
        return targets

    def keys_of(self, action_id: str) -> tuple[str, ...]:
        return self.keymap.keys(action_id)

    # ---- global actions ------------------------------------------------------------------------

    def action_refresh_pane(self) -> None:
        pane = self.pane()
        if pane is not None:
            pane.action_refresh_pane()

    def action_filter(self) -> None:
        pane = self.pane()
        if pane is not None:
            pane.action_filter()

    def action_go_back(self) -> None:
        pane = self.pane()
        if pane is not None:
            pane.back()

    def action_help(self) -> None:
        from screens.help import HelpScreen

        self.push_screen(HelpScreen(resolve(self.keymap.overrides), read_only=self.read_only))

    def action_list_move(self, where: str) -> None:
        """j/k/g/G in every list: DataTables and the pane's scrolling views."""
        focused = self.focused
        if isinstance(focused, DataTable):
            if not focused.row_count:
                return
            rows = {
                "down": focused.cursor_row + 1,
                "up": focused.cursor_row - 1,
                "top": 0,
                "bottom": focused.row_count - 1,
            }
            focused.move_cursor(row=max(0, min(rows[where], focused.row_count - 1)))
            return
        method = {"down": "cursor_down", "up": "cursor_up", "top": "scroll_top", "bottom": "scroll_bottom"}[
            where
        ]
        handler = getattr(focused, f"action_{method}", None)
        if handler is not None:
            handler()
        elif focused is not None and where in ("down", "up"):
            focused.scroll_relative(y=1 if where == "down" else -1, animate=False)

    # ---- the realm workflows (writes: hidden in --read-only) ---------------------------------------

    def action_realm_sync(self) -> None:
        self.workflows.sync()

    def action_realm_worktree(self) -> None:
        self.workflows.worktree_menu()

    def action_realm_prs(self) -> None:
        self.workflows.prs()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WORKFLOW_ACTIONS and isinstance(self.screen, ModalScreen):
            return False
        return not (
            self.read_only and any(a.writes and a.method == action and a.pane is None for a in BY_ID.values())
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blue-tui",
        description="The blue dashboard: 1 realm graph, 2 contracts, 3 dialogues, 4 sessions, "
        "5 notifications; s syncs, w worktrees, p PRs. Press ? inside for every key.",
    )
    parser.add_argument("--realm", metavar="NAME", help="realm name (from $BLUE_HOME/index.yaml) or folder")
    parser.add_argument("--read-only", action="store_true", help="hide every action that writes")
    parser.add_argument("--version", action="version", version=f"blue-tui {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from blue_tui.core.config import Settings
    from blue_tui.core.errors import BlueError

    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except BlueError as exc:
        print(f"blue-tui: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    BlueApp(Services(settings, realm=args.realm, read_only=args.read_only, cwd=Path.cwd())).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
