"""Where sessions.db lives and what may sit there: checked before SQLite ever opens the file.

The folder (``$XDG_RUNTIME_DIR/blue``, else ``$BLUE_HOME/run``) is made mode 0700 and must be
ours; the file is created 0600 by us (SQLite gives its -wal and -shm files the same mode), so
other users can neither read the coordination state nor plant a database for us to trust. A
file that is not an SQLite database is refused here, before anything could write to it.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from blue_tui.core.sessions.errors import SessionsDbForeign, SessionsDbUnsafe

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm")


def _check_owner(path: Path, st: os.stat_result, what: str) -> None:
    if st.st_uid != os.geteuid():
        raise SessionsDbUnsafe(
            f"{what} {path} belongs to uid {st.st_uid}, not to you (uid {os.geteuid()})",
            hint="set BLUE_SESSIONS_DB to a path of your own, or remove it",
        )


def prepare_folder(folder: Path, *, private: bool) -> None:
    """Create the folder (0700); a ``private`` one (the default location) must be ours and 0700."""
    try:
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        st = folder.stat()
    except OSError as exc:
        raise SessionsDbUnsafe(
            f"cannot create the sessions folder {folder}: {exc.strerror or exc}",
            hint="check XDG_RUNTIME_DIR / BLUE_HOME, or set BLUE_SESSIONS_DB",
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise SessionsDbUnsafe(f"{folder} is not a folder", hint="remove it, or set BLUE_SESSIONS_DB")
    if private:
        _check_owner(folder, st, "sessions folder")
        if st.st_mode & 0o077:
            os.chmod(folder, 0o700)


def check_file(path: Path) -> bool:
    """True when a file is there and may be opened as SQLite; raises for what must not be."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SessionsDbUnsafe(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SessionsDbUnsafe(
            f"{path} is not a regular file", hint="remove it, or set BLUE_SESSIONS_DB to another path"
        )
    _check_owner(path, st, "sessions database")
    if st.st_size == 0:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise SessionsDbUnsafe(f"cannot read {path}: {exc.strerror or exc}") from None
    if head != SQLITE_MAGIC:
        raise SessionsDbForeign(path, "it is not an SQLite file")
    return True


def create_file(path: Path) -> None:
    """Create an empty 0600 file for SQLite to fill (another process may win the race: fine)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise SessionsDbUnsafe(f"cannot create {path}: {exc.strerror or exc}") from None
    os.close(fd)


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file, to notice when it is replaced; None when it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def move_aside(path: Path, now: float) -> Path:
    """Rename the database and its side files to ``NAME.broken-STAMP`` (nothing is deleted)."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target
