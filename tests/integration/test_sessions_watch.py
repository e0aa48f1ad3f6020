"""The change watcher: what it reports, from other processes too, and that it stops cleanly."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.sessions import Change, ContractChange, SessionSpec, SyncSessionsDb, Viewer, reset
from blue_tui.core.sessions.watcher import Watcher

pytestmark = pytest.mark.integration


class Collector:
    def __init__(self) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.threads: set[str] = set()

    def __call__(self, change: Change) -> None:
        self.threads.add(threading.current_thread().name)
        self.changes.put(change)

    def next(self, timeout: float = 5.0) -> Change:
        return self.changes.get(timeout=timeout)

    def quiet(self, seconds: float = 0.3) -> bool:
        try:
            self.changes.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


def change(domain: str = "s3-access", to: str = "1.1.0") -> ContractChange:
    return ContractChange("letemcook", domain, "s3-permissions", "aperture", to, "1.0.0", True)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "sessions.db"
    with SyncSessionsDb.open(p):
        pass
    return p


def test_each_kind_of_change_is_told_apart(path: Path) -> None:
    seen = Collector()
    viewer = Viewer("letemcook", "fungal", frozenset({"s3-access"}))
    with Watcher(path, seen, viewer=viewer, clock=lambda: 42.0), SyncSessionsDb.open(path) as db:
        assert seen.quiet(0.2)  # nothing happened yet: no callback
        s = db.register(SessionSpec("dashboard", repo="aperture"))
        c = seen.next()
        assert c.sessions and not c.heartbeats and not c.notifications and c.at == 42.0
        db.heartbeat(s.id)
        c = seen.next()
        assert c.heartbeats and not c.sessions
        n = db.notify(change())
        c = seen.next()
        assert [x.id for x in c.notifications] == [n.id if n else -1]
        assert c.notifications[0].state == "pending" and c.notifications[0].breaking is False
        db.notify(change(domain="billing"))  # not fungal's domain
        c = seen.next()
        assert c.notifications == ()
        db.acknowledge(viewer)
        assert seen.next().acks
        db.deregister(s.id)
        assert seen.next().sessions
    assert seen.threads == {"blue-sessions-watcher"}


def test_the_changing_repo_is_not_told_of_its_own_change(path: Path) -> None:
    seen = Collector()
    with Watcher(path, seen, viewer=Viewer("letemcook", "aperture")), SyncSessionsDb.open(path) as db:
        db.notify(change())
        c = seen.next()
        assert c.notifications == () and c.acks


def test_changes_from_another_process_arrive(path: Path) -> None:
    seen = Collector()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from blue_tui.core.sessions import ContractChange, SyncSessionsDb\n"
        "with SyncSessionsDb.open(Path(sys.argv[1])) as db:\n"
        "    for i in range(5):\n"
        "        db.notify(ContractChange('r', 'd', 'c', 'x', f'1.{i + 1}.0', f'1.{i}.0', True))\n"
    )
    with Watcher(path, seen):
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
        got: list[str] = []
        while len(got) < 5:
            got += [n.to_version for n in seen.next().notifications]
    assert got == [f"1.{i + 1}.0" for i in range(5)]


def test_without_the_file_system_hint_polling_still_sees_everything(path: Path) -> None:
    seen = Collector()
    with Watcher(path, seen, fs_hint=False, interval=0.02), SyncSessionsDb.open(path) as db:
        db.notify(change())
        assert len(seen.next().notifications) == 1


def test_a_missing_file_is_waited_for_then_reported_as_a_reset(tmp_path: Path) -> None:
    path = tmp_path / "later" / "sessions.db"
    seen, problems = Collector(), []
    with Watcher(path, seen, on_error=problems.append, interval=0.01):
        time.sleep(0.2)
        with SyncSessionsDb.open(path) as db:
            db.notify(change())
            c = seen.next(timeout=5)
            assert c.reset and c.sessions
    assert problems == []


def test_a_reset_that_moves_a_bad_file_aside_is_followed(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "BLUE_SESSIONS_DB": str(tmp_path / "s.db")})
    settings.sessions_db.write_text("garbage")
    seen, problems = Collector(), []
    with Watcher(settings.sessions_db, seen, on_error=problems.append):
        deadline = time.monotonic() + 5
        while not problems and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(problems) == 1 and "not a blue sessions database" in str(problems[0])
        assert reset(settings).action == "moved"
        with SyncSessionsDb.open(settings.sessions_db) as db:
            db.notify(change())
            while True:
                c = seen.next(timeout=5)
                if c.notifications:
                    break
            assert [n.to_version for n in c.notifications] == ["1.1.0"]
    assert len(problems) == 1  # told once, not once per poll


def test_a_clear_is_reported(path: Path) -> None:
    seen = Collector()
    with SyncSessionsDb.open(path) as db:
        db.notify(change())
        with Watcher(path, seen):
            time.sleep(0.1)
            db.clear()
            c = seen.next()
            assert c.purged


def test_stop_is_prompt_and_final(path: Path) -> None:
    seen = Collector()
    w = Watcher(path, seen, interval=5.0).start()
    time.sleep(0.1)
    started = time.monotonic()
    w.stop()
    assert time.monotonic() - started < 1.0 and not w.running
    with SyncSessionsDb.open(path) as db:
        db.notify(change())
    assert seen.quiet(0.3)
    w.stop()  # idempotent


def test_a_failing_callback_does_not_kill_the_watcher(path: Path) -> None:
    calls: list[Change] = []

    def flaky(c: Change) -> None:
        calls.append(c)
        if len(calls) == 1:
            raise RuntimeError("boom")

    with Watcher(path, flaky) as w, SyncSessionsDb.open(path) as db:
        db.notify(change())
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        db.notify(change(to="1.2.0"))
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(calls) == 2 and w.running


def test_the_watcher_never_writes(path: Path) -> None:
    before = os.stat(path).st_mtime_ns
    with Watcher(path, Collector()):
        time.sleep(0.2)
    assert os.stat(path).st_mtime_ns == before
