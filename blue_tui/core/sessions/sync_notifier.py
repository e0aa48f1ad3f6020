"""`realm sync`'s notifier: every contract a published sync added or changed becomes a notification.

:func:`blue_tui.core.realm.sync.sync` calls its ``notifier`` once per
:class:`~blue_tui.core.realm.sync_report.SyncNotice`, after the PR is open and the realm clone
has moved to the published change. :class:`SyncNotifier` turns each contract notice into
:func:`~blue_tui.core.sessions.contracts.notify_contract_change` (the same entry point as
`blue realm admin contract`), with the compatibility checker's verdict for the old -> new schema
deciding ``updated`` or ``breaking``. A change already notified by the admin command that made it
is the same row (notifications are deduplicated by realm, contract and versions).

Not notified: binding changes (no contract moved) and removed contracts (the realm check refuses
removing one that is still imported, so nobody is left to tell).
"""

from __future__ import annotations

import functools
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.compatcheck import judge_update
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.sync_report import SyncNotice
from blue_tui.core.sessions.contracts import notify_contract_change
from blue_tui.core.sessions.model import Notification

NOTIFIED_KINDS = ("contract-added", "contract-changed")


class SyncNotifier:
    """``sync(..., notifier=SyncNotifier(settings, located.root))``; ``posted`` lists the new rows."""

    def __init__(self, settings: Settings, realm_root: Path) -> None:
        self.settings = settings
        self.root = realm_root
        self.posted: list[Notification] = []

    def __call__(self, notice: SyncNotice) -> None:
        if notice.kind not in NOTIFIED_KINDS or notice.contract is None or notice.to_version is None:
            return
        realm = load_realm(self.root)
        contract = realm.contract(notice.domain, notice.contract)
        if contract is None or contract.version != notice.to_version:
            return  # the clone moved on meanwhile: the next sync tells about the newer version
        entry = next((e for e in contract.evolution if e.version == notice.to_version), None)
        compatible = entry.compatible if entry is not None else None
        previous = notice.from_version if notice.kind == "contract-changed" else None
        if previous is not None:
            history = ContractHistory(realm)
            old = history.schema(notice.domain, notice.contract, previous)
            if old is not None:
                verdict = judge_update(
                    contract,
                    previous,
                    old.schema,
                    functools.partial(history.schema, notice.domain, notice.contract),
                    source="realm sync",
                )
                compatible = verdict.compatible
        posted = notify_contract_change(
            self.settings,
            realm=notice.realm,
            domain=notice.domain,
            contract=notice.contract,
            owner=contract.owner,
            version=notice.to_version,
            previous=previous,
            compatible=compatible,
            changes=entry.changes if entry is not None else (),
            commit=git.head(self.root),
        )
        if posted is not None:
            self.posted.append(posted)
