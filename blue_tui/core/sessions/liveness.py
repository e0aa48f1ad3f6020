"""Is a session still there? Heartbeat age everywhere; on this host also whether its pid lives.

A pid can be reused after its process died, so on Linux the process start time (``/proc/PID/stat``
field 22) is recorded at registration and compared; a zombie counts as dead. Elsewhere only
``kill(pid, 0)`` and the heartbeat age (at most 30 s) decide.
"""

from __future__ import annotations

import os
import socket
from functools import cache

from blue_tui.core.sessions.model import LATE_AFTER, STALE_AFTER


@cache
def this_host() -> str:
    return socket.gethostname() or "localhost"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) from /proc, or None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = raw[raw.rfind(b")") + 2 :].split()
    try:
        return fields[0].decode(), int(fields[19])
    except (IndexError, ValueError):
        return None


def process_start(pid: int) -> int | None:
    found = _proc_stat(pid)
    return found[1] if found else None


def pid_alive(pid: int, start: int | None) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    except OSError:
        return False
    found = _proc_stat(pid)
    if found is None:
        return True
    state, started = found
    if state in {"Z", "X"}:
        return False
    return start is None or started == start


def judge(host: str, pid: int, pid_start: int | None, last_heartbeat: float, now: float) -> str:
    """``active`` | ``late`` | ``stale``."""
    age = now - last_heartbeat
    if age > STALE_AFTER:
        return "stale"
    if host == this_host() and not pid_alive(pid, pid_start):
        return "stale"
    return "late" if age > LATE_AFTER else "active"
