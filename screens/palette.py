"""The command palette's commands: the registry's actions that apply where it was opened."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import format_key
from textual.widget import Widget

from blue_tui.core.actions import ACTIONS, Action


class ActionHost(Protocol):
    """What the app tells the palette: where an action would run now, and its keys."""

    def action_targets(self) -> dict[str | None, Widget | None]: ...

    def keys_of(self, action_id: str) -> tuple[str, ...]: ...

    @property
    def read_only(self) -> bool: ...


class ActionCommands(Provider):
    def _available(self) -> list[tuple[Action, Callable[[], object]]]:
        host: ActionHost = self.app  # type: ignore[assignment]
        targets = host.action_targets()
        out: list[tuple[Action, Callable[[], object]]] = []
        for action in ACTIONS:
            if action.id == "app.palette" or (host.read_only and action.writes) or action.pane not in targets:
                continue
            target = targets[action.pane]
            out.append((action, partial(self.app.call_later, self.app.run_action, action.method, target)))
        return out

    def _label(self, action: Action) -> str:
        host: ActionHost = self.app  # type: ignore[assignment]
        keys = ", ".join(format_key(k) for k in host.keys_of(action.id))
        return f"{action.description} ({keys})"

    async def discover(self) -> Hits:
        for action, run in self._available():
            yield DiscoveryHit(self._label(action), run, help=action.id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, run in self._available():
            label = self._label(action)
            score = matcher.match(f"{label} {action.id}")
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help=action.id)
