"""The demo's two background sessions: other developers at work in the demo realm.

Each is a real process (``python -m blue_tui.cli.demo keep REPO ...``, started by `blue demo`)
that registers its own session in sessions.db (its own pid), heartbeats every 10 s, and ends:

- when the process it watches ends (the `blue demo` that runs the dashboard: quitting the
  dashboard ends them), deregistering on the way out;
- when its lifetime runs out (15 minutes when `blue demo` runs without a terminal);
- when its row is removed (`blue session stop ID`, `blue session reset`, or the next `blue demo`,
  which replaces the pair);
- on SIGTERM or SIGINT (deregistering). Killed outright (SIGKILL), it leaves its row behind, but
  the pid in that row is gone, so whoever looks next on this machine removes it; from another
  machine sharing the folder it is stale 30 s after its last heartbeat.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from blue_tui.core.config import Settings
from blue_tui.core.sessions.api import open_sessions
from blue_tui.core.sessions.lease import keep_alive
from blue_tui.core.sessions.model import HEARTBEAT_INTERVAL, Session, SessionSpec

#: Every demo session's command ends with this, so the next `blue demo` can find and replace them.
TAG = "(blue demo)"
#: How long they live when nothing watches them (`blue demo` without a terminal).
UNWATCHED_LIFETIME = 15 * 60.0
#: A bound even while watching, should the watched pid be reused by an unrelated process.
WATCHED_LIFETIME = 12 * 3600.0


@dataclass(frozen=True)
class DemoSession:
    repo: str
    kind: str
    command: str
    domains: tuple[str, ...]
    rfc: str | None = None


SESSIONS = (
    DemoSession("fungal", "dashboard", f"blue-tui {TAG}", ("image-results", "s3-access")),
    DemoSession(
        "web",
        "cli",
        f"blue realm worktree create --rfc detections-v2 {TAG}",
        ("image-results",),
        "detections-v2",
    ),
)


def spec_for(repo: str, realm: str) -> SessionSpec:
    demo = next(s for s in SESSIONS if s.repo == repo)
    return SessionSpec(
        demo.kind,
        realm=realm,
        repo=repo,
        command=demo.command,
        active_domains=demo.domains,
        rfc=demo.rfc,
    )


def is_demo(session: Session) -> bool:
    return (session.command or "").endswith(TAG)


def stop_previous(settings: Settings, realm: str) -> list[str]:
    """Deregister the demo sessions an earlier `blue demo` started (their processes then leave)."""
    if not settings.sessions_db.exists():
        return []
    with open_sessions(settings) as db:
        return [s.id for s in db.sessions(realm=realm) if is_demo(s) and db.deregister(s.id)]


def run(
    settings: Settings,
    spec: SessionSpec,
    *,
    watch_pid: int | None,
    lifetime: float,
    interval: float = HEARTBEAT_INTERVAL,
    stop: threading.Event | None = None,
    on_registered: Callable[[Session], None] | None = None,
) -> str:
    """Hold ``spec``'s session in this process until one of the ends above; say which.

    Returns ``exited`` (the watched process ended), ``stopped`` (the row was removed),
    ``expired`` (the lifetime ran out) or ``interrupted`` (``stop`` was set).
    """
    stop = stop or threading.Event()
    with open_sessions(settings) as db:
        session = db.register(spec)
    if on_registered is not None:
        on_registered(session)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        stop.set()

    timer = threading.Timer(lifetime, expire)
    timer.daemon = True
    timer.start()
    try:
        reason = keep_alive(settings, session.id, watch_pid or os.getpid(), interval=interval, stop=stop)
    finally:
        timer.cancel()
    if reason == "interrupted":
        with open_sessions(settings) as db:
            db.deregister(session.id)
        return "expired" if expired.is_set() else "interrupted"
    return reason
