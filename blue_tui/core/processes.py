"""Is a process still there? One answer for every part that remembers a pid.

``kill(pid, 0)`` says whether a pid exists, not whether it is still the process that was
recorded: a pid is reused after its process died, and a zombie still answers. On Linux the
process start time (``/proc/PID/stat`` field 22) tells a reused pid apart when it was recorded,
and the state letter tells a zombie; elsewhere ``kill`` alone decides.
"""

from __future__ import annotations

import os


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
    """The start time of ``pid`` (record it beside the pid), or None where it cannot be read."""
    found = _proc_stat(pid)
    return found[1] if found else None


def pid_alive(pid: int, start: int | None = None) -> bool:
    """True while ``pid`` runs and is not a zombie (and, given ``start``, is the same process)."""
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
