"""pid_alive: a live process, a zombie, a dead pid and a reused one are told apart."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from blue_tui.core.processes import pid_alive, process_start


def test_a_running_process_is_alive_and_the_same_one() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = process_start(child.pid)
        assert pid_alive(child.pid) and pid_alive(child.pid, start)
        # Another start time means the pid was reused by another process.
        assert start is not None and not pid_alive(child.pid, start + 1)
    finally:
        child.kill()
        child.wait()


def test_a_zombie_and_a_reaped_process_are_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # not waited for: it stays a zombie
        with open(f"/proc/{child.pid}/stat", "rb") as fh:
            if fh.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                break
        time.sleep(0.02)
    assert not pid_alive(child.pid)
    child.wait()
    assert not pid_alive(child.pid)


def test_impossible_pids_are_never_alive() -> None:
    assert not pid_alive(0) and not pid_alive(-1)
    assert pid_alive(os.getpid())
