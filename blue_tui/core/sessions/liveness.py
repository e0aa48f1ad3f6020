"""Is a session still there? Heartbeat age everywhere; on this host also whether its pid lives.

The pid's start time is recorded at registration (``processes.process_start``), so a reused pid
is told apart and a zombie counts as dead (``processes.pid_alive``); elsewhere only the heartbeat
age (at most 30 s) decides.
"""

from __future__ import annotations

import socket
from functools import cache

from blue_tui.core.processes import pid_alive, process_start
from blue_tui.core.sessions.model import LATE_AFTER, STALE_AFTER

__all__ = ["judge", "pid_alive", "process_start", "this_host"]


@cache
def this_host() -> str:
    return socket.gethostname() or "localhost"


def judge(host: str, pid: int, pid_start: int | None, last_heartbeat: float, now: float) -> str:
    """``active`` | ``late`` | ``stale``."""
    age = now - last_heartbeat
    if age > STALE_AFTER:
        return "stale"
    if host == this_host() and not pid_alive(pid, pid_start):
        return "stale"
    return "late" if age > LATE_AFTER else "active"
