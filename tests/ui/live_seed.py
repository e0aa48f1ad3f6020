"""Fixed sessions and notifications for the live panes' tests and snapshots.

Everything is written through the real sessions.db API with clocks fixed relative to the
dashboard's (tests.ui.conftest.FIXED), under fixed session ids; pid 1 (always alive) stands for
the processes, so liveness never depends on the test's own processes.
"""

from __future__ import annotations

from blue_tui.core.config import Settings
from blue_tui.core.sessions import ContractChange, Session, SessionSpec, SyncSessionsDb
from tests.ui.conftest import FIXED

NOW = FIXED.timestamp()


def db_at(settings: Settings, seconds_before: float) -> SyncSessionsDb:
    return SyncSessionsDb.open(settings.sessions_db, clock=lambda: NOW - seconds_before)


def register(
    settings: Settings,
    ident: str,
    repo: str,
    *,
    kind: str = "cli",
    beat_ago: float = 2.0,
    started_ago: float = 600.0,
    command: str | None = None,
    domains: tuple[str, ...] = (),
    rfc: str | None = None,
    pid: int = 1,
) -> Session:
    with db_at(settings, beat_ago) as db:
        spec = SessionSpec(
            kind, realm="demo", repo=repo, command=command, active_domains=domains, rfc=rfc, pid=pid
        )
        return db.register(spec, session_id=ident, started_at=NOW - started_ago)


def seed(settings: Settings) -> None:
    """Three sessions (one late) and three notifications (one breaking, one seen by this viewer's
    realm only through aperture's own ack), replacing what the demo build posted."""
    with db_at(settings, 0) as db:
        db.clear()
    register(
        settings,
        "f00d00000001",
        "fungal",
        kind="dashboard",
        command="blue-tui",
        domains=("s3-access",),
        beat_ago=4,
    )
    register(settings, "f00d00000002", "web", rfc="detections-v2", beat_ago=21, started_ago=3600)
    register(
        settings, "f00d00000003", "aperture", command="blue realm check --watch", beat_ago=8, started_ago=90
    )
    changes = [
        (
            7200,
            ContractChange(
                "demo",
                "training-metrics",
                "run-metrics",
                "aperture",
                "1.1.0",
                "1.0.0",
                True,
                "Optional epoch",
            ),
        ),
        (
            1800,
            ContractChange(
                "demo", "image-results", "detections", "fungal", "1.1.0", "1.0.0", True, "Optional score"
            ),
        ),
        (
            120,
            ContractChange(
                "demo",
                "s3-access",
                "s3-permissions",
                "aperture",
                "2.0.0",
                "1.1.0",
                False,
                "read becomes an object with prefixes",
            ),
        ),
    ]
    for ago, change in changes:
        with db_at(settings, ago) as db:
            db.notify(change)


def heartbeat(settings: Settings, ident: str, beat_ago: float = 0.0) -> bool:
    with db_at(settings, beat_ago) as db:
        return db.heartbeat(ident)


def deregister(settings: Settings, *idents: str) -> None:
    with db_at(settings, 0) as db:
        for ident in idents:
            db.deregister(ident)


def notify(settings: Settings, *changes: ContractChange, ago: float = 0.0) -> None:
    with db_at(settings, ago) as db:
        for change in changes:
            db.notify(change)
