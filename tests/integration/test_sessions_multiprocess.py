"""Many processes on one sessions.db: nothing lost, nothing doubled, never `database is locked`,
and a writer killed with SIGKILL leaves a consistent database and no ghost session."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from blue_tui.core.sessions import ContractChange, SyncSessionsDb, Viewer, schema, store

pytestmark = pytest.mark.integration

WORKERS = 8
OPS = 1000
SHARED_KEYS = 50

# Each worker: one session; per op, in turn: a heartbeat, a notification only it posts, a
# notification every worker posts (dedup across processes), and a look at the sessions (which
# reaps). It reports what it created; any exception (a leaked "database is locked") exits 1.
WORKER = r"""
import json, sys
from pathlib import Path
from blue_tui.core.sessions import ContractChange, SessionSpec, SyncSessionsDb

path, me, ops, shared = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
made, shared_made, beats = [], [], 0
with SyncSessionsDb.open(path) as db:
    session = db.register(SessionSpec("cli", realm="load", repo=f"w{me}"))
    for i in range(ops):
        op = i % 4
        if op == 0:
            beats += db.heartbeat(session.id)
        elif op == 1:
            n = db.notify(ContractChange("load", "d", f"w{me}", f"w{me}", f"1.{i}.0", f"1.{i - 1}.0", True))
            made.append(n.id)
        elif op == 2:
            k = (i // 4) % shared
            n = db.notify(ContractChange("load", "d", "shared", None, f"2.{k}.0", f"2.{k}.1", False))
            if n is not None:
                shared_made.append(n.id)
        else:
            assert any(s.id == session.id for s in db.sessions(realm="load"))
    db.deregister(session.id)
print(json.dumps({"made": made, "shared": shared_made, "beats": beats, "session": session.id}))
"""


def test_eight_processes_a_thousand_operations_each(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(n), str(OPS), str(SHARED_KEYS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    results, errors = [], []
    for p in procs:
        out, err = p.communicate(timeout=600)
        errors.append(err)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    assert not any("locked" in e.lower() or "Traceback" in e for e in errors)

    made = [i for r in results for i in r["made"]]
    shared = [i for r in results for i in r["shared"]]
    assert len(made) == WORKERS * OPS // 4
    assert len(set(made)) == len(made)  # no id handed out twice
    assert len(shared) == SHARED_KEYS  # each shared change inserted by exactly one process
    assert all(r["beats"] == OPS // 4 for r in results)  # every heartbeat found its row

    raw = sqlite3.connect(path)
    ids = {row[0] for row in raw.execute("SELECT id FROM notifications")}
    assert ids == set(made) | set(shared)  # 0 lost, 0 extra
    keys = raw.execute("SELECT count(*), count(DISTINCT change_key) FROM notifications").fetchone()
    assert keys == (len(ids), len(ids))
    assert raw.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("SELECT rev FROM revisions WHERE name = 'notifications'").fetchone()[0] == len(ids)
    raw.close()


KILLED = r"""
import sys
from pathlib import Path
from blue_tui.core.sessions import ContractChange, SessionSpec, SyncSessionsDb

with SyncSessionsDb.open(Path(sys.argv[1])) as db:
    s = db.register(SessionSpec("cli", repo="victim"))
    print("session", s.id, flush=True)
    i = 0
    while True:
        i += 1
        n = db.notify(ContractChange("r", "d", "c", "victim", f"1.{i}.0", f"1.{i - 1}.0", True, "x" * 200))
        db.heartbeat(s.id)
        print("made", n.id, flush=True)
"""


def test_a_writer_killed_mid_run_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    victim = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    bystander = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(path), "99", "400", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert victim.stdout is not None
    first = victim.stdout.readline().split()
    assert first[0] == "session"
    deadline = time.monotonic() + 30
    lines = 0
    while lines < 200 and time.monotonic() < deadline:
        lines += victim.stdout.readline().startswith("made")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    # Read the rest through the same buffered reader: communicate() reads the raw pipe and
    # would miss the lines readline() has already buffered (then fewer "made" than committed).
    rest = victim.stdout.read()
    _, err = bystander.communicate(timeout=600)
    assert bystander.returncode == 0, err  # carried on through the kill
    reported = lines + sum(1 for line in rest.splitlines() if line.startswith("made"))

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    victim_rows = raw.execute("SELECT count(*) FROM notifications WHERE from_repo = 'victim'").fetchone()[0]
    # Every commit it reported is there; at most the one in flight got committed unreported.
    assert reported <= victim_rows <= reported + 1
    assert raw.execute("SELECT count(*) FROM sessions WHERE id = ?", [first[1]]).fetchone()[0] == 1
    raw.close()
    with SyncSessionsDb.open(path) as db:
        assert all(s.repo != "victim" for s in db.sessions())  # pid gone: no ghost, even before 30 s
        assert len(db.notifications(Viewer(realm="r"))) == victim_rows
        assert db.notify(ContractChange("r", "d", "c", "next", "9.0.0", "8.0.0", True)) is not None


def test_a_file_created_by_another_process_between_reads_is_not_called_foreign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process builds the schema right after this one has read the file's header: the
    classification must come from one snapshot (CI once saw tables without the application id)."""
    path = tmp_path / "sessions.db"
    path.touch(mode=0o600)
    other_done = threading.Event()

    def build_elsewhere() -> None:
        other = sqlite3.connect(path, timeout=30, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        for statements in schema.MIGRATIONS:
            for sql in statements:
                other.execute(sql)
        other.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        other.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
        other.execute("COMMIT")
        other.close()
        other_done.set()

    real_one = store._one
    builder = threading.Thread(target=build_elsewhere)

    async def one_then_race(conn: Any, sql: str) -> Any:
        row = await real_one(conn, sql)
        if sql == "PRAGMA application_id" and not builder.is_alive() and not other_done.is_set():
            builder.start()
            # Without one read transaction the other commit lands here, between the reads.
            other_done.wait(0.5)
        return row

    monkeypatch.setattr(store, "_one", one_then_race)
    with SyncSessionsDb.open(path) as db:
        assert db.sessions() == []
    builder.join(timeout=30)
    assert other_done.is_set()
