"""Resetting the local store after the local key was lost: the one remedy seed 001 allows.

Every dialogue partition and audit marker is deleted, a fresh local key is written,
and a `reset` audit event says so (the chain itself is kept: it is the record of what
happened). This machine's high-water marks of the wiped dialogues are dropped with
them. Refused for KMS keys and for endpoints that are not on this machine: the remedy
for a lost local key must never touch production data.
"""

from __future__ import annotations

from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import Anchor
from blue_tui.core.crypto.local_provider import LocalFileKeyProvider
from blue_tui.core.errors import KeyProblem
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.audit_records import SUBJECT_PREFIX
from blue_tui.core.store.data_keys import DataKeys


def reset_local_store(settings: Settings, keys: DataKeys, audit: AuditLog, *, workers: int = 4) -> int:
    """Wipe every dialogue and make a fresh local key. Returns the number of dialogues wiped."""
    provider = keys.provider
    if not isinstance(provider, LocalFileKeyProvider):
        raise KeyProblem("only the local key provider can be reset", hint="unset BLUE_KEY_PROVIDER=kms")
    if not settings.endpoint_is_local:
        raise KeyProblem(
            f"refusing to wipe dialogues at {settings.endpoint_label}: not a local endpoint",
            hint="reset works only against DynamoDB Local (DYNAMODB_ENDPOINT on 127.0.0.1)",
        )
    doomed = tbl.scan_keys(
        settings,
        "begins_with(PK, :d) OR (PK = :a AND begins_with(SK, :s))",
        {":d": {"S": "dialogue#"}, ":a": {"S": audit.pk}, ":s": {"S": SUBJECT_PREFIX}},
    )
    dialogues = {key["PK"]["S"] for key in doomed if key["PK"]["S"].startswith("dialogue#")}
    tbl.batch_write(settings, deletes=doomed, workers=workers)
    fingerprint = provider.create(replace=True)
    keys.forget()
    event = audit.append(
        operation="reset",
        key_id=f"local:{fingerprint}",
        principal=keys.user,
        trace=keys.trace.child(),
        detail={"dialogues_wiped": len(dialogues), "items_wiped": len(doomed)},
    )
    audit.high_water.record(forget_dialogues=True, audit=Anchor(event.seq, event.event_hash))
    return len(dialogues)
