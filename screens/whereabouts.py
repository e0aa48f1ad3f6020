"""What the dashboard works on: the realm, the member repo it was started in, that repo's domains
and checkout (its session in sessions.db says so, and the live panes filter by it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from blue_tui.core.errors import BlueError

if TYPE_CHECKING:
    from blue_tui.core.services import Services


@dataclass(frozen=True)
class Whereabouts:
    """What the dashboard works on: the realm (None outside one), this repo and its domains."""

    realm: str | None = None
    repo: str | None = None
    domains: frozenset[str] | None = None
    checkout: str | None = None


def whereabouts(services: Services) -> Whereabouts:
    """Worker thread: the realm and repo the dashboard shows (nothing when there is no realm)."""
    from blue_tui.core.sessions.realmview import participating_domains

    try:
        located, realm = services.shared_realm()  # the graph pane's load, when it is under way
    except BlueError:
        return Whereabouts()
    repo = located.member(realm.name)
    domains = participating_domains(realm, repo) if repo else None
    checkout = str(located.repo_root) if repo and located.repo_root else None
    return Whereabouts(realm.name, repo, domains, checkout)
