"""``blue realm admin ...`` as functions: init, join, leave, domain, contract, binding.

Every change validates its names, refuses to overwrite what exists (the error's hint names the
flag that updates instead), enforces one owner per contract and that only the owner's binding
exports it, keeps the provider -> consumer graph acyclic, and commits exactly the files it
touched to the realm repo with a message saying what changed. A change that fails half-way
(commit refused by a hook, disk full) puts the files back. Results are values; nothing prints.

One module per seam: :mod:`.transaction` (lock, write, commit, roll back), :mod:`.preconditions`
(what every change checks first), :mod:`.membership` (init, join, leave), :mod:`.domain`,
:mod:`.contract` (its flags' blocks in :mod:`.contract_flags`) and :mod:`.binding`. The public
names stay importable from here.
"""

from __future__ import annotations

from blue_tui.core.realm.admin.binding import ExportSpec, ImportSpec, set_binding
from blue_tui.core.realm.admin.contract import set_contract
from blue_tui.core.realm.admin.domain import set_domain
from blue_tui.core.realm.admin.membership import DEFAULT_PERMISSIONS, init_realm, join_realm, leave_realm
from blue_tui.core.realm.admin.transaction import AdminResult, Txn, now, transaction

__all__ = [
    "DEFAULT_PERMISSIONS",
    "AdminResult",
    "ExportSpec",
    "ImportSpec",
    "Txn",
    "init_realm",
    "join_realm",
    "leave_realm",
    "now",
    "set_binding",
    "set_contract",
    "set_domain",
    "transaction",
]
