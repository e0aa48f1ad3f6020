"""Live coordination: sessions.db, the actor mailbox every blue process on a machine shares.

Sessions say who is working where (heartbeat every 10 s, stale after 30 s or when their pid is
gone); notifications say which contract changed (deduplicated, acknowledged per repo, expiring).
Git stays the source of truth: this layer is best-effort hints, but it never corrupts, loses or
duplicates what it holds. See docs/SESSIONS.md.
"""

from blue_tui.core.sessions.api import (
    ResetResult,
    SessionsDb,
    SyncSessionsDb,
    open_sessions,
    reset,
    ttl_seconds,
)
from blue_tui.core.sessions.errors import (
    NoSuchNotification,
    NoSuchSession,
    SessionsBusy,
    SessionsDbCorrupt,
    SessionsDbForeign,
    SessionsDbNewer,
    SessionsDbUnsafe,
    SessionsError,
)
from blue_tui.core.sessions.model import (
    HEARTBEAT_INTERVAL,
    LATE_AFTER,
    STALE_AFTER,
    SYSTEM_CLOCK,
    Change,
    Clock,
    ContractChange,
    Notification,
    Session,
    SessionSpec,
    Viewer,
)

__all__ = [
    "HEARTBEAT_INTERVAL",
    "LATE_AFTER",
    "STALE_AFTER",
    "SYSTEM_CLOCK",
    "Change",
    "Clock",
    "ContractChange",
    "NoSuchNotification",
    "NoSuchSession",
    "Notification",
    "ResetResult",
    "Session",
    "SessionSpec",
    "SessionsBusy",
    "SessionsDb",
    "SessionsDbCorrupt",
    "SessionsDbForeign",
    "SessionsDbNewer",
    "SessionsDbUnsafe",
    "SessionsError",
    "SyncSessionsDb",
    "Viewer",
    "open_sessions",
    "reset",
    "ttl_seconds",
]
