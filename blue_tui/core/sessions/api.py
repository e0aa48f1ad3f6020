"""The sessions database as one object: async for the dashboard, with a sync facade for the CLI.

``SessionsDb`` (async, aiosqlite) is the API; ``SyncSessionsDb`` runs the same coroutines on a
private event loop for code without one (the CLI, worker threads, other processes). Use either
from one thread at a time; open one per thread that needs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from blue_tui.core.config import Settings
from blue_tui.core.errors import ConfigError
from blue_tui.core.sessions import location
from blue_tui.core.sessions.errors import (
    SessionsDbCorrupt,
    SessionsDbForeign,
    SessionsDbNewer,
)
from blue_tui.core.sessions.mailbox import Mailbox
from blue_tui.core.sessions.model import (
    DEFAULT_TTL_DAYS,
    SYSTEM_CLOCK,
    Clock,
    ContractChange,
    Notification,
    Session,
    SessionSpec,
    Viewer,
)
from blue_tui.core.sessions.registry import _UNSET, SessionRegistry
from blue_tui.core.sessions.store import Store, Tx

T = TypeVar("T")
TTL_VARIABLE = "BLUE_NOTIFICATIONS_TTL_DAYS"


def ttl_seconds(settings: Settings) -> float:
    """The notification TTL from ``BLUE_NOTIFICATIONS_TTL_DAYS`` (default 7 days)."""
    raw = (settings.env.get(TTL_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_TTL_DAYS * 86400
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not 0 < days <= 3650:
        raise ConfigError(
            f"{TTL_VARIABLE}={raw!r} is not a number of days between 0 and 3650",
            hint=f"e.g. {TTL_VARIABLE}=7 (notifications expire after a week)",
        )
    return days * 86400


def private_folder(settings: Settings) -> bool:
    """The default location's folder is ours to create and keep at 0700; an override's is not."""
    return not settings.env.get("BLUE_SESSIONS_DB")


class SessionsDb(SessionRegistry, Mailbox):
    """sessions.db: sessions (see :class:`SessionRegistry`) and notifications (:class:`Mailbox`)."""

    def __init__(self, store: Store, *, clock: Clock, ttl: float) -> None:
        self._store = store
        self._clock = clock
        self.ttl = ttl

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        clock: Clock = SYSTEM_CLOCK,
        ttl: float = DEFAULT_TTL_DAYS * 86400,
        create: bool = True,
        private_folder: bool = False,
    ) -> SessionsDb:
        """Open (creating the file and folder when ``create``), check it is ours, migrate it."""
        store = await Store(path, create=create, private_folder=private_folder).open()
        return cls(store, clock=clock, ttl=ttl)

    @classmethod
    async def for_settings(
        cls, settings: Settings, *, clock: Clock = SYSTEM_CLOCK, create: bool = True
    ) -> SessionsDb:
        return await cls.open(
            settings.sessions_db,
            clock=clock,
            ttl=ttl_seconds(settings),
            create=create,
            private_folder=private_folder(settings),
        )

    @property
    def path(self) -> Path:
        return self._store.path

    def now(self) -> float:
        return self._clock()

    async def clear(self) -> dict[str, int]:
        """Delete every session and notification (ids keep counting up)."""

        async def wipe(tx: Tx) -> dict[str, int]:
            sessions, _ = await tx.run("DELETE FROM sessions")
            notifications, _ = await tx.run("DELETE FROM notifications")
            await tx.run("DELETE FROM acks")
            return {"sessions": sessions, "notifications": notifications}

        return await self._store.write(wipe)

    async def close(self) -> None:
        await self._store.close()

    async def __aenter__(self) -> SessionsDb:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class SyncSessionsDb:
    """The same API, blocking. Not for a thread that already runs an event loop."""

    def __init__(self, runner: asyncio.Runner, db: SessionsDb) -> None:
        self._runner = runner
        self.db = db

    @classmethod
    def open(cls, path: Path, **options: Any) -> SyncSessionsDb:
        runner = asyncio.Runner()
        try:
            db = runner.run(SessionsDb.open(path, **options))
        except BaseException:
            runner.close()
            raise
        return cls(runner, db)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coro)

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def ttl(self) -> float:
        return self.db.ttl

    def now(self) -> float:
        return self.db.now()

    def register(
        self, spec: SessionSpec, *, session_id: str | None = None, started_at: float | None = None
    ) -> Session:
        return self._run(self.db.register(spec, session_id=session_id, started_at=started_at))

    def heartbeat(self, session_id: str) -> bool:
        return self._run(self.db.heartbeat(session_id))

    def update_session(
        self,
        session_id: str,
        *,
        active_domains: Sequence[str] | None = None,
        watching: Sequence[str] | None = None,
        worktree: str | None = _UNSET,
        rfc: str | None = _UNSET,
    ) -> bool:
        return self._run(
            self.db.update_session(
                session_id, active_domains=active_domains, watching=watching, worktree=worktree, rfc=rfc
            )
        )

    def deregister(self, session_id: str) -> bool:
        return self._run(self.db.deregister(session_id))

    def session(self, session_id: str) -> Session | None:
        return self._run(self.db.session(session_id))

    def sessions(self, *, realm: str | None = None) -> list[Session]:
        return self._run(self.db.sessions(realm=realm))

    def reap(self) -> list[Session]:
        return self._run(self.db.reap())

    def notify(self, change: ContractChange) -> Notification | None:
        return self._run(self.db.notify(change))

    def notifications(
        self, viewer: Viewer, *, state: str = "pending", since_id: int = 0
    ) -> list[Notification]:
        return self._run(self.db.notifications(viewer, state=state, since_id=since_id))

    def acknowledge(self, viewer: Viewer, ids: Sequence[int] | None = None) -> list[int]:
        return self._run(self.db.acknowledge(viewer, ids))

    def purge(self) -> int:
        return self._run(self.db.purge())

    def clear(self) -> dict[str, int]:
        return self._run(self.db.clear())

    def close(self) -> None:
        try:
            self._run(self.db.close())
        finally:
            self._runner.close()

    def __enter__(self) -> SyncSessionsDb:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_sessions(settings: Settings, *, clock: Clock = SYSTEM_CLOCK, create: bool = True) -> SyncSessionsDb:
    """The sync facade on the configured sessions.db (``create=False``: fail when it is missing)."""
    return SyncSessionsDb.open(
        settings.sessions_db,
        clock=clock,
        ttl=ttl_seconds(settings),
        create=create,
        private_folder=private_folder(settings),
    )


@dataclass(frozen=True)
class ResetResult:
    path: Path
    #: ``none`` (no file), ``cleared`` (rows deleted) or ``moved`` (a bad file renamed aside).
    action: str
    moved_to: Path | None = None
    reason: str | None = None
    removed: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "action": self.action,
            "moved_to": str(self.moved_to) if self.moved_to else None,
            "reason": self.reason,
            "removed": self.removed,
        }


def reset(settings: Settings, *, clock: Clock = SYSTEM_CLOCK) -> ResetResult:
    """`blue session reset`: empty a healthy database; move a damaged or foreign file aside.

    Nothing is deleted from a file that is not ours: it is renamed to ``sessions.db.broken-STAMP``
    and a fresh database takes its place.
    """
    path = settings.sessions_db
    if not path.exists():
        return ResetResult(path, "none")
    try:
        with open_sessions(settings, clock=clock, create=False) as db:
            return ResetResult(path, "cleared", removed=db.clear())
    except (SessionsDbForeign, SessionsDbCorrupt, SessionsDbNewer) as exc:
        reason = exc.message
    moved = location.move_aside(path, clock())
    with open_sessions(settings, clock=clock):
        pass
    return ResetResult(path, "moved", moved_to=moved, reason=reason)
