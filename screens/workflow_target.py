"""Which realm and repo a workflow (``s``, ``w``, ``p``) acts for.

"The current repo" is the member repo blue-tui was started in; outside one (``blue-tui --realm
NAME``), the repo selected in the realm graph, when it is checked out on this machine (its
``checkouts:`` entry in $BLUE_HOME/index.yaml, which `blue realm admin join` writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blue_tui.core.realm.locate import Located
    from blue_tui.core.services import Services


@dataclass(frozen=True)
class Target:
    located: Located
    realm: str
    #: The repo the workflow acts for; None when only the realm is known.
    repo: str | None
    #: How it was chosen, for the confirmations (``this checkout``, ``selected in the graph``).
    how: str


def find_target(services: Services, selected: str | None, *, need_repo: bool) -> Target:
    """Worker thread: the realm, and this repo or the selected one (see the module docstring)."""
    from blue_tui.core.realm.clone import checkouts
    from blue_tui.core.realm.errors import NotInRepo
    from blue_tui.core.realm.loader import load_realm
    from blue_tui.core.realm.locate import find_realm

    located = services.locate_realm()
    name = load_realm(located.root).name
    me = located.member(name)
    if me is not None:
        return Target(located, name, me, "this checkout")
    if selected is not None:
        path = checkouts(services.settings, name).get(selected)
        if path is None:
            raise NotInRepo(
                f"repo {selected!r} of realm {name!r} is not checked out on this machine "
                f"(no checkouts entry in {services.settings.index_path})",
                hint="join from its checkout (`blue realm admin join`), or start blue-tui inside it",
            )
        there = find_realm(services.settings, None, path)
        if there.root.resolve() != located.root.resolve() or there.member(name) != selected:
            raise NotInRepo(
                f"{path} (the checkout recorded for {selected!r}) is not a member of realm {name!r} here",
                hint=f"check {path}/.blue/config.yaml, or join again from there",
            )
        return Target(there, name, selected, "selected in the realm graph")
    if need_repo:
        raise NotInRepo(
            "which repo? blue-tui runs outside a member repo and no repo is selected in the realm graph",
            hint="select a repo in pane 1 (realm graph), or start blue-tui inside a member repo's checkout",
        )
    return Target(located, name, None, "the realm")
