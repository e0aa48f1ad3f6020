"""Textual bindings made from the core action registry (blue_tui.core.actions)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from blue_tui.core.actions import Action, actions_for


def binding(action: Action) -> Binding:
    """Its id is the action id, so ``App.set_keymap`` remaps it by that id."""
    return Binding(",".join(action.keys), action.method, action.description, show=action.footer, id=action.id)


def bindings_for(pane: str | None) -> list[BindingType]:
    return [binding(a) for a in actions_for(pane)]
