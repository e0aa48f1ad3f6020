"""Contract changes become notifications: the one entry point every realm writer calls."""

from __future__ import annotations

from collections.abc import Sequence

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError
from blue_tui.core.sessions.api import open_sessions
from blue_tui.core.sessions.model import ContractChange, Notification


def notify_contract_change(
    settings: Settings,
    *,
    realm: str,
    domain: str,
    contract: str,
    owner: str | None,
    version: str,
    previous: str | None = None,
    compatible: bool | None = None,
    changes: Sequence[str] = (),
    commit: str | None = None,
) -> Notification | None:
    """Post that ``domain/contract`` is now at ``version`` (``previous`` None: a new contract).

    ``compatible`` is the compatibility checker's verdict for previous -> version in the
    contract's directions: False makes the notification ``breaking``, otherwise ``updated``.
    Best effort, after the realm commit: returns None when the change was already notified or
    the sessions database cannot be used (the command's own session reports that problem).
    """
    change = ContractChange(
        realm=realm,
        domain=domain,
        contract=contract,
        from_repo=owner,
        to_version=version,
        from_version=previous,
        compatible=compatible,
        summary="; ".join(str(c) for c in changes),
        commit=commit,
    )
    try:
        with open_sessions(settings) as db:
            return db.notify(change)
    except BlueError:
        return None
