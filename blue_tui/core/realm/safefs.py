"""Files of a realm repo, read and written without following a symlink from the realm root down.

A realm is a git repo written by several teams, and git stores symlinks: a committed
``repos -> /home/you`` or ``domains/d/contracts -> ../../..`` would make the loader read files
outside the realm and an admin command write there. So every path below the root is walked one
component at a time from a descriptor of the root, each component opened with ``O_NOFOLLOW``
relative to its parent (``openat``): a symlink anywhere below the root is refused, and nothing can
swap one in between the check and the use. The root itself is the user's choice (``--realm``, the
index) and may be reached through a symlink.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections import OrderedDict
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from blue_tui.core.realm.errors import RealmError

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class SymlinkInRealm(RealmError):
    """A path component below the realm root is a symlink."""

    def __init__(self, root: Path, rel: str) -> None:
        super().__init__(
            f"{root}/{rel} is a symlink; blue refuses symlinks inside a realm (they could point outside it)",
            hint=f"replace {rel} with a regular file or folder in the realm repo (`git -C {root} rm {rel}`)",
        )
        self.rel = rel


def _components(rel: str) -> list[str]:
    parts = rel.split("/") if rel else []
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a plain realm-relative path: {rel!r}")
    return parts


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


class RealmFiles:
    """The files under one realm root; keeps a few folder descriptors open (close it, or use ``with``)."""

    def __init__(self, root: Path, *, keep: int = 32) -> None:
        self.root = root
        self._keep = keep
        self._fds: OrderedDict[str, int] = OrderedDict()
        self._root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        for fd in self._fds.values():
            with suppress(OSError):
                os.close(fd)
        self._fds.clear()
        if self._root_fd >= 0:
            with suppress(OSError):
                os.close(self._root_fd)
            self._root_fd = -1

    def __enter__(self) -> RealmFiles:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- folders -----------------------------------------------------------------------------

    def _dir(self, rel: str, *, create: bool = False) -> int:
        """A descriptor of folder ``rel`` (realm-relative; "" is the root)."""
        if not rel:
            return self._root_fd
        fd = self._fds.get(rel)
        if fd is not None:
            self._fds.move_to_end(rel)
            return fd
        parent, _, name = rel.rpartition("/")
        _components(rel)
        pfd = self._dir(parent, create=create)
        try:
            fd = self._open_dir_at(pfd, name, rel)
        except FileNotFoundError:
            if not create:
                raise
            with suppress(FileExistsError):
                os.mkdir(name, 0o755, dir_fd=pfd)
            fd = self._open_dir_at(pfd, name, rel)
        self._fds[rel] = fd
        while len(self._fds) > self._keep:
            _, old = self._fds.popitem(last=False)
            with suppress(OSError):
                os.close(old)
        return fd

    def _open_dir_at(self, pfd: int, name: str, rel: str) -> int:
        try:
            return os.open(name, _DIR, dir_fd=pfd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(pfd, name):
                raise SymlinkInRealm(self.root, rel) from None
            raise

    def entries(self, rel: str) -> list[tuple[str, str]]:
        """``(name, kind)`` of folder ``rel``'s entries, sorted; kind is file, dir, symlink or other.

        Raises ``FileNotFoundError`` when the folder is missing and :class:`SymlinkInRealm` when
        it (or a folder above it) is a symlink.
        """
        fd = self._dir(rel)
        out = []
        with os.scandir(fd) as it:
            for entry in it:
                if entry.is_symlink():
                    kind = "symlink"
                elif entry.is_dir(follow_symlinks=False):
                    kind = "dir"
                elif entry.is_file(follow_symlinks=False):
                    kind = "file"
                else:
                    kind = "other"
                out.append((entry.name, kind))
        out.sort()
        return out

    # ---- files -------------------------------------------------------------------------------

    def kind(self, rel: str) -> str | None:
        """``file``, ``dir`` or ``other`` for an existing path, None when it is missing.

        A symlink, as the path itself or as any folder above it, raises :class:`SymlinkInRealm`.
        """
        parent, _, name = rel.rpartition("/")
        _components(rel)
        try:
            dfd = self._dir(parent)
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(st.st_mode):
            raise SymlinkInRealm(self.root, rel)
        if stat.S_ISDIR(st.st_mode):
            return "dir"
        return "file" if stat.S_ISREG(st.st_mode) else "other"

    def exists(self, rel: str) -> bool:
        return self.kind(rel) is not None

    def read_bytes(self, rel: str) -> bytes:
        parent, _, name = rel.rpartition("/")
        _components(rel)
        dfd = self._dir(parent)
        try:
            fd = os.open(name, _FILE, dir_fd=dfd)
        except OSError as exc:
            if exc.errno == errno.ELOOP or _is_link(dfd, name):
                raise SymlinkInRealm(self.root, rel) from None
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                code = errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL
                raise OSError(code, "not a regular file" if code == errno.EINVAL else os.strerror(code), rel)
            # os.read straight into bytes: a realm has ~20,000 small files, and a file object per
            # file costs more than the read itself. Asking for one byte more than the size
            # usually reads the whole file and sees its end in one call.
            data = os.read(fd, st.st_size + 1)
            if len(data) <= st.st_size:
                return data
            parts = [data]
            while chunk := os.read(fd, 1 << 16):
                parts.append(chunk)
            return b"".join(parts)
        finally:
            os.close(fd)

    def read_text(self, rel: str) -> str:
        return self.read_bytes(rel).decode("utf-8")

    def write_atomic(self, rel: str, data: str | bytes) -> None:
        """Write ``rel`` through a temp file and ``rename`` in its folder (keeps an existing file's mode)."""
        parent, _, name = rel.rpartition("/")
        _components(rel)
        dfd = self._dir(parent, create=True)
        mode = 0o644
        try:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISLNK(st.st_mode):
                raise SymlinkInRealm(self.root, rel)
            mode = st.st_mode & 0o777
        raw = data.encode("utf-8") if isinstance(data, str) else data
        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, _NEW, mode, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                os.fchmod(fh.fileno(), mode)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise

    def unlink(self, rel: str) -> None:
        """Remove file ``rel`` if it exists (a symlink there is refused, not removed)."""
        if self.kind(rel) is None:
            return
        parent, _, name = rel.rpartition("/")
        os.unlink(name, dir_fd=self._dir(parent))


def read_text(root: Path, rel: str) -> str:
    """``rel`` under ``root``, read without following symlinks."""
    with RealmFiles(root) as files:
        return files.read_text(rel)


def exists(root: Path, rel: str) -> bool:
    """Whether ``rel`` exists under ``root``; a symlink on the way raises :class:`SymlinkInRealm`."""
    with RealmFiles(root) as files:
        return files.exists(rel)


def refuse_symlinks(root: Path, rel: str) -> None:
    """Raise :class:`SymlinkInRealm` if any existing component of ``rel`` below ``root`` is a symlink."""
    with RealmFiles(root) as files:
        parts = _components(rel)
        for i in range(1, len(parts) + 1):
            if files.kind("/".join(parts[:i])) in (None, "file", "other"):
                return
