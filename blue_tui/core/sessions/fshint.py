"""A file-system hint for the change watcher: inotify on Linux (through libc), nothing elsewhere.

The watcher polls ``PRAGMA data_version`` anyway; the hint only wakes it the moment a commit
writes the -wal file, instead of at the next poll. The wrapper is this small (no events are
parsed: any write in the folder means "look now"), so no third-party watcher library is needed.
"""

from __future__ import annotations

import ctypes
import os
import sys
from contextlib import suppress
from pathlib import Path

IN_MODIFY = 0x002
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = 0o2000000
_MASK = IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE


class FsHint:
    """``fileno()`` becomes readable when a file in ``folder`` is written; None where unsupported."""

    def __init__(self, folder: Path) -> None:
        self._fd: int | None = None
        if not sys.platform.startswith("linux"):
            return
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = int(libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
        except (OSError, AttributeError):
            return
        if fd < 0:
            return
        if libc.inotify_add_watch(fd, os.fsencode(folder), _MASK) < 0:
            os.close(fd)
            return
        self._fd = fd

    def fileno(self) -> int | None:
        return self._fd

    def drain(self) -> None:
        if self._fd is None:
            return
        with suppress(BlockingIOError, InterruptedError):
            while os.read(self._fd, 65536):
                pass

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
