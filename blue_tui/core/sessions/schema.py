"""The schema of sessions.db, its migrations, and the check that a file is ours.

``PRAGMA application_id`` marks the file as blue's and ``PRAGMA user_version`` is its schema
version. Migration N takes version N-1 to N inside one ``BEGIN IMMEDIATE`` transaction, so
processes racing to create or upgrade the file do it once. A file is accepted only when its
objects (tables, indexes, triggers, with their SQL) are exactly what the migrations build: a
handed-over file with a planted trigger or view is refused instead of run.

Triggers keep one revision counter per kind of change, so the change watcher tells a heartbeat
from a new session or notification with one small read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from blue_tui.core.sessions.errors import SessionsDbForeign, SessionsDbNewer

APPLICATION_ID = 0x626C7565  # "blue"

_BUMP = "UPDATE revisions SET rev = rev + 1 WHERE name = '{}'"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions, notifications with acknowledgements, revision counters.
    (
        """CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    realm TEXT,
    repo TEXT,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pid_start INTEGER,
    user TEXT,
    command TEXT,
    started_at REAL NOT NULL,
    last_heartbeat REAL NOT NULL,
    active_domains TEXT NOT NULL DEFAULT '[]',
    watching TEXT NOT NULL DEFAULT '[]',
    worktree TEXT,
    rfc TEXT
) STRICT""",
        "CREATE INDEX sessions_by_realm ON sessions (realm, repo)",
        """CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change_key TEXT NOT NULL UNIQUE,
    realm TEXT NOT NULL,
    domain TEXT NOT NULL,
    contract TEXT NOT NULL,
    from_repo TEXT,
    change_type TEXT NOT NULL CHECK (change_type IN ('new', 'updated', 'breaking')),
    from_version TEXT,
    to_version TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    commit_sha TEXT,
    created_at REAL NOT NULL
) STRICT""",
        "CREATE INDEX notifications_by_realm ON notifications (realm, domain)",
        "CREATE INDEX notifications_by_age ON notifications (created_at)",
        """CREATE TABLE acks (
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('repo', 'session')),
    who TEXT NOT NULL,
    acked_at REAL NOT NULL,
    PRIMARY KEY (notification_id, kind, who)
) STRICT, WITHOUT ROWID""",
        "CREATE TABLE revisions (name TEXT PRIMARY KEY, rev INTEGER NOT NULL) STRICT, WITHOUT ROWID",
        "INSERT INTO revisions (name, rev) VALUES "
        "('sessions', 0), ('heartbeats', 0), ('notifications', 0), ('acks', 0), ('purges', 0)",
        f"CREATE TRIGGER sessions_added AFTER INSERT ON sessions BEGIN {_BUMP.format('sessions')}; END",
        f"CREATE TRIGGER sessions_removed AFTER DELETE ON sessions BEGIN {_BUMP.format('sessions')}; END",
        "CREATE TRIGGER sessions_edited AFTER UPDATE OF "
        "kind, realm, repo, pid, command, active_domains, watching, worktree, rfc ON sessions "
        f"BEGIN {_BUMP.format('sessions')}; END",
        "CREATE TRIGGER sessions_beat AFTER UPDATE OF last_heartbeat ON sessions "
        f"BEGIN {_BUMP.format('heartbeats')}; END",
        "CREATE TRIGGER notifications_added AFTER INSERT ON notifications "
        f"BEGIN {_BUMP.format('notifications')}; END",
        "CREATE TRIGGER notifications_removed AFTER DELETE ON notifications "
        f"BEGIN {_BUMP.format('purges')}; END",
        f"CREATE TRIGGER acks_added AFTER INSERT ON acks BEGIN {_BUMP.format('acks')}; END",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

#: One row of ``sqlite_master``: (type, name, tbl_name, sql).
SchemaObject = tuple[str, str, str, str | None]
OBJECTS_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


@cache
def expected_objects(version: int) -> frozenset[SchemaObject]:
    """What migrations 1..version build, read back from an in-memory database."""
    conn = sqlite3.connect(":memory:")
    try:
        for statements in MIGRATIONS[:version]:
            for sql in statements:
                conn.execute(sql)
        return frozenset(conn.execute(OBJECTS_SQL).fetchall())
    finally:
        conn.close()


def classify(path: Path, app_id: int, version: int, objects: Iterable[SchemaObject]) -> str:
    """``fresh`` (empty: build it), ``migrate`` (older: upgrade it) or ``current``; raise otherwise."""
    found = frozenset(objects)
    if app_id == 0 and version == 0 and not found:
        return "fresh"
    if app_id != APPLICATION_ID:
        return _foreign(
            path, "it belongs to another program" if app_id else "it has tables blue did not make"
        )
    if version > SCHEMA_VERSION:
        raise SessionsDbNewer(path, version, SCHEMA_VERSION)
    if version < 1 or found != expected_objects(version):
        extra = sorted(f"{o[0]} {o[1]}" for o in found - expected_objects(max(version, 0)))
        missing = sorted(f"{o[0]} {o[1]}" for o in expected_objects(max(version, 0)) - found)
        detail = "; ".join(
            part
            for part in (
                f"unexpected {', '.join(extra[:3])}" if extra else "",
                f"missing {', '.join(missing[:3])}" if missing else "",
            )
            if part
        )
        return _foreign(path, f"its schema differs from version {version}: {detail or 'changed objects'}")
    return "current" if version == SCHEMA_VERSION else "migrate"


def _foreign(path: Path, why: str) -> str:
    raise SessionsDbForeign(path, why)
