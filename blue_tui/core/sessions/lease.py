"""Holding a session for as long as something runs: heartbeats every 10 s, deregistration at the end.

- :class:`SessionLease` (async) for the dashboard: a task on its event loop.
- :func:`held_session` (sync) for CLI commands that change a realm: a daemon thread that opens
  its own connection only if the command outlives one heartbeat interval.
- :func:`keep_alive` for `blue session start`: a detached process that beats while the script
  that asked lives, and leaves when the script dies or `blue session stop` removes the row.

A heartbeat that finds its row gone (reaped after the loop stalled, or `blue session reset`)
registers the same id again. Failures of this best-effort layer never stop the work it describes:
they are kept in ``problem`` for the caller to mention.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError
from blue_tui.core.sessions.api import SessionsDb, open_sessions
from blue_tui.core.sessions.liveness import pid_alive, process_start
from blue_tui.core.sessions.model import HEARTBEAT_INTERVAL, Session, SessionSpec


def _spec_of(session: Session) -> SessionSpec:
    return SessionSpec(
        kind=session.kind,
        realm=session.realm,
        repo=session.repo,
        command=session.command,
        active_domains=session.active_domains,
        watching=session.watching,
        worktree=session.worktree,
        rfc=session.rfc,
        pid=session.pid,
        user=session.user,
    )


class SessionLease:
    """``async with SessionLease(db, spec) as session:`` registers, beats, deregisters."""

    def __init__(self, db: SessionsDb, spec: SessionSpec, *, interval: float = HEARTBEAT_INTERVAL) -> None:
        self.db = db
        self.spec = spec
        self.interval = interval
        self.session: Session | None = None
        self.problem: BlueError | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Session:
        self.session = await self.db.register(self.spec)
        self._task = asyncio.get_running_loop().create_task(self._beat(), name="blue-session-heartbeat")
        return self.session

    async def _beat(self) -> None:
        assert self.session is not None
        while True:
            await asyncio.sleep(self.interval)
            try:
                if not await self.db.heartbeat(self.session.id):
                    await self.db.register(
                        _spec_of(self.session), session_id=self.session.id, started_at=self.session.started_at
                    )
                self.problem = None
            except BlueError as exc:
                self.problem = exc

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.session is not None:
            with contextlib.suppress(BlueError):
                await self.db.deregister(self.session.id)


@dataclass
class Lease:
    """What :func:`held_session` holds: the session, or the problem that kept it from existing."""

    session: Session | None = None
    problem: BlueError | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)


def _beat_in_thread(settings: Settings, lease: Lease, interval: float) -> None:
    session = lease.session
    assert session is not None
    if lease._stop.wait(interval):
        return  # most commands end before the first beat: no second connection at all
    try:
        with open_sessions(settings) as db:
            while True:
                if not db.heartbeat(session.id):
                    db.register(_spec_of(session), session_id=session.id, started_at=session.started_at)
                if lease._stop.wait(interval):
                    return
    except BlueError as exc:
        lease.problem = exc


@contextlib.contextmanager
def held_session(
    settings: Settings, spec: SessionSpec, *, interval: float = HEARTBEAT_INTERVAL
) -> Iterator[Lease]:
    """Register for the block's duration. Never raises for the database: see ``Lease.problem``."""
    lease = Lease()
    try:
        db = open_sessions(settings)
    except BlueError as exc:
        lease.problem = exc
        yield lease
        return
    with db:
        try:
            lease.session = db.register(spec)
        except BlueError as exc:
            lease.problem = exc
            yield lease
            return
        beater = threading.Thread(
            target=_beat_in_thread,
            args=(settings, lease, interval),
            name="blue-session-heartbeat",
            daemon=True,
        )
        beater.start()
        try:
            yield lease
        finally:
            lease._stop.set()
            beater.join(5)
            with contextlib.suppress(BlueError):
                db.deregister(lease.session.id)


def realm_session_spec(
    settings: Settings,
    command: str,
    *,
    cwd: Path,
    realm_arg: str | None = None,
    realm_name: str | None = None,
    domains: tuple[str, ...] = (),
    kind: str = "cli",
    pid: int | None = None,
) -> SessionSpec:
    """What a command in ``cwd`` works on: the realm (by --realm, membership or cwd) and repo."""
    from blue_tui.core.realm.locate import find_realm
    from blue_tui.core.realm.yamlfile import parse_text

    realm, repo, worktree = realm_name, None, None
    try:
        located = find_realm(settings, realm_arg, cwd)
    except BlueError:
        located = None
    if located is not None:
        worktree = str(located.repo_root) if located.repo_root else None
        if located.membership is not None:
            repo = located.membership.repo
            realm = realm or located.membership.name
        if realm is None:
            try:
                data = parse_text((located.root / "realm.yaml").read_text(encoding="utf-8")).data
                realm = str(data["name"]) if isinstance(data, dict) and data.get("name") else None
            except (OSError, BlueError):
                realm = None
            realm = realm or located.root.name
    return SessionSpec(
        kind=kind,
        realm=realm,
        repo=repo,
        command=command,
        active_domains=domains,
        worktree=worktree,
        pid=pid,
        user=settings.user_override,
    )


def keep_alive(
    settings: Settings,
    session_id: str,
    watch_pid: int,
    *,
    interval: float = HEARTBEAT_INTERVAL,
    poll: float = 1.0,
    stop: threading.Event | None = None,
) -> str:
    """Beat for ``session_id`` while ``watch_pid`` lives and the row exists; say why it ended.

    Returns ``stopped`` (the row was removed: `blue session stop`), ``exited`` (the watched
    process ended; the session is deregistered) or ``interrupted``.
    """
    stop = stop or threading.Event()
    start = process_start(watch_pid)
    next_beat = time.monotonic() + interval
    with open_sessions(settings) as db:
        while not stop.wait(poll):
            if not pid_alive(watch_pid, start):
                db.deregister(session_id)
                return "exited"
            if time.monotonic() >= next_beat:
                next_beat += interval
                if not db.heartbeat(session_id):
                    return "stopped"
            elif db.session(session_id) is None:
                return "stopped"
    return "interrupted"
